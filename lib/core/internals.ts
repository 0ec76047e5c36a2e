/**
 * The one module that touches private members of dependencies (tfjs's kernel registry and wasm module, the
 * BatchNormalization layer's weight lists, jsfive's object headers). Each such access is written here, behind a
 * version guard: `@tensorflow/*` is pinned exactly in package.json, and on any other tfjs-core version the guard
 * warns once and every accessor reports "unavailable", so callers fall back to stock behaviour instead of
 * breaking. Callers never reach into a private member themselves.
 */
import * as tf from '@tensorflow/tfjs';

/** The tfjs-core version the private accesses below were written and tested against. */
export const TESTED_TFJS_VERSION = '4.22.0';

let forcedVersion: string | undefined;
let warned = false;

/** The tfjs-core version in use (or the one forced by `simulateTfjsVersion`, for tests). */
export function tfjsCoreVersion(): string {
  return forcedVersion ?? tf.version_core;
}

/**
 * True when tfjs internals may be touched (the running tfjs-core is the tested one). Otherwise warns once, naming
 * both versions and what falls back, and returns false.
 */
export function internalsAvailable(): boolean {
  const v = tfjsCoreVersion();
  if (v === TESTED_TFJS_VERSION) return true;
  if (!warned) {
    warned = true;
    console.warn(
      `transfer-learning-ts: @tensorflow/tfjs-core ${v} is not the tested ${TESTED_TFJS_VERSION}; the project's wasm kernels, ` +
        'threads and other tfjs internals are switched off and stock tfjs runs (slower, some training ops may be missing). ' +
        `Install the pinned versions (npm ci) to get them back.`,
    );
  }
  return false;
}

/** For tests: pretend tfjs-core has version `v` (undefined restores the real one); resets the one-time warning. */
export function simulateTfjsVersion(v: string | undefined): void {
  forcedVersion = v;
  warned = false;
}

// --- tfjs backend internals (backend/)
// What lib/backend/ touches beyond tfjs's public API: the engine's registry of started backends, the wasm backend's
// heap (`makeOutput`, `typedArrayFromHeap`, `dataIdMap`), the cpu backend's `makeTensorInfo`, tfjs-node's GPU flag,
// and the Emscripten module of the wasm package's threaded build (its `tfjs` function table, its pthread workers,
// the core count it sizes its thread pool from). lib/backend/ asks `wasmInternalsAvailable` before it registers its
// kernels or its threaded loader; on an untested version it registers neither and stock wasm runs (one thread, the
// package's own kernels). The per-call accessors below run only inside kernels registered after that check.

