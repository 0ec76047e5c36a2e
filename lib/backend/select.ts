/**
 * Backend selection for TensorFlow.js in Node.
 *
 * Tries, fastest first: native GPU (`@tensorflow/tfjs-node-gpu`, when it finds CUDA), WebGPU on a hardware adapter
 * (`webgpu.ts`: Metal, Vulkan or Direct3D 12; a software adapter such as lavapipe is never chosen automatically, it
 * is slower than wasm), native CPU (`@tensorflow/tfjs-node`), WebAssembly (`@tensorflow/tfjs-backend-wasm`), and
 * the pure-JS `cpu` backend. The native packages are optional dependencies: where their libtensorflow download
 * failed at `npm install` they are simply absent. `TFJS_BACKEND=gpu|webgpu|node|wasm|cpu` forces one (webgpu then
 * takes a software adapter too). The result says what runs (for webgpu, on which adapter) and why the faster ones
 * were skipped.
 *
 * wasm runs on all cores (`wasm/threads.ts`) with the project's training kernels (`wasm/registry.ts`). Both reach
 * into tfjs internals, so on a tfjs version other than the tested one (`core/internals.ts`) they stay off: a
 * warning is printed once and stock wasm runs (one thread, the package's own kernels: inference works, training
 * a convnet does not, since stock wasm has no convolution filter gradient); the banner says so.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { EnvError, envValue } from '../core/config';
import { nativeUsesGpu, tfjsCoreVersion, TESTED_TFJS_VERSION, wasmInternalsAvailable } from '../core/internals';
import { registerWasmKernels } from './wasm/registry';
import { registerThreadedWasm } from './wasm/threads';
import { startWebgpu } from './webgpu';

/** The backends this project knows, fastest first. */
export type BackendChoice = 'gpu' | 'webgpu' | 'node' | 'wasm' | 'cpu';

/** What `initBackend` chose and why. */
export interface BackendInfo {
  /** The choice that runs. */
  choice: BackendChoice;
  /** The name tf.getBackend() reports ('tensorflow', 'wasm' or 'cpu'). */
  tfBackend: string;
  /** Why this one: forced by the environment, or the fastest that loaded. */
  reason: string;
  /** Faster choices that were tried and skipped, with the reason. */
  skipped: { choice: BackendChoice; why: string }[];
  /** Worker threads used by the backend (1 unless it is multi-threaded). */
  threads: number;
  /** Extra notes (e.g. a GPU package that found no GPU, or stock wasm on an untested tfjs). */
  notes: string[];
  /** The WebGPU adapter that runs (webgpu only), e.g. "llvmpipe (Vulkan, software)". */
  adapter?: string;
}

const ORDER: BackendChoice[] = ['gpu', 'webgpu', 'node', 'wasm', 'cpu'];
const PACKAGES: Record<BackendChoice, string> = {
  gpu: '@tensorflow/tfjs-node-gpu',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
  node: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

/** What a started backend adds to the banner. */
interface Started {
  threads: number;
  notes: string[];
  adapter?: string;
}

let current: BackendInfo | undefined;

function explainLoadError(choice: BackendChoice, err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (/Cannot find module/.test(msg) && msg.includes(PACKAGES[choice])) {
    return `${PACKAGES[choice]} is not installed (optional dependency; its libtensorflow download fails offline)`;
  }
  const first = msg.split('\n')[0];
  // startWebgpu's reasons (no adapter, a software one) and a GPU package without CUDA say it all
  if (choice === 'webgpu' || /^tfjs-node-gpu loaded/.test(first)) return first;
  return `${PACKAGES[choice]} failed to load: ${first}`;
}

/** Parses TFJS_BACKEND (also accepts 'tensorflow' and 'native' for 'node'). */
export function parseBackendEnv(value: string | undefined): BackendChoice | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim().toLowerCase();
  if (v === 'tensorflow' || v === 'native' || v === 'tfjs-node') return 'node';
  if (v === 'cuda' || v === 'tfjs-node-gpu') return 'gpu';
  if ((ORDER as string[]).includes(v)) return v as BackendChoice;
  throw new Error(
    `TFJS_BACKEND=${value} is not a backend: use one of ${ORDER.join(', ')} (or unset it to pick the fastest).`,
  );
}

