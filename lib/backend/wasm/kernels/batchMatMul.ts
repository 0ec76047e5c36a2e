/**
 * BatchMatMul on the project's wasm kernels (`native/matmul.c`), with either operand transposed: wasm 4.22 runs a
 * transposed operand (every dense-layer gradient) through a scalar loop. Here both operands are packed once per
 * call (reading either layout: no transposed copy first) and blocks of C run on all threads. Batches broadcast as in
 * tfjs (a batch of 1 against many). Non-float32 inputs keep
 * wasm's kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { heapAddress, heapOutput } from '../../../core/internals';
import type { KernelFn } from '../composite';
import { nativeKernels } from '../nativeModule';
import * as native from '../nativeCalls';

/** The product's sizes from rank-3 (or rank-2) operands, or undefined when the shapes do not fit. */
function sizes(
  a: number[],
  b: number[],
  ta: boolean,
  tb: boolean,
): { batchA: number; batchB: number; m: number; k: number; n: number } | undefined {
  if (a.length !== b.length || a.length < 2 || a.length > 3) return undefined;
  const [batchA, batchB] = a.length === 3 ? [a[0], b[0]] : [1, 1];
  const [ra, ca] = a.slice(-2);
  const [rb, cb] = b.slice(-2);
  const [m, k] = ta ? [ca, ra] : [ra, ca];
  const [k2, n] = tb ? [cb, rb] : [rb, cb];
  if (k !== k2 || (batchA !== batchB && batchA !== 1 && batchB !== 1)) return undefined;
  return { batchA, batchB, m, k, n };
}

/** The BatchMatMul kernel for wasm, wrapping wasm's own (captured now, so call it before registering the result). */
export function batchMatMulNative(): tf.KernelConfig | undefined {
  const orig = tf.getKernel('BatchMatMul', 'wasm');
  if (!orig) return undefined;
  const kernelFunc: KernelFn = (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA: ta, transposeB: tb } = args.attrs as { transposeA: boolean; transposeB: boolean };
    const s = a.dtype === 'float32' && b.dtype === 'float32' ? sizes(a.shape, b.shape, ta, tb) : undefined;
    const backend = args.backend;
    const nk = s && nativeKernels(backend);
    if (!s || !nk) return orig.kernelFunc({ ...args, attrs: args.attrs ?? {} });
    const batches = Math.max(s.batchA, s.batchB);
    const panels = Math.ceil(s.n / 8);
    const outShape = a.shape.length === 3 ? [batches, s.m, s.n] : [s.m, s.n];
    const out = heapOutput(backend, outShape, 'float32');
    if (s.m * s.n === 0) return out;
    const groups = Math.ceil(s.m / 4);
    const packs = [
      heapOutput(backend, [s.batchA * groups * s.k * 4], 'float32'),
      heapOutput(backend, [s.batchB * panels * s.k * 8], 'float32'),
    ];
    const [pa, pb] = packs.map((t) => heapAddress(backend, t));
    try {
      const { m, k, n } = s;
      native.matmulPackA(nk, { a: heapAddress(backend, a), packedA: pa, batches: s.batchA, m, k, transposed: ta });
      const bAt = heapAddress(backend, b);
      native.matmulPackB(nk, { b: bAt, packedB: pb, batches: s.batchB, k, n, transposed: tb, batchStride: k * n });
      // Chunks: blocks of up to 48 rows by blocks of panels, about 8 chunks per thread.
      const rb = Math.min(48, groups * 4);
      const rowBlocks = batches * Math.ceil(s.m / rb);
      const perChunk = Math.min(panels, Math.max(1, Math.floor((panels * rowBlocks) / (8 * nk.threads))));
      const scratch = nk.scratch(32);
      native.matmul(nk, {
        packedA: pa,
        packedB: pb,
        c: heapAddress(backend, out),
        batches,
        m,
        k,
        n,
        packedAStride: s.batchA === 1 ? 0 : groups * k * 4,
        packedBStride: s.batchB === 1 ? 0 : panels * k * 8,
        rowsPerChunk: rb,
        panelsPerChunk: perChunk,
        scratch,
      });
    } finally {
      for (const t of packs) backend.disposeData(t.dataId);
    }
    return out;
  };
  return { kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc };
}
