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
 * Nothing global is patched: call `registerThreadedWasm()` before `tf.setBackend('wasm')`.
 */
import * as tf from '@tensorflow/tfjs';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Emscripten keeps this many pthread workers loaded; more threads than workers + the main thread would deadlock. */
const EMSCRIPTEN_POOL = 8;

/** The subset of the Emscripten module that this loader touches. */
interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
  PThread?: { runningWorkers: { unref(): void }[]; unusedWorkers: { unref(): void }[] };
  tfjs?: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * The number of threads to use: `WASM_THREADS` if set (1 = single-threaded), else all cores
 * (`os.availableParallelism()`), capped at 9 (the 8 workers Emscripten preloads plus the main thread).
 */
export function wasmThreadCount(env: string | undefined = process.env.WASM_THREADS): number {
  const max = EMSCRIPTEN_POOL + 1;
  if (env !== undefined && env.trim() !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1) {
      throw new Error(`WASM_THREADS=${env} is not a thread count: use a whole number >= 1 (1 = single-threaded), or unset it to use all cores.`);
    }
    return Math.min(n, max);
  }
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(cores, max));
}

function wasmOutDir(): string {
  return path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
}

/**
 * The package ships the pthread worker script only as a JS string (`wasm-out/...worker.js` exports it); Node's
 * `worker_threads` needs a file. Writes it once to the temp folder (temp name + rename) and returns the path.
 */
function workerScriptFile(dir: string): string {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { wasmWorkerContents } = require(path.join(dir, 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
  // The template literal turned the script's "\n" escapes into real newlines inside string literals: undo that.
  const code = wasmWorkerContents.replace(/\n/g, '\\n');
  const hash = crypto.createHash('sha256').update(code).digest('hex').slice(0, 16);
  const file = path.join(os.tmpdir(), `tfjs-wasm-pthread-worker-${hash}.cjs`);
  // Reuse only a file with exactly this content (the name alone is no proof in a shared temp folder).
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === code) return file;
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, file);
  } catch (err) {
    throw new Error(`could not write the wasm pthread worker script to ${file} (${(err as Error).message}); make the temp folder writable or set WASM_THREADS=1.`);
  }
  return file;
}

let registeredThreads = 0;

/** Unrefs every Emscripten pthread worker so that they never keep the Node process alive. */
function unrefWorkers(mod: EmscriptenModule): void {
  const p = mod.PThread;
  if (!p) return;
  for (const w of [...p.runningWorkers, ...p.unusedWorkers]) w.unref();
}

/**
 * Registers the `wasm` backend as the threaded SIMD build with `threads` threads (default `wasmThreadCount()`).
 * With 1 thread it leaves the package's own single-threaded backend in place. Call it before
 * `tf.setBackend('wasm')`: once wasm has started it changes nothing (restart the process or notebook kernel
 * to change the thread count). Returns the thread count that will be used.
 */
export function registerThreadedWasm(threads: number = wasmThreadCount()): number {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const wasmPkg = require('@tensorflow/tfjs-backend-wasm') as {
    BackendWasm: new (m: unknown) => tf.KernelBackend;
    setThreadsCount(n: number): void;
  };
  if (registeredThreads === threads) return threads;
  if (tf.engine().registry['wasm'] !== undefined) {
    // Already started (e.g. an op ran right after importing the package): keep it; restart to change threads.
    return activeWasmThreads() ?? 1;
  }
  wasmPkg.setThreadsCount(threads);
  registeredThreads = threads;
  if (threads === 1) return 1; // the package's own (SIMD, single-threaded) loader does the job
  const dir = wasmOutDir();
  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const factory = require(path.join(dir, 'tfjs-backend-wasm-threaded-simd.js')) as (cfg: object) => Promise<EmscriptenModule>;
      const worker = workerScriptFile(dir);
      const mod = await factory({
          // Plain file paths: worker_threads opens these, unlike blob: URLs. The worker imports the glue from
        // its file name (`_scriptDir`), so no Blob is needed either.
        locateFile: (file: string) => (file.endsWith('.worker.js') ? worker : path.join(dir, file)),
        // The C++ side sizes its thread pool from half the logical cores (it assumes hyper-threading). Tell it
        // twice the wanted count so that `init_with_threads_count` is not capped below it.
        instantiateWasm(info: Record<string, Record<string, unknown>>, receive: (i: unknown, m: unknown) => void) {
          const env = { ...info.env, emscripten_num_logical_cores: () => 2 * threads };
          const bytes = fs.readFileSync(path.join(dir, 'tfjs-backend-wasm-threaded-simd.wasm'));
          // tslab type-checks cells without the DOM lib, which is where the WebAssembly types live.
          (globalThis as unknown as { WebAssembly: { instantiate(b: Uint8Array, i: object): Promise<{ instance: unknown; module: unknown }> } }).WebAssembly.instantiate(bytes, { ...info, env }).then(
            (r) => receive(r.instance, r.module),
            (e: unknown) => {
              throw new Error(`could not instantiate ${path.join(dir, 'tfjs-backend-wasm-threaded-simd.wasm')}: ${String(e)}; reinstall @tensorflow/tfjs-backend-wasm.`);
            },
          );
          return {};
        },
      });
      unrefWorkers(mod);
      mod.tfjs = {
        init: mod.cwrap('init', null, []),
        initWithThreadsCount: mod.cwrap('init_with_threads_count', null, ['number']),
        getThreadsCount: mod.cwrap('get_threads_count', 'number', []),
        registerTensor: mod.cwrap('register_tensor', null, ['number', 'number', 'number']),
        disposeData: mod.cwrap('dispose_data', null, ['number']),
        dispose: mod.cwrap('dispose', null, []),
      };
      const backend = new wasmPkg.BackendWasm(mod); // starts XNNPACK's thread pool
      unrefWorkers(mod);
      return backend;
    },
    2,
  );
  return threads;
}

/** The thread count XNNPACK actually runs with (after the wasm backend started), else undefined. */
export function activeWasmThreads(): number | undefined {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const wasmPkg = require('@tensorflow/tfjs-backend-wasm') as { getThreadsCount(): number };
  try {
    return wasmPkg.getThreadsCount();
  } catch {
    return undefined;
  }
}
