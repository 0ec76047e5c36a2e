/**
 * BatchMatMul whose transposed operands are transposed explicitly first (a fast XNNPACK transpose) so that the
 * product always takes wasm's fast, untransposed path: wasm 4.22 runs a transposed operand (every dense-layer
 * gradient) through a scalar loop.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFn } from '../composite';

/** The BatchMatMul kernel for wasm, wrapping wasm's own (captured now, so call it before registering the result). */
export function batchMatMulWithTransposes(): tf.KernelConfig | undefined {
  const orig = tf.getKernel('BatchMatMul', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!orig || !transpose) return undefined;
  const kernelFunc: KernelFn = ({ inputs, backend, attrs }) => {
    const a = attrs as { transposeA: boolean; transposeB: boolean };
    if (!a.transposeA && !a.transposeB) return orig.kernelFunc({ inputs, backend, attrs: attrs ?? {} });
    const swap = (info: tf.TensorInfo): tf.TensorInfo => {
      const r = info.shape.length;
      const perm = [...Array(r).keys()];
      [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
      return transpose.kernelFunc({ inputs: { x: info }, backend, attrs: { perm } }) as tf.TensorInfo;
    };
    const ta = a.transposeA ? swap(inputs.a as tf.TensorInfo) : (inputs.a as tf.TensorInfo);
    const tb = a.transposeB ? swap(inputs.b as tf.TensorInfo) : (inputs.b as tf.TensorInfo);
    try {
      return orig.kernelFunc({ inputs: { ...inputs, a: ta, b: tb }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
    } finally {
      if (ta !== inputs.a) backend.disposeData(ta.dataId);
      if (tb !== inputs.b) backend.disposeData(tb.dataId);
    }
  };
  return { kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc };
}
