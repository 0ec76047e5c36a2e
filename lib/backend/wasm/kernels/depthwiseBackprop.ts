/**
 * The gradients of a depthwise convolution (MobileNet's), which wasm 4.22 lacks, composed of its fast ops.
 */
import * as tf from '@tensorflow/tfjs';
import { composite } from '../composite';
import { conv2dInfo, cropHW, dilateByStride, tapper, transposedPads } from './convGeometry';

/** dx for depthwise conv: depthwise conv of the dilated dy with the flipped filter, summed over the multiplier. */
export const depthwiseBackpropInput = composite('DepthwiseConv2dNativeBackpropInput', (t, attrs) => {
  const dy = t.dy as tf.Tensor4D;
  const filter = t.filter as tf.Tensor4D;
  const inputShape = attrs.inputShape as [number, number, number, number];
  const info = conv2dInfo('DepthwiseConv2dNativeBackpropInput', inputShape, filter.shape, attrs, true);
  const [fh, fw, c, mult] = filter.shape;
  const dilated = dilateByStride(dy, info.strideHeight, info.strideWidth);
  const { pads, crop } = transposedPads(info, dilated);
  const w = tf.reshape(tf.reverse(filter, [0, 1]), [fh, fw, c * mult, 1]) as tf.Tensor4D;
  let src = cropHW(dilated, crop);
  if (pads[0][0] || pads[0][1] || pads[1][0] || pads[1][1]) src = tf.pad(src, [[0, 0], pads[0], pads[1], [0, 0]]);
  const out = tf.depthwiseConv2d(src, w, 1, 'valid', 'NHWC', [info.dilationHeight, info.dilationWidth]);
  if (mult === 1) return out;
  const [b, h, wd] = out.shape;
  return tf.sum(tf.reshape(out, [b, h, wd, c, mult]), -1);
});

/** dF for depthwise conv: per filter tap, Σ over batch and positions of x-tap · dy. */
export const depthwiseBackpropFilter = composite('DepthwiseConv2dNativeBackpropFilter', (t, attrs) => {
  const x = t.x as tf.Tensor4D;
  const dy = t.dy as tf.Tensor4D;
  const filterShape = attrs.filterShape as [number, number, number, number];
  const info = conv2dInfo('DepthwiseConv2dNativeBackpropFilter', x.shape, filterShape, attrs, true);
  const [kh, kw, c, mult] = filterShape;
  const m = dy.shape[0] * dy.shape[1] * dy.shape[2];
  const tap = tapper(x, info);
  const dy3 = tf.reshape(dy, [m, c, mult]);
  const rows: tf.Tensor[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      rows.push(tf.tidy(() => tf.sum(tf.mul(tf.reshape(tap(i, j), [m, c, 1]), dy3), 0)));
    }
  }
  return tf.reshape(tf.stack(rows), [kh, kw, c, mult]);
});
