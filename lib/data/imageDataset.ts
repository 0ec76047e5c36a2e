/**
 * `imageDatasetFromDirectory`: Keras `image_dataset_from_directory` for TensorFlow.js in Node.
 *
 * Same file discovery as Keras: one class per sub-folder (sorted names, or `classNames`), image files found
 * recursively (.bmp .gif .jpeg .jpg .png, any case; other files are skipped silently), sorted per folder.
 * Same shuffle and split: the file list is shuffled with numpy's `RandomState(seed).shuffle` (an MT19937 port),
 * so for the same folder and seed the training/validation split is the one Keras makes.
 * Images are decoded by sharp (BMP by a small decoder here), alpha dropped, grayscale/CMYK made RGB, EXIF
 * orientation ignored (as TensorFlow does), then resized like `tf.image.resize` without antialiasing:
 * bilinear / nearest / bicubic with half-pixel centres, and area.
 * Batches stream from disk with one batch prefetched: memory stays bounded for any folder size.
 */
import * as tf from '@tensorflow/tfjs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import sharp from 'sharp';

/** How labels are returned: class index, 0/1 float, one-hot, or none (all images under `dir`, no classes). */
export type LabelMode = 'int' | 'binary' | 'categorical' | null;

/** Options of `imageDatasetFromDirectory` (Keras names in camelCase). */
export interface ImageDatasetOptions {
  /** Default 'int'. */
  labelMode?: LabelMode;
  /** Class folders to use, in this order; default: all sub-folders, sorted. */
  classNames?: string[];
  /** Default 'rgb' (3 channels); 'grayscale' gives 1 channel. */
  colorMode?: 'rgb' | 'grayscale';
  /** [height, width], default [256, 256]. */
  imageSize?: [number, number];
  /** Default 32. */
  batchSize?: number;
  /** Default true: shuffled once with `seed` (as Keras), reshuffled at every new iteration (deterministic given `seed`). */
  shuffle?: boolean;
  /** Seed of the shuffles; required with `shuffle` and `validationSplit`. */
  seed?: number;
  /** Fraction of files kept for validation (0 < x < 1); needs `subset`. */
  validationSplit?: number;
  subset?: 'training' | 'validation';
  /** Default 'bilinear' (half-pixel centres, no antialias, as Keras). */
  interpolation?: 'bilinear' | 'nearest' | 'bicubic' | 'area';
  /** Default 'error': an undecodable image stops the iteration with an error naming it; 'skip' leaves it out. */
  onBadImage?: 'error' | 'skip';
  /** Do not print "Found N files belonging to C classes." */
  quiet?: boolean;
}

/** One batch: `xs` float32 0..255 [b,h,w,3] (or 1 channel for grayscale); `ys` int32 [b], float32 [b,1] or [b,C] (float32 [b,0] with labelMode null). The caller disposes both. */
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

/** The file extensions Keras accepts (compared in lower case). */
export const IMAGE_EXTENSIONS = ['.bmp', '.gif', '.jpeg', '.jpg', '.png'];

// ---------------------------------------------------------------------------------------------------------
// numpy-compatible shuffling

