/**
 * Conv2DBackpropFilter for convolutions with few input channels per filter (taps x channels <= 512: the first layer
 * of a network, 1x1 convolutions), strided or not, on the project's wasm kernels (`native/conv_grad.c`): each
 * image's patches are multiplied with its dy on all threads, then the images' sums added in order. Other
 * convolutions go to the kernel registered before (Winograd's wrapper is registered after this one).
 */
import * as tf from '@tensorflow/tfjs';
import { heapAddress, heapOutput } from '../../../core/internals';
import type { Attrs, KernelFn } from '../composite';
import { nativeKernels } from '../nativeModule';
import * as native from '../nativeCalls';
import { conv2dInfo, windowArgs } from './convGeometry';

/** The most filter taps x input channels this kernel takes (its patch rows stay in the core's cache). */
const MAX_PATCH = 512;

/** The Conv2DBackpropFilter kernel for wasm, wrapping the one registered now (call before registering the result). */
export function patchFilterGradient(): tf.KernelConfig | undefined {
  const orig = tf.getKernel('Conv2DBackpropFilter', 'wasm');
  if (!orig) return undefined;
  const kernelFunc: KernelFn = (args) => {
    const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const attrs = (args.attrs ?? {}) as Attrs;
    const fs = attrs.filterShape as [number, number, number, number];
    const b = args.backend;
    const fits =
      x.dtype === 'float32' &&
      dy.dtype === 'float32' &&
      fs[0] * fs[1] * fs[2] <= MAX_PATCH &&
      (attrs.dataFormat ?? 'NHWC') === 'NHWC';
    const nk = fits ? nativeKernels(b) : undefined;
    if (!nk) return orig.kernelFunc({ ...args, attrs: args.attrs ?? {} });
    const info = conv2dInfo('Conv2DBackpropFilter', x.shape, fs, attrs, false);
    const [n, h, w, c] = x.shape;
    const { outHeight: oh, outWidth: ow, outChannels: k } = info;
    const r = fs[0] * fs[1] * c;
    const r4 = Math.ceil(r / 4) * 4;
    const k8 = Math.ceil(k / 8) * 8;
    const partials = heapOutput(b, [n * r * k8], 'float32');
    const out = heapOutput(b, fs, 'float32');
    try {
      const s = nk.scratch(ow * (r4 + 8));
      native.convFilterPartials(nk, {
        x: heapAddress(b, x),
        dy: heapAddress(b, dy),
        partials: heapAddress(b, partials),
        batch: n,
        height: h,
        width: w,
        inChannels: c,
        outHeight: oh,
        outWidth: ow,
        outChannels: k,
        filterHeight: fs[0],
        filterWidth: fs[1],
        ...windowArgs(info),
        scratch: s,
      });
      const [partialsAt, dW] = [heapAddress(b, partials), heapAddress(b, out)];
      native.convFilterSum(nk, { partials: partialsAt, dW, batch: n, rows: r, outChannels: k });
    } finally {
      b.disposeData(partials.dataId);
    }
    return out;
  };
  return { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc };
}
