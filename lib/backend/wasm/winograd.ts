/**
 * 3x3 stride-1 convolution by Winograd's minimal filtering F(2x2, 3x3), built from fast tfjs ops.
 *
 * A direct 3x3 convolution costs 9 multiply-adds per output pixel, input channel and filter; F(2x2, 3x3) computes
 * each 2x2 output tile from a 4x4 input tile with 16 products, i.e. 2.25x fewer. The work becomes 16 plain matrix
 * products [tiles, C] x [C, K] (XNNPACK's GEMM on wasm) plus linear transforms:
 *   V = Bᵀ d B (input tiles: 4 row passes, then 4 column passes each, of 3- or 4-tap stride-2 depthwise convs),
 *   U = G g Gᵀ (filter: [1, 9] x [9, C*K] products; reusable across calls, see `winogradFilter`),
 *   Y = Aᵀ (U ⊙ V) A (output tiles: adds and subtracts, then the 2x2 tiles interleaved into the image).
 * The transforms only move memory, so this pays off when C and K are large (VGG16 from block2_conv2 on: about
 * 1.3x faster forward on 2 wasm threads); results match the direct convolution to ~3e-6 relative (fp32 rounding).
 */
import * as tf from '@tensorflow/tfjs';

/** Bᵀ (input transform) for F(2x2, 3x3). */
const BT = [
  [1, 0, -1, 0],
  [0, 1, 1, 0],
  [0, -1, 1, 0],
  [0, 1, 0, -1],
];
/** G (filter transform) for F(2x2, 3x3). */
const G = [
  [1, 0, 0],
  [0.5, 0.5, 0.5],
  [0.5, -0.5, 0.5],
  [0, 0, 1],
];

/** Activations that `winogradConv2d` applies itself. */
export type WinogradActivation = 'linear' | 'relu';

/** Options of `winogradConv2d`; same meaning as in `tf.fused.conv2d` (stride 1, dilation 1, NHWC). */
export interface WinogradConvArgs {
  x: tf.Tensor4D;
  filter: tf.Tensor4D;
  pad: 'same' | 'valid';
  bias?: tf.Tensor;
  activation?: WinogradActivation;
  /** The transformed filter from `winogradFilter(filter)`, to reuse across calls (else computed each call). */
  u?: tf.Tensor2D[];
  /**
   * Crops the tiled result [N, 2*ceil(OH/2), 2*ceil(OW/2), K] to [N, OH, OW, K] when OH or OW is odd (default:
   * `tf.slice`; the wasm kernel passes a faster copy, wasm's 4-D Slice being ~10x slower than a memcpy).
   */
  crop?: (y: tf.Tensor4D, outHeight: number, outWidth: number) => tf.Tensor4D;
}

/**
 * Whether `winogradConv2d` handles this convolution and is likely faster than XNNPACK's direct one on wasm:
 * a 3x3 filter, stride and dilation 1, NHWC, 'same'/'valid' padding, and at least `minChannels` input and output
 * channels (below that, the transforms' memory traffic costs about what the products save: measured on 2 threads,
 * 64 -> 64 channels gains under 10%, 64 -> 128 nothing, 128 -> 128 about 1.15x, 256+ -> 256+ 1.3-1.9x).
 */
export function winogradApplies(
  xShape: number[],
  filterShape: number[],
  attrs: { strides?: unknown; dilations?: unknown; pad?: unknown; dataFormat?: unknown; dimRoundingMode?: unknown },
  minChannels = 128,
): boolean {
  const one = (v: unknown): boolean => v === undefined || v === 1 || (Array.isArray(v) && v.every((e) => e === 1));
  if (xShape.length !== 4 || filterShape.length !== 4) return false;
  const [kh, kw, c, k] = filterShape;
  if (kh !== 3 || kw !== 3 || c !== xShape[3]) return false;
  if (!one(attrs.strides) || !one(attrs.dilations)) return false;
  if (attrs.pad !== 'same' && attrs.pad !== 'valid') return false;
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC' && attrs.dataFormat !== 'channelsLast') return false;
  if (attrs.pad === 'valid' && (xShape[1] < 3 || xShape[2] < 3)) return false;
  return c >= minChannels && k >= minChannels;
}

/**
 * Row i of Bᵀ without its trailing zeros: 3 taps (4 for the last row) instead of 4, and since a stride-2 'valid'
 * pass of 3 or 4 taps over 2t + 2 pixels gives t outputs either way, all passes land on the same tile grid.
 */
function taps(i: number): number[] {
  const row = BT[i];
  let end = row.length;
  while (row[end - 1] === 0) end--;
  return row.slice(0, end);
}

/** A depthwise filter [kh, kw, C, 1] with the same taps on every channel. */
function depthwiseFilter(coefs: number[], vertical: boolean, c: number): tf.Tensor4D {
  const v = new Float32Array(coefs.length * c);
  coefs.forEach((coef, a) => v.fill(coef, a * c, (a + 1) * c));
  return tf.tensor4d(v, vertical ? [coefs.length, 1, c, 1] : [1, coefs.length, c, 1]);
}

/**
 * The 16 input-transform components V_ij = (Bᵀ d B)_ij of every 4x4 tile (stride 2) of the padded input, each as
 * [tiles, C]: 4 row passes (depthwise, stride 2 down) then 4 column passes each (depthwise, stride 2 across).
 */
function inputTransform(xp: tf.Tensor4D, th: number, tw: number): tf.Tensor2D[] {
  const [n, , , c] = xp.shape;
  const rows = BT.map((_, i) => tf.depthwiseConv2d(xp, depthwiseFilter(taps(i), true, c), [2, 1], 'valid'));
  const out: tf.Tensor2D[] = [];
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      const v = tf.depthwiseConv2d(rows[i], depthwiseFilter(taps(j), false, c), [1, 2], 'valid');
      out.push(tf.reshape(v, [n * th * tw, c]) as tf.Tensor2D);
    }
  }
  return out;
}

