/**
 * Multi-threaded WebAssembly backend for TensorFlow.js in Node.
 *
 * `@tensorflow/tfjs-backend-wasm` 4.22 ships a threaded SIMD build but never uses it in Node: its
 * `WASM_HAS_MULTITHREAD_SUPPORT` flag is hard-wired to false there, and its loader hands Emscripten's pthread
 * workers `blob:` URLs that `worker_threads` cannot open. This loader starts the same threaded build from the
 * package's own files on disk (`wasm-out/tfjs-backend-wasm-threaded-simd.{js,wasm}`; the pthread worker script,
 * shipped only as a string, is written once to the temp folder), so the workers load plain file paths, and
 * registers it as the `wasm` backend (the package's kernels stay as they are). Its C++ side sizes the thread
 * pool from half the logical cores; the loader reports twice the wanted count to it so that all cores are used.
 * The worker threads are unref'd, so a script or a notebook kernel still exits by itself.
 *
 * Nothing global is patched: call `registerThreadedWasm()` before `tf.setBackend('wasm')`. The module's private
 * parts it touches are accessors of `core/internals.ts`; on an untested tfjs version it leaves stock wasm in place.
 */
import * as tf from '@tensorflow/tfjs';
import { BackendWasm, getThreadsCount, setThreadsCount, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import threadedSimdFactory from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd';
import { wasmWorkerContents } from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomicSync } from '../../core/atomicFile';
import { envNumber, envValue } from '../../core/config';
import {
  addWasmFunctionTable,
  startedBackend,
  unrefWasmWorkers,
  wasmInternalsAvailable,
  withLogicalCores,
  type WasmEmscriptenModule,
} from '../../core/internals';

/** Emscripten keeps this many pthread workers loaded; more threads than workers + the main thread would deadlock. */
const EMSCRIPTEN_POOL = 8;
/** The threaded SIMD binary, in the package's `wasm-out/`. */
const WASM_FILE = 'tfjs-backend-wasm-threaded-simd.wasm';

/**
 * The number of threads to use: `WASM_THREADS` if set (1 = single-threaded), else all cores
 * (`os.availableParallelism()`), capped at 9 (the 8 workers Emscripten preloads plus the main thread).
 */
export function wasmThreadCount(value: string | undefined = envValue('WASM_THREADS')): number {
  const max = EMSCRIPTEN_POOL + 1;
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const all = Math.max(1, Math.min(cores, max));
  if (value === undefined || value.trim() === '') return all;
  return Math.min(envNumber('WASM_THREADS', all, { WASM_THREADS: value }), max);
}

function wasmOutDir(): string {
  return path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
}

/**
 * The package ships the pthread worker script only as a JS string (`wasm-out/...worker.js` exports it); Node's
 * `worker_threads` needs a file. Writes it once to the temp folder (atomically) and returns the path.
 */
function workerScriptFile(): string {
  // The template literal turned the script's "\n" escapes into real newlines inside string literals: undo that.
  const code = wasmWorkerContents.replace(/\n/g, '\\n');
  const hash = crypto.createHash('sha256').update(code).digest('hex').slice(0, 16);
  const file = path.join(os.tmpdir(), `tfjs-wasm-pthread-worker-${hash}.cjs`);
  // Reuse only a file with exactly this content (the name alone is no proof in a shared temp folder).
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === code) return file;
  try {
    return writeFileAtomicSync(file, code);
  } catch (err) {
    throw new Error(
      `could not write the wasm pthread worker script to ${file} (${(err as Error).message}); make the temp ` +
        `folder writable or set WASM_THREADS=1.`,
      { cause: err },
    );
  }
}

/** Emscripten's `instantiateWasm` hook: instantiates `file`, reporting twice `threads` logical cores to it. */
function instantiateWith(file: string, threads: number) {
  return (
    info: Record<string, Record<string, unknown>>,
    receive: (instance: unknown, module: unknown) => void,
  ): object => {
    // The C++ side sizes its thread pool from half the logical cores (it assumes hyper-threading). Tell it
    // twice the wanted count so that `init_with_threads_count` is not capped below it.
    const imports = { ...info, env: withLogicalCores(info.env, 2 * threads) };
    const bytes = fs.readFileSync(file);
    // tslab type-checks cells without the DOM lib, which is where the WebAssembly types live.
    (
      globalThis as unknown as {
        WebAssembly: { instantiate(b: Uint8Array, i: object): Promise<{ instance: unknown; module: unknown }> };
      }
    ).WebAssembly.instantiate(bytes, imports).then(
      (r) => receive(r.instance, r.module),
      (e: unknown) => {
        throw new Error(`could not instantiate ${file}: ${String(e)}; reinstall @tensorflow/tfjs-backend-wasm.`, {
          cause: e,
        });
      },
    );
    return {};
  };
}

/** Starts the threaded build and returns its backend (whose constructor starts XNNPACK's thread pool). */
async function startThreadedWasm(threads: number): Promise<tf.KernelBackend> {
  const dir = wasmOutDir();
  const worker = workerScriptFile();
  const mod = (await threadedSimdFactory({
    // Plain file paths: worker_threads opens these, unlike blob: URLs. The worker imports the glue from
    // its file name (`_scriptDir`), so no Blob is needed either.
    locateFile: (file: string) => (file.endsWith('.worker.js') ? worker : path.join(dir, file)),
    instantiateWasm: instantiateWith(path.join(dir, WASM_FILE), threads),
  })) as unknown as WasmEmscriptenModule;
  unrefWasmWorkers(mod);
  addWasmFunctionTable(mod);
  const backend = new BackendWasm(mod as unknown as ConstructorParameters<typeof BackendWasm>[0]);
  unrefWasmWorkers(mod);
  return backend;
}

let registeredThreads = 0;

/**
 * Registers the `wasm` backend as the threaded SIMD build with `threads` threads (default `wasmThreadCount()`; with 1
 * thread too, since the project's kernels run on that build's shared memory). On a tfjs version the project was not
 * tested with it leaves the package's own single-threaded backend in place. Call it before `tf.setBackend('wasm')`:
 * once wasm has started it changes nothing (restart the
 * process or notebook kernel to change the thread count). Returns the thread count that will be used.
 */
export function registerThreadedWasm(threads: number = wasmThreadCount()): number {
  if (!wasmInternalsAvailable(version_wasm)) return 1;
  if (registeredThreads === threads) return threads;
  // Already started (e.g. an op ran right after importing the package): keep it; restart to change threads.
  if (startedBackend('wasm') !== undefined) return getThreadsCount();
  setThreadsCount(threads);
  registeredThreads = threads;
  // With 1 thread too: the project's kernels (nativeModule.ts) need the threaded build's shared memory.
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', () => startThreadedWasm(threads), 2);
  return threads;
}
