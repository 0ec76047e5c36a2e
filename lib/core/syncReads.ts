/**
 * Whether tensors of a backend can be read synchronously (`dataSync`). In Node, webgpu's cannot: Dawn has no
 * synchronous GPU read (in a browser tfjs draws through an OffscreenCanvas). Code that must stay synchronous (a
 * layer's `call`) computes with tensor ops on such a backend instead of reading pixels into JavaScript.
 */
import * as tf from '@tensorflow/tfjs';

/** Backends whose tensors `dataSync()` cannot read in Node. */
const NO_SYNC_READ = new Set(['webgpu']);

/** True when tensors on `backendName` (default: the active backend) can be read with `dataSync()`. */
export function backendReadsSync(backendName: string = tf.getBackend()): boolean {
  return !NO_SYNC_READ.has(backendName);
}
