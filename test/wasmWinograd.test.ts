/**
 * Winograd F(4x4, 3x3) convolutions on wasm (lib/backend/wasm/winograd.ts, kernels/winogradConv.ts and the native
 * kernels in native/winograd_*.c): forward (Conv2D, FusedConv2D with bias and activations) and input gradient
 * against the cpu backend's direct convolution, the cases that keep the direct kernel, and no leaks.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/backend/select';
import { setWasmWinograd } from '../lib/backend/wasm/kernels/winogradConv';
import { registerWasmKernels } from '../lib/backend/wasm/registry';
import { tilesPerChunk, winogradGeometry } from '../lib/backend/wasm/winograd';
import { assertClose, assertNoLeak, rand, T } from './helpers/wasmCompare';

type Pad = 'same' | 'valid' | number;

before(async () => {
  await initBackend({ force: 'wasm', quiet: true });
  registerWasmKernels();
});

/** Relative max difference of two same-shaped tensors. */
function relDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] / tf.max(tf.abs(b)).dataSync()[0]);
}

describe('Winograd F(4x4, 3x3) forward convolution on wasm equals cpu', () => {
  // Sizes that are and are not multiples of the 4x4 tile, both paddings and a numeric one, few and many channels.
  const cases: { shape: [number, number, number, number]; k: number; pad: Pad }[] = [
    { shape: [2, 9, 11, 16], k: 24, pad: 'same' },
    { shape: [1, 8, 8, 32], k: 20, pad: 'valid' },
    { shape: [3, 5, 7, 64], k: 64, pad: 'same' },
    { shape: [2, 13, 6, 36], k: 132, pad: 1 },
    { shape: [1, 3, 4, 16], k: 16, pad: 'valid' },
  ];
  for (const c of cases) {
    it(`conv2d and fused conv2d ${JSON.stringify(c.shape)} -> ${c.k}, pad ${c.pad}`, async () => {
      const x = rand(c.shape);
      const f = rand([3, 3, c.shape[3], c.k]);
      const b = rand([c.k]);
      await assertClose('conv2d', () => tf.conv2d(T(x) as tf.Tensor4D, T(f) as tf.Tensor4D, 1, c.pad));
      for (const activation of ['linear', 'relu', 'relu6'] as const) {
        await assertClose(`fused ${activation}`, () =>
          tf.fused.conv2d({
            x: T(x) as tf.Tensor4D,
            filter: T(f) as tf.Tensor4D,
            strides: 1,
            pad: c.pad,
            bias: T(b),
            activation,
          }),
        );
      }
      await assertClose('fused, no bias', () =>
        tf.fused.conv2d({ x: T(x) as tf.Tensor4D, filter: T(f) as tf.Tensor4D, strides: 1, pad: c.pad }),
      );
    });
  }
  it(
    'stays within 1e-4 of the direct convolution at 512 channels (VGG16 block 5), and really runs (results ' +
      'differ in the last bits)',
    async () => {
      await tf.setBackend('wasm');
      const x = tf.tensor(rand([2, 9, 9, 512], true).values, [2, 9, 9, 512]) as tf.Tensor4D;
      const f = tf.tensor(
        rand([3, 3, 512, 512]).values.map((v) => v * 0.05),
        [3, 3, 512, 512],
      ) as tf.Tensor4D;
      const wino = tf.conv2d(x, f, 1, 'same');
      const was = setWasmWinograd(false);
      const direct = tf.conv2d(x, f, 1, 'same');
      setWasmWinograd(was);
      const err = relDiff(wino, direct);
      assert.ok(err > 0 && err <= 1e-4, `relative difference ${err.toExponential(2)}`);
      tf.dispose([x, f, wino, direct]);
    },
  );
});

describe('Winograd input gradient (Conv2DBackpropInput) on wasm equals cpu', () => {
  for (const [shape, k, pad] of [
    [[2, 9, 10, 16], 20, 'same'],
    [[1, 11, 7, 24], 16, 'valid'],
    [[2, 6, 6, 32], 64, 1],
  ] as [number[], number, Pad][]) {
    it(`x ${JSON.stringify(shape)} -> ${k}, pad ${pad}: gradients of x and of the filter`, async () => {
      const x = rand(shape);
      const f = rand([3, 3, shape[3], k]);
      const info = tf.backend_util.computeConv2DInfo(
        shape as [number, number, number, number],
        [3, 3, shape[3], k],
        1,
        1,
        pad as 'same',
      );
      const dy = rand([shape[0], info.outHeight, info.outWidth, k]);
      await assertClose('conv grads', () =>
        tf.grads((a: tf.Tensor, w: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, 1, pad))(
          [T(x), T(f)],
          T(dy),
        ),
      );
    });
  }
  it('a conv layer with bias and relu trains the same (gradients through a Winograd forward)', async () => {
    const x = rand([2, 6, 5, 32]);
    const f = rand([3, 3, 32, 16]);
    const b = rand([16]);
    await assertClose('fused conv grads', () =>
      tf.grads((a: tf.Tensor, w: tf.Tensor, c: tf.Tensor) =>
        tf.sum(
          tf.square(
            tf.fused.conv2d({
              x: a as tf.Tensor4D,
              filter: w as tf.Tensor4D,
              strides: 1,
              pad: 'same',
              bias: c,
              activation: 'relu',
            }),
          ),
        ),
      )([T(x), T(f), T(b)]),
    );
  });
});