/**
 * Kernels register into the tfjs-core that a package resolves: a native package with its own copy would register
 * into that copy, and this project's `tf` would never see them. Refuse that with the fix instead of running slowly.
 */
function assertOneTfjsCore(pkg: string): void {
  const ours = require.resolve('@tensorflow/tfjs-core');
  const theirs = require.resolve('@tensorflow/tfjs-core', { paths: [require.resolve(pkg)] });
  if (ours !== theirs) {
    throw new Error(
      `${pkg} uses its own copy of @tensorflow/tfjs-core (${theirs}), not the project's (${ours}); ` +
        'install the same version of @tensorflow/tfjs and the native package (npm ls @tensorflow/tfjs-core), then npm dedupe',
    );
  }
}

async function setBackendOrThrow(name: string): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`the ${name} backend did not initialise`);
}

/** The native package that registered 'tensorflow' in this process, if any (both register under that name). */
let nativeLoaded: 'gpu' | 'node' | undefined;

/**
 * The native packages register the 'tensorflow' backend on import, into the tfjs-core they resolve. Chosen
 * automatically, tfjs-node-gpu without a CUDA GPU is skipped (WebGPU may still find a GPU); its TensorFlow then
 * serves as the 'node' choice (the same CPU kernels as tfjs-node).
 */
async function startNative(choice: 'gpu' | 'node', forced: boolean): Promise<Started> {
  if (!nativeLoaded) {
    // An optional native package: absent wherever its libtensorflow download failed, so it can only be tried at run time.
    // eslint-disable-next-line @typescript-eslint/no-require-imports, no-restricted-syntax -- optional package (above)
    require(PACKAGES[choice]);
    assertOneTfjsCore(PACKAGES[choice]);
    nativeLoaded = choice;
  }
  await setBackendOrThrow('tensorflow');
  const noGpu = nativeLoaded === 'gpu' && nativeUsesGpu(tf.backend()) === false;
  if (choice === 'gpu' && noGpu && !forced)
    throw new Error('tfjs-node-gpu loaded, but TensorFlow found no usable CUDA GPU');
  return {
    threads: 0,
    notes: noGpu ? ['tfjs-node-gpu loaded, but TensorFlow found no usable CUDA GPU: it runs on the CPU'] : [],
  };
}

/**
 * Threaded wasm (WASM_THREADS=N overrides the thread count) with the training kernels the package lacks; stock wasm
 * where tfjs is not the tested version. Nothing runs on wasm before this.
 */
async function startWasm(): Promise<Started> {
  const ours = wasmInternalsAvailable(version_wasm);
  if (ours) {
    registerThreadedWasm();
    registerWasmKernels();
  }
  await setBackendOrThrow('wasm');
  const untested =
    tfjsCoreVersion() !== TESTED_TFJS_VERSION ? `tfjs-core ${tfjsCoreVersion()}` : `tfjs-backend-wasm ${version_wasm}`;
  const notes = ours
    ? []
    : [
        `stock wasm: ${untested} is not the tested ${TESTED_TFJS_VERSION}, so the project's threads and training kernels are off ` +
          '(inference works; to train a convnet use TFJS_BACKEND=cpu, or install the pinned versions with npm ci)',
      ];
  return { threads: getThreadsCount(), notes };
}

/** WebGPU through Dawn; a software adapter only when forced. */
async function startWebgpuChoice(forced: boolean): Promise<Started> {
  const { adapter } = await startWebgpu({ allowSoftware: forced });
  await setBackendOrThrow('webgpu');
  return { threads: 0, notes: [], adapter: adapter.name };
}

