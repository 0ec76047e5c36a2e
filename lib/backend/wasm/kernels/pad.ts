/**
 * PadV2 (constant padding; MobileNet's ZeroPadding2D before every stride-2 convolution) and Tile (the batch-norm
 * gradient tiles a per-channel vector over the whole input) of float32 tensors of rank 1 to 4 on all threads
 * (`native/layout.c`): each output row is written once, by copies. wasm's own run on one thread, Tile element by
 * element. Small outputs and other dtypes keep wasm's kernels.
 */
import * as tf from '@tensorflow/tfjs';
import { heapAddress, heapOutput } from '../../../core/internals';
import type { KernelFn } from '../composite';
import { nativeKernels } from '../nativeModule';
import * as native from '../nativeCalls';

const MIN_ELEMENTS = 1 << 14;

/** The PadV2 kernel for wasm, wrapping wasm's own (captured now, so call it before registering the result). */
export function padNative(): tf.KernelConfig | undefined {
  const orig = tf.getKernel('PadV2', 'wasm');
  if (!orig) return undefined;
  const kernelFunc: KernelFn = (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { paddings, constantValue } = (args.attrs ?? {}) as { paddings: [number, number][]; constantValue: number };
    const rank = x.shape.length;
    const size = tf.util.sizeFromShape(x.shape);
    const nk =
      x.dtype === 'float32' && rank >= 1 && rank <= 4 && size >= MIN_ELEMENTS ? nativeKernels(args.backend) : undefined;
    if (!nk) return orig.kernelFunc({ ...args, attrs: args.attrs ?? {} });
    const shape4 = [...Array(4 - rank).fill(1), ...x.shape];
    const pads4 = [...Array(4 - rank).fill([0, 0]), ...paddings] as [number, number][];
    const out4 = shape4.map((d, i) => d + pads4[i][0] + pads4[i][1]);
    const out = heapOutput(args.backend, out4.slice(4 - rank), 'float32');
    native.pad4d(nk, {
      x: heapAddress(args.backend, x),
      out: heapAddress(args.backend, out),
      shape: shape4,
      before: pads4.map((p) => p[0]),
      outShape: out4,
      value: constantValue ?? 0,
    });
    return out;
  };
  return { kernelName: 'PadV2', backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc };
}

/** The Tile kernel for wasm, wrapping wasm's own (captured now, so call it before registering the result). */
export function tileNative(): tf.KernelConfig | undefined {
  const orig = tf.getKernel('Tile', 'wasm');
  if (!orig) return undefined;
  const kernelFunc: KernelFn = (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const reps = ((args.attrs ?? {}) as { reps: number[] }).reps;
    const rank = x.shape.length;
    const outShape = x.shape.map((d, i) => d * reps[i]);
    const nk =
      x.dtype === 'float32' && rank >= 1 && rank <= 4 && tf.util.sizeFromShape(outShape) >= MIN_ELEMENTS
        ? nativeKernels(args.backend)
        : undefined;
    if (!nk) return orig.kernelFunc({ ...args, attrs: args.attrs ?? {} });
    const shape4 = [...Array(4 - rank).fill(1), ...x.shape];
    const reps4 = [...Array(4 - rank).fill(1), ...reps];
    const out = heapOutput(args.backend, outShape, 'float32');
    const perRow = shape4[3] * reps4[3];
    native.tile4d(nk, {
      x: heapAddress(args.backend, x),
      out: heapAddress(args.backend, out),
      shape: shape4,
      reps: reps4,
      outRowsPerChunk: Math.max(1, Math.ceil(16384 / perRow)),
    });
    return out;
  };
  return { kernelName: 'Tile', backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc };
}
