/**
 * The project's kernels for the TensorFlow.js WebAssembly backend, registered in one place.
 *
 * `@tensorflow/tfjs-backend-wasm` 4.22 can run inference but not train a convnet: it has no
 * `Conv2DBackpropFilter` (nor the depthwise backprops MobileNet needs), its `Conv2DBackpropInput` is several
 * times slower than the forward convolution, and `BatchMatMul` with a transposed operand falls back to a scalar
 * loop (every dense-layer gradient). `registerWasmKernels()` adds or replaces these kernels with compositions of
 * wasm's fast (XNNPACK) ops (`composite.ts`) — convolutions, plain matrix products, pads, slices, transposes — and
 * fills the remaining gaps with the `cpu` backend's implementation run on copies of the data (`cpuBridge.ts`). It
 * also replaces two wasm kernels that give wrong results: MaxPoolGrad (any window whose values are all <= 0, e.g.
 * after ReLU; now one scan on the wasm heap) and Transform with fillMode 'reflect'; and two slow ones: Sum over
 * leading axes (bias gradients, summed in place without wasm's transpose) and Identity (shares the buffer instead
 * of copying). For speed, 3x3 stride-1 convolutions (Conv2D, FusedConv2D, and the input gradient) run by Winograd
 * F(4x4, 3x3) in the project's own WebAssembly kernels (`kernels/winogradConv.ts`, `nativeModule.ts`). One file per kernel (or family) in `kernels/`. Still missing on
 * wasm: complex-number kernels (FFT...), strings, Draw.
 */
import * as tf from '@tensorflow/tfjs';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { wasmInternalsAvailable } from '../../core/internals';
import { cpuFallback } from './cpuBridge';
import { batchMatMulNative } from './kernels/batchMatMul';
import { batchNormNative } from './kernels/batchNorm';
import { conv2dBackpropFilter, conv2dBackpropInput } from './kernels/conv2dBackprop';
import { depthwiseBackpropFilter, depthwiseBackpropInput } from './kernels/depthwiseBackprop';
import { depthwiseKernels } from './kernels/depthwiseNative';
import { elementwiseKernels } from './kernels/elementwise';
import { sharedCast, sharedIdentity } from './kernels/identity';
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
  /** Registers `cfg` in place of wasm's kernel of that name, keeping that one's setup function. */
  const put = (cfg: tf.KernelConfig | undefined): void => {
    if (!cfg) return;
    const old = tf.getKernel(cfg.kernelName, 'wasm');
    if (old) tf.unregisterKernel(cfg.kernelName, 'wasm');
    tf.registerKernel(old?.setupFunc ? { ...cfg, setupFunc: old.setupFunc } : cfg);
    names.push(cfg.kernelName);
  };
  put(conv2dBackpropFilter);
  put(patchFilterGradient()); // wraps the composite; Winograd's wrapper (below) wraps this one
  put(conv2dBackpropInput);
  put(depthwiseBackpropInput);
  put(depthwiseBackpropFilter);
  for (const k of depthwiseKernels()) put(k); // after the composite gradients, which they wrap
  put(batchMatMulNative()); // the wrappers capture wasm's own kernel when called, before `put` replaces it
  put(maxPoolGrad);
  put(sumLeadingAxes());
  put(sharedIdentity);
  put(sharedCast());
  for (const k of elementwiseKernels()) put(k);
  put(batchNormNative());
  put(padNative());
  put(tileNative());
  put(transformReflectFix());
  for (const k of winogradKernels()) put(k); // after the composite gradients, which they wrap
  for (const k of pointwiseKernels()) put(k);
  for (const name of FALLBACK_ONLY) if (!tf.getKernel(name, 'wasm')) put(cpuFallback(name));
  registered = names;
  return names;
}

/** Kernels the cpu backend has and wasm still lacks (after `registerWasmKernels`), e.g. complex-number FFTs. */
export function missingWasmKernels(): string[] {
  const wasm = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  return tf.getKernelsForBackend('cpu').map((k) => k.kernelName).filter((k) => !wasm.has(k)).sort();
}
