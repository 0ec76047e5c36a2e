/**
 * Conv2D and FusedConv2D with a 1x1 filter and stride 1 (MobileNet's pointwise layers) on the project's wasm kernels
 * (`native/pointwise.c`): one product of the pixels [P, C] with the filter [C, K] (packed once per filter) on all
 * threads, with bias and linear/relu/relu6 applied per block while it is in cache. Other convolutions go to the
 * kernel registered before.
 */
import * as tf from '@tensorflow/tfjs';
import { heapAddress, heapOutput } from '../../../core/internals';
import { withFallback, type Attrs, type KernelInputs } from '../composite';
import { nativeKernels } from '../nativeModule';
import * as native from '../nativeCalls';
import { cachedWeights } from '../weightCache';

const ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, relu6: 2 };

/** Whether a convolution's attributes make a 1x1 filter a plain product (stride 1, no padding, NHWC). */
function plainProduct(attrs: Attrs): boolean {
  const one = (v: unknown): boolean => v === undefined || v === 1 || (Array.isArray(v) && v.every((e) => e === 1));
  const nhwc = attrs.dataFormat === undefined || attrs.dataFormat === 'NHWC' || attrs.dataFormat === 'channelsLast';
  return nhwc && one(attrs.strides) && (attrs.pad === 'same' || attrs.pad === 'valid' || attrs.pad === 0);
}

function pointwise(inputs: KernelInputs, attrs: Attrs, b: tf.KernelBackend): tf.TensorInfo | undefined {
  const { x, filter, bias, preluActivationWeights } = inputs;
  const act = ACTIVATIONS[(attrs.activation as string | undefined) ?? 'linear'];
  if (
    !x ||
    !filter ||
    x.dtype !== 'float32' ||
    filter.dtype !== 'float32' ||
    preluActivationWeights ||
    act === undefined
  )
    return undefined;
  const [kh, kw, c, k] = filter.shape;
  if (kh !== 1 || kw !== 1 || x.shape.length !== 4 || x.shape[3] !== c || k % 4 || !plainProduct(attrs))
    return undefined;
  if (bias && (bias.dtype !== 'float32' || tf.util.sizeFromShape(bias.shape) !== k)) return undefined;
  const nk = nativeKernels(b);
  if (!nk) return undefined;
  const panels = Math.ceil(k / 8);
  const packed = cachedWeights(b, filter, 'panels', panels * c * 8, false, (at) =>
    native.matmulPackB(nk, {
      b: heapAddress(b, filter),
      packedB: at,
      batches: 1,
      k: c,
      n: k,
      transposed: false,
      batchStride: c * k,
    }),
  );
  const pixels = x.shape[0] * x.shape[1] * x.shape[2];
  const out = heapOutput(b, [x.shape[0], x.shape[1], x.shape[2], k], 'float32');
  // Blocks of pixels whose outputs stay in cache (about 64 KiB), a multiple of 4, several per thread.
  const per = Math.max(4, Math.min(Math.floor(16384 / k / 4) * 4, Math.ceil(pixels / (8 * nk.threads) / 4) * 4));
  const s = nk.scratch(per * 8);
  native.conv1x1(nk, {
    x: heapAddress(b, x),
    packedW: packed,
    bias: bias ? heapAddress(b, bias) : 0,
    y: heapAddress(b, out),
    pixels,
    inChannels: c,
    outChannels: k,
    activation: act,
    pixelsPerChunk: per,
    scratch: s,
  });
  return out;
}

/** The 1x1 kernels, each wrapping the one registered before it (call before registering the results). */
export function pointwiseKernels(): (tf.KernelConfig | undefined)[] {
  return [withFallback('Conv2D', pointwise), withFallback('FusedConv2D', pointwise)];
}
