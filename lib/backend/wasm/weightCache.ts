/**
 * Derived copies of weight tensors on the wasm heap (Winograd filter transforms, filters packed for the products),
 * by the weight's dataId and a kind, held as heap buffers outside the engine's tensor count. Weights are immutable
 * (assigning a variable gives it a new dataId), so an entry stays right while its weight lives; entries of
 * disposed weights are freed on the next call.
 */
import * as tf from '@tensorflow/tfjs';
import { heapAddress, heapHolds, heapOutput, heapView } from '../../core/internals';

const entries = new Map<tf.DataId, Map<string, tf.TensorInfo>>();
let entriesBackend: tf.KernelBackend | undefined;

/** Frees the entries of weights whose data the wasm backend `b` no longer holds. */
function dropDisposedWeights(b: tf.KernelBackend): void {
  if (entriesBackend !== b) {
    entries.clear(); // a new backend instance: the old buffers went with the old one
    entriesBackend = b;
  }
  for (const [id, kinds] of entries) {
    if (!heapHolds(b, id)) {
      for (const info of kinds.values()) b.disposeData(info.dataId);
      entries.delete(id);
    }
  }
}

/**
 * The heap address of the `kind` copy of `weight` (`floats` floats), made on a miss by `make(address)` into a
 * buffer that is zeroed first when `zeroed`.
 */
export function cachedWeights(
  b: tf.KernelBackend,
  weight: tf.TensorInfo,
  kind: string,
  floats: number,
  zeroed: boolean,
  make: (address: number) => void,
): number {
  dropDisposedWeights(b);
  let kinds = entries.get(weight.dataId);
  if (!kinds) entries.set(weight.dataId, (kinds = new Map()));
  let copy = kinds.get(kind);
  if (!copy) {
    copy = heapOutput(b, [floats], 'float32');
    if (zeroed) heapView(b, copy).fill(0);
    make(heapAddress(b, copy));
    kinds.set(kind, copy);
  }
  return heapAddress(b, copy);
}
