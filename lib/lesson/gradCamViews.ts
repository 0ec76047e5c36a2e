/**
 * Grad-CAM for notebook 08: the same photos explained by two models side by side — the profile's ImageNet
 * classifier (VGG16 on `block5_conv3`, as in Chollet's book; MobileNet α=0.25 on its last feature map) and the
 * cats/dogs model fine-tuned in 07 — each overlay captioned with the class the model chose and its probability.
 */
import { displayClassName } from '../core/displayNames';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { say } from '../core/messages';
import { loadImage } from '../data/imageDataset';
import { explainedLayer } from '../explain/forward';
import { gradCam } from '../explain/gradCam';
import { overlayPng } from '../explain/overlay';
import { imagenetClasses } from '../models/imagenet';
import { mostConfidentMistakes, type EvaluationResult } from '../training/evaluate';
import { showTable } from '../ui/display';
import { mistakeCaption } from '../ui/evaluationView';
import { showSideBySide, type SideBySideCell } from '../ui/sideBySide';
import { loadBackbone } from './backbone';
import type { LessonProfile } from './profile';

/** A model to explain and how to feed it. */
export interface CamSubject {
  /** The column title ('ImageNet 모델 (MobileNet)'). */
  title: string;
  model: tf.LayersModel;
  /** [height, width] the model takes. */
  inputSize: [number, number];
  /** Applied to the 0..255 photo batch before the model (none: the model preprocesses itself). */
  preprocess?: (x: tf.Tensor4D) => tf.Tensor4D;
  /** The layer explained (default: the last feature map). */
  layerName?: string;
  /** The name of class `index`. */
  className: (index: number) => string;
}

/** The profile's ImageNet classifier (with its top) as a Grad-CAM subject. */
export async function imageNetSubject(profile: LessonProfile): Promise<CamSubject> {
  const b = await loadBackbone(profile, { includeTop: true });
  const classes = imagenetClasses();
  return {
    title: say({ en: `ImageNet model (${b.info.name})`, ko: `ImageNet 모델 (${b.info.name})` }),
    model: b.classifier,
    inputSize: [b.inputShape[0], b.inputShape[1]],
    preprocess: b.preprocess,
    layerName: b.info.name === 'VGG16' ? 'block5_conv3' : undefined,
    className: (i) => classes[i][1],
  };
}

/** A trained cats/dogs model (its preprocessing inside) as a Grad-CAM subject. */
export function classifierSubject(model: tf.LayersModel, classNames: string[], title?: string): CamSubject {
  const [h, w] = model.inputs[0].shape.slice(1, 3);
  if (!h || !w) throw new Error(`model '${model.name}' has no fixed input size ([${model.inputs[0].shape}]).`);
  return {
    title: title ?? say({ en: 'fine-tuned cats/dogs model (07)', ko: '미세 조정한 고양이/개 모델 (07)' }),
    model,
    inputSize: [h, w],
    className: (i) => (classNames[i] === undefined ? String(i) : displayClassName(classNames[i])),
  };
}

/** One overlay: the photo with the subject's Grad-CAM over it, its caption, and the seconds it took. */
export async function camCell(photo: string, s: CamSubject): Promise<SideBySideCell & { seconds: number }> {
  const t0 = Date.now();
  const image = await loadImage(photo, { imageSize: s.inputSize });
  const pre = s.preprocess;
  const input = pre ? tf.tidy(() => pre(tf.expandDims<tf.Tensor4D>(image, 0))) : image;
  try {
    const cam = await gradCam(s.model, input, { layerName: s.layerName });
    const png = await overlayPng(image, cam.map);
    const caption = `${s.className(cam.classIndex)} ${(100 * cam.probability).toFixed(1)}%`;
    return { image: png, caption, seconds: (Date.now() - t0) / 1000 };
  } finally {
    tf.dispose([image, input]);
  }
}

