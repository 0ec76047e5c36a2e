/**
 * Backend selection for TensorFlow.js in Node.
 *
 * Tries, fastest first: native GPU (`@tensorflow/tfjs-node-gpu`), native CPU (`@tensorflow/tfjs-node`),
 * WebAssembly (`@tensorflow/tfjs-backend-wasm`), and the pure-JS `cpu` backend. The native packages are
 * optional dependencies: where their libtensorflow download failed at `npm install` they are simply absent.
 * `TFJS_BACKEND=gpu|node|wasm|cpu` forces one. The result says what runs and why the faster ones were skipped.
 */
import * as tf from '@tensorflow/tfjs';

/** The backends this project knows, fastest first. */
export type BackendChoice = 'gpu' | 'node' | 'wasm' | 'cpu';

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
  /** Extra notes (e.g. kernels the project registered). */
  notes: string[];
}

const ORDER: BackendChoice[] = ['gpu', 'node', 'wasm', 'cpu'];
const PACKAGES: Record<BackendChoice, string> = {
  gpu: '@tensorflow/tfjs-node-gpu',
  node: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

/** Hooks run after a backend is set (e.g. to register extra kernels); each returns a note or nothing. */
type SetupHook = (choice: BackendChoice) => Promise<string | void> | string | void;
const hooks: SetupHook[] = [];
/** Registers a hook that runs once a backend is active (used by `lib/wasm` to add training kernels). */
export function onBackendReady(hook: SetupHook): void {
  hooks.push(hook);
}

let current: BackendInfo | undefined;

function explainLoadError(choice: BackendChoice, err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (/Cannot find module/.test(msg) && msg.includes(PACKAGES[choice])) {
    return `${PACKAGES[choice]} is not installed (optional dependency; its libtensorflow download fails offline)`;
  }
  const first = msg.split('\n')[0];
  return `${PACKAGES[choice]} failed to load: ${first}`;
}

/** Parses TFJS_BACKEND (also accepts 'tensorflow' and 'native' for 'node'). */
export function parseBackendEnv(value: string | undefined): BackendChoice | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim().toLowerCase();
  if (v === 'tensorflow' || v === 'native' || v === 'tfjs-node') return 'node';
  if (v === 'cuda' || v === 'tfjs-node-gpu') return 'gpu';
  if ((ORDER as string[]).includes(v)) return v as BackendChoice;
  throw new Error(`TFJS_BACKEND=${value} is not a backend: use one of gpu, node, wasm, cpu (or unset it to pick the fastest).`);
}

let gpuNote: string | undefined;

/**
 * Kernels register into the tfjs-core that a package resolves: a native package with its own copy would register
 * into that copy, and this project's `tf` would never see them. Refuse that with the fix instead of running slowly.
 */
function assertOneTfjsCore(pkg: string): void {
  const ours = require.resolve('@tensorflow/tfjs-core');
  const theirs = require.resolve('@tensorflow/tfjs-core', { paths: [require.resolve(pkg)] });
  if (ours !== theirs) {
    throw new Error(`${pkg} uses its own copy of @tensorflow/tfjs-core (${theirs}), not the project's (${ours}); ` +
      'install the same version of @tensorflow/tfjs and the native package (npm ls @tensorflow/tfjs-core), then npm dedupe');
  }
}

async function tryChoice(choice: BackendChoice): Promise<{ threads: number }> {
  if (choice === 'gpu' || choice === 'node') {
    // The native packages register the 'tensorflow' backend on import, into the tfjs-core they resolve.
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    require(PACKAGES[choice]);
    assertOneTfjsCore(PACKAGES[choice]);
    if (!(await tf.setBackend('tensorflow'))) throw new Error('the tensorflow backend did not initialise');
    const native = tf.backend() as unknown as { isUsingGpuDevice?: boolean };
    if (choice === 'gpu' && native.isUsingGpuDevice === false) {
      gpuNote = 'tfjs-node-gpu loaded, but TensorFlow found no usable CUDA GPU: it runs on the CPU';
    }
    return { threads: 0 };
  }
  if (choice === 'wasm') {
    // --- lib/wasm (owned by the wasm helper): threaded wasm on all cores (WASM_THREADS=N overrides) and the
    // training kernels that the package lacks. Requiring the package registers it; nothing runs before this.
    /* eslint-disable @typescript-eslint/no-var-requires */
    const { registerThreadedWasm, activeWasmThreads } = require('./wasm/threads') as typeof import('./wasm/threads');
    const { registerWasmKernels } = require('./wasm/kernels') as typeof import('./wasm/kernels');
    /* eslint-enable @typescript-eslint/no-var-requires */
    const wanted = registerThreadedWasm();
    registerWasmKernels();
    if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise');
    return { threads: activeWasmThreads() ?? wanted };
    // --- end lib/wasm
  }
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialise');
  return { threads: 1 };
}

/**
 * Picks and initialises the fastest backend that loads (or the one forced by `TFJS_BACKEND` / `opts.force`).
 * Safe to call more than once: later calls return the first result.
 */
export async function initBackend(opts: { force?: BackendChoice; quiet?: boolean } = {}): Promise<BackendInfo> {
  if (current) return current;
  const forced = opts.force ?? parseBackendEnv(process.env.TFJS_BACKEND);
  const candidates = forced ? [forced] : ORDER;
  const skipped: BackendInfo['skipped'] = [];
  for (const choice of candidates) {
    try {
      const { threads } = await tryChoice(choice);
      await tf.ready();
      const info: BackendInfo = {
        choice,
        tfBackend: tf.getBackend(),
        reason: forced ? `forced by ${opts.force ? 'the caller' : `TFJS_BACKEND=${process.env.TFJS_BACKEND}`}` : skipped.length ? 'the fastest that loaded' : 'the fastest available',
        skipped,
        threads,
        notes: [],
      };
      if (gpuNote) info.notes.push(gpuNote);
      for (const hook of hooks) {
        const note = await hook(choice);
        if (note) info.notes.push(note);
      }
      current = info;
      if (!opts.quiet) console.log(describeBackend(info));
      return info;
    } catch (err) {
      if (forced) {
        throw new Error(`TFJS_BACKEND asks for '${forced}' but ${explainLoadError(forced, err)}. Unset TFJS_BACKEND to fall back automatically.`);
      }
      skipped.push({ choice, why: explainLoadError(choice, err) });
    }
  }
  throw new Error(`No TensorFlow.js backend could start:\n${skipped.map((s) => `  ${s.choice}: ${s.why}`).join('\n')}`);
}

/** The backend chosen by `initBackend`, if it has run. */
export function currentBackend(): BackendInfo | undefined {
  return current;
}

/** A short human-readable banner: what runs, why, and what was skipped. */
export function describeBackend(info: BackendInfo): string {
  const label: Record<BackendChoice, string> = {
    gpu: 'native TensorFlow with CUDA (tfjs-node-gpu)',
    node: 'native TensorFlow on the CPU (tfjs-node)',
    wasm: 'WebAssembly (tfjs-backend-wasm, XNNPACK + SIMD)',
    cpu: 'pure JavaScript (tfjs-backend-cpu, slowest)',
  };
  const lines = [`TensorFlow.js backend: ${info.choice} — ${label[info.choice]}; ${info.reason}${info.threads > 1 ? `; ${info.threads} threads` : ''}`];
  for (const s of info.skipped) lines.push(`  skipped ${s.choice}: ${s.why}`);
  for (const n of info.notes) lines.push(`  note: ${n}`);
  return lines.join('\n');
}
