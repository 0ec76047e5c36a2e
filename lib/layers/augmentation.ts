/**
 * Image augmentation and preprocessing layers with Keras names, behaviour and config keys:
 * `RandomFlip`, `RandomRotation`, `RandomZoom`, `RandomTranslation`, `Rescaling`, plus `ImageNetPreprocessing`.
 *
 * - Random layers act only while training (`model.fit` passes `training: true`); at inference they return
 *   their input unchanged, as in Keras.
 * - `seed` makes the sequence of random transforms reproducible.
 * - The affine resampling (rotation, zoom, translation) runs in JavaScript on the pixel data, so it works on
 *   every backend (cpu, wasm, tfjs-node: none needs a `tf.image.transform` kernel). No gradient flows through
 *   it: augmentation sits before a frozen base (or at the input), where none is needed.
 *   Fill modes follow TensorFlow's `ImageProjectiveTransformV3`: reflect (Keras default), constant, nearest, wrap.
 * - Layers have no weights; nothing is trained through them.
 * - Importing this file registers the classes for `tf.loadLayersModel` (Keras class names; the saved config
 *   uses Keras keys such as `fill_mode`, `height_factor`).
 */
import * as tf from '@tensorflow/tfjs';
import { preprocessInput, type PreprocessMode } from '../models/imagenet';

/** How points outside the image are filled (Keras `fill_mode`). */
export type FillMode = 'reflect' | 'constant' | 'nearest' | 'wrap';
/** Resampling method (Keras `interpolation`). */
export type Interpolation = 'bilinear' | 'nearest';
/** A Keras factor: `f` means the range [-f, f]; `[lower, upper]` is used as given. */
export type Factor = number | [number, number];

type Kwargs = Record<string, unknown>;

/** Layer arguments every layer here accepts (as in `tf.layers.*`). */
export interface BaseLayerArgs {
  name?: string;
  inputShape?: number[];
  batchInputShape?: (number | null)[];
}

/** The `tf.layers.Layer` constructor arguments: these layers have no weights and never train. */
function layerArgs(args: BaseLayerArgs | undefined) {
  return { name: args?.name, inputShape: args?.inputShape, batchInputShape: args?.batchInputShape, trainable: false };
}

/** A small deterministic PRNG (mulberry32) returning numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = (Math.floor(seed) >>> 0) || 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function factorRange(name: string, f: Factor | undefined, layer: string): [number, number] {
  if (f === undefined || f === null) throw new Error(`${layer}: ${name} is required (a number f for [-f, f], or [lower, upper]).`);
  const [lo, hi] = Array.isArray(f) ? f : [-Math.abs(f), Math.abs(f)];
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) {
    throw new Error(`${layer}: ${name}=${JSON.stringify(f)} is not a valid range: give a number or [lower, upper] with lower <= upper.`);
  }
  return [lo, hi];
}

function checkChoice<T extends string>(layer: string, key: string, value: string | undefined, allowed: readonly T[], dflt: T): T {
  if (value === undefined || value === null) return dflt;
  // Saved configs are camel-cased by tfjs on load ('horizontal_and_vertical' -> 'horizontalAndVertical').
  const v = value.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  if (!(allowed as readonly string[]).includes(v)) {
    throw new Error(`${layer}: ${key}='${value}' is not supported: use one of ${allowed.map((a) => `'${a}'`).join(', ')}.`);
  }
  return v as T;
}

function isTraining(kwargs: Kwargs | undefined): boolean {
  return kwargs?.training === true;
}

function oneTensor(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? inputs[0] : inputs;
}

/** Maps a continuous coordinate into [0, len-1] for a fill mode (TensorFlow's semantics). */
export function mapCoordinate(c: number, len: number, mode: FillMode): number {
  if (mode === 'constant') return c;
  if (mode === 'reflect') {
    if (c < 0) {
      if (len <= 1) c = 0;
      else {
        const sz2 = 2 * len;
        if (c < -sz2) c = sz2 * Math.trunc(-c / sz2) + c;
        c = c < -len ? c + sz2 : -c - 1;
      }
    } else if (c > len - 1) {
      if (len <= 1) c = 0;
      else {
        const sz2 = 2 * len;
        c -= sz2 * Math.trunc(c / sz2);
        if (c >= len) c = sz2 - c - 1;
      }
    }
  } else if (mode === 'wrap') {
    if (c < 0) {
      if (len <= 1) c = 0;
      else {
        const sz = len - 1;
        c += len * (Math.trunc(-c / sz) + 1);
      }
    } else if (c > len - 1) {
      if (len <= 1) c = 0;
      else {
        const sz = len - 1;
        c -= len * Math.trunc(c / sz);
      }
    }
  }
  return Math.min(Math.max(c, 0), len - 1);
}

