/**
 * Projective resampling of image batches in JavaScript (TensorFlow's `ImageProjectiveTransformV3` semantics), so
 * rotation, zoom and translation work on every backend (cpu, wasm, tfjs-node: none needs a `tf.image.transform`
 * kernel); on webgpu, whose tensors Node cannot read synchronously, by tfjs's `Transform` kernel (the same
 * semantics, on the GPU). No gradient flows through it: augmentation sits before a frozen base (or at the input), where none
 * is needed. Also Keras's rotation, zoom and translation matrices.
 */
import * as tf from '@tensorflow/tfjs';
import { backendReadsSync } from '../core/syncReads';

/** How points outside the image are filled (Keras `fill_mode`). */
export type FillMode = 'reflect' | 'constant' | 'nearest' | 'wrap';
/** Resampling method (Keras `interpolation`). */
export type Interpolation = 'bilinear' | 'nearest';

/** `c` reflected into [0, len-1] (TensorFlow's 'reflect': d c b a | a b c d | d c b a). */
function reflect(c: number, len: number): number {
  if (len <= 1) return 0;
  const sz2 = 2 * len;
  if (c < 0) {
    if (c < -sz2) c = sz2 * Math.trunc(-c / sz2) + c;
    return c < -len ? c + sz2 : -c - 1;
  }
  c -= sz2 * Math.trunc(c / sz2);
  return c >= len ? sz2 - c - 1 : c;
}

/** `c` wrapped into [0, len-1] (TensorFlow's 'wrap': a b c d | a b c d | a b c d). */
function wrap(c: number, len: number): number {
  if (len <= 1) return 0;
  const sz = len - 1;
  return c < 0 ? c + len * (Math.trunc(-c / sz) + 1) : c - len * Math.trunc(c / sz);
}

/** Maps a continuous coordinate into [0, len-1] for a fill mode (TensorFlow's semantics). */
export function mapCoordinate(c: number, len: number, mode: FillMode): number {
  if (mode === 'constant') return c;
  if (c < 0 || c > len - 1) {
    if (mode === 'reflect') c = reflect(c, len);
    else if (mode === 'wrap') c = wrap(c, len);
  }
  return Math.min(Math.max(c, 0), len - 1);
}

/** Options for `transformImages`. */
export interface TransformOptions {
  /** Default 'reflect' (Keras's default). */
  fillMode?: FillMode;
  /** Default 'bilinear'. */
  interpolation?: Interpolation;
  /** Value of points outside the image with fillMode 'constant' (default 0). */
  fillValue?: number;
}

/** One image's pixels and where to write a sampled pixel. */
interface Sampler {
  src: Float32Array;
  out: Float32Array;
  base: number;
  H: number;
  W: number;
  C: number;
  fill: number;
  acc: Float64Array;
}

function sampleNearest(s: Sampler, xin: number, yin: number, p: number): void {
  const xi = Math.sign(xin) * Math.round(Math.abs(xin));
  const yi = Math.sign(yin) * Math.round(Math.abs(yin));
  if (xi >= 0 && xi < s.W && yi >= 0 && yi < s.H) {
    const q = (s.base + yi * s.W + xi) * s.C;
    for (let c = 0; c < s.C; c++) s.out[p + c] = s.src[q + c];
  } else for (let c = 0; c < s.C; c++) s.out[p + c] = s.fill;
}

/** Bilinear sample; a neighbour outside the image reads as `fill` (TensorFlow's behaviour). */
function sampleBilinear(s: Sampler, xin: number, yin: number, p: number): void {
  const x0 = Math.floor(xin);
  const y0 = Math.floor(yin);
  const fx = xin - x0;
  const fy = yin - y0;
  s.acc.fill(0);
  for (let corner = 0; corner < 4; corner++) {
    const yy = y0 + (corner >> 1);
    const xx = x0 + (corner & 1);
    const w = (corner >> 1 ? fy : 1 - fy) * (corner & 1 ? fx : 1 - fx);
    if (w === 0) continue;
    if (xx >= 0 && xx < s.W && yy >= 0 && yy < s.H) {
      const q = (s.base + yy * s.W + xx) * s.C;
      for (let c = 0; c < s.C; c++) s.acc[c] += w * s.src[q + c];
    } else for (let c = 0; c < s.C; c++) s.acc[c] += w * s.fill;
  }
  for (let c = 0; c < s.C; c++) s.out[p + c] = s.acc[c];
}

/**
 * Applies one projective transform per image, Keras/TensorFlow convention: each transform is
 * `[a0, a1, a2, b0, b1, b2, c0, c1]` mapping an output point (x, y) to the input point
 * `((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)` with `k = c0 x + c1 y + 1`.
 * `transforms` holds 8 numbers per image (one set is broadcast to all). Returns a new float32 tensor.
 */
export function transformImages(
  images: tf.Tensor4D,
  transforms: ArrayLike<number>,
  opts: TransformOptions = {},
): tf.Tensor4D {
  const [B, H, W, C] = images.shape;
  const fillMode = opts.fillMode ?? 'reflect';
  const sample = (opts.interpolation ?? 'bilinear') === 'nearest' ? sampleNearest : sampleBilinear;
  if (transforms.length !== 8 && transforms.length !== 8 * B) {
    throw new Error(
      `transformImages: expected 8 or ${8 * B} transform values for ${B} images, got ${transforms.length}.`,
    );
  }
  if (!backendReadsSync()) {
    const all = transforms.length === 8 ? Array.from({ length: B }, () => Array.from(transforms)).flat() : transforms;
    return tf.tidy(() =>
      tf.image.transform(
        tf.cast(images, 'float32'),
        tf.tensor2d(Array.from(all), [B, 8]),
        opts.interpolation ?? 'bilinear',
        fillMode,
        opts.fillValue ?? 0,
      ),
    );
  }
  const asFloat = images.dtype === 'float32' ? images : tf.cast(images, 'float32');
  const src = asFloat.dataSync() as Float32Array;
  if (asFloat !== images) asFloat.dispose();
  const s: Sampler = {
    src,
    out: new Float32Array(B * H * W * C),
    base: 0,
    H,
    W,
    C,
    fill: opts.fillValue ?? 0,
    acc: new Float64Array(C),
  };
  let p = 0;
  for (let b = 0; b < B; b++) {
    const o = transforms.length === 8 ? 0 : 8 * b;
    const [a0, a1, a2, b0, b1, b2, c0, c1] = Array.from({ length: 8 }, (_, i) => transforms[o + i]);
    s.base = b * H * W;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++, p += C) {
        const k = c0 * x + c1 * y + 1;
        sample(
          s,
          mapCoordinate((a0 * x + a1 * y + a2) / k, W, fillMode),
          mapCoordinate((b0 * x + b1 * y + b2) / k, H, fillMode),
          p,
        );
      }
    }
  }
  return tf.tensor4d(s.out, [B, H, W, C]);
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
