/**
 * FusedBatchNorm (batch normalisation with given statistics: every frozen BatchNormalization layer, and all of them
 * in inference) on all threads (`native/layout.c`): y = (x - mean) a + offset per channel, with a = scale /
 * sqrt(variance + epsilon) computed once per call. wasm's own runs on one thread without SIMD. Statistics that are
 * not one value per channel of the last axis, small inputs and non-float32 inputs keep wasm's kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { heapAddress, heapOutput, heapView } from '../../../core/internals';
import type { KernelFn } from '../composite';
import { nativeKernels } from '../nativeModule';
import * as native from '../nativeCalls';

const MIN_ELEMENTS = 1 << 14;

/** The per-channel vector of `t` (size C, or 1 broadcast to C), or undefined when it is neither. */
function perChannel(
  b: tf.KernelBackend,
  t: tf.TensorInfo | undefined,
  c: number,
  fallback: number,
): Float64Array | undefined {
  const out = new Float64Array(c).fill(fallback);
  if (!t) return out;
  if (t.dtype !== 'float32') return undefined;
  const v = heapView(b, t);
  if (v.length === 1) return out.fill(v[0]);
  if (v.length !== c) return undefined;
  out.set(v);
  return out;
}

/** The FusedBatchNorm kernel for wasm, wrapping wasm's own (captured now, so call it before registering the result). */
export function batchNormNative(): tf.KernelConfig | undefined {
  const orig = tf.getKernel('FusedBatchNorm', 'wasm');
  if (!orig) return undefined;
  const kernelFunc: KernelFn = (args) => {
    const { x, mean, variance, offset, scale } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const b = args.backend;
    const c = x?.shape[x.shape.length - 1] ?? 0;
    const size = x ? tf.util.sizeFromShape(x.shape) : 0;
    const nk = x?.dtype === 'float32' && c > 0 && size >= MIN_ELEMENTS ? nativeKernels(b) : undefined;
    const eps = ((args.attrs ?? {}) as { varianceEpsilon?: number }).varianceEpsilon ?? 1e-3;
    const stats = nk
      ? [
          perChannel(b, mean, c, 0),
          perChannel(b, variance, c, 1),
          perChannel(b, offset, c, 0),
          perChannel(b, scale, c, 1),
        ]
      : [];
    if (!x || !nk || !mean || !variance || stats.some((s) => s === undefined))
      return orig.kernelFunc({ ...args, attrs: args.attrs ?? {} });
    const [m, v, o, s] = stats as Float64Array[];
    const coefs = heapOutput(b, [3 * c], 'float32');
    const out = heapOutput(b, x.shape, 'float32');
    const cv = heapView(b, coefs); // after the allocations, which may grow the heap
    for (let j = 0; j < c; j++) {
      cv[j] = m[j];
      cv[c + j] = s[j] / Math.sqrt(v[j] + eps);
      cv[2 * c + j] = o[j];
    }
    const at = heapAddress(b, coefs);
    const rows = size / c;
    try {
      native.channelAffine(nk, {
        x: heapAddress(b, x),
        out: heapAddress(b, out),
        rows,
        channels: c,
        scale: at + 4 * c,
        offset: at + 8 * c,
        rowsPerChunk: Math.max(1, Math.ceil(16384 / c)),
        mean: at,
      });
    } finally {
      b.disposeData(coefs.dataId);
    }
    return out;
  };
  return { kernelName: 'FusedBatchNorm', backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc };
}
