/**
 * FusedConv2D (what tfjs-layers' Conv2D runs) that takes Winograd's F(2x2, 3x3) (`../winograd.ts`) for 3x3
 * stride-1 convolutions with many channels. `WASM_WINOGRAD=0` or `setWasmWinograd(false)` turns it off.
 */
import * as tf from '@tensorflow/tfjs';
import { envFlag, envValue } from '../../../core/config';
import { heapOutput, heapView, tensorFromInfo } from '../../../core/internals';
import { composite, type Attrs, type KernelFn } from '../composite';
import { winogradApplies, winogradConv2d } from '../winograd';
import { cachedFilterTransform } from '../winogradCache';

let winogradOn = envValue('WASM_WINOGRAD') === undefined || envFlag('WASM_WINOGRAD');

/**
 * Turns the Winograd path of FusedConv2D on wasm on or off (default on; `WASM_WINOGRAD=0` starts it off).
 * Returns the previous setting. Off, every convolution runs XNNPACK's direct kernel.
 */
export function setWasmWinograd(enabled: boolean): boolean {
  const was = winogradOn;
  winogradOn = enabled;
  return was;
}

/** [N, H, W, C] -> [N, oh, ow, C] (top-left corner) by row copies on the wasm heap; wasm's 4-D Slice is slow. */
function heapCrop(y: tf.Tensor4D, oh: number, ow: number): tf.Tensor4D {
  const b = tf.backend();
  const [n, h, w, c] = y.shape;
  const out = heapOutput(b, [n, oh, ow, c], y.dtype);
  // Views after the allocation: allocating may grow (and so replace) the heap's buffer.
  const src = heapView(b, y);
  const dst = heapView(b, out);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < oh; r++) {
      const from = (i * h + r) * w * c;
      dst.set(src.subarray(from, from + ow * c), (i * oh + r) * ow * c);
    }
  }
  return tensorFromInfo<tf.Tensor4D>(out, b);
}

/**
 * FusedConv2D that runs 3x3 stride-1 convolutions with >= 128 input and output channels by Winograd F(2x2, 3x3)
 * (1.15-1.9x faster there on 2 threads), with bias and linear/relu folded in and the filter transform cached per
 * weight tensor; everything else, and other activations, go to wasm's own kernel (captured now, so call this
 * before registering the result).
 */
export function fusedConv2dWinograd(): tf.KernelConfig | undefined {
  const orig = tf.getKernel('FusedConv2D', 'wasm');
  if (!orig) return undefined;
  const wino = composite('FusedConv2D', (t, attrs) =>
    winogradConv2d({
      x: t.x as tf.Tensor4D,
      filter: t.filter as tf.Tensor4D,
      pad: attrs.pad as 'same' | 'valid',
      bias: t.bias,
      activation: attrs.activation as 'linear' | 'relu',
      u: cachedFilterTransform(tf.backend(), t.filter as tf.Tensor4D),
      crop: heapCrop,
    }));
  const kernelFunc: KernelFn = (args) => {
    const { x, filter, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const attrs = (args.attrs ?? {}) as Attrs;
    const use = winogradOn && x !== undefined && filter !== undefined && x.dtype === 'float32' &&
      preluActivationWeights === undefined && (attrs.activation === 'linear' || attrs.activation === 'relu') &&
      winogradApplies(x.shape, filter.shape, attrs);
    return use ? (wino.kernelFunc as KernelFn)(args) : orig.kernelFunc({ ...args, attrs: args.attrs ?? {} });
  };
  return { kernelName: 'FusedConv2D', backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc };
}
