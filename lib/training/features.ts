/**
 * Fast feature extraction (Keras lesson: "feature extraction without data augmentation"): run a frozen
 * convolutional base once over a dataset, keep its outputs, and train a small classifier on them.
 * Batches are processed one at a time (bounded memory), with a progress line (core/progress.ts), and the result
 * can be cached as `.npy` files that a second run loads instead of recomputing; the cache is validated so a
 * stale one (other base, other files, other preprocessing) is recomputed, with a message saying why
 * (training/featureCache.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { say } from '../core/messages';
import { displayPath } from '../core/paths';
import { ProgressLine, type ProgressSink } from '../core/progress';
import { engineLabel, modelRunner, type EngineChoice, type EngineName, type ModelRunner } from '../onnx/engine';
import {
  featureCacheKey,
  readFeatureCache,
  writeFeatureCache,
  type DatasetFacts,
  type PreprocessFacts,
} from './featureCache';

/** What `extractFeatures` reads: batches plus optional dataset facts (as `ImageDataset` has them). */
export type FeatureBatches = AsyncIterable<{ xs: tf.Tensor4D; ys: tf.Tensor }> & DatasetFacts & { numBatches?: number };

/** Options of `extractFeatures`. */
export interface ExtractOptions extends PreprocessFacts {
  /** Applied to each batch before the base (e.g. ImageNet `preprocessInput`); give `preprocessName` too. */
  preprocess?: (x: tf.Tensor4D) => tf.Tensor4D;
  /** No progress output (default: `LESSON_QUIET`). */
  quiet?: boolean;
  /** Where progress and notes go (default: core/progress.ts's choice). */
  sink?: ProgressSink;
  /** Folder for `features.npy`, `labels.npy` and `features.json` (the key). */
  cache?: string;
  /** Dispose each batch's tensors after use (default true: streaming datasets hand out fresh tensors). */
  disposeBatches?: boolean;
  /** Label shown in the progress line. */
  label?: string;
  /** Show images per second and the time left in the progress line (`unit`: the word for images; `per`: the batch size). */
  rate?: { unit: string; per?: number };
  /**
   * What runs the base: 'tfjs', 'onnxruntime' (the base exported to ONNX in memory, one session reused), or 'auto'
   * (default, or `LESSON_ENGINE`): ONNX Runtime on a CPU backend when it loads, else TF.js. Same features within 1e-4.
   */
  engine?: EngineName;
}

/** Result of `extractFeatures`. The caller owns (and disposes) both tensors. */
export interface ExtractResult {
  features: tf.Tensor;
  labels: tf.Tensor;
  fromCache: boolean;
  seconds: number;
  /** The engine that ran the base, and why (undefined when the features came from the cache). */
  engine?: EngineChoice;
}

type LabelArray = Float32Array | Int32Array | Uint8Array;