/** Options for `transformImages`. */
export interface TransformOptions {
  fillMode?: FillMode;
  interpolation?: Interpolation;
  fillValue?: number;
}

/**
 * Applies one projective transform per image, Keras/TensorFlow convention: each transform is
 * `[a0, a1, a2, b0, b1, b2, c0, c1]` mapping an output point (x, y) to the input point
 * `((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)` with `k = c0 x + c1 y + 1`.
 * `transforms` holds 8 numbers per image (one set is broadcast to all). Works on every backend: the resampling
 * runs in JavaScript on the pixel data (no gradient flows through it; augmentation needs none).
 */
export function transformImages(images: tf.Tensor4D, transforms: ArrayLike<number>, opts: TransformOptions = {}): tf.Tensor4D {
  const [B, H, W, C] = images.shape;
  const fillMode = opts.fillMode ?? 'reflect';
  const nearest = (opts.interpolation ?? 'bilinear') === 'nearest';
  const fill = opts.fillValue ?? 0;
  if (transforms.length !== 8 && transforms.length !== 8 * B) {
    throw new Error(`transformImages: expected 8 or ${8 * B} transform values for ${B} images, got ${transforms.length}.`);
  }
  const asFloat = images.dtype === 'float32' ? images : tf.cast(images, 'float32');
  const src = asFloat.dataSync() as Float32Array;
  if (asFloat !== images) asFloat.dispose();
  const out = new Float32Array(B * H * W * C);
  const acc = new Float64Array(C);
  let p = 0;
  for (let b = 0; b < B; b++) {
    const o = transforms.length === 8 ? 0 : 8 * b;
    const a0 = transforms[o], a1 = transforms[o + 1], a2 = transforms[o + 2];
    const b0 = transforms[o + 3], b1 = transforms[o + 4], b2 = transforms[o + 5];
    const c0 = transforms[o + 6], c1 = transforms[o + 7];
    const base = b * H * W;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++, p += C) {
        const k = c0 * x + c1 * y + 1;
        const xin = mapCoordinate((a0 * x + a1 * y + a2) / k, W, fillMode);
        const yin = mapCoordinate((b0 * x + b1 * y + b2) / k, H, fillMode);
        if (nearest) {
          const xi = Math.sign(xin) * Math.round(Math.abs(xin));
          const yi = Math.sign(yin) * Math.round(Math.abs(yin));
          if (xi >= 0 && xi < W && yi >= 0 && yi < H) {
            const q = (base + yi * W + xi) * C;
            for (let c = 0; c < C; c++) out[p + c] = src[q + c];
          } else for (let c = 0; c < C; c++) out[p + c] = fill;
          continue;
        }
        const x0 = Math.floor(xin);
        const y0 = Math.floor(yin);
        const fx = xin - x0;
        const fy = yin - y0;
        acc.fill(0);
        // the four neighbours; a neighbour outside the image reads as fillValue (TensorFlow's behaviour)
        for (let corner = 0; corner < 4; corner++) {
          const yy = y0 + (corner >> 1);
          const xx = x0 + (corner & 1);
          const w = (corner >> 1 ? fy : 1 - fy) * (corner & 1 ? fx : 1 - fx);
          if (w === 0) continue;
          if (xx >= 0 && xx < W && yy >= 0 && yy < H) {
            const q = (base + yy * W + xx) * C;
            for (let c = 0; c < C; c++) acc[c] += w * src[q + c];
          } else for (let c = 0; c < C; c++) acc[c] += w * fill;
        }
        for (let c = 0; c < C; c++) out[p + c] = acc[c];
      }
    }
  }
  return tf.tensor4d(out, [B, H, W, C]);
}

/** Flips image b left-right where `horizontal[b]`, up-down where `vertical[b]` (JavaScript copy; any backend). */
export function flipImages(images: tf.Tensor4D, horizontal: boolean[], vertical: boolean[]): tf.Tensor4D {
  const [B, H, W, C] = images.shape;
  const src = images.dataSync();
  const out = new (src.constructor as Float32ArrayConstructor)(src.length);
  for (let b = 0; b < B; b++) {
    for (let y = 0; y < H; y++) {
      const sy = vertical[b] ? H - 1 - y : y;
      const dst = ((b * H + y) * W) * C;
      const row = ((b * H + sy) * W) * C;
      if (!horizontal[b]) {
        out.set(src.subarray(row, row + W * C), dst);
        continue;
      }
      for (let x = 0; x < W; x++) {
        const q = row + (W - 1 - x) * C;
        for (let c = 0; c < C; c++) out[dst + x * C + c] = src[q + c];
      }
    }
  }
  return tf.tensor4d(out, [B, H, W, C], images.dtype as 'float32' | 'int32');
}

