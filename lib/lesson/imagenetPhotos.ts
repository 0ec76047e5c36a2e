/**
 * The ImageNet classifier of a backbone (`loadBackbone(profile, { includeTop: true })`) on the lesson's photos:
 * the top classes of each photo (Keras's `decode_predictions`), and the class activation map of its top class
 * drawn over the photo (for a GAP head: MobileNet's). Photos are read at the model's input size and preprocessed
 * as the backbone says; nothing is left to dispose.
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadImage } from '../data/imageDataset';
import { camHead, classActivationMap } from '../explain/cam';
import type { ClassMap } from '../explain/forward';
import { overlayPng, toPng, toRgbImage } from '../explain/overlay';
import { layerWeight } from '../explain/scores';
import { decodePredictions, imagenetClasses, type DecodedPrediction } from '../models/imagenet';
import { showMarkdown, showTable } from '../ui/display';
import { photoCaption, showPredictions } from '../ui/photoViews';
import type { BackboneFacts, ImageNetClassifier } from './backbone';

/** One photo and the classifier's top classes for it. */
export interface PhotoPrediction {
  file: string;
  /** The photo's class folder ('cats', 'dogs'). */
  label: string;
  /** Best first. */
  predictions: DecodedPrediction[];
}

/** One photo and the class activation map of the classifier's top class. */
export interface PhotoCam {
  file: string;
  label: string;
  /** The photo at the model's input size, as PNG bytes. */
  photo: Buffer;
  /** The map over the photo (viridis, half transparent), as PNG bytes. */
  overlay: Buffer;
  /** The raw map (7x7 for a 224x224 MobileNet) with its class, score (logit) and probability. */
  cam: ClassMap;
  /** Keras's name of the explained class. */
  className: string;
  /** The classifier's bias for that class: logit = mean of the map + bias. */
  bias: number;
}

/** What an ImageNet class is to this lesson: a dog breed (classes 151-268), a domestic cat (281-285), or other. */
export function petKind(classId: string): 'dog' | 'cat' | 'other' {
  const i = imagenetClasses().findIndex(([wnid]) => wnid === classId);
  if (i >= 151 && i <= 268) return 'dog';
  if (i >= 281 && i <= 285) return 'cat';
  return 'other';
}

/** A photo at the backbone's input size (0..255), and as the model's preprocessed batch of one. */
async function readPhoto(backbone: BackboneFacts, file: string): Promise<{ image: tf.Tensor3D; batch: tf.Tensor4D }> {
  const [h, w] = backbone.inputShape;
  const image = await loadImage(file, { imageSize: [h, w] });
  const batch = tf.tidy(() => backbone.preprocess(tf.expandDims(image, 0)));
  return { image, batch };
}

/** The `top` ImageNet classes of each photo (default 5), best first. */
export async function predictPhotos(
  backbone: ImageNetClassifier,
  files: string[],
  opts: { top?: number } = {},
): Promise<PhotoPrediction[]> {
  const out: PhotoPrediction[] = [];
  for (const file of files) {
    const { image, batch } = await readPhoto(backbone, file);
    const probs = tf.tidy(() => backbone.classifier.predict(batch));
    try {
      if (Array.isArray(probs))
        throw new Error(
          `model '${backbone.classifier.name}' has several outputs; predict with an ImageNet classifier.`,
        );
      out.push({
        file,
        label: path.basename(path.dirname(file)),
        predictions: decodePredictions(probs, opts.top ?? 5)[0],
      });
    } finally {
      tf.dispose([image, batch, probs]);
    }
  }
  return out;
}

/** The class activation map of each photo's top class, drawn over the photo (the model's head must be GAP). */
export async function camPhotos(backbone: ImageNetClassifier, files: string[]): Promise<PhotoCam[]> {
  const bias = layerWeight(camHead(backbone.classifier).classifier, 'bias');
  const biases = bias ? await bias.data() : undefined;
  const out: PhotoCam[] = [];
  for (const file of files) {
    const { image, batch } = await readPhoto(backbone, file);
    try {
      const cam = await classActivationMap(backbone.classifier, batch);
      out.push({
        file,
        label: path.basename(path.dirname(file)),
        photo: await toPng(toRgbImage(image)),
        overlay: await overlayPng(image, cam.map),
        cam,
        className: imagenetClasses()[cam.classIndex][1],
        bias: biases?.[cam.classIndex] ?? 0,
      });
    } finally {
      tf.dispose([image, batch]);
    }
  }
  return out;
}

const KIND_KO: Record<ReturnType<typeof petKind>, string> = { dog: '개 품종', cat: '고양이', other: '' };
const KIND_OF_FOLDER: Record<string, ReturnType<typeof petKind>> = { cats: 'cat', dogs: 'dog' };

/** Photos whose top class is the photo's own animal (a cat class for cats/, a dog breed for dogs/). */
export function topClassMatches(items: PhotoPrediction[]): number {
  return items.filter((it) => petKind(it.predictions[0].classId) === KIND_OF_FOLDER[it.label]).length;
}

/** How many of each photo's top classes are its own animal (a cat class for cats/, a dog breed for dogs/). */
export function ownAnimalCounts(items: PhotoPrediction[]): number[] {
  return items.map((it) => it.predictions.filter((p) => petKind(p.classId) === KIND_OF_FOLDER[it.label]).length);
}

/**
 * The sentence about what the predictions show, built from them: how many photos have their own animal first, and
 * how many have it somewhere in the top classes (and how many of those classes on average).
 */
export function predictionsFinding(items: PhotoPrediction[]): string {
  const top = items[0]?.predictions.length ?? 0;
  const counts = ownAnimalCounts(items);
  const inTop = counts.filter((c) => c > 0).length;
  const mean = counts.reduce((a, b) => a + b, 0) / Math.max(1, items.length);
  return (
    `**이번 실행의 값**: 사진 ${items.length}장 가운데 1위 클래스가 사진 속 동물인 사진은 ${topClassMatches(items)}장, ` +
    `상위 ${top}개 안에 사진 속 동물의 클래스가 하나라도 있는 사진은 ${inTop}장입니다. ` +
    `상위 ${top}개 가운데 사진 속 동물의 클래스는 사진마다 평균 ${mean.toFixed(1)}개입니다.`
  );
}

/** Shows each photo beside its top classes (marked 고양이 / 개 품종) and what they show (`predictionsFinding`). */
export async function showPhotoPredictions(items: PhotoPrediction[]): Promise<void> {
  await showPredictions(items, { kindOf: (p) => KIND_KO[petKind(p.classId)] });
  console.log(
    `1위 클래스가 사진 속 동물과 맞는 사진 (고양이 → 고양이 클래스, 개 → 개 품종): ${topClassMatches(items)} / ${items.length}`,
  );
  showMarkdown(predictionsFinding(items));
}

/** Shows, per photo, that the class score is the map's mean plus the classifier's bias (what GAP makes possible). */
export function showCamArithmetic(cams: PhotoCam[]): void {
  const rows = cams.map(({ file, cam, className, bias }) => {
    const mean = cam.map.flat().reduce((s, v) => s + v, 0) / cam.map.flat().length;
    return {
      사진: photoCaption(file),
      클래스: className,
      '지도 크기': `${cam.map.length}x${cam.map[0].length}`,
      '지도 평균': mean,
      편향: bias,
      '평균 + 편향': mean + bias,
      '점수 (logit)': cam.score,
      확률: cam.probability,
    };
  });
  showTable(rows, { caption: `CAM (층 ${cams[0]?.cam.layerName}): 지도의 평균 + 편향 = 클래스 점수` });
}
