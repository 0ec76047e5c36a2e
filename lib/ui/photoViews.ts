/**
 * Photos in the notebooks, in Korean: a grid of dataset photos captioned with their class folder, the first
 * batch of a dataset (its tensors' shapes and value ranges, and its images with their labels), each photo beside
 * a table of its ImageNet top classes, and each photo beside its class activation map.
 */
import { displayClassName } from '../core/displayNames';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ImageDataset } from '../data/directoryDataset';
import type { DecodedPrediction } from '../models/imagenet';
import { imageDataUri, showHtml, showImageGrid, showTable, tableHtml, type GridImage } from './display';

/** "cats/cat.1.jpg": a photo's class folder and file name. */
export function photoCaption(file: string): string {
  return `${path.basename(path.dirname(file))}/${path.basename(file)}`;
}

/** Shows photos (file paths) in a grid, captioned with their class folder and file name. */
export async function showPhotos(files: string[], opts: { columns?: number; size?: number } = {}): Promise<void> {
  await showImageGrid(
    files.map((f) => ({ image: f, caption: photoCaption(f) })),
    { columns: opts.columns ?? 6, size: opts.size ?? 120 },
  );
}

/** "[20, 160, 160, 3]". */
const shapeOf = (t: tf.Tensor): string => `[${t.shape.join(', ')}]`;

/** Reads the first batch of `ds`, shows its tensors (shape, dtype, value range) and its images with their labels. */
export async function showFirstBatch(ds: ImageDataset, opts: { columns?: number; size?: number } = {}): Promise<void> {
  for await (const { xs, ys } of ds) {
    const [labels, [xMin, xMax], [yMin, yMax]] = [Array.from(await ys.data()), await range(xs), await range(ys)];
    showTable(
      [
        { 텐서: 'xs (이미지)', 모양: shapeOf(xs), 자료형: xs.dtype, 최솟값: xMin, 최댓값: xMax },
        { 텐서: 'ys (레이블)', 모양: shapeOf(ys), 자료형: ys.dtype, 최솟값: yMin, 최댓값: yMax },
      ],
      { caption: `첫 번째 배치 (배치 크기 ${ds.batchSize})` },
    );
    const [, h, w, c] = xs.shape;
    const images = tf.tidy(() => tf.unstack(xs).map((t) => t.as3D(h, w, c)));
    const items = images.map((image, i) => ({
      image,
      caption: `레이블 ${labels[i]} = ${displayClassName(ds.classNames[labels[i]])}`,
    }));
    await showImageGrid(items, { columns: opts.columns ?? 10, size: opts.size ?? 96 });
    tf.dispose([xs, ys, ...images]);
    return;
  }
}

async function range(t: tf.Tensor): Promise<[number, number]> {
  const [min, max] = [t.min(), t.max()];
  const out: [number, number] = [(await min.data())[0], (await max.data())[0]];
  tf.dispose([min, max]);
  return out;
}

/** A photo and its ImageNet top classes (lib/lesson/imagenetPhotos.ts `predictPhotos` gives these). */
export interface PredictionItem {
  file: string;
  /** The photo's class folder. */
  label: string;
  predictions: DecodedPrediction[];
}

/** Options of `showPredictions`. */
export interface PredictionViewOptions {
  /** A last column for each class (e.g. "개 품종"); none by default. */
  kindOf?: (p: DecodedPrediction) => string;
  /** Photo size in pixels (default 150). */
  size?: number;
}

/** Shows each photo beside a table of its top classes: rank, Keras's class name, WordNet id, probability. */
export async function showPredictions(items: PredictionItem[], opts: PredictionViewOptions = {}): Promise<void> {
  const size = opts.size ?? 150;
  const cards = await Promise.all(
    items.map(async (it) => {
      const rows = it.predictions.map((p, i) => ({
        순위: i + 1,
        '클래스 (ImageNet)': p.className,
        WordNet: p.classId,
        확률: Number(p.score.toFixed(4)),
        ...(opts.kindOf ? { 종류: opts.kindOf(p) } : {}),
      }));
      const table = tableHtml(rows, { caption: `${photoCaption(it.file)}: 상위 ${rows.length}개 클래스` });
      const img = `<img src="${await imageDataUri(it.file, size)}" style="width:${size}px;height:auto"/>`;
      return `<div style="display:flex;gap:10px;align-items:flex-start;margin:6px 0">${img}${table}</div>`;
    }),
  );
  const text = items.map(
    (it) => `${photoCaption(it.file)}: ${it.predictions.map((p) => `${p.className} ${p.score.toFixed(3)}`).join(', ')}`,
  );
  const grid = `<div class="tlts-predictions" style="display:flex;flex-wrap:wrap;column-gap:28px">${cards.join('')}</div>`;
  showHtml(grid, text.join('\n'));
}

/** A photo beside its class activation map (lib/lesson/imagenetPhotos.ts `camPhotos` gives these). */
export interface CamItem {
  file: string;
  label: string;
  photo: GridImage;
  overlay: GridImage;
  className: string;
  cam: { probability: number };
}

/** Shows each photo beside its map over it, captioned with the explained class and its probability. */
export async function showCamGrid(items: CamItem[], opts: { size?: number; pairsPerRow?: number } = {}): Promise<void> {
  const size = opts.size ?? 140;
  const cells = items.flatMap((it) => [
    { image: it.photo, caption: photoCaption(it.file) },
    { image: it.overlay, caption: `1위 ${it.className} ${(100 * it.cam.probability).toFixed(1)}%` },
  ]);
  await showImageGrid(cells, { columns: 2 * (opts.pairsPerRow ?? 3), size });
}