/** MT19937 seeded like numpy's `RandomState(seed)` (32-bit integer seed). */
export class MersenneTwister {
  private readonly mt = new Uint32Array(624);
  private index = 624;
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`seed must be an integer in [0, 2^32), got ${seed}`);
    this.mt[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = this.mt[i - 1] ^ (this.mt[i - 1] >>> 30);
      this.mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
  }
  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const mt = this.mt;
    if (this.index >= 624) {
      for (let i = 0; i < 624; i++) {
        const y = (mt[i] & 0x80000000) | (mt[(i + 1) % 624] & 0x7fffffff);
        mt[i] = mt[(i + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.index = 0;
    }
    let y = mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }
  /** A uniform integer in [0, max] by masked rejection (numpy's `random_interval`). */
  interval(max: number): number {
    if (max === 0) return 0;
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    let v: number;
    do v = (this.nextUint32() & mask) >>> 0;
    while (v > max);
    return v;
  }
  /** Shuffles in place exactly as `numpy.random.RandomState(seed).shuffle(list)`. */
  shuffle<T>(a: T[]): T[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.interval(i);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}

// ---------------------------------------------------------------------------------------------------------
// decoding

/** Decoded pixels, row-major interleaved uint8. */
export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
}

/** Decodes an uncompressed BMP (1/4/8-bit palette, 16/24/32-bit) to RGB; sharp does not read BMP. */
export function decodeBmp(buf: Uint8Array, name = 'BMP'): RawImage {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const fail = (why: string) => new Error(`${name} is not a BMP this decoder reads (${why}).`);
  if (buf.length < 26 || buf[0] !== 0x42 || buf[1] !== 0x4d) throw fail('no BM signature');
  const dataOffset = dv.getUint32(10, true);
  const headerSize = dv.getUint32(14, true);
  let width: number;
  let height: number;
  let bpp: number;
  let compression = 0;
  let colors = 0;
  if (headerSize === 12) {
    width = dv.getUint16(18, true);
    height = dv.getInt16(20, true);
    bpp = dv.getUint16(24, true);
  } else {
    if (buf.length < 54) throw fail('header cut short');
    width = dv.getInt32(18, true);
    height = dv.getInt32(22, true);
    bpp = dv.getUint16(28, true);
    compression = dv.getUint32(30, true);
    colors = dv.getUint32(46, true);
  }
  const topDown = height < 0;
  height = Math.abs(height);
  if (width <= 0 || height === 0 || width > 65535 || height > 65535) throw fail(`bad size ${width}x${height}`);
  let masks: [number, number, number] | undefined;
  if (compression === 3 || compression === 6) {
    masks = headerSize >= 52 ? [dv.getUint32(54, true), dv.getUint32(58, true), dv.getUint32(62, true)] : [dv.getUint32(14 + headerSize, true), dv.getUint32(18 + headerSize, true), dv.getUint32(22 + headerSize, true)];
  } else if (compression !== 0) throw fail(`compression ${compression} (RLE/JPEG/PNG inside BMP) is not supported`);
  if (!masks && bpp === 16) masks = [0x7c00, 0x03e0, 0x001f];
  const palette: number[][] = [];
  if (bpp <= 8) {
    const n = colors || 1 << bpp;
    const entry = headerSize === 12 ? 3 : 4;
    for (let i = 0; i < n; i++) {
      const o = 14 + headerSize + i * entry;
      palette.push([buf[o + 2], buf[o + 1], buf[o]]);
    }
  }
  const rowSize = Math.floor((bpp * width + 31) / 32) * 4;
  if (dataOffset + rowSize * height > buf.length) throw fail('pixel data cut short');
  const out = new Uint8Array(width * height * 3);
  const channel = (v: number, mask: number) => {
    if (!mask) return 0;
    let shift = 0;
    while (((mask >>> shift) & 1) === 0) shift++;
    const max = mask >>> shift;
    return Math.round((((v & mask) >>> shift) * 255) / max);
  };
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * rowSize;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      let r: number;
      let g: number;
      let b: number;
      if (bpp === 24 || (bpp === 32 && !masks)) {
        const p = row + x * (bpp / 8);
        [r, g, b] = [buf[p + 2], buf[p + 1], buf[p]];
      } else if (bpp === 32 || bpp === 16) {
        const v = bpp === 32 ? dv.getUint32(row + x * 4, true) : dv.getUint16(row + x * 2, true);
        [r, g, b] = [channel(v, masks![0]), channel(v, masks![1]), channel(v, masks![2])];
      } else if (bpp === 8 || bpp === 4 || bpp === 1) {
        const bit = x * bpp;
        const idx = (buf[row + (bit >> 3)] >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        const c = palette[idx] ?? [0, 0, 0];
        [r, g, b] = c;
      } else throw fail(`${bpp} bits per pixel`);
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
    }
  }
  return { data: out, width, height, channels: 3 };
}

