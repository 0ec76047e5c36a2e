/**
 * The WebGPU backend in Node: `@tensorflow/tfjs-backend-webgpu` on Dawn (the `webgpu` package: Metal on macOS,
 * Vulkan on Linux, Direct3D 12 on Windows; its binaries ship inside the package).
 *
 * The package registers its backend only where `navigator.gpu` exists when it is imported (a browser); here the
 * project creates the device itself and registers `WebGPUBackend` under the name 'webgpu'. Node has no synchronous
 * read of GPU memory (the package's `readSync` draws through an `OffscreenCanvas`, which Node lacks): a `dataSync()`
 * of a webgpu tensor, or tfjs moving one to another backend, throws a clear error here instead; read with
 * `await t.data()` and move with `moveToBackend`.
 */
import * as tf from '@tensorflow/tfjs';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { ensureRuntimeDir } from '../core/config';
import { probeAdapter, summarizeAdapter, type AdapterFacts, type AdapterSummary } from './webgpuAdapter';

/** The part of Dawn's `GPUAdapter` this module uses. */
interface DawnAdapter {
  info: AdapterFacts;
  features: { has(name: string): boolean };
  limits: Record<string, number>;
  requestDevice(descriptor: object): Promise<unknown>;
}

/** Dawn's `GPU` object (what a browser has as `navigator.gpu`). */
interface DawnGpu {
  requestAdapter(options?: object): Promise<DawnAdapter | null>;
}

/** The `webgpu` package: Dawn's `create(flags)` and the WebGPU globals (GPUBufferUsage ...). */
interface Dawn {
  create(flags: string[]): DawnGpu;
  globals: object;
}

/** What `startWebgpu` started. */
export interface WebgpuStarted {
  adapter: AdapterSummary;
}

/** The limits tfjs-backend-webgpu asks for (as its own browser registration does). */
const LIMITS = [
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupSizeX',
  'maxComputeInvocationsPerWorkgroup',
];

/** The path `require` finds the `webgpu` package at (also given to the probe's child process). */
function dawnPath(): string {
  return require.resolve('webgpu');
}

function loadDawn(): Dawn {
  // Dawn is a native binary that may not load on every platform, and the package is an ES module (require(esm) needs
  // Node 20.19+): required only when WebGPU is tried, so that lib/backend still loads wherever Dawn cannot.
  // eslint-disable-next-line @typescript-eslint/no-require-imports, no-restricted-syntax -- optional native binary (above)
  return require(dawnPath()) as Dawn;
}

/** Node cannot read GPU memory synchronously: say so, and what to use, instead of OffscreenCanvas's ReferenceError. */
class NodeWebGPUBackend extends WebGPUBackend {
  override readSync(dataId: object): ReturnType<WebGPUBackend['readSync']> {
    const cached = this.tensorMap.get(dataId)?.values;
    if (cached != null) return cached;
    throw new Error(
      'a synchronous read (dataSync, arraySync, print, or moving a tensor to another backend) of a webgpu tensor: ' +
        'Node has no synchronous GPU read. Use await tensor.data() / tensor.array(), or moveToBackend(t, name) ' +
        '(lib/backend/webgpu.ts), or run this step with TFJS_BACKEND=wasm.',
    );
  }
}

let started: WebgpuStarted | undefined;

/**
 * Dawn's globals (GPUBufferUsage, GPUMapMode ...: tfjs-backend-webgpu reads them as globals) and `navigator.gpu`
 * (its backend's constructor checks it); Node 21+ has a `navigator` without `gpu`, Node 20 none.
 */
function installGlobals(dawn: Dawn, gpu: DawnGpu): void {
  Object.assign(globalThis, dawn.globals);
  const g = globalThis as { navigator?: { gpu?: DawnGpu } };
  if (g.navigator === undefined) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  } else if (g.navigator.gpu === undefined) {
    Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  }
}

async function createBackend(dawn: Dawn): Promise<{ backend: NodeWebGPUBackend; facts: AdapterFacts }> {
  const gpu = dawn.create([]);
  installGlobals(dawn, gpu);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('Dawn found no WebGPU adapter');
  const features = ['timestamp-query', 'bgra8unorm-storage'].filter((f) => adapter.features.has(f));
  const requiredLimits = Object.fromEntries(LIMITS.map((k) => [k, adapter.limits[k]]));
  const device = await adapter.requestDevice({ requiredFeatures: features, requiredLimits });
  const info = adapter.info as unknown as ConstructorParameters<typeof WebGPUBackend>[1];
  return {
    backend: new NodeWebGPUBackend(device as ConstructorParameters<typeof WebGPUBackend>[0], info),
    facts: adapter.info,
  };
}

/**
 * Starts the 'webgpu' backend (does not switch to it). With `allowSoftware: false` a software adapter (lavapipe,
 * SwiftShader) is refused with the reason, before anything is loaded into this process. Throws with the reason
 * where Dawn does not load or finds no adapter. Safe to call again: later calls return the first result.
 */
export async function startWebgpu(opts: { allowSoftware: boolean }): Promise<WebgpuStarted> {
  if (started) return started;
  const probe = probeAdapter(dawnPath());
  if (!probe.facts) throw new Error(probe.why ?? 'Dawn found no WebGPU adapter');
  const summary = summarizeAdapter(probe.facts);
  if (summary.software && !opts.allowSoftware) {
    throw new Error(
      `only a software adapter, ${summary.name}: it runs on the CPU, slower than wasm, so it is not chosen ` +
        'automatically (TFJS_BACKEND=webgpu uses it anyway)',
    );
  }
  ensureRuntimeDir();
  const dawn = loadDawn();
  const { backend, facts } = await createBackend(dawn);
  tf.registerBackend('webgpu', () => backend, 0);
  started = { adapter: summarizeAdapter(facts) };
  return started;
}

/**
 * A copy of `t` on the backend `name` (read asynchronously, so it works from webgpu, where tfjs's own move
 * needs a synchronous read); `t` is left as it is. Switches the active backend to `name`.
 */
export async function moveToBackend<T extends tf.Tensor>(t: T, name: string): Promise<T> {
  const values = await t.data();
  if (!(await tf.setBackend(name))) throw new Error(`the ${name} backend did not initialise`);
  return tf.tensor(values, t.shape, t.dtype) as T;
}
