/**
 * Checks of wasm kernels against the cpu backend: the same function computed on cpu and on wasm from the same
 * plain arrays, compared as max |wasm - cpu| / max |cpu|; and a leak check over repeated steps.
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';

/** Runs `step` once to warm up, then `times` more: neither tensors nor wasm heap buffers may grow. */
export function assertNoLeak(step: () => void, times: number): void {
  step();
  const tensors = tf.memory().numTensors;
  const buffers = tf.backend().numDataIds(); // wasm heap buffers, not just engine-tracked tensors
  for (let i = 0; i < times; i++) step();
  assert.equal(tf.memory().numTensors, tensors);
  assert.equal(tf.backend().numDataIds(), buffers);
}

/** Plain values and a shape, turned into a tensor on whichever backend is active by `T`. */
export type Arr = { values: number[]; shape: number[] };
let seed = 12345;
/** Deterministic values in [-1, 1) (or [0, 1) after `relu`) of `shape`. */
export function rand(shape: number[], relu = false): Arr {
  const n = shape.reduce((a, b) => a * b, 1);
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const v = (seed / 2147483648) * 2 - 1;
    values.push(relu ? Math.max(0, v) : v);
  }
  return { values, shape };
}
/** A tensor of `a` on the active backend. */
export const T = (a: Arr): tf.Tensor => tf.tensor(a.values, a.shape);

/** Runs `f` on cpu then on wasm; returns the relative max error per output. */
export async function compare(f: () => tf.Tensor | tf.Tensor[]): Promise<number[]> {
  const run = async (backend: string): Promise<{ v: Float32Array | Int32Array | Uint8Array; s: number[] }[]> => {
    await tf.setBackend(backend);
    const out = tf.tidy(f);
    const outs = Array.isArray(out) ? out : [out];
    const res = outs.map((t) => ({ v: t.dataSync().slice(), s: t.shape.slice() }));
    tf.dispose(outs);
    return res;
  };
  const cpu = await run('cpu');
  const wasm = await run('wasm');
  return cpu.map((c, i) => {
    assert.deepEqual(wasm[i].s, c.s, `output ${i}: shape`);
    let err = 0;
    let scale = 0;
    for (let j = 0; j < c.v.length; j++) {
      err = Math.max(err, Math.abs(wasm[i].v[j] - c.v[j]));
      scale = Math.max(scale, Math.abs(c.v[j]));
    }
    return err / Math.max(scale, 1e-12);
  });
}
/** Asserts that every output of `f` on wasm is within `tol` (relative to max |cpu|) of cpu's. */
export async function assertClose(label: string, f: () => tf.Tensor | tf.Tensor[], tol = 1e-4): Promise<void> {
  const errs = await compare(f);
  for (const [i, e] of errs.entries())
    assert.ok(e <= tol, `${label} output ${i}: relative error ${e.toExponential(2)} > ${tol}`);
}