async function startChoice(choice: BackendChoice, forced: boolean): Promise<Started> {
  if (choice === 'gpu' || choice === 'node') return startNative(choice, forced);
  if (choice === 'webgpu') return startWebgpuChoice(forced);
  if (choice === 'wasm') return startWasm();
  await setBackendOrThrow('cpu');
  return { threads: 1, notes: [] };
}

/** The `EnvError` in `err` or its causes, if any. */
function envErrorIn(err: unknown): EnvError | undefined {
  for (let e = err; e instanceof Error; e = e.cause) if (e instanceof EnvError) return e;
  return undefined;
}

/**
 * Picks and initialises the fastest backend that loads (or the one forced by `TFJS_BACKEND` / `opts.force`).
 * Safe to call more than once: later calls return the first result.
 */
export async function initBackend(opts: { force?: BackendChoice; quiet?: boolean } = {}): Promise<BackendInfo> {
  if (current) return current;
  const fromEnv = envValue('TFJS_BACKEND');
  const forced = opts.force ?? parseBackendEnv(fromEnv);
  const skipped: BackendInfo['skipped'] = [];
  for (const choice of forced ? [forced] : ORDER) {
    try {
      const { threads, notes, adapter } = await startChoice(choice, forced !== undefined);
      await tf.ready();
      const reason = forced
        ? `forced by ${opts.force ? 'the caller' : `TFJS_BACKEND=${fromEnv}`}`
        : skipped.length
          ? 'the fastest that loaded'
          : 'the fastest available';
      current = {
        choice,
        tfBackend: tf.getBackend(),
        reason,
        skipped,
        threads,
        notes,
        ...(adapter ? { adapter } : {}),
      };
      if (!opts.quiet) console.log(describeBackend(current));
      return current;
    } catch (err) {
      const setting = envErrorIn(err);
      if (setting) throw setting; // a variable to fix (WASM_THREADS=abc), not a backend to skip
      if (forced) {
        throw new Error(
          `TFJS_BACKEND asks for '${forced}' but ${explainLoadError(forced, err)}. Unset TFJS_BACKEND to fall back automatically.`,
          { cause: err },
        );
      }
      skipped.push({ choice, why: explainLoadError(choice, err) });
    }
  }
  throw new Error(`No TensorFlow.js backend could start:\n${skipped.map((s) => `  ${s.choice}: ${s.why}`).join('\n')}`);
}

/** One line for a script's log: the backend, its adapter (webgpu) or threads, e.g. "webgpu on Apple M2 (Metal)". */
export function backendSummary(info: BackendInfo): string {
  const where = info.adapter ? ` on ${info.adapter}` : info.threads > 1 ? `, ${info.threads} threads` : '';
  return `${info.choice}${where}`;
}

/** A short human-readable banner: what runs, why, and what was skipped. */
export function describeBackend(info: BackendInfo): string {
  const label: Record<BackendChoice, string> = {
    gpu: 'native TensorFlow with CUDA (tfjs-node-gpu)',
    webgpu: `WebGPU on ${info.adapter ?? 'an unnamed adapter'} (tfjs-backend-webgpu, Dawn)`,
    node: 'native TensorFlow on the CPU (tfjs-node)',
    wasm: 'WebAssembly (tfjs-backend-wasm, XNNPACK + SIMD)',
    cpu: 'pure JavaScript (tfjs-backend-cpu, slowest)',
  };
  const lines = [
    `TensorFlow.js backend: ${info.choice} — ${label[info.choice]}; ${info.reason}${info.threads > 1 ? `; ${info.threads} threads` : ''}`,
  ];
  for (const s of info.skipped) lines.push(`  skipped ${s.choice}: ${s.why}`);
  for (const n of info.notes) lines.push(`  note: ${n}`);
  return lines.join('\n');
}
