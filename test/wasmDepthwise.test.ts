/**
 * The native depthwise forward convolution (lib/backend/wasm/kernels/depthwiseForward.ts, native/depthwise.c
 * `dw_conv`): DepthwiseConv2dNative and FusedDepthwiseConv2D equal the cpu backend (relative error <= 1e-4) on
 * windows inside the input (the 3x3 path with its nine weights in registers) and at its borders, channel counts
 * that are and are not multiples of 4, strides 1 and 2, dilations, 'same' and 'valid', every fused activation it
 * takes; and the gradients through them (tfjs has none for dilations). No tensor or heap buffer leaks.
 */
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/backend/select';
import { registerWasmKernels } from '../lib/backend/wasm/registry';
import { assertClose, assertNoLeak, rand, T } from './helpers/wasmCompare';

before(async () => {
  await initBackend({ force: 'wasm', quiet: true });
  registerWasmKernels();
});

type Pad = 'same' | 'valid';
/** [input [N, H, W, C], window, stride, dilation, padding]. */
const CASES: [number[], number, number, number, Pad][] = [
  [[2, 9, 11, 8], 3, 1, 1, 'same'],
  [[3, 17, 14, 13], 3, 2, 1, 'valid'],
  [[2, 16, 16, 32], 3, 2, 1, 'same'],
  [[2, 7, 10, 4], 3, 1, 2, 'same'],
  [[1, 12, 9, 6], 5, 1, 1, 'valid'],
  [[2, 13, 13, 12], 5, 2, 1, 'same'],
  [[2, 2, 3, 8], 3, 1, 1, 'same'],
  [[1, 1, 1, 5], 3, 1, 1, 'same'],
  [[2, 5, 5, 256], 3, 1, 1, 'same'],
];

describe('depthwise forward convolution (native) equals cpu', () => {
  for (const [shape, k, stride, dilation, pad] of CASES) {
    const label = `${shape.join('x')}, ${k}x${k}, stride ${stride}, dilation ${dilation}, ${pad}`;
    it(`${label}: plain, fused (bias + linear / relu / relu6), and the gradients`, async () => {
      const c = shape[3];
      const x = rand(shape);
      const f = rand([k, k, c, 1]);
      const bias = rand([c]);
      const conv = (a: tf.Tensor, w: tf.Tensor): tf.Tensor4D =>
        tf.depthwiseConv2d(a as tf.Tensor4D, w as tf.Tensor4D, stride, pad, 'NHWC', dilation);
      const fused = (activation: 'linear' | 'relu' | 'relu6', withBias = true): tf.Tensor =>
        tf.fused.depthwiseConv2d({
          x: T(x) as tf.Tensor4D,
          filter: T(f) as tf.Tensor4D,
          strides: stride,
          pad,
          dilations: dilation,
          bias: withBias ? T(bias) : undefined,
          activation,
        });
      await assertClose('forward', () => [
        conv(T(x), T(f)),
        fused('linear'),
        fused('relu'),
        fused('relu6'),
        fused('relu6', false),
      ]);
      if (dilation > 1) return; // tfjs has no gradient of dilated depthwise convolutions
      const out = conv(T(x), T(f));
      const dy = rand(out.shape);
      out.dispose();
      await assertClose('gradients', () => tf.grads(conv)([T(x), T(f)], T(dy)));
    });
  }

  it('passes NaN through, as cpu does', async () => {
    const x = rand([1, 4, 4, 4]);
    x.values[5] = NaN;
    const f = rand([3, 3, 4, 1]);
    await assertClose('NaN', () =>
      tf.isNaN(
        tf.fused.depthwiseConv2d({ x: T(x) as tf.Tensor4D, filter: T(f) as tf.Tensor4D, strides: 1, pad: 'same' }),
      ),
    );
  });

  it('leaks no tensors and no heap buffers', () => {
    const x = tf.tensor(rand([2, 12, 12, 8]).values, [2, 12, 12, 8]) as tf.Tensor4D;
    const f = tf.tensor(rand([3, 3, 8, 1]).values, [3, 3, 8, 1]) as tf.Tensor4D;
    const b = tf.tensor(rand([8]).values, [8]);
    assertNoLeak(() => {
      tf.dispose([
        tf.depthwiseConv2d(x, f, 2, 'same'),
        tf.fused.depthwiseConv2d({ x, filter: f, strides: 1, pad: 'same', bias: b, activation: 'relu6' }),
      ]);
    }, 3);
    tf.dispose([x, f, b]);
  });
});
