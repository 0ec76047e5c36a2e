/**
 * Loading `onnxruntime-node` once, with a clear reason when it cannot load (not installed, no binary for this
 * platform, a native library missing): `auto` falls back to TensorFlow.js with that reason, `onnxruntime` fails
 * with it. Also the session options every ONNX Runtime session of the library uses.
 */
import * as os from 'node:os';
import { envNumber } from '../core/config';

/** The onnxruntime-node module. */
export type OnnxRuntime = typeof import('onnxruntime-node');

let loaded: { ort?: OnnxRuntime; error?: string } | undefined;

/** The reason in one line: the package missing, or the loader's own first line. */
function explain(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (/Cannot find module 'onnxruntime-node'/.test(msg))
    return 'onnxruntime-node is not installed (run `npm ci`; see the README, "ONNX")';
  return `onnxruntime-node failed to load: ${msg.split('\n')[0]}`;
}

/** onnxruntime-node, or undefined with the reason it did not load (tried once per process). */
export function tryLoadOnnxRuntime(): { ort?: OnnxRuntime; error?: string } {
  if (!loaded) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports, no-restricted-syntax -- native, may not load: auto falls back
      loaded = { ort: require('onnxruntime-node') as OnnxRuntime };
    } catch (err) {
      loaded = { error: explain(err) };
    }
  }
  return loaded;
}

/** onnxruntime-node; an error saying why when it does not load. */
export function loadOnnxRuntime(): OnnxRuntime {
  const { ort, error } = tryLoadOnnxRuntime();
  if (!ort) throw new Error(`ONNX Runtime: ${error}. Use engine 'tfjs' (LESSON_ENGINE=tfjs) meanwhile.`);
  return ort;
}

/** Threads ONNX Runtime uses: as many as the project's CPU backend (WASM_THREADS, default all cores). */
export function onnxThreads(): number {
  return envNumber('WASM_THREADS', os.availableParallelism());
}

/** The options of every session: all graph optimizations, the CPU provider, `onnxThreads()` threads. */
export function sessionOptions(threads = onnxThreads()): import('onnxruntime-node').InferenceSession.SessionOptions {
  return {
    graphOptimizationLevel: 'all',
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
  };
}
