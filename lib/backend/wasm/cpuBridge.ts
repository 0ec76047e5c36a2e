/**
 * The cpu bridge: runs the `cpu` backend's implementation of a kernel on copies of the wasm inputs and copies the
 * outputs back to the wasm heap. For kernels that wasm lacks (or gets wrong) and that have no fast composition.
 */
import * as tf from '@tensorflow/tfjs';
import { cpuTensorInfo, heapOutput } from '../../core/internals';
import type { KernelFn } from './composite';

/** A wasm kernel that runs the cpu backend's `kernelName` on copies of the data; undefined if cpu lacks it too. */
export function cpuFallback(kernelName: string): tf.KernelConfig | undefined {
  const cpuKernel = tf.getKernel(kernelName, 'cpu');
  if (!cpuKernel) return undefined;
  const kernelFunc: KernelFn = ({ inputs, backend, attrs }) => {
    const cpu = tf.findBackend('cpu');
    if (!cpu) throw new Error(`the cpu backend is needed to run ${kernelName} on wasm but did not start`);
    const cpuInputs: tf.NamedTensorInfoMap = {};
    const made: tf.TensorInfo[] = [];
    for (const [k, info] of Object.entries(inputs)) {
      if (!info) continue;
      const t = cpuTensorInfo(cpu, info.shape, info.dtype, backend.readSync(info.dataId));
      cpuInputs[k] = t;
      made.push(t);
    }
    try {
      const out = cpuKernel.kernelFunc({ inputs: cpuInputs, backend: cpu, attrs: attrs ?? {} });
      const outs = Array.isArray(out) ? out : [out];
      const results = outs.map((o) => {
        const r = heapOutput(backend, o.shape, o.dtype, cpu.readSync(o.dataId));
        cpu.disposeData(o.dataId);
        return r;
      });
      return Array.isArray(out) ? results : results[0];
    } finally {
      for (const t of made) cpu.disposeData(t.dataId);
    }
  };
  return { kernelName, backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc };
}