/** Decodes an image file (JPEG, PNG, GIF first frame, BMP, and what else sharp reads) to RGB, or 1-channel gray. Errors name the file. */
export async function decodeImageFile(file: string, colorMode: 'rgb' | 'grayscale' = 'rgb'): Promise<RawImage> {
  const buf = await fsp.readFile(file);
  let rgb: RawImage;
  try {
    if (buf.length >= 2 && buf[0] === 0x42 && buf[1] === 0x4d) rgb = decodeBmp(buf, file);
    else {
      const { data, info } = await sharp(buf, { failOn: 'error', pages: 1 })
        .removeAlpha()
        .toColourspace('srgb')
        .raw({ depth: 'uchar' })
        .toBuffer({ resolveWithObject: true });
      if (info.channels !== 3) throw new Error(`unexpected ${info.channels} channels`);
      rgb = { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: 3 };
    }
  } catch (err) {
    throw new Error(`Cannot decode image ${file}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}. Delete or replace the file (or use onBadImage: 'skip').`);
  }
  if (colorMode === 'rgb') return rgb;
  // tf.image.rgb_to_grayscale weights.
  const n = rgb.width * rgb.height;
  const gray = new Uint8Array(n);
  for (let i = 0; i < n; i++) gray[i] = Math.round(0.2989 * rgb.data[i * 3] + 0.587 * rgb.data[i * 3 + 1] + 0.114 * rgb.data[i * 3 + 2]);
  return { data: gray, width: rgb.width, height: rgb.height, channels: 1 };
}

// ---------------------------------------------------------------------------------------------------------
// resizing (tf.image.resize semantics, antialias off)

interface Taps {
  idx: Int32Array;
  w: Float64Array;
  n: number;
}

function bilinearTaps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const idx = new Int32Array(outSize * 2);
  const w = new Float64Array(outSize * 2);
  for (let o = 0; o < outSize; o++) {
    const x = (o + 0.5) * scale - 0.5;
    const f = Math.floor(x);
    const lerp = x - f;
    idx[o * 2] = Math.max(f, 0);
    idx[o * 2 + 1] = Math.min(Math.ceil(x), inSize - 1);
    w[o * 2] = 1 - lerp;
    w[o * 2 + 1] = lerp;
  }
  return { idx, w, n: 2 };
}

function nearestTaps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const idx = new Int32Array(outSize);
  const w = new Float64Array(outSize).fill(1);
  for (let o = 0; o < outSize; o++) idx[o] = Math.max(0, Math.min(Math.floor((o + 0.5) * scale), inSize - 1));
  return { idx, w, n: 1 };
}

function keys(t: number): number {
  const a = -0.5;
  const x = Math.abs(t);
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

function bicubicTaps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const idx = new Int32Array(outSize * 4);
  const w = new Float64Array(outSize * 4);
  for (let o = 0; o < outSize; o++) {
    const x = (o + 0.5) * scale - 0.5;
    const f = Math.floor(x);
    const delta = Math.round((x - f) * 1024) / 1024; // TF looks the weights up in a 1024-entry table
    let sum = 0;
    for (let k = 0; k < 4; k++) {
      const i = f - 1 + k;
      const weight = i >= 0 && i < inSize ? keys(delta - (k - 1)) : 0;
      idx[o * 4 + k] = Math.max(0, Math.min(i, inSize - 1));
      w[o * 4 + k] = weight;
      sum += weight;
    }
    for (let k = 0; k < 4; k++) w[o * 4 + k] /= sum;
  }
  return { idx, w, n: 4 };
}

function areaTaps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const n = Math.ceil(scale) + 1;
  const idx = new Int32Array(outSize * n);
  const w = new Float64Array(outSize * n);
  for (let o = 0; o < outSize; o++) {
    const a = o * scale;
    const b = (o + 1) * scale;
    let k = 0;
    for (let i = Math.floor(a); i < Math.ceil(b) && k < n; i++, k++) {
      idx[o * n + k] = Math.min(i, inSize - 1);
      w[o * n + k] = (Math.min(i + 1, b) - Math.max(i, a)) / scale;
    }
  }
  return { idx, w, n };
}

const TAPS = { bilinear: bilinearTaps, nearest: nearestTaps, bicubic: bicubicTaps, area: areaTaps };

/**
 * Resizes `img` to [height, width] like `tf.image.resize(img, size, method)` (antialias off) and writes float32
 * values into `out` at `offset` (HWC). Separable: rows first, then columns.
 */