/** Options of `showGradCams`. */
export interface GradCamGridOptions {
  /** The line under each photo (default: its file name). */
  photoCaptions?: string[];
  /** A title above the grid. */
  caption?: string;
  /** Image size in pixels (default 160). */
  size?: number;
}

/**
 * Shows each photo beside the Grad-CAM of every subject (one row per photo, one column per model), and under the
 * grid the mean seconds per photo and model.
 */
export async function showGradCams(
  photos: string[],
  subjects: CamSubject[],
  opts: GradCamGridOptions = {},
): Promise<void> {
  const seconds = subjects.map(() => 0);
  const rows: SideBySideCell[][] = [];
  for (const [i, photo] of photos.entries()) {
    const cells = [];
    for (const [k, s] of subjects.entries()) {
      const c = await camCell(photo, s);
      seconds[k] += c.seconds;
      cells.push(c);
    }
    rows.push([{ image: photo, caption: opts.photoCaptions?.[i] ?? path.basename(photo) }, ...cells]);
  }
  const times = subjects.map((s, k) => `${s.title} ${(seconds[k] / Math.max(1, photos.length)).toFixed(2)}`).join(', ');
  const note = say({ en: `Grad-CAM seconds per photo: ${times}`, ko: `사진 한 장의 Grad-CAM 계산 시간(초): ${times}` });
  const titles = [say({ en: 'photo', ko: '사진' }), ...subjects.map((s) => s.title)];
  await showSideBySide(titles, rows, { caption: opts.caption, note, size: opts.size });
}

/** Shows, per subject, its input size and the layer Grad-CAM explains (with that layer's map size). */
export function showCamSubjects(subjects: CamSubject[]): void {
  const rows = subjects.map((s) => {
    const layer = explainedLayer(s.model, s.layerName);
    const out = layer.getOutputAt(0);
    const [, h, w, c] = (Array.isArray(out) ? out[0] : out).shape;
    return {
      [say({ en: 'model', ko: '모델' })]: s.title,
      [say({ en: 'input', ko: '입력' })]: s.inputSize.join(' × '),
      [say({ en: 'explained layer', ko: '설명하는 층' })]: layer.name,
      [say({ en: 'map (h × w, channels)', ko: '지도 크기 (높이 × 너비, 채널)' })]: `${h} × ${w}, ${c}`,
    };
  });
  showTable(rows, { caption: say({ en: 'What Grad-CAM explains', ko: 'Grad-CAM이 설명하는 층' }) });
}

/**
 * The `k` photos the evaluated model got wrong most confidently (of the test split unless `split` says
 * 'validation'), each beside every subject's Grad-CAM, after a line with how many it got wrong; a line saying so
 * when there is no mistake.
 */
export async function showMistakeGradCams(
  result: EvaluationResult,
  subjects: CamSubject[],
  k = 4,
  opts: { split?: 'test' | 'validation' } = {},
): Promise<void> {
  const wrong = result.predictions.filter((p, i) => p !== result.labels[i]).length;
  const mistakes = mostConfidentMistakes(result, k).filter((m) => m.path !== undefined);
  const acc = result.accuracy.toFixed(3);
  const [en, ko] = opts.split === 'validation' ? ['validation', '검증'] : ['test', '테스트'];
  console.log(
    say({
      en: `${wrong} of ${result.labels.length} ${en} photos are wrong (accuracy ${acc}); the ${mistakes.length} most confident mistakes:`,
      ko: `${ko} 사진 ${result.labels.length}장 중 ${wrong}장을 틀렸습니다 (정확도 ${acc}). 가장 확신하며 틀린 ${mistakes.length}장:`,
    }),
  );
  if (mistakes.length === 0) return;
  await showGradCams(
    mistakes.map((m) => m.path ?? ''),
    subjects,
    {
      photoCaptions: mistakes.map(mistakeCaption),
      caption: say({ en: 'The most confident mistakes', ko: '가장 확신하며 틀린 사진' }),
    },
  );
}
