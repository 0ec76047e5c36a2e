/**
 * The dataset `imageDatasetFromDirectory` returns: batches streamed from disk, one batch prefetched, images
 * decoded and resized one at a time straight into the batch buffer, so memory is bounded by two batches and one
 * decoded image whatever the folder holds. Each new iteration reshuffles (deterministically from the seed).
 */
import * as tf from '@tensorflow/tfjs';
import { MersenneTwister } from '../core/random';
import { ColorMode, decodeImageFile } from './decode';
import type { RawImage } from './rawImage';
import { ResizeMethod, resizeInto } from './resize';

/** How labels are returned: class index, 0/1 float, one-hot, or none (all images under `dir`, no classes). */
export type LabelMode = 'int' | 'binary' | 'categorical' | null;

/**
 * One batch: `xs` float32 0..255 [b,h,w,3] (or 1 channel for grayscale); `ys` int32 [b], float32 [b,1] or [b,C]
 * (float32 [b,0] with labelMode null). The caller disposes both.
 */
export type Batch = {
  xs: tf.Tensor4D;
  ys: tf.Tensor;
};

/** A dataset of images read from class folders; iterate it (`for await`) or pass `toTfData()` to `fitDataset`. */
export interface ImageDataset extends AsyncIterable<Batch> {
  readonly classNames: string[];
  /** In the order of the first iteration. */
  readonly filePaths: string[];
  /** Class index per file, same order as `filePaths`. */
  readonly labels: number[];
  /** Number of files. */
  readonly size: number;
  readonly batchSize: number;
  readonly numBatches: number;
  readonly imageSize: [number, number];
  /** Files left out with `onBadImage: 'skip'` (filled while iterating). */
  readonly skipped: { path: string; error: string }[];
  /**
   * A tf.data.Dataset over the same batches (a new shuffle per epoch), for `model.fitDataset` / `evaluateDataset`.
   * With labelMode 'int' its `ys` are float32 (tfjs's sparseCategoricalCrossentropy rejects int32 labels).
   */
  toTfData(): tf.data.Dataset<Batch>;
}

/** Everything a `DirectoryDataset` needs, resolved and checked by `imageDatasetFromDirectory`. */
export interface DirectoryDatasetConfig {
  classNames: string[];
  filePaths: string[];
  labels: number[];
  batchSize: number;
  imageSize: [number, number];
  labelMode: LabelMode;
  colorMode: ColorMode;
  shuffle: boolean;
  seed: number;
  interpolation: ResizeMethod;
  onBadImage: 'error' | 'skip';
  quiet: boolean;
  /** Decodes one file (default `decodeImageFile`); called for one image at a time. */
  decode?: (file: string, colorMode: ColorMode) => Promise<RawImage>;
  /** When aborted (Ctrl-C), the next batch throws the signal's reason instead of being read. */
  signal?: AbortSignal;
}

/** What `derive` may change: the files, their order, how they are decoded, the batch size, the stop signal. */
export type DatasetChanges = Partial<
  Pick<DirectoryDatasetConfig, 'filePaths' | 'labels' | 'shuffle' | 'batchSize' | 'decode' | 'signal' | 'quiet'>
>;

/** Pixels and labels of one batch, before they become tensors. */
interface Prepared {
  xs: Float32Array;
  labels: number[];
  count: number;
}

/** The `ImageDataset` over a list of files. */
export class DirectoryDataset implements ImageDataset {
  readonly skipped: { path: string; error: string }[] = [];
  readonly classNames: string[];
  readonly filePaths: string[];
  readonly labels: number[];
  readonly batchSize: number;
  readonly imageSize: [number, number];
  private iteration = 0;
  private readonly decode: (file: string, colorMode: ColorMode) => Promise<RawImage>;

  constructor(private readonly config: DirectoryDatasetConfig) {
    ({
      classNames: this.classNames,
      filePaths: this.filePaths,
      labels: this.labels,
      batchSize: this.batchSize,
      imageSize: this.imageSize,
    } = config);
    this.decode = config.decode ?? decodeImageFile;
  }

