/**
 * The gradients of a 2-D convolution on wasm, each one fast XNNPACK convolution (of a 1x1 convolution with stride
 * 1, MobileNet's pointwise layers: one matrix product): wasm 4.22 has no `Conv2DBackpropFilter`, and its
 * `Conv2DBackpropInput` is several times slower than the forward convolution.
 */
import * as tf from '@tensorflow/tfjs';
import { heapOutput, heapView, tensorFromInfo } from '../../../core/internals';
import { composite } from '../composite';
import { conv2dInfo, cropHW, dilateByStride, transposedPads } from './convGeometry';

/** Whether a convolution is a plain product of pixels by a 1x1 filter: stride and dilation 1, no padding. */
function plainPointwise(info: tf.backend_util.Conv2DInfo): boolean {
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, padInfo } = info;
  const ones = [filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth];
  return ones.every((v) => v === 1) && !padInfo.top && !padInfo.left && !padInfo.bottom && !padInfo.right;
}

/**
 * dW as one XNNPACK convolution over the image plane with the batch as channels: x as [Ci, H, W, B] convolved
 * with dy as a [OH, OW, B, Co] filter (dilated by the forward stride) gives [Ci, KH, KW, Co].
 */
export const conv2dBackpropFilter = composite('Conv2DBackpropFilter', (t, attrs) => {
  const x = t.x as tf.Tensor4D;
  const dy = t.dy as tf.Tensor4D;
  const filterShape = attrs.filterShape as [number, number, number, number];
  const info = conv2dInfo('Conv2DBackpropFilter', x.shape, filterShape, attrs, false);
  const [kh, kw, ci, co] = filterShape;
  if (plainPointwise(info)) {
    // 1x1: dW [Ci, Co] = xᵀ dy over the pixels, one matrix product (no transposed copies of x and dy).
    const pixels = tf.util.sizeFromShape(x.shape) / ci;
    return tf.reshape(tf.matMul(tf.reshape(x, [pixels, ci]), tf.reshape(dy, [pixels, co]), true, false), filterShape);
  }
  const { padInfo, outHeight, outWidth, strideHeight: sh, strideWidth: sw } = info;
  const bottom = Math.max(0, (outHeight - 1) * sh + kh - x.shape[1] - padInfo.top);
  const right = Math.max(0, (outWidth - 1) * sw + kw - x.shape[2] - padInfo.left);
  const xt = tf.transpose(x, [3, 1, 2, 0]);
  const dyt = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
  const pads: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0],
    [padInfo.top, bottom],
    [padInfo.left, right],
    [0, 0],
  ];
  let out = tf.conv2d(xt, dyt, 1, pads, 'NHWC', [sh, sw]); // [Ci, >=KH, >=KW, Co]
  if (out.shape[1] !== kh || out.shape[2] !== kw) out = tf.slice(out, [0, 0, 0, 0], [-1, kh, kw, -1]);
  return tf.transpose(out, [1, 2, 0, 3]);
});

/**
 * The filter [KH, KW, Ci, Co] flipped in both spatial axes with in/out channels swapped, [KH, KW, Co, Ci], by one
 * loop on the wasm heap (wasm's Reverse and Transpose of a 3x3x128x128 filter take milliseconds each).
 */
function flippedSwappedFilter(filter: tf.Tensor4D): tf.Tensor4D {
  const b = tf.backend();
  const [kh, kw, ci, co] = filter.shape;
  const out = heapOutput(b, [kh, kw, co, ci], filter.dtype);
  const src = heapView(b, filter); // views after the allocation (which may grow the heap)
  const dst = heapView(b, out);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const from = (i * kw + j) * ci * co;
      const to = ((kh - 1 - i) * kw + (kw - 1 - j)) * co * ci;
      for (let c = 0; c < ci; c++) for (let k = 0; k < co; k++) dst[to + k * ci + c] = src[from + c * co + k];
    }
  }
  return tensorFromInfo<tf.Tensor4D>(out, b);
}

/** dx = stride-1 convolution of the zero-dilated dy with the spatially flipped, in/out-swapped filter. */
export const conv2dBackpropInput = composite('Conv2DBackpropInput', (t, attrs) => {
  const dy = t.dy as tf.Tensor4D;
  const filter = t.filter as tf.Tensor4D;
  const inputShape = attrs.inputShape as [number, number, number, number];
  const info = conv2dInfo('Conv2DBackpropInput', inputShape, filter.shape, attrs, false);
  if (plainPointwise(info)) {
    // 1x1: dx [P, Ci] = dy [P, Co] Wᵀ, one matrix product.
    const [, , ci, co] = filter.shape;
    const pixels = tf.util.sizeFromShape(dy.shape) / co;
    return tf.reshape(tf.matMul(tf.reshape(dy, [pixels, co]), tf.reshape(filter, [ci, co]), false, true), inputShape);
  }
  const dilated = dilateByStride(dy, info.strideHeight, info.strideWidth);
  const { pads, crop } = transposedPads(info, dilated);
  const w = flippedSwappedFilter(filter);
  return tf.conv2d(cropHW(dilated, crop), w, 1, [[0, 0], pads[0], pads[1], [0, 0]], 'NHWC', [
    info.dilationHeight,
    info.dilationWidth,
  ]);
});
