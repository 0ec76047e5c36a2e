/**
 * The gradients of depthwise convolutions with channel multiplier 1 (MobileNet's) on the project's wasm kernels
 * (`native/depthwise.c`), on all threads: DepthwiseConv2dNativeBackpropInput and ...BackpropFilter, which wasm
 * lacks (the project's composites of tf ops, kept for other multipliers, take several passes); the forward
 * convolution is `depthwiseForward.ts`. Other cases go to the kernel registered before.
 */
import * as tf from '@tensorflow/tfjs';
import { heapAddress, heapOutput } from '../../../core/internals';
import { withFallback, type Attrs, type KernelInputs as Inputs } from '../composite';
import { nativeKernels } from '../nativeModule';
import * as native from '../nativeCalls';
import { conv2dInfo, windowArgs } from './convGeometry';

/** The geometry arguments of native/depthwise.c from a depthwise conv's info. */
export function depthwiseGeometry(info: tf.backend_util.Conv2DInfo) {
  return {
    batchSize: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    ...windowArgs(info),
  };
}

/** Whether the native kernels take this depthwise convolution: float32, NHWC, multiplier 1. */
export function depthwiseFits(tensors: (tf.TensorInfo | undefined)[], filterShape: number[], attrs: Attrs): boolean {
  const nhwc = attrs.dataFormat === undefined || attrs.dataFormat === 'NHWC';
  return (
    nhwc &&
    filterShape.length === 4 &&
    filterShape[3] === 1 &&
    tensors.every((t) => t !== undefined && t.dtype === 'float32')
  );
}

function inputGradient(inputs: Inputs, attrs: Attrs, b: tf.KernelBackend): tf.TensorInfo | undefined {
  const { dy, filter } = inputs;
  if (!dy || !filter || !depthwiseFits([dy, filter], filter.shape, attrs)) return undefined;
  const nk = nativeKernels(b);
  if (!nk) return undefined;
  const info = conv2dInfo(
    'DepthwiseConv2dNativeBackpropInput',
    attrs.inputShape as number[],
    filter.shape,
    attrs,
    true,
  );
  const out = heapOutput(b, attrs.inputShape as number[], 'float32');
  native.depthwiseInputGradient(nk, {
    dy: heapAddress(b, dy),
    filter: heapAddress(b, filter),
    dx: heapAddress(b, out),
    ...depthwiseGeometry(info),
  });
  return out;
}

function filterGradient(inputs: Inputs, attrs: Attrs, b: tf.KernelBackend): tf.TensorInfo | undefined {
  const { x, dy } = inputs;
  const filterShape = attrs.filterShape as number[];
  if (!x || !dy || !depthwiseFits([x, dy], filterShape, attrs)) return undefined;
  const nk = nativeKernels(b);
  if (!nk) return undefined;
  const info = conv2dInfo('DepthwiseConv2dNativeBackpropFilter', x.shape, filterShape, attrs, true);
  const r = tf.util.sizeFromShape(filterShape);
  const partials = heapOutput(b, [info.batchSize * r], 'float32');
  const out = heapOutput(b, filterShape, 'float32');
  try {
    const partialsAt = heapAddress(b, partials);
    native.depthwiseFilterPartials(nk, {
      x: heapAddress(b, x),
      dy: heapAddress(b, dy),
      partials: partialsAt,
      ...depthwiseGeometry(info),
    });
    native.sumPartials(nk, { partials: partialsAt, out: heapAddress(b, out), count: info.batchSize, size: r });
  } finally {
    b.disposeData(partials.dataId);
  }
  return out;
}

/** The depthwise gradient kernels, each wrapping the one registered before it (call after the composite ones). */
export function depthwiseKernels(): (tf.KernelConfig | undefined)[] {
  return [
    withFallback('DepthwiseConv2dNativeBackpropInput', inputGradient),
    withFallback('DepthwiseConv2dNativeBackpropFilter', filterGradient),
  ];
}