  /** A new dataset with the same settings and `changes` (e.g. fewer files, no shuffle); `skipped` starts empty. */
  derive(changes: DatasetChanges): DirectoryDataset {
    const config = { ...this.config, ...changes };
    if (config.filePaths.length !== config.labels.length)
      throw new Error(
        `derive: ${config.filePaths.length} files but ${config.labels.length} labels; pass both together.`,
      );
    return new DirectoryDataset(config);
  }

  get size(): number {
    return this.filePaths.length;
  }

  get numBatches(): number {
    return Math.ceil(this.size / this.batchSize);
  }

  /** File order of iteration `k` (0: `filePaths`; later: reshuffled from the seed when shuffling). */
  private order(k: number): number[] {
    const idx = this.filePaths.map((_, i) => i);
    if (k === 0 || !this.config.shuffle) return idx;
    return new MersenneTwister((this.config.seed + k * 0x9e3779b1) >>> 0).shuffle(idx);
  }

  /** Records a file that could not be decoded (once), or rethrows with onBadImage 'error'. */
  private badImage(file: string, err: unknown): void {
    if (this.config.onBadImage === 'error') throw err;
    if (this.skipped.some((s) => s.path === file)) return;
    const error = err instanceof Error ? err.message : String(err);
    this.skipped.push({ path: file, error });
    if (!this.config.quiet) console.warn(`Skipping ${file}: ${error}`);
  }

  /** Decodes and resizes the files one at a time into one batch buffer (one full-size image in memory at a time). */
  private async prepare(indices: number[]): Promise<Prepared> {
    const [h, w] = this.imageSize;
    const channels = this.config.colorMode === 'rgb' ? 3 : 1;
    const per = h * w * channels;
    const xs = new Float32Array(indices.length * per);
    const labels: number[] = [];
    for (const i of indices) {
      let img: RawImage;
      try {
        img = await this.decode(this.filePaths[i], this.config.colorMode);
      } catch (err) {
        this.badImage(this.filePaths[i], err);
        continue;
      }
      resizeInto(img, this.imageSize, this.config.interpolation, xs, labels.length * per);
      labels.push(this.labels[i]);
    }
    const count = labels.length;
    return { xs: count === indices.length ? xs : xs.slice(0, count * per), labels, count };
  }

  private labelTensor(p: Prepared): tf.Tensor {
    const C = this.classNames.length;
    switch (this.config.labelMode) {
      case 'int':
        return tf.tensor1d(p.labels, 'int32');
      case 'binary':
        return tf.tensor2d(p.labels, [p.count, 1], 'float32');
      case 'categorical': {
        const oh = new Float32Array(p.count * C);
        p.labels.forEach((l, i) => (oh[i * C + l] = 1));
        return tf.tensor2d(oh, [p.count, C], 'float32');
      }
      default:
        return tf.zeros([p.count, 0], 'float32');
    }
  }

  private toBatch(p: Prepared): Batch {
    const [h, w] = this.imageSize;
    const xs = tf.tensor4d(p.xs, [p.count, h, w, this.config.colorMode === 'rgb' ? 3 : 1], 'float32');
    return { xs, ys: this.labelTensor(p) };
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Batch> {
    const order = this.order(this.iteration++);
    const bs = this.batchSize;
    const n = Math.ceil(order.length / bs);
    const start = (b: number) => {
      const p = this.prepare(order.slice(b * bs, (b + 1) * bs));
      // Rejections are handled where the batch is awaited; this only keeps a prefetched batch that is never
      // awaited (the loop stopped early) from being reported as unhandled.
      p.catch(() => undefined);
      return p;
    };
    let next = n > 0 ? start(0) : undefined;
    for (let b = 0; b < n; b++) {
      this.config.signal?.throwIfAborted();
      const current = await next!;
      next = b + 1 < n ? start(b + 1) : undefined;
      if (current.count === 0) continue;
      yield this.toBatch(current);
    }
  }

  toTfData(): tf.data.Dataset<Batch> {
    const castInt = this.config.labelMode === 'int';
    const batches = async function* (self: DirectoryDataset): AsyncGenerator<Batch> {
      for await (const b of self) {
        if (!castInt) yield b;
        else {
          const ys = b.ys.toFloat();
          b.ys.dispose();
          yield { xs: b.xs, ys };
        }
      }
    };
    return tf.data.generator(() => batches(this) as unknown as Iterator<Batch>);
  }
}
