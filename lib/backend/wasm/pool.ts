/**
 * The thread pool of the project's WebAssembly kernels: `threads - 1` worker threads, each with its own instance of
 * the kernels module on tfjs's shared wasm memory, plus the calling (main) thread. A kernel call writes its
 * arguments into a job block on that memory, opens the job, and runs the kernel itself; workers that wake up while
 * the job is open join in. Every thread claims chunks of work from the job's counter, so the call never waits
 * for a worker the OS has not scheduled: once no chunk is left the job is closed, and the caller waits only for
 * the workers that joined to finish their chunk.
 *
 * Control block (int32 words at `ctl`): 0 state (job number * 2, plus 1 while open), 1 workers inside the job,
 * 2 kernel index, 3 unused; then the job (native/common.h `Job`): 4 chunk counter, 5-7 unused, 8-35 arguments.
 * Workers are unref'd: they never keep a script or a notebook kernel alive.
 */
import { Worker } from 'node:worker_threads';
import type { WasmSharedMemory } from '../../core/internals';

/** Bytes of the control block (state words and the job). */
export const CONTROL_BYTES = 144;
const JOB_OFFSET = 16;
const ARGS = 8;
const MAX_ARGS = 28;

/** The worker loop (run with `eval`): wait for an open job, join it, run the kernel, leave. */
const WORKER_SOURCE = `
const { workerData } = process.getBuiltinModule('node:worker_threads');
const { module, memory, ctl: at, tid, names } = workerData;
const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
const fns = names.map((n) => exports[n]);
const ctl = new Int32Array(memory.buffer, at, ${CONTROL_BYTES / 4});
let last = Atomics.load(ctl, 0);
for (;;) {
  let st = Atomics.load(ctl, 0);
  for (let i = 0; st === last && i < 2000; i++) st = Atomics.load(ctl, 0);
  if (st === last) { Atomics.wait(ctl, 0, last, 1000); continue; }
  last = st;
  if (!(st & 1)) continue;
  Atomics.add(ctl, 1, 1);
  if (Atomics.load(ctl, 0) === st) fns[Atomics.load(ctl, 2)](at + ${JOB_OFFSET}, tid);
  if (Atomics.sub(ctl, 1, 1) === 1) Atomics.notify(ctl, 1);
}
`;

/** An instance of the kernels module: its exported kernels by name. */
export type KernelExports = Record<string, (job: number, tid: number) => void>;

const f32 = new Float32Array(1);
const f32bits = new Int32Array(f32.buffer);

/** The int32 bit pattern of a float32 argument (kernel arguments are int32 words). */
export function floatArg(x: number): number {
  f32[0] = x;
  return f32bits[0];
}

/** Runs kernels on the calling thread and `threads - 1` workers (see the file's comment). */
export class KernelPool {
  private readonly ctl: Int32Array;
  private readonly workers: Worker[] = [];
  private state = 0;

  constructor(
    private readonly kernels: KernelExports,
    private readonly names: string[],
    private readonly ctlAddress: number,
    module: unknown,
    memory: WasmSharedMemory,
    /** Threads, the caller included. */
    readonly threads: number,
  ) {
    this.ctl = new Int32Array(memory.buffer, ctlAddress, CONTROL_BYTES / 4);
    this.ctl.fill(0);
    for (let tid = 1; tid < threads; tid++) {
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, ctl: ctlAddress, tid, names } });
      w.unref();
      this.workers.push(w);
    }
  }

  /**
   * Runs kernel `name` with int32 `args` (pointers, counts; floats through `floatArg`) on every thread when
   * `parallel` (default), else on the calling thread alone. Returns when all of its chunks are done.
   */
  run(name: string, args: number[], parallel = true): void {
    const k = this.names.indexOf(name);
    const fn = this.kernels[name];
    if (k < 0 || !fn)
      throw new Error(`KernelPool: no kernel '${name}' in the kernels module (have ${this.names.join(', ')})`);
    if (args.length > MAX_ARGS)
      throw new Error(`KernelPool: ${name} got ${args.length} arguments, at most ${MAX_ARGS} fit in a job`);
    const ctl = this.ctl;
    for (let i = 0; i < args.length; i++) ctl[ARGS + i] = args[i];
    Atomics.store(ctl, 4, 0);
    const shared = parallel && this.workers.length > 0;
    if (shared) {
      ctl[2] = k;
      this.state += 2;
      Atomics.store(ctl, 0, this.state | 1);
      Atomics.notify(ctl, 0);
    }
    fn(this.ctlAddress + JOB_OFFSET, 0);
    if (!shared) return;
    Atomics.store(ctl, 0, this.state);
    for (let j = Atomics.load(ctl, 1); j !== 0; j = Atomics.load(ctl, 1)) Atomics.wait(ctl, 1, j);
  }

  /** Stops the workers (for tests; the pool cannot run parallel jobs afterwards). */
  async terminate(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.terminate()));
  }
}
