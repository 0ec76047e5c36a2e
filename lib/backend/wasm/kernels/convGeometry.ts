/**
 * Geometry shared by the convolution-gradient kernels: conv info from kernel attributes, the input pixels each
 * filter tap meets, the zero-dilation and pads of a transposed convolution. Built from fast tf ops (pad, slice,
 * reshape) on the active backend.
 */
import * as tf from '@tensorflow/tfjs';
import type { Attrs } from '../composite';

/** A stride, dilation or size attribute as [height, width]. */
function pair(v: unknown): [number, number] {
  if (typeof v === 'number') return [v, v];
  const a = v as number[];
  return [a[0], a[1]];
}

/**
 * Returns a function giving, for filter tap (i, j), the input pixels it meets at every output position:
 * [B, outH, outW, C]. `x` (NHWC) is padded with `value` by the convolution's pads. With strides > 1 the padded
 * input is reshaped once to [B, H/sh, sh*W/sw, sw*C] so that every tap is a plain 4-D slice (wasm's
 * StridedSlice and its slices of rank > 4 are an order of magnitude slower).
 */
export function tapper(
  x: tf.Tensor4D,
  info: tf.backend_util.Conv2DInfo,
  value = 0,
): (i: number, j: number) => tf.Tensor4D {
  const {
    padInfo,
    outHeight: oh,
    outWidth: ow,
    strideHeight: sh,
    strideWidth: sw,
    dilationHeight: dh,
    dilationWidth: dw,
  } = info;
  const [b, h, w, c] = x.shape;
  // Rows/cols the taps read, rounded up to whole stride blocks.
  const needH = Math.ceil(((oh - 1) * sh + info.effectiveFilterHeight) / sh) * sh;
  const needW = Math.ceil(((ow - 1) * sw + info.effectiveFilterWidth) / sw) * sw;
  const bottom = needH - h - padInfo.top;
  const right = needW - w - padInfo.left;
  let xp: tf.Tensor4D = x;
  if (padInfo.top || padInfo.left || bottom > 0 || right > 0) {
    xp = tf.pad(
      x,
      [
        [0, 0],
        [padInfo.top, Math.max(0, bottom)],
        [padInfo.left, Math.max(0, right)],
        [0, 0],
      ],
      value,
    );
  }
  if (xp.shape[1] > needH || xp.shape[2] > needW) xp = tf.slice(xp, [0, 0, 0, 0], [-1, needH, needW, -1]);
  if (sh === 1 && sw === 1) return (i, j) => tf.slice(xp, [0, i * dh, j * dw, 0], [b, oh, ow, c]);
  // [B, H/sh, sh * W/sw, sw*C]: row phase and column block share an axis, so every tap is one 4-D slice.
  const wq = needW / sw;
  const blocks = tf.reshape(xp, [b, needH / sh, sh * wq, sw * c]) as tf.Tensor4D;
  return (i, j) => {
    const r = i * dh;
    const q = j * dw;
    return tf.slice(blocks, [0, Math.floor(r / sh), (r % sh) * wq + Math.floor(q / sw), (q % sw) * c], [b, oh, ow, c]);
  };
}

/** Inserts stride-1 zeros between the rows/cols of dy (the transposed convolution's input). */
export function dilateByStride(dy: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return dy;
  const [b, h, w, c] = dy.shape;
  // [B,H,W,C] -> [B*H, 1, W, C] -> pad rows -> [B, H*sh, W, C]; then the same for columns.
  let t: tf.Tensor = dy;
  if (sh > 1) {
    t = tf.pad(tf.reshape(t, [b * h, 1, w, c]), [
      [0, 0],
      [0, sh - 1],
      [0, 0],
      [0, 0],
    ]);
    t = tf.slice(tf.reshape(t, [b, h * sh, w, c]), [0, 0, 0, 0], [b, (h - 1) * sh + 1, w, c]);
  }
  const h2 = t.shape[1] as number;
  if (sw > 1) {
    t = tf.pad(tf.reshape(t, [b * h2 * w, 1, c]), [
      [0, 0],
      [0, sw - 1],
      [0, 0],
    ]);
    t = tf.slice(tf.reshape(t, [b, h2, w * sw, c]), [0, 0, 0, 0], [b, h2, (w - 1) * sw + 1, c]);
  }
  return t as tf.Tensor4D;
}

/**
 * Explicit pads that turn the transposed convolution into a plain stride-1 `valid` convolution of the dilated dy
 * with the flipped filter; negative amounts become a crop.
 */
export function transposedPads(
  info: tf.backend_util.Conv2DInfo,
  dilated: tf.Tensor4D,
): { pads: [[number, number], [number, number]]; crop: [number, number, number, number] } {
  const { padInfo, inHeight, inWidth, effectiveFilterHeight: kh, effectiveFilterWidth: kw } = info;
  const top = kh - 1 - padInfo.top;
  const left = kw - 1 - padInfo.left;
  const bottom = inHeight + kh - 1 - top - dilated.shape[1];
  const right = inWidth + kw - 1 - left - dilated.shape[2];
  // Negative pads: crop the dilated dy first.
  const crop: [number, number, number, number] = [
    Math.max(0, -top),
    Math.max(0, -bottom),
    Math.max(0, -left),
    Math.max(0, -right),
  ];
  return {
    pads: [
      [Math.max(0, top), Math.max(0, bottom)],
      [Math.max(0, left), Math.max(0, right)],
    ],
    crop,
  };
}

/** Crops [top, bottom, left, right] pixels off the image plane of `t` (NHWC). */
export function cropHW(t: tf.Tensor4D, crop: [number, number, number, number]): tf.Tensor4D {
  const [ct, cb, cl, cr] = crop;
  if (!(ct || cb || cl || cr)) return t;
  return tf.slice(t, [0, ct, cl, 0], [-1, t.shape[1] - ct - cb, t.shape[2] - cl - cr, -1]);
}

function checkNHWC(name: string, attrs: Attrs): void {
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') {
    throw new Error(
      `${name} on wasm supports dataFormat NHWC only (got ${String(attrs.dataFormat)}); use channelsLast layers.`,
    );
  }
}

/** The convolution's geometry from a gradient kernel's attributes (NHWC only; names the kernel otherwise). */
export function conv2dInfo(
  name: string,
  xShape: number[],
  filterShape: number[],
  attrs: Attrs,
  depthwise: boolean,
): tf.backend_util.Conv2DInfo {
  checkNHWC(name, attrs);
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    pair(attrs.strides),
    pair(attrs.dilations ?? 1),
    attrs.pad as 'same',
    attrs.dimRoundingMode as 'floor' | undefined,
    depthwise,
  );
}

/** The window arguments of the native convolution kernels (`nativeCalls.ts`) from a conv's info. */
export function windowArgs(info: tf.backend_util.Conv2DInfo) {
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  return {
    strideHeight,
    strideWidth,
    dilationHeight,
    dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}
