/**
 * PadV2 (constant padding; MobileNet's ZeroPadding2D before every stride-2 convolution) of float32 tensors of rank
 * 1 to 4 on all threads (`native/layout.c`): each output row is filled and copied once. wasm's own runs on one
 * thread. Small inputs and other dtypes keep wasm's kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { heapAddress, heapOutput } from '../../../core/internals';
import type { KernelFn } from '../composite';
import { nativeKernels } from '../nativeModule';
import { floatArg } from '../pool';

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
    const nk = x.dtype === 'float32' && rank >= 1 && rank <= 4 && size >= MIN_ELEMENTS ? nativeKernels(args.backend) : undefined;
    if (!nk) return orig.kernelFunc({ ...args, attrs: args.attrs ?? {} });
    const shape4 = [...Array(4 - rank).fill(1), ...x.shape];
    const pads4 = [...Array(4 - rank).fill([0, 0]), ...paddings] as [number, number][];
    const out4 = shape4.map((d, i) => d + pads4[i][0] + pads4[i][1]);
    const out = heapOutput(args.backend, out4.slice(4 - rank), 'float32');
    nk.run('pad4d', [heapAddress(args.backend, x), heapAddress(args.backend, out), ...shape4, ...pads4.map((p) => p[0]), ...out4, floatArg(constantValue ?? 0)]);
    return out;
  };
  return { kernelName: 'PadV2', backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc };
}