export function resizeInto(
  img: RawImage,
  size: [number, number],
  method: NonNullable<ImageDatasetOptions['interpolation']>,
  out: Float32Array,
  offset = 0,
): void {
  const [oh, ow] = size;
  const c = img.channels;
  const ty = TAPS[method](img.height, oh);
  const tx = TAPS[method](img.width, ow);
  // Horizontal pass into a temporary [rows used, ow, c] (only the input rows some output row reads).
  const rowSlot = new Int32Array(img.height).fill(-1);
  let used = 0;
  for (let i = 0; i < ty.idx.length; i++) if (ty.w[i] !== 0 && rowSlot[ty.idx[i]] < 0) rowSlot[ty.idx[i]] = used++;
  const rowLen = ow * c;
  const tmp = new Float64Array(used * rowLen);
  const src = img.data;
  for (let y = 0; y < img.height; y++) {
    const slot = rowSlot[y];
    if (slot < 0) continue;
    const rowIn = y * img.width * c;
    const rowOut = slot * rowLen;
    for (let x = 0; x < ow; x++) {
      const o = rowOut + x * c;
      for (let k = 0; k < tx.n; k++) {
        const wk = tx.w[x * tx.n + k];
        if (wk === 0) continue;
        const p = rowIn + tx.idx[x * tx.n + k] * c;
        for (let ch = 0; ch < c; ch++) tmp[o + ch] += wk * src[p + ch];
      }
    }
  }
  // Vertical pass: each output row is a weighted sum of a few temporary rows.
  for (let y = 0; y < oh; y++) {
    const o = offset + y * rowLen;
    const acc = new Float64Array(rowLen);
    for (let k = 0; k < ty.n; k++) {
      const wk = ty.w[y * ty.n + k];
      if (wk === 0) continue;
      const base = rowSlot[ty.idx[y * ty.n + k]] * rowLen;
      for (let i = 0; i < rowLen; i++) acc[i] += wk * tmp[base + i];
    }
    out.set(acc, o);
  }
}

/** Loads one image as a float32 0..255 RGB tensor [h, w, 3], resized (like Keras) when `imageSize` is given. */
export async function loadImage(
  file: string,
  opts: { imageSize?: [number, number]; interpolation?: ImageDatasetOptions['interpolation'] } = {},
): Promise<tf.Tensor3D> {
  const img = await decodeImageFile(file, 'rgb');
  const [h, w] = opts.imageSize ?? [img.height, img.width];
  const out = new Float32Array(h * w * 3);
  resizeInto(img, [h, w], opts.interpolation ?? 'bilinear', out);
  return tf.tensor3d(out, [h, w, 3], 'float32');
}

// ---------------------------------------------------------------------------------------------------------
// file discovery

function isImageFile(name: string): boolean {
  const lower = name.toLowerCase();
  return IMAGE_EXTENSIONS.some((e) => lower.endsWith(e));
}

