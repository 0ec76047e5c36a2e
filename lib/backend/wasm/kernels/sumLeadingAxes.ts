/**
 * Sum over leading axes (a bias gradient: dy [B, H, W, C] summed to [C]) read in place on the wasm heap and added in
 * float64 on all threads (`native/reduce.c`): wasm's own Sum first transposes x so that the reduced axes are
 * innermost (a full copy) and then adds in float32 on one thread. Other reductions, small inputs and non-float32
 * inputs keep wasm's kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { heapAddress, heapOutput } from '../../../core/internals';
import type { Attrs, KernelFn } from '../composite';
import { nativeKernels } from '../nativeModule';
import * as native from '../nativeCalls';

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
    const b = args.backend;
    const nk = k > 0 ? nativeKernels(b) : undefined;
    if (!x || !nk) return orig.kernelFunc({ ...args, attrs: args.attrs ?? {} });
    const rest = x.shape.slice(k);
    const c = tf.util.sizeFromShape(rest);
    const rows = tf.util.sizeFromShape(x.shape) / c;
    const out = heapOutput(b, attrs.keepDims ? [...x.shape.slice(0, k).map(() => 1), ...rest] : rest, 'float32');
    // Segments of at least 64 rows and 4096 elements: enough chunks for the threads, few partials to add.
    const seg = Math.max(64, Math.ceil(4096 / c), Math.ceil(rows / (8 * nk.threads)));
    const segments = Math.ceil(rows / seg);
    const partials = heapOutput(b, [segments * c * 2], 'float32'); // float64 partial sums
    try {
      const partialsAt = heapAddress(b, partials);
      native.sumRowsPartial(nk, { x: heapAddress(b, x), partials: partialsAt, rows, columns: c, rowsPerSegment: seg });
      native.sumRowsFinal(nk, {
        partials: partialsAt,
        out: heapAddress(b, out),
        segments,
        columns: c,
        columnsPerChunk: Math.max(64, Math.ceil(c / (4 * nk.threads))),
      });
    } finally {
      b.disposeData(partials.dataId);
    }
    return out;
  };
  return { kernelName: 'Sum', backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc };
}
