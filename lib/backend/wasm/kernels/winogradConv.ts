/**
 * Conv2D, FusedConv2D, Conv2DBackpropInput and Conv2DBackpropFilter that run 3x3 stride-1 convolutions by Winograd
 * F(4x4, 3x3) (`../winograd.ts`): the forward convolution of inference (FusedConv2D, with bias and linear/relu/relu6
 * folded in), of training (tfjs-layers runs Conv2D there, then the bias add and the activation), the input gradient
 * (the same convolution of dy with the turned filter) and the filter gradient. Everything else goes to the kernel
 * registered before (wasm's own, or the project's composite gradients). `WASM_WINOGRAD=0` or `setWasmWinograd(false)` turns
 * the Winograd path off.
 */
import * as tf from '@tensorflow/tfjs';
import { envFlag, envValue } from '../../../core/config';
import { withFallback, type Attrs, type KernelInputs as Inputs } from '../composite';
import { nativeKernels } from '../nativeModule';
import { WINOGRAD_ACTIVATIONS, winogradConv, winogradFilterGradient, winogradGeometry } from '../winograd';

let winogradOn = envValue('WASM_WINOGRAD') === undefined || envFlag('WASM_WINOGRAD');

/**
 * Turns the Winograd path of the wasm convolutions on or off (default on; `WASM_WINOGRAD=0` starts it off).
 * Returns the previous setting. Off, every convolution runs XNNPACK's direct kernel.
 */
export function setWasmWinograd(enabled: boolean): boolean {
  const was = winogradOn;
  winogradOn = enabled;
  return was;
}

function forward(inputs: Inputs, attrs: Attrs, b: tf.KernelBackend): tf.TensorInfo | undefined {
  const { x, filter, bias, preluActivationWeights } = inputs;
  if (!winogradOn) return undefined;
  const activation = WINOGRAD_ACTIVATIONS[(attrs.activation as string | undefined) ?? 'linear'];
  if (
    !x ||
    !filter ||
    x.dtype !== 'float32' ||
    filter.dtype !== 'float32' ||
    preluActivationWeights ||
    activation === undefined
  )
    return undefined;
  if (bias && (bias.dtype !== 'float32' || bias.shape.length !== 1 || bias.shape[0] !== filter.shape[3]))
    return undefined;
  const geometry = winogradGeometry(x.shape, filter.shape, attrs);
  const nk = geometry && nativeKernels(b);
  if (!geometry || !nk) return undefined;
  return winogradConv(b, nk, { x, filter, flip: false, geometry, bias, activation });
}

function inputGradient(inputs: Inputs, attrs: Attrs, b: tf.KernelBackend): tf.TensorInfo | undefined {
  const { dy, filter } = inputs;
  const inputShape = attrs.inputShape as number[];
  if (!winogradOn) return undefined;
  if (!dy || !filter || dy.dtype !== 'float32' || filter.dtype !== 'float32') return undefined;
  const fwd = winogradGeometry(inputShape, filter.shape, attrs);
  const nk = fwd && nativeKernels(b);
  if (!fwd || !nk || fwd.outHeight !== dy.shape[1] || fwd.outWidth !== dy.shape[2]) return undefined;
  // dx[i] = sum over taps a of dy[i + top - a] w[a]: the turned filter, padded by 2 - top.
  const geometry = {
    outHeight: inputShape[1],
    outWidth: inputShape[2],
    padTop: 2 - fwd.padTop,
    padLeft: 2 - fwd.padLeft,
  };
  return winogradConv(b, nk, { x: dy, filter, flip: true, geometry, activation: 0 });
}

function filterGradient(inputs: Inputs, attrs: Attrs, b: tf.KernelBackend): tf.TensorInfo | undefined {
  const { x, dy } = inputs;
  const filterShape = attrs.filterShape as number[];
  if (!winogradOn) return undefined;
  if (!x || !dy || x.dtype !== 'float32' || dy.dtype !== 'float32') return undefined;
  const geometry = winogradGeometry(x.shape, filterShape, attrs);
  const nk = geometry && nativeKernels(b);
  if (!geometry || !nk || geometry.outHeight !== dy.shape[1] || geometry.outWidth !== dy.shape[2]) return undefined;
  return winogradFilterGradient(b, nk, x, dy, geometry);
}

/** The Winograd kernels, each wrapping the kernel registered before it (call before registering the results). */
export function winogradKernels(): (tf.KernelConfig | undefined)[] {
  return [
    withFallback('Conv2D', forward),
    withFallback('FusedConv2D', forward),
    withFallback('Conv2DBackpropInput', inputGradient),
    withFallback('Conv2DBackpropFilter', filterGradient),
  ];
}
