/**
 * The project's kernels for the TensorFlow.js WebAssembly backend, registered in one place (`put`).
 *
 * `@tensorflow/tfjs-backend-wasm` 4.22 can run inference but not train a convnet: it has no
 * `Conv2DBackpropFilter` (nor the depthwise gradients MobileNet needs), and much of what it has runs on one thread.
 * Two layers of kernels fill that:
 * - the project's own WebAssembly kernels (`native/*.c`, `nativeModule.ts`), on tfjs's memory and on all threads:
 *   3x3 stride-1 convolutions and both their gradients by Winograd F(4x4, 3x3) (`kernels/winogradConv.ts`), 1x1
 *   convolutions, few-channel convolutions and their filter gradient, depthwise convolutions (forward, fused) and their gradients,
 *   matrix products with any transposes, MaxPoolGrad (wasm's is wrong for windows of values <= 0), sums over
 *   leading axes (bias gradients), element-wise arithmetic and activations, batch norm in inference, pad and tile;
 * - for the cases those do not take, compositions of wasm's XNNPACK ops (`composite.ts`: the convolution gradients
 *   with strides, dilations, depthwise multipliers) and the `cpu` backend's implementation run on copies of the
 *   data (`cpuBridge.ts`: segment sums, einsum, ragged ops).
 * Each wrapper falls back to the kernel registered before it, so the order of `put` calls matters. Identity,
 * same-dtype Cast and Slice of a whole tensor share the buffer instead of copying; Transform with fillMode
 * 'reflect' is corrected. One file per kernel (or family) in `kernels/`. Still missing on wasm: complex-number
 * kernels (FFT...), strings, Draw.
 */
import * as tf from '@tensorflow/tfjs';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { wasmInternalsAvailable } from '../../core/internals';
import { cpuFallback } from './cpuBridge';
import { batchMatMulNative } from './kernels/batchMatMul';
import { batchNormNative } from './kernels/batchNorm';
import { conv2dBackpropFilter, conv2dBackpropInput } from './kernels/conv2dBackprop';
import { depthwiseBackpropFilter, depthwiseBackpropInput } from './kernels/depthwiseBackprop';
import { depthwiseForwardKernels } from './kernels/depthwiseForward';
import { depthwiseKernels } from './kernels/depthwiseNative';
import { elementwiseKernels } from './kernels/elementwise';
import { sharedCast, sharedIdentity } from './kernels/identity';
import { sharedWholeSlice } from './kernels/slice';
import { smallConvKernels } from './kernels/smallConv';
import { maxPoolGrad } from './kernels/maxPoolGrad';
import { padNative, tileNative } from './kernels/pad';
import { patchFilterGradient } from './kernels/patchFilterGradient';
import { pointwiseKernels } from './kernels/pointwise';
import { sumLeadingAxes } from './kernels/sumLeadingAxes';
import { transformReflectFix } from './kernels/transformReflect';
import { winogradKernels } from './kernels/winogradConv';

/** Kernels wasm lacks that run via the cpu fallback (complex and string kernels cannot live on wasm). */
const FALLBACK_ONLY = ['UnsortedSegmentSum', 'Einsum', 'RaggedGather', 'RaggedRange', 'RaggedTensorToTensor'];

let registered: string[] | undefined;

/**
 * Registers the training kernels on the `wasm` backend (idempotent). Call after the wasm backend package is
 * loaded, before or after `tf.setBackend('wasm')`. Returns the names of the kernels it added or replaced: none
 * on a tfjs version the project was not tested with (stock wasm stays; see `core/internals.ts`).
 */
export function registerWasmKernels(): string[] {
  if (registered) return registered;
  if (!wasmInternalsAvailable(version_wasm)) return [];
  const names: string[] = [];
  /** Registers each config in place of wasm's kernel of that name, keeping that one's setup function. */
  const put = (cfgs: (tf.KernelConfig | undefined)[] | tf.KernelConfig | undefined): void => {
    for (const cfg of Array.isArray(cfgs) ? cfgs : [cfgs]) {
      if (!cfg) continue;
      const old = tf.getKernel(cfg.kernelName, 'wasm');
      if (old) tf.unregisterKernel(cfg.kernelName, 'wasm');
      tf.registerKernel(old?.setupFunc ? { ...cfg, setupFunc: old.setupFunc } : cfg);
      names.push(cfg.kernelName);
    }
  };
  put(conv2dBackpropFilter);
  put(patchFilterGradient()); // wraps the composite; Winograd's wrapper (below) wraps this one
  put(conv2dBackpropInput);
  put(depthwiseBackpropInput);
  put(depthwiseBackpropFilter);
  put(depthwiseKernels()); // after the composite gradients, which they wrap
  put(depthwiseForwardKernels());
  put(batchMatMulNative()); // the wrappers capture wasm's own kernel when called, before `put` replaces it
  put(maxPoolGrad);
  put(sumLeadingAxes());
  put(sharedIdentity);
  put(sharedCast());
  put(sharedWholeSlice());
  put(elementwiseKernels());
  put(batchNormNative());
  put(padNative());
  put(tileNative());
  put(transformReflectFix());
  put(winogradKernels()); // after the composite gradients, which they wrap
  put(pointwiseKernels());
  put(smallConvKernels());
  for (const name of FALLBACK_ONLY) if (!tf.getKernel(name, 'wasm')) put(cpuFallback(name));
  registered = [...new Set(names)];
  return registered;
}

/** Kernels the cpu backend has and wasm still lacks (after `registerWasmKernels`), e.g. complex-number FFTs. */
export function missingWasmKernels(): string[] {
  const wasm = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  return tf
    .getKernelsForBackend('cpu')
    .map((k) => k.kernelName)
    .filter((k) => !wasm.has(k))
    .sort();
}