/** Concatenates typed arrays into one of type `ctor`. */
function concat(chunks: ArrayLike<number>[], ctor: { new (n: number): LabelArray }): LabelArray {
  const out = new ctor(chunks.reduce((a, c) => a + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** The base's output for one batch (preprocessed first when asked), on the runner's engine. */
async function runBatch(runner: ModelRunner, xs: tf.Tensor4D, opts: ExtractOptions): Promise<tf.Tensor> {
  if (!opts.preprocess) return runner.run(xs);
  const x = tf.tidy(() => opts.preprocess!(xs));
  try {
    return await runner.run(x);
  } finally {
    x.dispose();
  }
}

/** Runs the base over every batch, copying each output out and disposing the batch's tensors as it goes. */
async function runBase(
  runner: ModelRunner,
  batches: FeatureBatches,
  opts: ExtractOptions & { label: string },
  line: ProgressLine,
): Promise<{ features: tf.Tensor; labels: tf.Tensor }> {
  const featChunks: Float32Array[] = [];
  const labelChunks: LabelArray[] = [];
  let last: { featShape: number[]; labelShape: number[]; labelDtype: tf.DataType } | undefined;
  let count = 0;
  let done = 0;
  const engine = engineLabel(runner);
  for await (const { xs, ys } of batches) {
    const out = await runBatch(runner, xs, opts);
    featChunks.push((await out.data()) as Float32Array);
    labelChunks.push((await ys.data()) as LabelArray);
    last = { featShape: out.shape.slice(1), labelShape: ys.shape.slice(1), labelDtype: ys.dtype };
    out.dispose();
    count += xs.shape[0];
    if (opts.disposeBatches ?? true) tf.dispose([xs, ys]);
    line.update(++done, { detail: say({ en: `${count} images, ${engine}`, ko: `이미지 ${count}장, ${engine}` }) });
  }
  if (!last) throw new Error(`${opts.label}: the dataset produced no batches; check the folder and the batch size.`);
  const { featShape, labelShape, labelDtype } = last;
  const labelCtor = labelDtype === 'int32' ? Int32Array : labelDtype === 'bool' ? Uint8Array : Float32Array;
  return {
    features: tf.tensor(concat(featChunks, Float32Array) as Float32Array, [count, ...featShape]),
    labels: tf.tensor(concat(labelChunks, labelCtor), [count, ...labelShape], labelDtype),
  };
}

/**
 * Runs `convBase` over every batch and returns all features (first axis = images) and labels.
 * Memory stays bounded: each batch's output is copied out and its tensors disposed.
 * With `cache`, a second run with the same key loads the `.npy` files instead (`fromCache: true`).
 *
 * @example
 * ```ts
 * import { dataPath } from './lib/core/paths';
 * import { imageDatasetFromDirectory } from './lib/data/imageDataset';
 * import { preprocessInput } from './lib/models/imagenet';
 * import { vgg16 } from './lib/models/vgg';
 * import { extractFeatures } from './lib/training/features';
 *
 * const convBase = await vgg16({ includeTop: false, inputShape: [180, 180, 3] });
 * const trainDataset = await imageDatasetFromDirectory(dataPath('cats_and_dogs_small', 'train'), { imageSize: [180, 180] });
 * const { features, labels } = await extractFeatures(convBase, trainDataset, {
 *   preprocess: (x) => preprocessInput(x, 'caffe'),
 *   preprocessName: 'caffe',
 * });
 * console.log(features.shape, labels.shape); // [2000, 5, 5, 512] [2000]
 * ```
 */
export async function extractFeatures(
  convBase: tf.LayersModel,
  batches: FeatureBatches,
  opts: ExtractOptions = {},
): Promise<ExtractResult> {
  const label = opts.label ?? 'extractFeatures';
  const line = new ProgressLine({
    label,
    total: batches.numBatches,
    quiet: opts.quiet,
    sink: opts.sink,
    rate: opts.rate,
  });
  const key = opts.cache ? await featureCacheKey(convBase, batches, opts) : undefined;
  if (opts.cache && key) {
    const cached = readFeatureCache(opts.cache, key);
    if (cached.status === 'hit') {
      const shape = cached.features.shape;
      line.log(
        say({
          en: `${label}: loaded ${shape[0]} cached feature vectors [${shape.slice(1)}] from ${displayPath(opts.cache)}`,
          ko: `${label}: ${displayPath(opts.cache)}에 저장해 둔 특성 ${shape[0]}개 [${shape.slice(1)}]를 불러왔습니다`,
        }),
      );
      return { features: cached.features, labels: cached.labels, fromCache: true, seconds: line.seconds() };
    }
    if (cached.status === 'stale') {
      const changed = cached.changed.join(', ');
      line.log(
        say({
          en: `${label}: the cache in ${displayPath(opts.cache)} is stale (${changed} changed); recomputing.`,
          ko: `${label}: ${displayPath(opts.cache)}의 캐시가 지금과 맞지 않아 (${changed} 바뀜) 다시 계산합니다.`,
        }),
      );
    }
  }
  const runner = await modelRunner(convBase, opts.engine);
  const { features, labels } = await runBase(runner, batches, { ...opts, label }, line);
  if (opts.cache && key) await writeFeatureCache(opts.cache, key, features, labels);
  const n = features.shape[0];
  const s = line.seconds().toFixed(1);
  line.finish(
    say({
      en: `${label}: ${n} images -> features [${features.shape.slice(1)}] in ${s} s (${engineLabel(runner)})`,
      ko: `${label}: 이미지 ${n}장 → 특성 [${features.shape.slice(1)}], ${s}초 (${engineLabel(runner)})`,
    }),
  );
  const engine = { engine: runner.engine, reason: runner.reason };
  return { features, labels, fromCache: false, seconds: line.seconds(), engine };
}
