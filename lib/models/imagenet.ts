/**
 * ImageNet pre- and post-processing as in keras.applications: `preprocessInput` (the mode of each model is in
 * its family table, `applicationInfo(name).preprocess`) and `decodePredictions` with Keras's class index
 * (imagenet_class_index.json beside this file: index -> [WordNet id, class name]).
 */
import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Keras preprocessing modes: 'caffe' (RGB -> BGR, minus the ImageNet BGR mean, no scaling) and
 * 'tf' (x / 127.5 - 1, values in [-1, 1]).
 */
export type PreprocessMode = 'caffe' | 'tf';

/** The ImageNet mean in BGR order that 'caffe' mode subtracts. */
export const IMAGENET_BGR_MEAN: readonly [number, number, number] = [103.939, 116.779, 123.68];

/**
 * Keras `preprocess_input` for images in [0, 255] with channels last (RGB): returns a new float32 tensor of
 * the same shape (the input is not disposed).
 */
export function preprocessInput<T extends tf.Tensor>(x: T, mode: PreprocessMode): T {
  const last = x.shape[x.shape.length - 1];
  if (x.rank < 1 || last !== 3) {
    throw new Error(
      `preprocessInput: expected RGB images with 3 channels last (e.g. [batch, height, width, 3]); received shape [${x.shape.join(', ')}].`,
    );
  }
  return tf.tidy(() => {
    const f = x.toFloat();
    if (mode === 'tf') return f.div(127.5).sub(1);
    if (mode === 'caffe') {
      const bgr = tf.reverse(f, -1);
      return bgr.sub(tf.tensor1d(IMAGENET_BGR_MEAN as unknown as number[]));
    }
    throw new Error(`preprocessInput: mode must be 'caffe' or 'tf'; received ${JSON.stringify(mode)}.`);
  }) as T;
}

/** One decoded prediction. */
export interface DecodedPrediction {
  /** WordNet id, e.g. 'n02123045'. */
  classId: string;
  /** Keras class name, e.g. 'tabby'. */
  className: string;
  score: number;
}

let classIndex: [string, string][] | undefined;

/** Keras's ImageNet class index: 1000 entries [wnid, name], by class number. */
export function imagenetClasses(): [string, string][] {
  if (!classIndex) {
    const file = path.join(__dirname, 'imagenet_class_index.json');
    const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, [string, string]>;
    const list: [string, string][] = [];
    for (let i = 0; i < 1000; i++) {
      if (!raw[String(i)])
        throw new Error(
          `${file} has no entry ${i}: the ImageNet class index is damaged; restore it from the repository.`,
        );
      list.push(raw[String(i)]);
    }
    classIndex = list;
  }
  return classIndex;
}

/**
 * Keras `decode_predictions`: the `top` best classes of each row of a [N, 1000] prediction, best first.
 * Accepts a tensor (not disposed) or nested arrays.
 */
export function decodePredictions(preds: tf.Tensor | number[][], top = 5): DecodedPrediction[][] {
  const shape =
    preds instanceof tf.Tensor ? preds.shape : [preds.length, ...(Array.isArray(preds[0]) ? [preds[0].length] : [])];
  const rows = preds instanceof tf.Tensor ? (preds.rank === 2 ? (preds.arraySync() as number[][]) : undefined) : preds;
  if (shape.length !== 2 || shape[1] !== 1000 || !rows || rows.some((r) => !Array.isArray(r) || r.length !== 1000)) {
    throw new Error(
      `decodePredictions expects a batch of predictions (i.e. a 2D array of shape [samples, 1000]). Received ` +
        `array with shape: [${shape.join(', ')}]`,
    );
  }
  if (!Number.isInteger(top) || top < 1)
    throw new Error(`decodePredictions: top must be a positive integer; received ${top}.`);
  const classes = imagenetClasses();
  return rows.map((row) =>
    row
      .map((score, i) => ({ score, i }))
      .sort((a, b) => b.score - a.score || a.i - b.i)
      .slice(0, top)
      .map(({ score, i }) => ({ classId: classes[i][0], className: classes[i][1], score })),
  );
}
