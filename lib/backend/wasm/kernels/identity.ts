/**
 * Identity (tf.clone, and the many clones in tfjs-layers and the optimizers) that shares the input's buffer,
 * as the cpu backend does, instead of wasm's full copy; tensors are immutable, so sharing is safe.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFn } from '../composite';

const sharedIdentityFn: KernelFn = ({ inputs, backend }) => {
  const x = inputs.x as tf.TensorInfo;
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
};

/** The Identity kernel for wasm: one more reference to the input's buffer, no copy. */
export const sharedIdentity: tf.KernelConfig = { kernelName: 'Identity', backendName: 'wasm', kernelFunc: sharedIdentityFn as tf.KernelFunc };
