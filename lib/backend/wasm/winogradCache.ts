/**
 * Winograd filter transforms (`native/winograd_filter.c`: 36 components per input/output channel pair, packed for
 * the products) by the filter's dataId, held as wasm heap buffers outside the engine's tensor count: one for the
 * convolution itself and one for its input gradient (the filter turned by 180 degrees, channels swapped). Weights
 * are immutable (assigning a variable gives it a new dataId), so an entry stays right while its filter lives;
 * entries of disposed filters are freed on the next call.
 */
import * as tf from '@tensorflow/tfjs';
import { heapAddress, heapHolds, heapOutput, heapView } from '../../core/internals';
import type { NativeKernels } from './nativeModule';

const transforms = new Map<tf.DataId, [tf.TensorInfo | undefined, tf.TensorInfo | undefined]>();
let transformsBackend: tf.KernelBackend | undefined;

/** Frees the cached transforms of filters whose data the wasm backend `b` no longer holds. */
function dropDisposedFilters(b: tf.KernelBackend): void {
  if (transformsBackend !== b) {
    transforms.clear(); // a new backend instance: the old buffers went with the old one
    transformsBackend = b;
  }
  for (const [id, infos] of transforms) {
    if (!heapHolds(b, id)) {
      for (const info of infos) if (info) b.disposeData(info.dataId);
      transforms.delete(id);
    }
  }
}

/** Floats of the packed transform of a [3, 3, cin, cout] convolution: 36 x panels of 8 outputs x cin x 8. */
export function filterTransformSize(cin: number, cout: number): number {
  return 36 * Math.ceil(cout / 8) * cin * 8;
}

/**
 * The heap address of the packed transform of `filter` [3, 3, C, K] (computed on a miss): for the convolution
 * by the filter, or with `flip` for the one giving the input gradient (K inputs, C outputs).
 */
export function cachedFilterTransform(b: tf.KernelBackend, nk: NativeKernels, filter: tf.TensorInfo, flip: boolean): number {
  dropDisposedFilters(b);
  let entry = transforms.get(filter.dataId);
  if (!entry) transforms.set(filter.dataId, (entry = [undefined, undefined]));
  const slot = flip ? 1 : 0;
  let u = entry[slot];
  if (!u) {
    const [, , c, k] = filter.shape;
    const [cin, cout] = flip ? [k, c] : [c, k];
    u = heapOutput(b, [filterTransformSize(cin, cout)], 'float32');
    if (cout % 8) heapView(b, u).fill(0); // the last panel's unused outputs
    nk.run('wino_filter', [heapAddress(b, filter), heapAddress(b, u), c, k, flip ? 1 : 0]);
    entry[slot] = u;
  }
  return heapAddress(b, u);
}