/** The wasm backend (`BackendWasm`) as the project's kernels use it, beyond `tf.KernelBackend`. */
interface WasmBackendPrivate extends tf.KernelBackend {
  dataIdMap: { has(dataId: tf.DataId): boolean; get(dataId: tf.DataId): { memoryOffset: number } | undefined };
  wasm: { wasmMemory?: WasmSharedMemory; _malloc(bytes: number): number; _free(ptr: number): void };
  makeOutput(
    shape: number[],
    dtype: tf.DataType,
    memoryOffset?: number,
    values?: tf.backend_util.BackendValues,
  ): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

let wasmVersionWarned = false;

/**
 * True when lib/backend/ may register its wasm kernels and threaded loader: tfjs-core passes `internalsAvailable()`
 * and `wasmVersion` (`version_wasm` of @tensorflow/tfjs-backend-wasm) is the tested one too. Otherwise warns once
 * and returns false.
 */
export function wasmInternalsAvailable(wasmVersion: string): boolean {
  if (!internalsAvailable()) return false;
  if (wasmVersion === TESTED_TFJS_VERSION) return true;
  if (!wasmVersionWarned) {
    wasmVersionWarned = true;
    console.warn(
      `transfer-learning-ts: @tensorflow/tfjs-backend-wasm ${wasmVersion} is not the tested ${TESTED_TFJS_VERSION}; the project's ` +
        'wasm kernels and threads are switched off and stock wasm runs. Install the pinned versions (npm ci) to get them back.',
    );
  }
  return false;
}

/** The backend registered as `name` if it has started, else undefined (unlike `tf.findBackend`, never starts one). */
export function startedBackend(name: string): tf.KernelBackend | undefined {
  return tf.engine().registry[name];
}

/** An engine tensor over `info`'s data on `backend`, without a copy; the tensor owns one reference to the data. */
export function tensorFromInfo<T extends tf.Tensor = tf.Tensor>(info: tf.TensorInfo, backend: tf.KernelBackend): T {
  return tf.engine().makeTensorFromTensorInfo(info, backend) as T;
}

/** A new buffer on the wasm heap (uninitialised, or a copy of `values`), owned by the returned tensor info. */
export function heapOutput(
  wasm: tf.KernelBackend,
  shape: number[],
  dtype: tf.DataType,
  values?: tf.backend_util.BackendValues,
): tf.TensorInfo {
  return (wasm as WasmBackendPrivate).makeOutput(shape, dtype, undefined, values);
}

/**
 * A typed-array view of a tensor's data on the wasm heap (no copy). Take views after the last allocation: growing
 * the heap replaces its buffer and detaches older views.
 */
export function heapView(wasm: tf.KernelBackend, info: tf.TensorInfo): tf.backend_util.TypedArray {
  return (wasm as WasmBackendPrivate).typedArrayFromHeap(info);
}

/** Whether the wasm backend still holds the data `dataId` (false once every tensor over it was disposed). */
export function heapHolds(wasm: tf.KernelBackend, dataId: tf.DataId): boolean {
  return (wasm as WasmBackendPrivate).dataIdMap.has(dataId);
}

/** The byte address of a tensor's data on the wasm heap (valid until the tensor's data is disposed). */
export function heapAddress(wasm: tf.KernelBackend, info: tf.TensorInfo): number {
  const entry = (wasm as WasmBackendPrivate).dataIdMap.get(info.dataId);
  if (!entry)
    throw new Error(
      `heapAddress: tensor data ${JSON.stringify(info.shape)} is not on the wasm backend (disposed, or on another backend)`,
    );
  return entry.memoryOffset >>> 0;
}

/** A WebAssembly.Memory as far as the project uses it (declared here: tslab type-checks without the DOM lib). */
export interface WasmSharedMemory {
  readonly buffer: ArrayBufferLike;
}

/** The wasm heap's shared memory and its allocator (tfjs's `malloc`/`free`): the threaded build's; else undefined. */
export interface WasmHeap {
  memory: WasmSharedMemory;
  malloc(bytes: number): number;
  free(ptr: number): void;
}

/** The threaded wasm build's heap, or undefined for a build whose memory is not shared (the single-threaded one). */
export function wasmHeap(wasm: tf.KernelBackend): WasmHeap | undefined {
  const mod = (wasm as WasmBackendPrivate).wasm;
  const memory = mod?.wasmMemory;
  if (!memory || typeof SharedArrayBuffer === 'undefined' || !(memory.buffer instanceof SharedArrayBuffer))
    return undefined;
  return { memory, malloc: (n) => mod._malloc(n) >>> 0, free: (p) => mod._free(p) };
}

/** A tensor info on the `cpu` backend holding `values`. */
export function cpuTensorInfo(
  cpu: tf.KernelBackend,
  shape: number[],
  dtype: tf.DataType,
  values: tf.backend_util.BackendValues,
): tf.TensorInfo {
  return (
    cpu as tf.KernelBackend & {
      makeTensorInfo(s: number[], d: tf.DataType, v: tf.backend_util.BackendValues): tf.TensorInfo;
    }
  ).makeTensorInfo(shape, dtype, values);
}

/** tfjs-node(-gpu)'s backend: whether TensorFlow found a usable GPU; undefined when unknown (untested version). */
export function nativeUsesGpu(native: tf.KernelBackend): boolean | undefined {
  if (!internalsAvailable()) return undefined;
  return (native as tf.KernelBackend & { isUsingGpuDevice?: boolean }).isUsingGpuDevice;
}

/** The Emscripten module of the wasm package's threaded build, as far as the project's loader touches it. */
export interface WasmEmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
  PThread?: { runningWorkers: { unref(): void }[]; unusedWorkers: { unref(): void }[] };
  [key: string]: unknown;
}

