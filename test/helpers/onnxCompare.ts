/**
 * For the ONNX tests: a model's output from TF.js next to ONNX Runtime's on the exported file (read by
 * onnxruntime-node alone: no project code in that path), the largest difference relative to the output's scale,
 * random but seeded weights that keep activations of a deep model in a sane range, and a few real photos.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { loadImage } from '../../lib/data/imageDataset';
import { assetPath } from '../../lib/core/paths';
import { mobilenet } from '../../lib/models/mobilenet';
import { SHIPPED_MOBILENET } from '../../lib/models/shippedWeights';

/** max |a − b| / max(1, max |a|): the difference of two outputs, relative to the reference's scale. */
export function relativeDifference(reference: ArrayLike<number>, other: ArrayLike<number>): number {
  if (reference.length !== other.length) throw new Error(`lengths differ: ${reference.length} vs ${other.length}`);
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < reference.length; i++) {
    diff = Math.max(diff, Math.abs(reference[i] - other[i]));
    scale = Math.max(scale, Math.abs(reference[i]));
  }
  return diff / scale;
}

/** Runs the ONNX file on `x` with onnxruntime-node (CPU); returns the first output's data and shape. */
export async function runOnnxFile(
  file: string,
  x: tf.Tensor,
): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(fs.readFileSync(file));
  try {
    const input = new ort.Tensor('float32', Float32Array.from(x.dataSync()), x.shape);
    const out = await session.run({ [session.inputNames[0]]: input });
    const y = out[session.outputNames[0]];
    return { data: y.data as Float32Array, dims: y.dims };
  } finally {
    await session.release();
  }
}

/** The model's output in TF.js (inference), as numbers. */
export function tfjsOutput(model: tf.LayersModel, x: tf.Tensor): { data: Float32Array; shape: number[] } {
  const y = model.predict(x) as tf.Tensor;
  const out = { data: y.dataSync() as Float32Array, shape: y.shape };
  y.dispose();
  return out;
}

/**
 * Gives every weight of `model` seeded random values: kernels He-scaled (std √(2 / fan-in)), BatchNorm's gamma and
 * moving variance in [0.5, 1.5], means, betas and biases small. Deep random models then neither vanish nor blow up.
 */
export function randomizeWeights(model: tf.LayersModel, seed: number): void {
  const values = model.weights.map((w, i) =>
    tf.tidy(() => {
      const name = w.originalName ?? w.name;
      const shape = w.shape as number[];
      const s = seed + i;
      if (/gamma|moving_variance/.test(name)) return tf.randomUniform(shape, 0.5, 1.5, 'float32', s);
      if (/beta|moving_mean|bias/.test(name)) return tf.randomNormal(shape, 0, 0.1, 'float32', s);
      const fanIn =
        shape.length === 4 && /depthwise/.test(name)
          ? shape[0] * shape[1]
          : shape.slice(0, -1).reduce((a, b) => a * b, 1);
      return tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', s);
    }),
  );
  model.setWeights(values);
  tf.dispose(values);
}

/** `n` photos of the mini cats-and-dogs set (cats and dogs alternating), 0..255, as one batch [n, size, size, 3]. */
export async function photoBatch(n: number, size: number): Promise<tf.Tensor4D> {
  const folder = (c: string) => assetPath('cats_and_dogs_mini', 'test', c);
  const pick = (c: string) =>
    fs
      .readdirSync(folder(c))
      .sort()
      .slice(0, Math.ceil(n / 2))
      .map((f) => path.join(folder(c), f));
  const [cats, dogs] = [pick('cats'), pick('dogs')];
  const files = Array.from({ length: n }, (_, i) => (i % 2 ? dogs : cats)[Math.floor(i / 2)]);
  const images = await Promise.all(files.map((f) => loadImage(f, { imageSize: [size, size] })));
  const batch = tf.stack(images) as tf.Tensor4D;
  tf.dispose(images);
  return batch;
}

/** The shipped MobileNet α=0.25 (real ImageNet weights) without top, for square inputs of `size`. */
export function shippedMobileNet(size: number, pooling?: 'avg'): Promise<tf.LayersModel> {
  const inputShape: [number, number, number] = [size, size, 3];
  return mobilenet({
    alpha: 0.25,
    includeTop: false,
    pooling,
    inputShape,
    weights: SHIPPED_MOBILENET.weights,
    quiet: true,
  });
}