/** Arguments shared by the random affine layers. */
export interface RandomAffineArgs extends BaseLayerArgs {
  fillMode?: FillMode;
  interpolation?: Interpolation;
  seed?: number;
  fillValue?: number;
}

/** Base class of the random affine layers: random transforms per image, training only. */
export abstract class RandomAffineLayer extends tf.layers.Layer {
  readonly fillMode: FillMode;
  readonly interpolation: Interpolation;
  readonly seed?: number;
  readonly fillValue: number;
  protected random: () => number;

  constructor(args: RandomAffineArgs, layerName: string) {
    super(layerArgs(args));
    this.fillMode = checkChoice(layerName, 'fill_mode', args.fillMode, ['reflect', 'constant', 'nearest', 'wrap'] as const, 'reflect');
    this.interpolation = checkChoice(layerName, 'interpolation', args.interpolation, ['bilinear', 'nearest'] as const, 'bilinear');
    this.seed = args.seed ?? undefined;
    this.fillValue = args.fillValue ?? 0;
    this.random = this.seed === undefined ? Math.random : seededRandom(this.seed);
    this.supportsMasking = true;
  }

  /** Restarts the random sequence from `seed` (or the layer's own seed). */
  reseed(seed?: number): void {
    const s = seed ?? this.seed;
    this.random = s === undefined ? Math.random : seededRandom(s);
  }

  protected uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.random();
  }

  /** Draws one 8-number transform per image. */
  protected abstract sampleTransforms(batch: number, height: number, width: number): Float32Array;

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const x = oneTensor(inputs);
    if (!isTraining(kwargs)) return x;
    return tf.tidy(() => {
      const x4 = (x.rank === 3 ? tf.expandDims(x, 0) : x) as tf.Tensor4D;
      const [B, H, W] = x4.shape;
      const out = transformImages(x4, this.sampleTransforms(B, H, W), {
        fillMode: this.fillMode,
        interpolation: this.interpolation,
        fillValue: this.fillValue,
      });
      return x.rank === 3 ? tf.squeeze(out, [0]) : out;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {
      fillMode: this.fillMode,
      interpolation: this.interpolation,
      seed: this.seed ?? null,
      fillValue: this.fillValue,
    };
    return { ...super.getConfig(), ...config };
  }
}

/** Arguments of `RandomFlip` (Keras `mode`, `seed`). */
export interface RandomFlipArgs extends BaseLayerArgs {
  mode?: 'horizontal' | 'vertical' | 'horizontal_and_vertical';
  seed?: number;
}

/** Randomly flips each image left-right and/or up-down with probability 0.5 (training only). */
export class RandomFlip extends tf.layers.Layer {
  /** @nocollapse */
  static className = 'RandomFlip';
  readonly mode: 'horizontal' | 'vertical' | 'horizontal_and_vertical';
  readonly seed?: number;
  private random: () => number;

  constructor(args: RandomFlipArgs = {}) {
    super(layerArgs(args));
    this.mode = checkChoice('RandomFlip', 'mode', args.mode, ['horizontal', 'vertical', 'horizontal_and_vertical'] as const, 'horizontal_and_vertical');
    this.seed = args.seed ?? undefined;
    this.random = this.seed === undefined ? Math.random : seededRandom(this.seed);
  }

  /** Restarts the random sequence from `seed` (or the layer's own seed). */
  reseed(seed?: number): void {
    const s = seed ?? this.seed;
    this.random = s === undefined ? Math.random : seededRandom(s);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const x = oneTensor(inputs);
    if (!isTraining(kwargs)) return x;
    const x4 = (x.rank === 3 ? tf.expandDims(x, 0) : x) as tf.Tensor4D;
    const B = x4.shape[0];
    const draw = (on: boolean) => Array.from({ length: B }, () => on && this.random() < 0.5);
    const horizontal = draw(this.mode !== 'vertical');
    const vertical = draw(this.mode !== 'horizontal');
    const out = flipImages(x4, horizontal, vertical);
    if (x4 !== x) x4.dispose();
    if (x.rank !== 3) return out;
    const squeezed = tf.squeeze(out, [0]);
    out.dispose();
    return squeezed;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), mode: this.mode, seed: this.seed ?? null };
  }
}

/** Arguments of `RandomRotation`: `factor` is a fraction of a full turn (0.1 = up to ±36°). */
export interface RandomRotationArgs extends RandomAffineArgs {
  factor: Factor;
}

