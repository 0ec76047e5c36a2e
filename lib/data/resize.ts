/**
 * Resizing decoded images like `tf.image.resize` without antialiasing (what Keras's `image_dataset_from_directory`
 * does): bilinear, nearest and bicubic with half-pixel centres, and area. Separable: each method gives, per
 * output row / column, a few input indices and weights ("taps").
 */
import type { RawImage } from './rawImage';

/** The resize methods (Keras `interpolation`). */
export type ResizeMethod = 'bilinear' | 'nearest' | 'bicubic' | 'area';

/** Per output position: `n` input indices and their weights. */
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

/** Keys' cubic kernel with a = -0.5 (TensorFlow's bicubic). */
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

const TAPS: Record<ResizeMethod, (inSize: number, outSize: number) => Taps> = {
  bilinear: bilinearTaps,
  nearest: nearestTaps,
  bicubic: bicubicTaps,
  area: areaTaps,
};

/** The resize methods, for option checks. */
export const RESIZE_METHODS = Object.keys(TAPS) as ResizeMethod[];

/** Horizontal pass: the input rows some output row reads, resized to `ow` columns, and each row's slot. */
function resizeRows(img: RawImage, ty: Taps, tx: Taps, ow: number): { tmp: Float64Array; rowSlot: Int32Array } {
  const c = img.channels;
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
  return { tmp, rowSlot };
}

/**
 * Resizes `img` to [height, width] like `tf.image.resize(img, size, method)` (antialias off) and writes float32
 * values into `out` at `offset` (HWC). Separable: rows first, then columns.
 */
export function resizeInto(
  img: RawImage,
  size: [number, number],
  method: ResizeMethod,
  out: Float32Array,
  offset = 0,
): void {
  const [oh, ow] = size;
  const ty = TAPS[method](img.height, oh);
  const { tmp, rowSlot } = resizeRows(img, ty, TAPS[method](img.width, ow), ow);
  const rowLen = ow * img.channels;
  const acc = new Float64Array(rowLen);
  // Vertical pass: each output row is a weighted sum of a few temporary rows.
  for (let y = 0; y < oh; y++) {
    acc.fill(0);
    for (let k = 0; k < ty.n; k++) {
      const wk = ty.w[y * ty.n + k];
      if (wk === 0) continue;
      const base = rowSlot[ty.idx[y * ty.n + k]] * rowLen;
      for (let i = 0; i < rowLen; i++) acc[i] += wk * tmp[base + i];
    }
    out.set(acc, offset + y * rowLen);
  }
}
