/**
 * Identity (tf.clone, and the many clones in tfjs-layers and the optimizers) and Cast to the tensor's own dtype
 * (every relu gradient casts its float mask to float) that share the input's buffer, as the cpu backend does,
 * instead of wasm's full copy; tensors are immutable, so sharing is safe. Cast to bool gives 0/1 (wasm 4.22 keeps
 * the integer part, so 2 stays 2 and -2 becomes 254).
 */
import * as tf from '@tensorflow/tfjs';
import { heapOutput, heapView } from '../../../core/internals';
import type { Attrs, KernelFn } from '../composite';

const sharedIdentityFn: KernelFn = ({ inputs, backend }) => {
  const x = inputs.x as tf.TensorInfo;
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
};

/** The Identity kernel for wasm: one more reference to the input's buffer, no copy. */
export const sharedIdentity: tf.KernelConfig = {
  kernelName: 'Identity',
  backendName: 'wasm',
  kernelFunc: sharedIdentityFn as tf.KernelFunc,
};

/** The Cast kernel for wasm, wrapping wasm's own (captured now): a cast to the same dtype shares the buffer. */
export function sharedCast(): tf.KernelConfig | undefined {
  const orig = tf.getKernel('Cast', 'wasm');
  if (!orig) return undefined;
  const kernelFunc: KernelFn = (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const dtype = ((args.attrs ?? {}) as Attrs).dtype;
    if (dtype === x.dtype && x.dtype !== 'string') return sharedIdentityFn(args);
    if (dtype !== 'bool' || (x.dtype !== 'float32' && x.dtype !== 'int32'))
      return orig.kernelFunc({ ...args, attrs: args.attrs ?? {} });
    const out = heapOutput(args.backend, x.shape, 'bool');
    const src = heapView(args.backend, x); // views after the allocation (which may grow the heap)
    const dst = heapView(args.backend, out);
    for (let i = 0; i < src.length; i++) dst[i] = src[i] !== 0 ? 1 : 0;
    return out;
  };
  return { kernelName: 'Cast', backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc };
}