/**
 * The filter transform U = G g Gᵀ of a [3, 3, C, K] filter: 16 matrices [C, K], component (i, j) at 4i + j.
 * The caller owns (and disposes) them; pass them as `u` to `winogradConv2d` to skip this work on every call.
 */
export function winogradFilter(filter: tf.Tensor4D): tf.Tensor2D[] {
  const [kh, kw, c, k] = filter.shape;
  if (kh !== 3 || kw !== 3) throw new Error(`winogradFilter: filter ${JSON.stringify(filter.shape)} is not 3x3; Winograd F(2x2, 3x3) needs a [3, 3, C, K] filter.`);
  return tf.tidy(() => {
    const g9 = tf.reshape(filter, [9, c * k]);
    const out: tf.Tensor2D[] = [];
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        const row = new Float32Array(9);
        for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) row[a * 3 + b] = G[i][a] * G[j][b];
        // One row at a time: [1, 9] x [9, C*K] gives the component directly (slicing rows of a [16, C*K] product
        // is slow on wasm).
        out.push(tf.reshape(tf.matMul(tf.tensor2d(row, [1, 9]), g9), [c, k]) as tf.Tensor2D);
      }
    }
    return out;
  });
}

/**
 * `tf.fused.conv2d` for a 3x3 filter, stride 1, NHWC, by Winograd F(2x2, 3x3): same result within fp32
 * rounding, fewer multiply-adds. Runs on any backend (it is made of tf ops); fastest where matMul is.
 */
export function winogradConv2d(args: WinogradConvArgs): tf.Tensor4D {
  const { x, filter, pad, bias, activation = 'linear' } = args;
  const [n, h, w, c] = x.shape;
  const [kh, kw, fc, k] = filter.shape;
  if (kh !== 3 || kw !== 3 || fc !== c) {
    throw new Error(`winogradConv2d: filter ${JSON.stringify(filter.shape)} does not fit input ${JSON.stringify(x.shape)}; it needs a [3, 3, ${c}, K] filter.`);
  }
  if (args.u && (args.u.length !== 16 || args.u.some((t) => t.shape[0] !== c || t.shape[1] !== k))) {
    throw new Error(`winogradConv2d: u is not the transform of a [3, 3, ${c}, ${k}] filter (want 16 [${c}, ${k}] matrices); pass winogradFilter(filter).`);
  }
  if (activation !== 'linear' && activation !== 'relu') {
    throw new Error(`winogradConv2d: activation '${String(activation)}' is not supported; use 'linear' or 'relu' (or tf.fused.conv2d).`);
  }
  return tf.tidy(() => {
    const same = pad === 'same';
    const oh = same ? h : h - 2;
    const ow = same ? w : w - 2;
    if (oh < 1 || ow < 1) throw new Error(`winogradConv2d: input ${JSON.stringify(x.shape)} is smaller than the 3x3 filter with 'valid' padding.`);
    const th = Math.ceil(oh / 2);
    const tw = Math.ceil(ow / 2);
    const top = same ? 1 : 0;
    // Tiles read rows/cols [0, 2*th + 2) of the padded input.
    const xp = tf.pad(x, [[0, 0], [top, 2 * th + 2 - h - top], [top, 2 * tw + 2 - w - top], [0, 0]]) as tf.Tensor4D;
    const u = args.u ?? winogradFilter(filter);
    const vs = inputTransform(xp, th, tw);
    const m: tf.Tensor[] = [];
    for (let t = 0; t < 16; t++) {
      const v = vs[t];
      const ut = u[t];
      // Component (1, 1) enters every output of the tile with weight +1: the bias rides on its product.
      m.push(t === 5 && bias ? tf.fused.matMul({ a: v, b: ut, bias }) : tf.matMul(v, ut));
    }
    // Aᵀ M A with Aᵀ = [[1, 1, 1, 0], [0, 1, -1, -1]], first over i, then over j.
    const s0: tf.Tensor[] = [];
    const s1: tf.Tensor[] = [];
    for (let j = 0; j < 4; j++) {
      // AddN is faster than Add on wasm (same shapes, no broadcasting path), so sums go through it.
      s0.push(tf.addN([m[j], m[4 + j], m[8 + j]]));
      s1.push(tf.sub(m[4 + j], tf.addN([m[8 + j], m[12 + j]])));
    }
    const y00 = tf.addN([s0[0], s0[1], s0[2]]);
    const y01 = tf.sub(s0[1], tf.addN([s0[2], s0[3]]));
    const y10 = tf.addN([s1[0], s1[1], s1[2]]);
    const y11 = tf.sub(s1[1], tf.addN([s1[2], s1[3]]));
    const tile = [n, th, tw, 1, k];
    const row = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => tf.concat([tf.reshape(a, tile), tf.reshape(b, tile)], 3); // [n, th, tw, 2, k]
    let y: tf.Tensor = tf.reshape(tf.concat([tf.reshape(row(y00, y01), [n, th, 1, 2 * tw, k]), tf.reshape(row(y10, y11), [n, th, 1, 2 * tw, k])], 2), [n, 2 * th, 2 * tw, k]);
    if (2 * th !== oh || 2 * tw !== ow) y = args.crop ? args.crop(y as tf.Tensor4D, oh, ow) : tf.slice(y, [0, 0, 0, 0], [n, oh, ow, k]);
    return (activation === 'relu' ? tf.relu(y) : y) as tf.Tensor4D;
  });
}
