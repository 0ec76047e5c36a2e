/**
 * Whole-op checks on wasm against the cpu backend: augmentation ops and the kernels that run through the cpu
 * fallback, optimizers, and the gradients of a whole conv net (lib/backend/wasm/registry.ts and kernels/).
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/backend/select';
import { registerWasmKernels } from '../lib/backend/wasm/registry';
import { assertClose, assertNoLeak, rand, T } from './helpers/wasmCompare';

before(async () => {
  const info = await initBackend({ force: 'wasm', quiet: true });
  assert.equal(info.choice, 'wasm');
  registerWasmKernels();
});

describe('augmentation and cpu-fallback ops on wasm equal cpu', () => {
  it('flip, gather, image transform (rotation/zoom/translation), resize', async () => {
    const img = rand([2, 6, 7, 3]);
    await assertClose('flipLeftRight', () => tf.image.flipLeftRight(T(img) as tf.Tensor4D));
    await assertClose('gather', () => tf.gather(T(img), [2, 0, 1], 2));
    const c = Math.cos(0.3);
    const s = Math.sin(0.3);
    // One image per call: the cpu backend's Transform gets every image after the first wrong (all fill values),
    // wasm's is right (a translation by hand shows it), so batches are compared one image at a time.
    const one = rand([1, 6, 7, 3]);
    for (const transform of [
      [c * 0.9, -s, 1.2, s, c * 1.1, -0.4, 0, 0],
      [1, 0, 0.5, 0, 1, -1, 0, 0],
    ]) {
      for (const interp of ['bilinear', 'nearest'] as const) {
        for (const fill of ['constant', 'reflect', 'nearest', 'wrap'] as const) {
          await assertClose(`transform ${interp} ${fill}`, () =>
            tf.image.transform(T(one) as tf.Tensor4D, tf.tensor2d([transform]), interp, fill, 0),
          );
        }
      }
    }
    // Square images: tfjs 4.22's resize gradients (every backend) swap height and width of non-square inputs.
    const sq = rand([2, 6, 6, 3]);
    const dy = rand([2, 9, 5, 3]);
    for (const corners of [false, true]) {
      await assertClose('resizeBilinear + grad', () =>
        tf.grad((a: tf.Tensor) => tf.image.resizeBilinear(a as tf.Tensor4D, [9, 5], corners))(T(sq), T(dy)),
      );
      // cpu's ResizeNearestNeighborGrad is wrong for batch/channels > 1, so wasm's is checked as the adjoint of
      // its forward resize instead: <resize(x), dy> = <x, grad(dy)>.
      await tf.setBackend('wasm');
      const [lhs, rhs] = tf.tidy(() => {
        const x = T(sq) as tf.Tensor4D;
        const g = tf.grad((a: tf.Tensor) => tf.image.resizeNearestNeighbor(a as tf.Tensor4D, [9, 5], corners))(
          x,
          T(dy),
        );
        return [
          tf.sum(tf.mul(tf.image.resizeNearestNeighbor(x, [9, 5], corners), T(dy))).dataSync()[0],
          tf.sum(tf.mul(x, g)).dataSync()[0],
        ];
      });
      assert.ok(Math.abs(lhs - rhs) <= 1e-4 * Math.abs(lhs), `resizeNearestNeighbor grad adjoint: ${lhs} vs ${rhs}`);
    }
  });
  it('unsortedSegmentSum (gather gradient) runs via the cpu fallback', async () => {
    const x = rand([6, 4]);
    await assertClose('unsortedSegmentSum', () =>
      tf.unsortedSegmentSum(T(x), tf.tensor1d([0, 2, 1, 2, 0, 3], 'int32'), 4),
    );
    const dy = rand([3, 4]);
    await assertClose('gather grad', () => tf.grad((a: tf.Tensor) => tf.gather(a, [1, 1, 3], 0))(T(x), T(dy)));
  });
});

describe('optimizers and a whole conv net on wasm equal cpu', () => {
  it('one step of SGD, RMSprop and Adam gives the same weights', async () => {
    const w0 = rand([3, 3, 2, 4]);
    const g0 = rand([3, 3, 2, 4]);
    for (const make of [() => tf.train.sgd(0.1), () => tf.train.rmsprop(0.01), () => tf.train.adam(0.01)]) {
      await assertClose('optimizer', () => {
        const v = tf.variable(T(w0));
        const opt = make();
        opt.applyGradients([{ name: v.name, tensor: T(g0) }]);
        opt.applyGradients([{ name: v.name, tensor: tf.mul(T(g0), -0.5) }]);
        const out = v.clone();
        opt.dispose();
        v.dispose();
        return out;
      });
    }
  });
  it('tf.grads of a conv-net loss (conv, depthwise, batchnorm, pools, dense) on wasm equals cpu', async () => {
    const x = rand([3, 12, 12, 3]);
    const p = {
      c1: rand([3, 3, 3, 8]),
      d1: rand([3, 3, 8, 1]),
      c2: rand([1, 1, 8, 6]),
      g: rand([6]),
      b: rand([6]),
      w: rand([6 * 3 * 3, 2]),
    };
    const labels = [1, 0, 0, 1, 1, 0];
    await assertClose('conv net grads', () => {
      const loss = (
        c1: tf.Tensor,
        d1: tf.Tensor,
        c2: tf.Tensor,
        g: tf.Tensor,
        b: tf.Tensor,
        w: tf.Tensor,
      ): tf.Scalar => {
        let h = tf.relu(tf.conv2d(T(x) as tf.Tensor4D, c1 as tf.Tensor4D, 1, 'same'));
        h = tf.maxPool(h, 2, 2, 'valid');
        h = tf.relu6(tf.depthwiseConv2d(h, d1 as tf.Tensor4D, 2, 'same'));
        h = tf.conv2d(h, c2 as tf.Tensor4D, 1, 'valid');
        const { mean, variance } = tf.moments(h, [0, 1, 2]);
        h = tf.relu(tf.batchNorm(h, mean, variance, b, g, 1e-3)) as tf.Tensor4D;
        const flat = tf.reshape(h, [3, -1]);
        const logits = tf.matMul(flat, w);
        return tf.losses.softmaxCrossEntropy(tf.tensor2d(labels, [3, 2]), logits) as tf.Scalar;
      };
      return tf.grads(loss)([T(p.c1), T(p.d1), T(p.c2), T(p.g), T(p.b), T(p.w)]);
    });
  });
  it('the kernels leak no tensors over repeated gradient steps', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor(rand([2, 9, 9, 3]).values, [2, 9, 9, 3]) as tf.Tensor4D;
    const f = tf.tensor(rand([3, 3, 3, 4]).values, [3, 3, 3, 4]) as tf.Tensor4D;
    const fd = tf.tensor(rand([3, 3, 3, 2]).values, [3, 3, 3, 2]) as tf.Tensor4D;
    const step = (): void =>
      tf.tidy(() => {
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
          tf.sum(
            tf.matMul(
              tf.reshape(tf.maxPool(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'), 2, 2, 'same'), [2, -1]),
              tf.reshape(tf.depthwiseConv2d(a as tf.Tensor4D, c as tf.Tensor4D, 2, 'same'), [2, -1]),
              true,
              false,
            ),
          ),
        )([x, f, fd]);
        g.forEach((t) => t.dataSync());
      });
    assertNoLeak(step, 5);
    tf.dispose([x, f, fd]);
  });
});