/** Image files under `dir`, recursively, in Keras order (folders sorted by full path, names sorted). */
async function listImages(dir: string): Promise<string[]> {
  const folders: { root: string; files: string[] }[] = [];
  const walk = async (d: string) => {
    const entries = await fsp.readdir(d, { withFileTypes: true });
    folders.push({ root: d, files: entries.filter((e) => e.isFile() && isImageFile(e.name)).map((e) => e.name).sort(cmp) });
    for (const e of entries) if (e.isDirectory()) await walk(path.join(d, e.name));
  };
  await walk(dir);
  folders.sort((a, b) => cmp(a.root, b.root));
  return folders.flatMap((f) => f.files.map((n) => path.join(f.root, n)));
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

// ---------------------------------------------------------------------------------------------------------
// the dataset

interface Prepared {
  xs: Float32Array;
  labels: number[];
  count: number;
}

class DirectoryDataset implements ImageDataset {
  readonly skipped: { path: string; error: string }[] = [];
  private iteration = 0;
  constructor(
    readonly classNames: string[],
    readonly filePaths: string[],
    readonly labels: number[],
    readonly batchSize: number,
    readonly imageSize: [number, number],
    private readonly opts: {
      labelMode: LabelMode;
      channels: 1 | 3;
      colorMode: 'rgb' | 'grayscale';
      shuffle: boolean;
      seed: number;
      interpolation: NonNullable<ImageDatasetOptions['interpolation']>;
      onBadImage: 'error' | 'skip';
      quiet: boolean;
    },
  ) {}
  get size(): number {
    return this.filePaths.length;
  }
  get numBatches(): number {
    return Math.ceil(this.size / this.batchSize);
  }

  /** File order of iteration `k` (0: `filePaths`; later: reshuffled from the seed when shuffling). */
  private order(k: number): number[] {
    const idx = this.filePaths.map((_, i) => i);
    if (k === 0 || !this.opts.shuffle) return idx;
    return new MersenneTwister((this.opts.seed + k * 0x9e3779b1) >>> 0).shuffle(idx);
  }

  private async prepare(indices: number[]): Promise<Prepared> {
    const [h, w] = this.imageSize;
    const c = this.opts.channels;
    const per = h * w * c;
    const decoded = await Promise.all(
      indices.map((i) =>
        decodeImageFile(this.filePaths[i], this.opts.colorMode).then(
          (img) => ({ i, img, error: undefined as string | undefined }),
          (err: Error) => ({ i, img: undefined, error: err.message }),
        ),
      ),
    );
    const xs = new Float32Array(indices.length * per);
    const labels: number[] = [];
    let count = 0;
    for (const d of decoded) {
      if (!d.img) {
        const file = this.filePaths[d.i];
        if (this.opts.onBadImage === 'error') throw new Error(d.error);
        if (!this.skipped.some((s) => s.path === file)) {
          this.skipped.push({ path: file, error: d.error! });
          if (!this.opts.quiet) console.warn(`Skipping ${file}: ${d.error}`);
        }
        continue;
      }
      resizeInto(d.img, this.imageSize, this.opts.interpolation, xs, count * per);
      labels.push(this.labels[d.i]);
      count++;
    }
    return { xs: count === indices.length ? xs : xs.slice(0, count * per), labels, count };
  }

  private toBatch(p: Prepared): Batch {
    const [h, w] = this.imageSize;
    const xs = tf.tensor4d(p.xs, [p.count, h, w, this.opts.channels], 'float32');
    const C = this.classNames.length;
    let ys: tf.Tensor;
    switch (this.opts.labelMode) {
      case 'int':
        ys = tf.tensor1d(p.labels, 'int32');
        break;
      case 'binary':
        ys = tf.tensor2d(p.labels, [p.count, 1], 'float32');
        break;
      case 'categorical': {
        const oh = new Float32Array(p.count * C);
        p.labels.forEach((l, i) => (oh[i * C + l] = 1));
        ys = tf.tensor2d(oh, [p.count, C], 'float32');
        break;
      }
      default:
        ys = tf.zeros([p.count, 0], 'float32');
    }
    return { xs, ys };
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Batch> {
    const order = this.order(this.iteration++);
    const bs = this.batchSize;
    const chunk = (b: number) => order.slice(b * bs, (b + 1) * bs);
    const n = Math.ceil(order.length / bs);
    const start = (b: number) => {
      const p = this.prepare(chunk(b));
      p.catch(() => undefined); // handled when awaited; avoids an unhandled rejection if iteration stops early
      return p;
    };
    let next = n > 0 ? start(0) : undefined;
    for (let b = 0; b < n; b++) {
      const current = await next!;
      next = b + 1 < n ? start(b + 1) : undefined;
      if (current.count === 0) continue;
      yield this.toBatch(current);
    }
  }

  toTfData(): tf.data.Dataset<Batch> {
    const castInt = this.opts.labelMode === 'int';
    const self = this;
    async function* batches(): AsyncGenerator<Batch> {
      for await (const b of self) {
        if (!castInt) yield b;
        else {
          const ys = b.ys.toFloat();
          b.ys.dispose();
          yield { xs: b.xs, ys };
        }
      }
    }
    return tf.data.generator(() => batches() as unknown as Iterator<Batch>);
  }
}

/**
 * Lists the images of `dir` (one sub-folder per class) like Keras `image_dataset_from_directory` and returns a
 * dataset streaming decoded, resized batches. Prints "Found N files belonging to C classes." unless quiet.
 */
export async function imageDatasetFromDirectory(dir: string, opts: ImageDatasetOptions = {}): Promise<ImageDataset> {
  const labelMode = opts.labelMode === undefined ? 'int' : opts.labelMode;
  if (labelMode !== null && !['int', 'binary', 'categorical'].includes(labelMode)) {
    throw new Error(`labelMode must be 'int', 'binary', 'categorical' or null, got ${JSON.stringify(labelMode)}.`);
  }
  const colorMode = opts.colorMode ?? 'rgb';
  if (colorMode !== 'rgb' && colorMode !== 'grayscale') throw new Error(`colorMode must be 'rgb' or 'grayscale', got '${colorMode}'.`);
  const imageSize = opts.imageSize ?? [256, 256];
  if (imageSize.length !== 2 || !imageSize.every((v) => Number.isInteger(v) && v > 0)) {
    throw new Error(`imageSize must be [height, width] with positive integers, got ${JSON.stringify(imageSize)}.`);
  }
  const batchSize = opts.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${batchSize}.`);
  const interpolation = opts.interpolation ?? 'bilinear';
  if (!(interpolation in TAPS)) throw new Error(`interpolation must be one of ${Object.keys(TAPS).join(', ')}, got '${interpolation}'.`);
  const shuffle = opts.shuffle ?? true;
  const split = opts.validationSplit;
  if (split !== undefined && !(split > 0 && split < 1)) throw new Error(`validationSplit must be between 0 and 1 (exclusive), got ${split}.`);
  if (split !== undefined && !opts.subset) throw new Error(`validationSplit is set: also pass subset: 'training' or 'validation'.`);
  if (opts.subset && split === undefined) throw new Error(`subset '${opts.subset}' needs validationSplit (e.g. 0.2).`);
  if (opts.subset && opts.subset !== 'training' && opts.subset !== 'validation') throw new Error(`subset must be 'training' or 'validation', got '${opts.subset}'.`);
  if (split !== undefined && shuffle && opts.seed === undefined) {
    throw new Error('validationSplit with shuffle needs a seed (the same for both subsets), so that training and validation files do not overlap.');
  }
  const seed = opts.seed ?? Math.floor(Math.random() * 1e6);

  let stat;
  try {
    stat = await fsp.stat(dir);
  } catch {
    throw new Error(`Image folder ${dir} does not exist. Download and extract the dataset first, or check the path.`);
  }
  if (!stat.isDirectory()) throw new Error(`${dir} is not a folder: pass the folder that holds one sub-folder per class.`);

  let classNames: string[] = [];
  let filePaths: string[] = [];
  let labels: number[] = [];
  if (labelMode === null) {
    filePaths = await listImages(dir);
  } else {
    const subdirs = (await fsp.readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort(cmp);
    if (opts.classNames) {
      const missing = opts.classNames.filter((c) => !subdirs.includes(c));
      if (missing.length) {
        throw new Error(`classNames ${JSON.stringify(missing)} are not sub-folders of ${dir}; its sub-folders are ${JSON.stringify(subdirs)}.`);
      }
      classNames = [...opts.classNames];
    } else classNames = subdirs;
    if (labelMode === 'binary' && classNames.length !== 2) {
      throw new Error(`labelMode 'binary' needs exactly 2 classes, but ${dir} has ${classNames.length}: ${JSON.stringify(classNames)}. Use 'int' or 'categorical'.`);
    }
    for (let c = 0; c < classNames.length; c++) {
      const files = await listImages(path.join(dir, classNames[c]));
      filePaths.push(...files);
      labels.push(...files.map(() => c));
    }
  }
  if (filePaths.length === 0) {
    throw new Error(`No images found in ${dir}${labelMode === null ? '' : ' (one sub-folder per class)'}. Allowed formats: ${IMAGE_EXTENSIONS.join(', ')}.`);
  }
  if (!opts.quiet) console.log(`Found ${filePaths.length} files${labelMode === null ? '' : ` belonging to ${classNames.length} classes`}.`);
  if (shuffle) {
    new MersenneTwister(seed).shuffle(filePaths);
    if (labelMode !== null) new MersenneTwister(seed).shuffle(labels);
  }
  if (labelMode === null) labels = filePaths.map(() => 0);
  if (split !== undefined) {
    const nVal = Math.floor(split * filePaths.length);
    const cut = filePaths.length - nVal;
    if (opts.subset === 'training') {
      filePaths = filePaths.slice(0, cut);
      labels = labels.slice(0, cut);
    } else {
      filePaths = filePaths.slice(cut);
      labels = labels.slice(cut);
    }
    if (!opts.quiet) console.log(`Using ${filePaths.length} files for ${opts.subset}.`);
    if (filePaths.length === 0) throw new Error(`validationSplit ${split} leaves no files for ${opts.subset} (${nVal} of ${cut + nVal}).`);
  }
  return new DirectoryDataset(classNames, filePaths, labels, batchSize, [imageSize[0], imageSize[1]], {
    labelMode,
    channels: colorMode === 'rgb' ? 3 : 1,
    colorMode,
    shuffle,
    seed,
    interpolation,
    onBadImage: opts.onBadImage ?? 'error',
    quiet: opts.quiet ?? false,
  });
}
