/**
 * Conv2D and FusedConv2D of few input channels (at most 4: an image's first layer, such as MobileNet's 3x3
 * stride-2 conv1 on RGB) on the project's wasm kernel (`native/conv_small.c`: four pixels by eight outputs summed in
 * registers), on all threads of the project's pool, with bias and linear/relu/relu6 applied as each output is
 * written. wasm's own (XNNPACK's, on its own thread pool) left MobileNet's forward pass about a quarter slower. Any
 * window, stride and padding; outputs a multiple of 4. Other convolutions go to the kernel registered before.
 */
import * as tf from '@tensorflow/tfjs';
import { heapAddress, heapOutput } from '../../../core/internals';
import { withFallback, type Attrs, type KernelInputs } from '../composite';
import { nativeKernels } from '../nativeModule';
import * as native from '../nativeCalls';
import { conv2dInfo } from './convGeometry';

const ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, relu6: 2 };
/** The most input channels this kernel takes (beyond, the products of the other kernels win). */
const MAX_CHANNELS = 4;

/** Whether the attributes describe an undilated NHWC convolution. */
function plainWindow(attrs: Attrs): boolean {
  const one = (v: unknown): boolean => v === undefined || v === 1 || (Array.isArray(v) && v.every((e) => e === 1));
  const nhwc = attrs.dataFormat === undefined || attrs.dataFormat === 'NHWC' || attrs.dataFormat === 'channelsLast';
  return nhwc && one(attrs.dilations);
}

function smallConv(inputs: KernelInputs, attrs: Attrs, b: tf.KernelBackend): tf.TensorInfo | undefined {
  const { x, filter, bias, preluActivationWeights } = inputs;
  const act = ACTIVATIONS[(attrs.activation as string | undefined) ?? 'linear'];
  if (!x || !filter || x.dtype !== 'float32' || filter.dtype !== 'float32' || preluActivationWeights) return undefined;
  const [, , c, k] = filter.shape;
  if (act === undefined || x.shape.length !== 4 || x.shape[3] !== c || c > MAX_CHANNELS || k % 4) return undefined;
  if (bias && (bias.dtype !== 'float32' || tf.util.sizeFromShape(bias.shape) !== k)) return undefined;
  if (!plainWindow(attrs)) return undefined;
  const nk = nativeKernels(b);
  if (!nk) return undefined;
  const info = conv2dInfo('Conv2D', x.shape, filter.shape, attrs, false);
  const out = heapOutput(b, [info.batchSize, info.outHeight, info.outWidth, k], 'float32');
  native.smallConv(nk, {
    x: heapAddress(b, x),
    filter: heapAddress(b, filter),
    y: heapAddress(b, out),
    bias: bias ? heapAddress(b, bias) : 0,
    activation: act,
    ...{ batchSize: info.batchSize, inHeight: info.inHeight, inWidth: info.inWidth, inChannels: c },
    ...{ outHeight: info.outHeight, outWidth: info.outWidth },
    ...{ filterHeight: info.filterHeight, filterWidth: info.filterWidth },
    ...{ strideHeight: info.strideHeight, strideWidth: info.strideWidth },
    ...{ padTop: info.padInfo.top, padLeft: info.padInfo.left, outChannels: k },
  });
  return out;
}

/** The few-channel convolution kernels, each wrapping the one registered before it (captured now). */
export function smallConvKernels(): (tf.KernelConfig | undefined)[] {
  return [withFallback('Conv2D', smallConv), withFallback('FusedConv2D', smallConv)];
}