/** Adds the `tfjs` function table that `BackendWasm`'s constructor calls (what the package's own loader adds). */
export function addWasmFunctionTable(mod: WasmEmscriptenModule): void {
  mod.tfjs = {
    init: mod.cwrap('init', null, []),
    initWithThreadsCount: mod.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: mod.cwrap('get_threads_count', 'number', []),
    registerTensor: mod.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: mod.cwrap('dispose_data', null, ['number']),
    dispose: mod.cwrap('dispose', null, []),
  };
}

/** Unrefs every Emscripten pthread worker of `mod`, so that they never keep the Node process alive. */
export function unrefWasmWorkers(mod: WasmEmscriptenModule): void {
  const p = mod.PThread;
  if (!p) return;
  for (const w of [...p.runningWorkers, ...p.unusedWorkers]) w.unref();
}

/** The wasm binary's `env` imports with the logical core count its C++ side sizes the thread pool from. */
export function withLogicalCores(env: Record<string, unknown>, cores: number): Record<string, unknown> {
  return { ...env, emscripten_num_logical_cores: () => cores };
}

// --- BatchNormalization internals (layers/)

/** Names of the weights a BatchNormalization layer can learn (the rest, moving statistics, never train). */
const BN_LEARNABLE = /(^|\/)(gamma|beta)(_\d+)?$/;

/**
 * The weights a BatchNormalization layer could train (gamma, beta), whatever their current `trainable` flags:
 * tfjs keeps them in the private `_trainableWeights` list. Fallback (another tfjs version): the layer's weights
 * named gamma or beta, found through the public `weights` list.
 */
export function batchNormLearnableWeights(layer: tf.layers.Layer): tf.LayerVariable[] {
  if (internalsAvailable()) {
    const own = (layer as unknown as { _trainableWeights?: unknown })._trainableWeights;
    if (Array.isArray(own)) return own as tf.LayerVariable[];
  }
  return layer.weights.filter((w) => BN_LEARNABLE.test(w.originalName));
}

// --- jsfive internals (io/kerasHdf5)

/** The part of jsfive 0.4.2's private object header of a dataset that is used: its messages by type. */
interface JsfiveDataObjects {
  find_msg_type(type: number): { get(key: string): unknown }[];
}

let jsfiveWarned = false;

/** Warns once that jsfive's object headers are not readable, so every dataset goes through jsfive's reader. */
function jsfiveFallback(why: string): undefined {
  if (!jsfiveWarned) {
    jsfiveWarned = true;
    console.warn(
      `transfer-learning-ts: jsfive's object headers cannot be read (${why}); Keras weights are read with jsfive's ` +
        'element reader instead (slower, same values). Install the pinned jsfive version (npm ci) to get the fast path back.',
    );
  }
  return undefined;
}

/**
 * The file offset of the first header message of type `msgType` of a jsfive dataset (jsfive keeps it in the
 * private `_dataobjects`), or undefined when the dataset has none. Fallback (another jsfive, a header it
 * describes differently): undefined, with one warning, and the caller reads the values with jsfive.
 */
export function jsfiveMessageOffset(dataset: unknown, msgType: number): number | undefined {
  const objects = (dataset as { _dataobjects?: Partial<JsfiveDataObjects> } | undefined)?._dataobjects;
  if (typeof objects?.find_msg_type !== 'function') return jsfiveFallback('no _dataobjects.find_msg_type');
  let messages: { get(key: string): unknown }[];
  try {
    messages = objects.find_msg_type(msgType);
  } catch (err) {
    return jsfiveFallback(`find_msg_type failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (messages.length === 0) return undefined;
  const at = typeof messages[0]?.get === 'function' ? messages[0].get('offset_to_message') : undefined;
  return typeof at === 'number' ? at : jsfiveFallback('a message without offset_to_message');
}
