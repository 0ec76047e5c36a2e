/**
 * DepthwiseConv2dNative and FusedDepthwiseConv2D with channel multiplier 1 (MobileNet's) on the project's wasm
 * kernel (`native/depthwise.c`), on all threads, with bias and linear/relu/relu6 applied as each output is written.
 * wasm's own (XNNPACK's) takes several times as long on MobileNet's few-channel layers. Other multipliers, dtypes,
 * layouts and activations go to the kernel registered before.
 */
import * as tf from '@tensorflow/tfjs';
import { heapAddress, heapOutput } from '../../../core/internals';
import { withFallback, type Attrs, type KernelInputs } from '../composite';
import { nativeKernels } from '../nativeModule';
import * as native from '../nativeCalls';
import { conv2dInfo } from './convGeometry';
import { depthwiseFits, depthwiseGeometry } from './depthwiseNative';

const ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, relu6: 2 };

function forward(inputs: KernelInputs, attrs: Attrs, b: tf.KernelBackend): tf.TensorInfo | undefined {
  const { x, filter, bias, preluActivationWeights } = inputs;
  const act = ACTIVATIONS[(attrs.activation as string | undefined) ?? 'linear'];
  if (!x || !filter || preluActivationWeights || act === undefined || x.shape.length !== 4) return undefined;
  if (!depthwiseFits([x, filter], filter.shape, attrs) || x.shape[3] !== filter.shape[2]) return undefined;
  if (bias && (bias.dtype !== 'float32' || tf.util.sizeFromShape(bias.shape) !== filter.shape[2])) return undefined;
  const nk = nativeKernels(b);
  if (!nk) return undefined;
  const info = conv2dInfo('DepthwiseConv2dNative', x.shape, filter.shape, attrs, true);
  const out = heapOutput(b, [info.batchSize, info.outHeight, info.outWidth, info.outChannels], 'float32');
  native.depthwiseConv(nk, {
    x: heapAddress(b, x),
    filter: heapAddress(b, filter),
    y: heapAddress(b, out),
    bias: bias ? heapAddress(b, bias) : 0,
    activation: act,
    ...depthwiseGeometry(info),
  });
  return out;
}

/** The depthwise forward kernels, each wrapping the one registered before it (captured now). */
export function depthwiseForwardKernels(): (tf.KernelConfig | undefined)[] {
  return [withFallback('DepthwiseConv2dNative', forward), withFallback('FusedDepthwiseConv2D', forward)];
}
