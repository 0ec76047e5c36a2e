/**
 * lib/backend/wasm/kernels/slice.ts: a slice of a whole tensor shares its buffer (no new heap buffer, outlives its
 * source, survives a variable assign); every other slice equals cpu; no leaks.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/backend/select';
import { registerWasmKernels } from '../lib/backend/wasm/registry';
import { assertClose, rand, T } from './helpers/wasmCompare';

before(async () => {
  await initBackend({ force: 'wasm', quiet: true });
  registerWasmKernels();
});

describe('Slice on wasm', () => {
  it('of a whole tensor shares the buffer, outlives its source, and a variable assign leaves it intact', async () => {
    await tf.setBackend('wasm');
    const ids = tf.backend().numDataIds();
    const a = tf.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const whole = tf.slice(a, [0, 0], [2, -1]);
    const ints = tf.tidy(() => tf.slice(tf.cast(a, 'int32'), 0));
    assert.equal(tf.backend().numDataIds(), ids + 2, 'the float slice shares its source, the int one its cast');
    a.dispose();
    assert.deepEqual(whole.arraySync(), [
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const v = tf.variable(whole);
    const doubled = tf.tidy(() => tf.mul(v, 2));
    v.assign(doubled);
    doubled.dispose();
    assert.deepEqual([...whole.dataSync()], [1, 2, 3, 4, 5, 6]);
    assert.deepEqual([...ints.dataSync()], [1, 2, 3, 4, 5, 6]);
    tf.dispose([whole, ints, v]);
    assert.equal(tf.backend().numDataIds(), ids);
  });

  it('of part of a tensor equals cpu (leading axis, inner axes, sizes -1)', async () => {
    const x = rand([5, 6, 7, 3]);
    await assertClose('slices', () => [
      tf.slice(T(x), [1, 0, 0, 0], [3, -1, -1, -1]),
      tf.slice(T(x), [0, 2, 1, 0], [-1, 3, 4, 2]),
      tf.slice(T(x), [4], [1]),
      tf.slice(T(x), [0, 0, 0, 1]),
    ]);
  });
});
