/**
 * Slice of a whole tensor (every begin 0, every size the tensor's: what `model.predict` takes of a batch no larger
 * than its batch size) shares the input's buffer, as Identity does, instead of wasm's full copy; tensors are
 * immutable, so sharing is safe. Every other slice keeps wasm's kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFn } from '../composite';

/** The Slice kernel for wasm, wrapping wasm's own (captured now, so call it before registering the result). */
export function sharedWholeSlice(): tf.KernelConfig | undefined {
  const orig = tf.getKernel('Slice', 'wasm');
  if (!orig) return undefined;
  const kernelFunc: KernelFn = (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { begin, size } = (args.attrs ?? {}) as { begin: number | number[]; size?: number | number[] };
    const [b, s] = tf.slice_util.parseSliceParams(x, begin, size);
    const whole = x.dtype !== 'string' && x.shape.every((d, i) => b[i] === 0 && s[i] === d);
    if (!whole) return orig.kernelFunc({ ...args, attrs: args.attrs ?? {} });
    args.backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
  };
  return { kernelName: 'Slice', backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc };
}
