/**
 * Winograd filter transforms (16 [C, K] matrices, 16/9 of the filter's size) by the filter's dataId, held as
 * backend buffers outside the engine's tensor count. Weights are immutable (assigning a variable gives it a new
 * dataId), so an entry stays right while its filter lives; entries of disposed filters are freed on the next call.
 */
import * as tf from '@tensorflow/tfjs';
import { heapHolds, tensorFromInfo } from '../../core/internals';
import { winogradFilter } from './winograd';

const filterTransforms = new Map<tf.DataId, tf.TensorInfo[]>();
let transformsBackend: tf.KernelBackend | undefined;

/** Frees the cached transforms of filters whose data the wasm backend `b` no longer holds. */
function dropDisposedFilters(b: tf.KernelBackend): void {
  if (transformsBackend !== b) {
    filterTransforms.clear(); // a new backend instance: the old buffers went with the old one
    transformsBackend = b;
  }
  for (const [id, infos] of filterTransforms) {
    if (!heapHolds(b, id)) {
      for (const info of infos) b.disposeData(info.dataId);
      filterTransforms.delete(id);
    }
  }
}

/**
 * `winogradFilter(filter)` from the cache (computed and cached on a miss), as new tensors that the calling tidy
 * disposes; the cached buffers stay.
 */
export function cachedFilterTransform(b: tf.KernelBackend, filter: tf.Tensor4D): tf.Tensor2D[] {
  dropDisposedFilters(b);
  let infos = filterTransforms.get(filter.dataId);
  if (!infos) {
    const u = winogradFilter(filter);
    infos = u.map((t) => {
      b.incRef(t.dataId); // our reference, released when the filter is gone
      return { dataId: t.dataId, shape: t.shape.slice(), dtype: t.dtype };
    });
    tf.dispose(u);
    filterTransforms.set(filter.dataId, infos);
  }
  return infos.map((info) => {
    b.incRef(info.dataId); // the wrapper's reference, released when the calling tidy disposes it
    return tensorFromInfo<tf.Tensor2D>(info, b);
  });
}
