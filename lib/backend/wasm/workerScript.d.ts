// Types for a file of @tensorflow/tfjs-backend-wasm that ships without them: the threaded build's pthread worker
// script, exported as one string (wasm/threads.ts writes it to a file for Node's worker_threads).
declare module '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker' {
  /** The worker script's source, with its "\n" escapes turned into real newlines by the template literal. */
  export const wasmWorkerContents: string;
}