/** Rotates each image by a random angle (fraction of 2π, positive = counter-clockwise), training only. */
export class RandomRotation extends RandomAffineLayer {
  /** @nocollapse */
  static className = 'RandomRotation';
  readonly factor: Factor;
  private range: [number, number];

  constructor(args: RandomRotationArgs) {
    super(args, 'RandomRotation');
    this.factor = args.factor;
    this.range = factorRange('factor', args.factor, 'RandomRotation');
  }

  protected sampleTransforms(B: number, H: number, W: number): Float32Array {
    const t = new Float32Array(8 * B);
    for (let b = 0; b < B; b++) {
      t.set(rotationMatrix(this.uniform(this.range[0], this.range[1]) * 2 * Math.PI, H, W), 8 * b);
    }
    return t;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), factor: this.factor };
  }
}

/** Keras's rotation transform (output -> input) for an angle in radians. */
export function rotationMatrix(angle: number, height: number, width: number): number[] {
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const xOff = (width - 1 - (cos * (width - 1) - sin * (height - 1))) / 2;
  const yOff = (height - 1 - (sin * (width - 1) + cos * (height - 1))) / 2;
  return [cos, -sin, xOff, sin, cos, yOff, 0, 0];
}

/** Keras's zoom transform; `zx`, `zy` > 1 zoom out, < 1 zoom in. */
export function zoomMatrix(zx: number, zy: number, height: number, width: number): number[] {
  return [zx, 0, ((width - 1) / 2) * (1 - zx), 0, zy, ((height - 1) / 2) * (1 - zy), 0, 0];
}

/** Keras's translation transform: shifts the image by (dx, dy) pixels (positive = right/down). */
export function translationMatrix(dx: number, dy: number): number[] {
  return [1, 0, -dx, 0, 1, -dy, 0, 0];
}

/** Arguments of `RandomZoom`: factors as in Keras (positive = zoom out); width defaults to the height zoom. */
export interface RandomZoomArgs extends RandomAffineArgs {
  heightFactor: Factor;
  widthFactor?: Factor | null;
}

/** Zooms each image in or out by a random factor, training only. */
export class RandomZoom extends RandomAffineLayer {
  /** @nocollapse */
  static className = 'RandomZoom';
  readonly heightFactor: Factor;
  readonly widthFactor: Factor | null;
  private hRange: [number, number];
  private wRange?: [number, number];

  constructor(args: RandomZoomArgs) {
    super(args, 'RandomZoom');
    this.heightFactor = args.heightFactor;
    this.widthFactor = args.widthFactor ?? null;
    this.hRange = factorRange('height_factor', args.heightFactor, 'RandomZoom');
    if (this.widthFactor !== null) this.wRange = factorRange('width_factor', this.widthFactor, 'RandomZoom');
    if (this.hRange[0] < -1 || (this.wRange && this.wRange[0] < -1)) {
      throw new Error(`RandomZoom: factors must be >= -1 (a zoom of 1 + factor), got ${JSON.stringify([args.heightFactor, args.widthFactor])}.`);
    }
  }

  protected sampleTransforms(B: number, H: number, W: number): Float32Array {
    const t = new Float32Array(8 * B);
    for (let b = 0; b < B; b++) {
      const zy = 1 + this.uniform(this.hRange[0], this.hRange[1]);
      const zx = this.wRange ? 1 + this.uniform(this.wRange[0], this.wRange[1]) : zy;
      t.set(zoomMatrix(zx, zy, H, W), 8 * b);
    }
    return t;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), heightFactor: this.heightFactor, widthFactor: this.widthFactor };
  }
}

/** Arguments of `RandomTranslation`: factors are fractions of the height / width. */
export interface RandomTranslationArgs extends RandomAffineArgs {
  heightFactor: Factor;
  widthFactor: Factor;
}

/** Shifts each image by a random fraction of its size, training only. */
export class RandomTranslation extends RandomAffineLayer {
  /** @nocollapse */
  static className = 'RandomTranslation';
  readonly heightFactor: Factor;
  readonly widthFactor: Factor;
  private hRange: [number, number];
  private wRange: [number, number];

  constructor(args: RandomTranslationArgs) {
    super(args, 'RandomTranslation');
    this.heightFactor = args.heightFactor;
    this.widthFactor = args.widthFactor;
    this.hRange = factorRange('height_factor', args.heightFactor, 'RandomTranslation');
    this.wRange = factorRange('width_factor', args.widthFactor, 'RandomTranslation');
  }

