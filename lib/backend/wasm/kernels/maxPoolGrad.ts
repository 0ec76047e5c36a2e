/**
 * MaxPoolGrad that is right for negative inputs and fast. wasm 4.22's own MaxPoolGrad (and MaxPoolWithArgmax)
 * start each window's maximum at FLT_MIN instead of -infinity, so a window of negative values sends its gradient
 * to the wrong pixel. This one (`native/pool_grad.c`) scans each window on the wasm heap for its first strict
 * maximum (row-major taps, from -infinity, as the cpu backend does; a window of NaN/-infinity gets none) and adds
 * dy there, so overlapping windows sum; four channels at a time, images and channel blocks on all threads.
 */
import * as tf from '@tensorflow/tfjs';
import { heapAddress, heapOutput } from '../../../core/internals';
import type { Attrs, KernelFn } from '../composite';
import { cpuFallback } from '../cpuBridge';
import { nativeKernels } from '../nativeModule';
import * as native from '../nativeCalls';

/** The cpu backend's MaxPoolGrad on copies, where the project's kernels cannot run (wasm's own is wrong). */
let onCpu: KernelFn | undefined;

const maxPoolGradFn: KernelFn = ({ inputs, backend, attrs }) => {
  const x = inputs.input as tf.TensorInfo;
  const dy = inputs.dy as tf.TensorInfo;
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error(
      `MaxPoolGrad on wasm: input and dy must be float32 (got ${x.dtype}, ${dy.dtype}); cast them first.`,
    );
  }
  const a = (attrs ?? {}) as Attrs;
  const info = tf.backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    a.filterSize as [number, number],
    a.strides as [number, number],
    1,
    a.pad as 'same',
    a.dimRoundingMode as 'floor' | undefined,
  );
  const want = [info.batchSize, info.outHeight, info.outWidth, info.inChannels];
  if (dy.shape.join() !== want.join()) {
    throw new Error(
      `MaxPoolGrad on wasm: dy has shape ${JSON.stringify(dy.shape)}, the pool's output is ${JSON.stringify(want)}.`,
    );
  }
  const nk = nativeKernels(backend);
  if (!nk) return (onCpu ??= cpuFallback('MaxPoolGrad')?.kernelFunc as KernelFn)({ inputs, backend, attrs });
  const out = heapOutput(backend, x.shape, 'float32');
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  // Enough chunks for every thread even with one image: channel blocks of 4k, at most 64 channels.
  const cb = Math.max(4, Math.min(64, Math.ceil(c / Math.ceil((4 * nk.threads) / n) / 4) * 4));
  native.maxPoolGrad(nk, {
    x: heapAddress(backend, x),
    dy: heapAddress(backend, dy),
    dx: heapAddress(backend, out),
    batch: n,
    height: h,
    width: w,
    channels: c,
    outHeight: oh,
    outWidth: ow,
    windowHeight: info.filterHeight,
    windowWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
    channelsPerChunk: cb,
  });
  return out;
};

/** The MaxPoolGrad kernel for wasm (see the file's comment). */
export const maxPoolGrad: tf.KernelConfig = {
  kernelName: 'MaxPoolGrad',
  backendName: 'wasm',
  kernelFunc: maxPoolGradFn as tf.KernelFunc,
};
