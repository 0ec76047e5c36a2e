/**
 * The native few-channel convolution (lib/backend/wasm/kernels/smallConv.ts, native/conv_small.c): Conv2D and
 * FusedConv2D with 1 to 4 input channels equal the cpu backend (relative error <= 1e-4) for windows 1 to 5, strides
 * 1 and 2, 'same', 'valid' and explicit padding, 4 to 24 outputs (tiles of four pixels by eight outputs and single
 * pixels), with bias and each activation it takes; the gradients through them; no tensor or heap buffer leaks.
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

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
/** [input [N, H, W, C], window, stride, padding, outputs]. */
const CASES: [number[], number, number, Pad, number][] = [
  [[2, 17, 17, 3], 3, 2, 'valid', 8],
  [[2, 16, 15, 3], 3, 2, 'same', 12],
  [[1, 9, 11, 1], 5, 1, 'same', 4],
  [[2, 8, 13, 4], 3, 1, 'valid', 24],
  [[1, 7, 6, 2], 1, 2, 'same', 16],
  [
    [2, 10, 19, 3],
    3,
    2,
    [
      [0, 0],
      [0, 1],
      [1, 0],
      [0, 0],
    ],
    8,
  ],
  [[1, 3, 3, 3], 3, 1, 'same', 8],
];

describe('few-channel convolutions (native) equal cpu', () => {
  for (const [shape, k, stride, pad, outputs] of CASES) {
    it(`${shape.join('x')}, ${k}x${k} -> ${outputs}, stride ${stride}, ${JSON.stringify(pad)}`, async () => {
      const x = rand(shape);
      const f = rand([k, k, shape[3], outputs]);
      const bias = rand([outputs]);
      const conv = (a: tf.Tensor, w: tf.Tensor): tf.Tensor4D =>
        tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, stride, pad);
      const fused = (activation: 'linear' | 'relu' | 'relu6'): tf.Tensor =>
        tf.fused.conv2d({
          x: T(x) as tf.Tensor4D,
          filter: T(f) as tf.Tensor4D,
          strides: stride,
          pad,
          bias: T(bias),
          activation,
        });
      await assertClose('forward', () => [conv(T(x), T(f)), fused('linear'), fused('relu'), fused('relu6')]);
      const out = conv(T(x), T(f));
      const dy = rand(out.shape);
      out.dispose();
      await assertClose('gradients', () => tf.grads(conv)([T(x), T(f)], T(dy)));
    });
  }

  it('leaks no tensors and no heap buffers', () => {
    const x = tf.tensor(rand([2, 12, 12, 3]).values, [2, 12, 12, 3]) as tf.Tensor4D;
    const f = tf.tensor(rand([3, 3, 3, 8]).values, [3, 3, 3, 8]) as tf.Tensor4D;
    assertNoLeak(() => tf.conv2d(x, f, 2, 'same').dispose(), 3);
    tf.dispose([x, f]);
  });
});
