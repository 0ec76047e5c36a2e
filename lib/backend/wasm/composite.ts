/**
 * Kernels for the wasm backend written as functions of tf ops (`composite`), and the types the project's wasm
 * kernels share. The ops run on wasm's fast (XNNPACK) kernels; the inputs and the result are shared, not copied.
 */
import * as tf from '@tensorflow/tfjs';
import { tensorFromInfo } from '../../core/internals';

/** A kernel's attributes, as tfjs passes them. */
export type Attrs = Record<string, unknown>;
/** A composite kernel's inputs, wrapped as tensors. */
export type Tensors = Record<string, tf.Tensor>;
/** A kernel function, typed as tfjs calls it. */
export type KernelFn = (args: {
  inputs: tf.NamedTensorInfoMap;
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}) => tf.TensorInfo | tf.TensorInfo[];

/**
 * Makes a kernel from a function of tf ops: inputs are wrapped as tensors (sharing the data), `fn` runs in a
 * tidy on the active (wasm) backend, and the result's data is handed to the engine without a copy.
 */
export function composite(kernelName: string, fn: (x: Tensors, attrs: Attrs) => tf.Tensor): tf.KernelConfig {
  const kernelFunc: KernelFn = ({ inputs, backend, attrs }) => {
    const wrapped: Tensors = {};
    for (const [k, info] of Object.entries(inputs)) {
      if (!info) continue;
      backend.incRef(info.dataId); // the wrapper owns one reference, released by its dispose()
      wrapped[k] = tensorFromInfo(info, backend);
    }
    let out: tf.Tensor;
    try {
      out = tf.tidy(() => fn(wrapped, (attrs ?? {}) as Attrs));
    } finally {
      for (const t of Object.values(wrapped)) t.dispose();
    }
    backend.incRef(out.dataId); // keep the data alive past the wrapper's dispose; the engine adopts this reference
    const result: tf.TensorInfo = { dataId: out.dataId, shape: out.shape.slice(), dtype: out.dtype };
    out.dispose();
    return result;
  };
  return { kernelName, backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc };
}

/** A kernel's inputs by name, any of them possibly absent. */
export type KernelInputs = Record<string, tf.TensorInfo | undefined>;

/**
 * A wasm kernel that runs `fast` and, when it returns undefined (a case it does not take), the kernel registered
 * under the same name now (captured when this is called, so call it before registering the result).
 */
export function withFallback(
  kernelName: string,
  fast: (inputs: KernelInputs, attrs: Attrs, b: tf.KernelBackend) => tf.TensorInfo | undefined,
): tf.KernelConfig | undefined {
  const orig = tf.getKernel(kernelName, 'wasm');
  if (!orig) return undefined;
  const kernelFunc: KernelFn = (args) =>
    fast(args.inputs as KernelInputs, (args.attrs ?? {}) as Attrs, args.backend) ??
    orig.kernelFunc({ ...args, attrs: args.attrs ?? {} });
  return { kernelName, backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc };
}