  protected sampleTransforms(B: number, H: number, W: number): Float32Array {
    const t = new Float32Array(8 * B);
    for (let b = 0; b < B; b++) {
      const dy = this.uniform(this.hRange[0], this.hRange[1]) * H;
      const dx = this.uniform(this.wRange[0], this.wRange[1]) * W;
      t.set(translationMatrix(dx, dy), 8 * b);
    }
    return t;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), heightFactor: this.heightFactor, widthFactor: this.widthFactor };
  }
}

/** Arguments of `Rescaling`: `y = x * scale + offset`. */
export interface RescalingArgs extends BaseLayerArgs {
  scale: number;
  offset?: number;
}

/** Multiplies by `scale` and adds `offset` (always, training or not); e.g. `{ scale: 1 / 255 }`. */
export class Rescaling extends tf.layers.Layer {
  /** @nocollapse */
  static className = 'Rescaling';
  readonly scale: number;
  readonly offset: number;

  constructor(args: RescalingArgs) {
    super(layerArgs(args));
    if (typeof args?.scale !== 'number' || !Number.isFinite(args.scale)) {
      throw new Error(`Rescaling: scale must be a finite number (e.g. 1 / 255), got ${JSON.stringify(args?.scale)}.`);
    }
    this.scale = args.scale;
    this.offset = args.offset ?? 0;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.add(tf.mul(tf.cast(oneTensor(inputs), 'float32'), this.scale), this.offset));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), scale: this.scale, offset: this.offset };
  }
}

/** ImageNet preprocessing modes of `keras.applications` (`caffe`: VGG/ResNet, `tf`: MobileNet). */
export type { PreprocessMode };

/** Arguments of `ImageNetPreprocessing`. */
export interface ImageNetPreprocessingArgs extends BaseLayerArgs {
  mode: PreprocessMode;
}

/**
 * `keras.applications.*.preprocess_input` as a layer, for RGB images in 0..255 (always active):
 * `caffe` = RGB->BGR minus the ImageNet mean; `tf` = scale to [-1, 1] (lib/models/imagenet.ts `preprocessInput`).
 */
export class ImageNetPreprocessing extends tf.layers.Layer {
  /** @nocollapse */
  static className = 'ImageNetPreprocessing';
  readonly mode: PreprocessMode;

  constructor(args: ImageNetPreprocessingArgs) {
    super(layerArgs(args));
    this.mode = checkChoice('ImageNetPreprocessing', 'mode', args?.mode, ['caffe', 'tf'] as const, 'caffe');
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return preprocessInput(oneTensor(inputs), this.mode);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), mode: this.mode };
  }
}

for (const cls of [RandomFlip, RandomRotation, RandomZoom, RandomTranslation, Rescaling, ImageNetPreprocessing]) {
  tf.serialization.registerClass(cls as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
}

/** `keras.layers.RandomFlip`. */
export function randomFlip(args: RandomFlipArgs = {}): RandomFlip {
  return new RandomFlip(args);
}
/** `keras.layers.RandomRotation`. */
export function randomRotation(args: RandomRotationArgs): RandomRotation {
  return new RandomRotation(args);
}
/** `keras.layers.RandomZoom`. */
export function randomZoom(args: RandomZoomArgs): RandomZoom {
  return new RandomZoom(args);
}
/** `keras.layers.RandomTranslation`. */
export function randomTranslation(args: RandomTranslationArgs): RandomTranslation {
  return new RandomTranslation(args);
}
/** `keras.layers.Rescaling`. */
export function rescaling(args: RescalingArgs): Rescaling {
  return new Rescaling(args);
}
/** `preprocess_input` of keras.applications as a layer. */
export function imageNetPreprocessing(args: ImageNetPreprocessingArgs): ImageNetPreprocessing {
  return new ImageNetPreprocessing(args);
}

/** The lesson's augmentation stack: flip horizontally, rotate ±10%, zoom ±20% (Keras tutorial values). */
export function defaultAugmentation(opts: { seed?: number } = {}): tf.layers.Layer[] {
  const s = opts.seed;
  return [
    randomFlip({ mode: 'horizontal', seed: s }),
    randomRotation({ factor: 0.1, seed: s === undefined ? undefined : s + 1 }),
    randomZoom({ heightFactor: 0.2, seed: s === undefined ? undefined : s + 2 }),
  ];
}

/**
 * Runs the augmentation layers in training mode on a batch (for showing what they do, e.g. an image grid).
 * Returns a new tensor; the input is not disposed.
 */
export function augmentBatch(layers: tf.layers.Layer[], images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    let x: tf.Tensor = images;
    for (const l of layers) x = l.apply(x, { training: true }) as tf.Tensor;
    return (x === images ? tf.clone(x) : x) as tf.Tensor4D;
  });
}
