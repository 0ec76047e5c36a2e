/**
 * Sum over leading axes (a bias gradient: dy [B, H, W, C] summed to [C]) read in place on the wasm heap, rows
 * added into float64 accumulators: wasm's own Sum first transposes x so that the reduced axes are innermost (a
 * full copy) and then adds in float32. Other reductions, small inputs and non-float32 inputs keep wasm's kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { heapOutput, heapView } from '../../../core/internals';
import type { Attrs, KernelFn } from '../composite';

/** Below this many elements, Sum keeps wasm's own kernel. */
const SUM_LEADING_MIN = 1 << 16;

/** How many leading axes `attrs.axis` reduces when this kernel handles the sum (0: leave it to wasm's). */
function leadingAxes(x: tf.TensorInfo | undefined, attrs: Attrs): number {
  if (!x || x.dtype !== 'float32' || x.shape.length < 2 || tf.util.sizeFromShape(x.shape) < SUM_LEADING_MIN) return 0;
  const axes = [...new Set(tf.util.parseAxisParam(attrs.axis as number | number[], x.shape))].sort((p, q) => p - q);
  return axes.length < x.shape.length && axes.every((a, i) => a === i) ? axes.length : 0;
}

/** The Sum kernel for wasm, wrapping wasm's own (captured now, so call it before registering the result). */
export function sumLeadingAxes(): tf.KernelConfig | undefined {
  const orig = tf.getKernel('Sum', 'wasm');
  if (!orig) return undefined;
  const kernelFunc: KernelFn = (args) => {
    const x = args.inputs.x as tf.TensorInfo | undefined;
    const attrs = (args.attrs ?? {}) as Attrs;
    const k = leadingAxes(x, attrs);
    if (!x || k === 0) return orig.kernelFunc({ ...args, attrs: args.attrs ?? {} });
    const b = args.backend;
    const rest = x.shape.slice(k);
    const c = tf.util.sizeFromShape(rest);
    const rows = tf.util.sizeFromShape(x.shape) / c;
    const out = heapOutput(b, attrs.keepDims ? [...x.shape.slice(0, k).map(() => 1), ...rest] : rest, 'float32');
    const src = heapView(b, x); // views after the allocation (which may grow the heap)
    const dst = heapView(b, out);
    const acc = new Float64Array(c);
    let r = 0;
    let o = 0;
    for (; r + 1 < rows; r += 2, o += 2 * c) for (let j = 0; j < c; j++) acc[j] += src[o + j] + src[o + c + j];
    for (; r < rows; r++, o += c) for (let j = 0; j < c; j++) acc[j] += src[o + j];
    dst.set(acc);
    return out;
  };
  return { kernelName: 'Sum', backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc };
}
