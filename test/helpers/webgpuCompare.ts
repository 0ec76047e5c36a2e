/**
 * Runs one lesson workload on wasm and then on webgpu, from the same starting weights, and measures how far apart
 * the results are: max |webgpu - wasm| / max |wasm| per output. Also: whether this machine has a WebGPU adapter
 * (CI installs lavapipe; a developer without one gets the reason).
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/backend/select';
import { startWebgpu } from '../../lib/backend/webgpu';
import { probeAdapter } from '../../lib/backend/webgpuAdapter';

/** Why the WebGPU tests cannot run here, or undefined when an adapter is present. */
export function webgpuMissing(): string | undefined {
  const probe = probeAdapter(require.resolve('webgpu'));
  if (probe.facts) return undefined;
  return (
    `${probe.why}. Without a GPU, install Mesa's lavapipe from Debian bookworm-backports ` +
    '(README, "Backends"; scripts/setup.js --test does it as root)'
  );
}

/** Starts wasm (the project's threads and kernels) and webgpu (any adapter, lavapipe included); returns its name. */
export async function startBoth(): Promise<string> {
  await initBackend({ force: 'wasm', quiet: true });
  const { adapter } = await startWebgpu({ allowSoftware: true });
  await tf.setBackend('wasm');
  return adapter.name;
}

/** Plain values of tensors, read asynchronously (webgpu cannot be read synchronously in Node). */
export async function values(ts: tf.Tensor[]): Promise<Float32Array[]> {
  return Promise.all(ts.map(async (t) => Float32Array.from(await t.data())));
}

/** max |b - a| / max |a| (a's scale at least 1e-12). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(b.length, a.length, 'same number of values');
  let err = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    err = Math.max(err, Math.abs(b[i] - a[i]));
    scale = Math.max(scale, Math.abs(a[i]));
  }
  return err / Math.max(scale, 1e-12);
}

/**
 * Runs `workload` on wasm, then on webgpu; returns the relative error of each output and the wasm values. On
 * webgpu the tensor count must come back to where it was (no leaks).
 */
export async function onBoth(
  workload: () => Promise<Float32Array[]>,
): Promise<{ errors: number[]; wasm: Float32Array[] }> {
  await tf.setBackend('wasm');
  const wasm = await workload();
  await tf.setBackend('webgpu');
  const before = tf.memory().numTensors;
  const gpu = await workload();
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks on webgpu');
  await tf.setBackend('wasm');
  return { errors: wasm.map((w, i) => relativeError(w, gpu[i])), wasm };
}

/** The weights of `model` as plain arrays with their shapes. */
export async function weightValues(model: tf.LayersModel): Promise<{ v: Float32Array; shape: number[] }[]> {
  return Promise.all(model.getWeights().map(async (w) => ({ v: Float32Array.from(await w.data()), shape: w.shape })));
}

/** Sets `model`'s weights to `ws` (tensors created on the active backend). */
export function setWeightValues(model: tf.LayersModel, ws: { v: Float32Array; shape: number[] }[]): void {
  const ts = ws.map((w) => tf.tensor(w.v, w.shape));
  model.setWeights(ts);
  tf.dispose(ts);
}