describe('which convolutions take the Winograd path', () => {
  it('3x3, stride and dilation 1, NHWC, channels multiples of 4 and >= 16', () => {
    assert.deepEqual(winogradGeometry([1, 8, 8, 16], [3, 3, 16, 32], { pad: 'same' }), {
      outHeight: 8,
      outWidth: 8,
      padTop: 1,
      padLeft: 1,
    });
    assert.deepEqual(winogradGeometry([1, 8, 7, 16], [3, 3, 16, 32], { pad: 'valid', strides: [1, 1] }), {
      outHeight: 6,
      outWidth: 5,
      padTop: 0,
      padLeft: 0,
    });
    assert.equal(winogradGeometry([1, 8, 8, 3], [3, 3, 3, 64], { pad: 'same' }), undefined);
    assert.equal(winogradGeometry([1, 8, 8, 18], [3, 3, 18, 32], { pad: 'same' }), undefined);
    assert.equal(winogradGeometry([1, 8, 8, 64], [3, 3, 64, 64], { pad: 'same', strides: 2 }), undefined);
    assert.equal(winogradGeometry([1, 8, 8, 64], [5, 5, 64, 64], { pad: 'same' }), undefined);
    assert.equal(winogradGeometry([1, 8, 8, 64], [3, 3, 64, 64], { pad: 'same', dilations: [2, 2] }), undefined);
    assert.equal(winogradGeometry([1, 8, 8, 64], [3, 3, 64, 64], { pad: 'same', dataFormat: 'NCHW' }), undefined);
  });
  it('chunks hold a multiple of 4 tiles, fewer for many channels, and several per thread', () => {
    assert.equal(tilesPerChunk(64, 100000, 2), 96);
    assert.equal(tilesPerChunk(512, 100000, 2), 20);
    assert.equal(tilesPerChunk(64, 60, 2), 8);
    for (const [c, tiles] of [
      [16, 7],
      [128, 500],
      [256, 30],
    ])
      assert.equal(tilesPerChunk(c, tiles, 2) % 4, 0);
  });
  it('convolutions that do not fit (3 channels, stride 2, 5x5, dilation 2) stay right on the direct kernel', async () => {
    const x = rand([2, 9, 9, 16]);
    const [x3, f3, f16, f5] = [rand([2, 9, 9, 3]), rand([3, 3, 3, 16]), rand([3, 3, 16, 16]), rand([5, 5, 16, 16])];
    await assertClose('3 channels', () => tf.conv2d(T(x3) as tf.Tensor4D, T(f3) as tf.Tensor4D, 1, 'same'));
    await assertClose('stride 2', () => tf.conv2d(T(x) as tf.Tensor4D, T(f16) as tf.Tensor4D, 2, 'same'));
    await assertClose('5x5', () => tf.conv2d(T(x) as tf.Tensor4D, T(f5) as tf.Tensor4D, 1, 'same'));
    await assertClose('dilation 2', () => tf.conv2d(T(x) as tf.Tensor4D, T(f16) as tf.Tensor4D, 1, 'same', 'NHWC', 2));
  });
});

describe('Winograd filter transforms cache', () => {
  it('leaks no tensors and no wasm buffers; a disposed filter frees its transforms on the next call', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor(rand([2, 7, 7, 32]).values, [2, 7, 7, 32]) as tf.Tensor4D;
    const f = tf.tensor(rand([3, 3, 32, 32]).values, [3, 3, 32, 32]) as tf.Tensor4D;
    const b = tf.tensor(rand([32]).values, [32]);
    const step = (): void =>
      tf.tidy(() => {
        const g = tf.grads((a: tf.Tensor) =>
          tf.sum(
            tf.fused.conv2d({ x: a as tf.Tensor4D, filter: f, strides: 1, pad: 'same', bias: b, activation: 'relu' }),
          ),
        )([x]);
        g[0].dataSync();
      });
    assertNoLeak(step, 4);
    const before = tf.memory().numTensors;
    const ids = tf.backend().numDataIds();
    const f2 = tf.add(f, 1) as tf.Tensor4D;
    const want = tf.tidy(() => {
      const was = setWasmWinograd(false);
      const y = tf.conv2d(x, f2, 1, 'same');
      setWasmWinograd(was);
      return y;
    });
    const got = tf.conv2d(x, f2, 1, 'same');
    assert.ok(relDiff(got, want) <= 1e-4);
    assert.equal(tf.backend().numDataIds(), ids + 1 + 2 + 1, "f2, the two outputs and f2's transform");
    tf.dispose([f2, want, got]);
    step();
    assert.equal(tf.backend().numDataIds(), ids);
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([x, f, b]);
  });
});
