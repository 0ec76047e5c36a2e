/**
 * The project's WebAssembly kernels (`native/*.c`, built into `native/kernels*.wasm` by scripts/build_wasm.ts),
 * instantiated on the tfjs wasm backend's own shared memory so that they read and write tensors in place, and run
 * on all of the backend's threads (`pool.ts`). The relaxed-SIMD build (fused multiply-add) is used where the
 * engine has relaxed SIMD (Node 20 behind a V8 flag, which is switched on here; later Node versions by default);
 * elsewhere, or after `setWasmRelaxedSimd(false)`, the plain 128-bit SIMD build.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { wasmHeap, type WasmHeap } from '../../core/internals';
import { nativeDir, wasmLayoutProblems } from './nativeFiles';
import { CONTROL_BYTES, KernelPool, type KernelExports } from './pool';

/** The project's kernels on one wasm backend instance. */
export interface NativeKernels {
  /** Runs a kernel (see `KernelPool.run`). */
  run(name: string, args: number[], parallel?: boolean): void;
  /**
   * Scratch memory for `floatsPerThread` floats per thread (16-byte aligned); valid until the next call. Returns
   * its address and the stride between threads' parts, in floats.
   */
  scratch(floatsPerThread: number): { address: number; stride: number };
  /** Threads a kernel runs on (the caller included). */
  threads: number;
  /** Whether the relaxed-SIMD (fused multiply-add) build runs. */
  relaxed: boolean;
  /** Stops the worker threads (for instances from `loadNativeKernels`; the shared one lives with its backend). */
  dispose(): Promise<void>;
}

interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
// tslab type-checks without the DOM lib, which is where the WebAssembly types live.
const wasmApi = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

let relaxedWanted = true;
const loaded = new WeakMap<tf.KernelBackend, NativeKernels | null>();

/**
 * Chooses the relaxed-SIMD build (default, where the engine has it) or the plain SIMD one, for backends whose
 * kernels have not been loaded yet. Returns the previous choice.
 */
export function setWasmRelaxedSimd(enabled: boolean): boolean {
  const was = relaxedWanted;
  relaxedWanted = enabled;
  return was;
}

let unsupportedWarned = false;

/**
 * The relaxed binary if wanted and valid here (turning on Node 20's V8 flag for it), else the plain one; undefined
 * (warned once) where the engine takes neither (no WebAssembly SIMD or threads): the kernels that wrap others then
 * leave every case to those.
 */
function chooseBinary(wanted: boolean): { bytes: Uint8Array; relaxed: boolean } | undefined {
  const read = (f: string): Uint8Array => fs.readFileSync(path.join(nativeDir(), f));
  if (wanted) {
    const relaxed = read('kernels-relaxed.wasm');
    if (!wasmApi.validate(relaxed)) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
    if (wasmApi.validate(relaxed)) return { bytes: relaxed, relaxed: true };
  }
  const plain = read('kernels.wasm');
  if (wasmApi.validate(plain)) return { bytes: plain, relaxed: false };
  if (!unsupportedWarned) {
    unsupportedWarned = true;
    console.warn(
      `transfer-learning-ts: this JavaScript engine cannot run ${path.join(nativeDir(), 'kernels.wasm')} ` +
        `(WebAssembly SIMD and threads); the wasm backend runs without the project's fast kernels. Use Node 20 or later.`,
    );
  }
  return undefined;
}

function allocator(heap: WasmHeap): (floatsPerThread: number, threads: number) => { address: number; stride: number } {
  let address = 0;
  let bytes = 0;
  return (floatsPerThread, threads) => {
    const stride = Math.ceil(floatsPerThread / 4) * 4; // 16-byte aligned parts
    const need = stride * threads * 4 + 16;
    if (need > bytes) {
      if (address) heap.free(address);
      address = heap.malloc(need);
      if (!address)
        throw new Error(`wasm kernels: could not allocate ${need} bytes of scratch memory on the wasm heap`);
      bytes = need;
    }
    return { address: (address + 15) & ~15, stride };
  };
}

/**
 * A new instance of the kernels on `backend` (its own worker threads; `dispose` them), the relaxed-SIMD build or
 * the plain one; undefined where the backend's memory is not shared. The kernels' users share `nativeKernels`.
 */
export function loadNativeKernels(backend: tf.KernelBackend, opts: { relaxed: boolean }): NativeKernels | undefined {
  const heap = wasmHeap(backend);
  const binary = heap && chooseBinary(opts.relaxed);
  if (!heap || !binary) return undefined;
  const { bytes, relaxed } = binary;
  const problems = wasmLayoutProblems(bytes);
  if (problems.length)
    throw new Error(
      `wasm kernels: ${nativeDir()} holds an unsafe binary (${problems.join('; ')}); run npm run build:wasm`,
    );
  const module = new wasmApi.Module(bytes);
  const kernels = new wasmApi.Instance(module, { env: { memory: heap.memory } }).exports as KernelExports;
  const names = Object.keys(kernels)
    .filter((n) => typeof kernels[n] === 'function')
    .sort();
  const ctl = heap.malloc(CONTROL_BYTES + 16);
  const pool = new KernelPool(kernels, names, (ctl + 15) & ~15, module, heap.memory, Math.max(1, getThreadsCount()));
  const scratch = allocator(heap);
  return {
    run: (name, args, parallel) => pool.run(name, args, parallel),
    scratch: (floats) => scratch(floats, pool.threads),
    threads: pool.threads,
    relaxed,
    dispose: () => pool.terminate(),
  };
}

/**
 * The project's kernels on `backend` (a started wasm backend), loaded on first use; undefined where the backend's
 * memory is not shared (the package's single-threaded build, which the project's registration never leaves) or the
 * engine cannot run them.
 */
export function nativeKernels(backend: tf.KernelBackend): NativeKernels | undefined {
  if (!loaded.has(backend)) loaded.set(backend, loadNativeKernels(backend, { relaxed: relaxedWanted }) ?? null);
  return loaded.get(backend) ?? undefined;
}
