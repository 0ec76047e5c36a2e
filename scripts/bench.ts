/**
 * Speed of the lesson's workloads on the active TensorFlow.js backend, next to PyTorch where it is installed.
 *
 *   npm run bench [-- --quick] [-- --profile] [-- --shapes] [-- --only vgg,mobilenet] [-- --backend wasm|cpu|node|gpu]
 *     [-- --no-torch] [-- --webgpu]
 *
 * Workloads (`benchWorkloads.ts`): VGG16-notop forward (batch 20, 150x150; images/s); a VGG16 fine-tuning step
 * with block1-4 frozen; the small convnet's training step (Conv 32-64-128-128 + max-pool, Flatten, Dense 512,
 * Dense 1, RMSprop); the dense head on 4x4x512 features; MobileNet α=0.25 forward and fine-tuning step from
 * conv_dw_12 (batch 16, 160x160). One warm-up run is excluded; the median of the
 * timed runs (5, or 2 with --quick) is shown. With `/usr/bin/python3` and torch, `bench_torch.py` measures the
 * same shapes with the same number of threads right after each workload, and the table shows the ratio. On wasm, the VGG16 forward pass is
 * also timed with Winograd convolutions off (XNNPACK's direct convolution only), alternating with the default.
 * `--profile` adds, per workload, the time per kernel (`lib/backend/kernelProfile.ts`) over further steps;
 * `--shapes` splits that per kernel and input shapes. Forward passes are also timed on ONNX Runtime (the model
 * exported in memory, lib/onnx): through the library's engine and on a bare session, alternating.
 * `--webgpu` also times each workload on the webgpu backend (any adapter, a software one such as lavapipe
 * included: its name heads the column), right after the main backend.
 */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parseCommandLine, runMain } from './cli';
import { formatKernelProfile, profileKernels } from '../lib/backend/kernelProfile';
import { backendSummary, initBackend, parseBackendEnv } from '../lib/backend/select';
import { startWebgpu } from '../lib/backend/webgpu';
import { setWasmWinograd } from '../lib/backend/wasm/kernels/winogradConv';
import { BATCH, SIZE, WORKLOADS, type Prepared, type Workload } from './benchWorkloads';

interface Row {
  name: string;
  /** Key of the PyTorch workload it compares with. */
  torch: string;
  unit: Workload['unit'];
  value: number;
  /** A forward pass on ONNX Runtime: through the library's engine, and bare. */
  onnx?: { engine: number; bare: number };
  /** The same workload on webgpu (`--webgpu`). */
  webgpu?: number;
}

interface Options {
  reps: number;
  profile: boolean;
  /** Profile rows per kernel and input shapes. */
  shapes: boolean;
  torch: boolean;
  /** Also time each workload on webgpu. */
  webgpu: boolean;
  backend?: string;
  only?: string[];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Times `step` under each setting, alternating them run by run after one warm-up run of each (so that all settings
 * see the same machine load); returns the median milliseconds per setting.
 */
async function timeSettings(reps: number, step: () => Promise<void>, settings: (() => void)[]): Promise<number[]> {
  const ms: number[][] = settings.map(() => []);
  for (const set of settings) {
    set();
    await step();
  }
  for (let i = 0; i < reps; i++) {
    for (const [k, set] of settings.entries()) {
      set();
      const t0 = performance.now();
      await step();
      ms[k].push(performance.now() - t0);
    }
  }
  return ms.map(median);
}

const USAGE =
  'usage: npm run bench -- [--quick] [--profile] [--shapes] [--no-torch] [--webgpu] [--only <words>] ' +
  '[--backend wasm|cpu|node|gpu|webgpu]';

function benchOptions(argv: string[]): Options {
  const { values } = parseCommandLine(
    argv,
    {
      quick: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      shapes: { type: 'boolean', default: false },
      'no-torch': { type: 'boolean', default: false },
      webgpu: { type: 'boolean', default: false },
      backend: { type: 'string' },
      only: { type: 'string' },
    },
    USAGE,
    false,
  );
  const only = values.only
    ?.split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s);
  return {
    reps: values.quick ? 2 : 5,
    profile: !!values.profile || !!values.shapes,
    shapes: !!values.shapes,
    torch: !values['no-torch'],
    webgpu: !!values.webgpu,
    backend: values.backend,
    only,
  };
}

function torchRows(reps: number, threads: number, keys: string[]): Record<string, number> | string {
  const py = '/usr/bin/python3';
  const probe = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return 'PyTorch not installed (apt-get install -y python3-torch)';
  const script = path.join(__dirname, 'bench_torch.py');
  const r = spawnSync(py, [script, '--reps', String(reps), '--threads', String(threads), '--only', keys.join(',')], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) return `bench_torch.py failed: ${(r.stderr || '').trim().split('\n').pop()}`;
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, number>;
}

/** Times one workload (and, on wasm, its direct-convolution variant); prints and returns its rows. */
async function runWorkload(w: Workload, p: Prepared, opts: Options, wasm: boolean): Promise<Row[]> {
  const reps = opts.reps * w.repsFactor;
  const value = (ms: number): number => (w.unit === 'images/s' ? (w.batch * 1000) / ms : ms);
  const fmt = (v: number): string =>
    w.unit === 'images/s' ? `${v.toFixed(2)} images/s` : `${v.toFixed(v < 100 ? 1 : 0)} ms/step`;
  if (w.direct && wasm) {
    const [on, off] = await timeSettings(reps, p.step, [() => setWasmWinograd(true), () => setWasmWinograd(false)]);
    setWasmWinograd(true);
    console.log(`  ${w.name}: ${fmt(value(on))} (direct conv: ${fmt(value(off))})`);
    return [
      { name: w.name, torch: w.torch, unit: w.unit, value: value(on), onnx: await onnxTimes(p, reps, value) },
      { name: `${w.name} (direct conv, WASM_WINOGRAD=0)`, torch: w.torch, unit: w.unit, value: value(off) },
    ];
  }
  const [ms] = await timeSettings(reps, p.step, [() => undefined]);
  console.log(`  ${w.name}: ${fmt(value(ms))}`);
  return [{ name: w.name, torch: w.torch, unit: w.unit, value: value(ms), onnx: await onnxTimes(p, reps, value) }];
}

/** A forward pass on ONNX Runtime, through the engine and bare, alternating; undefined for a training step. */
async function onnxTimes(p: Prepared, reps: number, value: (ms: number) => number): Promise<Row['onnx']> {
  if (!p.onnx) return undefined;
  const onnx = p.onnx;
  let which: 'engine' | 'bare' = 'engine';
  const [engine, bare] = await timeSettings(reps, () => onnx[which](), [
    () => (which = 'engine'),
    () => (which = 'bare'),
  ]);
  console.log(`    ONNX Runtime: ${value(engine).toFixed(2)} (bare session: ${value(bare).toFixed(2)})`);
  return { engine: value(engine), bare: value(bare) };
}

async function profileWorkload(w: Workload, p: Prepared, byShape: boolean): Promise<void> {
  const steps = 2 * w.repsFactor;
  const prof = await profileKernels(
    async () => {
      for (let i = 0; i < steps; i++) await p.step();
    },
    { byShape },
  );
  console.log(`\nkernel profile: ${w.name} (${steps} steps; ms per step)\n${formatKernelProfile(prof, steps)}\n`);
}

/** Times `w` on the webgpu backend (prepared there), then switches back to `back`; returns its value. */
async function timeOnWebgpu(w: Workload, opts: Options, back: string): Promise<number> {
  await tf.setBackend('webgpu');
  const p = await w.prepare();
  try {
    const [ms] = await timeSettings(opts.reps * w.repsFactor, p.step, [() => undefined]);
    const v = w.unit === 'images/s' ? (w.batch * 1000) / ms : ms;
    console.log(
      `  ${w.name} on webgpu: ${w.unit === 'images/s' ? `${v.toFixed(2)} images/s` : `${v.toFixed(0)} ms/step`}`,
    );
    return v;
  } finally {
    p.dispose();
    await tf.setBackend(back);
  }
}

interface TableInfo {
  header: string;
  /** tfjs's backend, e.g. "wasm, 2 threads". */
  backend: string;
  threads: number;
  /** The WebGPU adapter of the WebGPU column (`--webgpu`). */
  adapter?: string;
}

/** "2.00x": how many times better `a` is than `b` (more images/s, or fewer ms/step). */
function better(unit: Row['unit'], a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined) return '';
  return `${(unit === 'images/s' ? a / b : b / a).toFixed(2)}x`;
}

function printTable(rows: Row[], torch: Record<string, number> | string, t: TableInfo): void {
  console.log(`\n${t.header}`);
  if (typeof torch === 'string') console.log(`PyTorch: ${torch}`);
  const gpu = t.adapter ? ` WebGPU (${t.adapter}) | WebGPU vs tfjs |` : '';
  console.log(
    `| workload | unit | tfjs (${t.backend}) | PyTorch (${t.threads} threads) | tfjs / PyTorch | ` +
      `ONNX Runtime (engine / bare) |${gpu}`,
  );
  console.log(`|---|---|---|---|---|---|${t.adapter ? '---|---|' : ''}`);
  for (const r of rows) {
    const v = typeof torch === 'string' ? undefined : torch[r.torch];
    const fmt = (x: number | undefined): string =>
      x === undefined ? '' : r.unit === 'images/s' ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0);
    const ratio = v === undefined ? '' : `${(r.value / v).toFixed(2)}x`;
    const onnx = r.onnx
      ? `${fmt(r.onnx.engine)} / ${fmt(r.onnx.bare)} (${better(r.unit, r.onnx.engine, r.value)} tfjs)`
      : '';
    const g = t.adapter ? ` ${fmt(r.webgpu)} | ${better(r.unit, r.webgpu, r.value)} |` : '';
    console.log(`| ${r.name} | ${r.unit} | ${fmt(r.value)} | ${fmt(v)} | ${ratio} | ${onnx} |${g}`);
  }
  if (t.adapter) console.log('(WebGPU vs tfjs: times as fast as the tfjs column, images/s or the inverse of ms/step)');
}

async function main(): Promise<void> {
  const opts = benchOptions(process.argv.slice(2));
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown cpu'}, ${cores} cores, Node ${process.version}`);
  const info = await initBackend({ force: opts.backend ? parseBackendEnv(opts.backend) : undefined });
  if (info.choice === 'cpu') console.log('(the cpu backend needs minutes per VGG step; use --quick)');
  const adapter = info.adapter ?? (opts.webgpu ? (await startWebgpu({ allowSoftware: true })).adapter.name : undefined);
  const withGpu = opts.webgpu && info.choice !== 'webgpu';
  const chosen = WORKLOADS.filter((w) => !opts.only || opts.only.some((o) => w.name.toLowerCase().includes(o)));
  // PyTorch gets the threads tfjs has (WASM_THREADS=1 npm run bench compares one thread each).
  const torchThreads = info.threads > 0 ? info.threads : cores;
  const rows: Row[] = [];
  const torch: Record<string, number> = {};
  let torchNote: string | undefined = opts.torch ? undefined : 'not run (--no-torch)';
  for (const w of chosen) {
    const p = await w.prepare();
    try {
      rows.push(...(await runWorkload(w, p, opts, info.choice === 'wasm')));
      if (opts.profile) await profileWorkload(w, p, opts.shapes);
    } finally {
      p.dispose();
    }
    if (withGpu)
      rows[rows.length - (w.direct && info.choice === 'wasm' ? 2 : 1)].webgpu = await timeOnWebgpu(
        w,
        opts,
        info.tfBackend,
      );
    // PyTorch right after the same workload, so that both see about the same machine load.
    if (torchNote) continue;
    const t = torchRows(opts.reps, torchThreads, [w.torch]);
    if (typeof t === 'string') torchNote = t;
    else Object.assign(torch, t);
  }
  const header =
    `${backendSummary(info)} backend; VGG16 and convnet: batch ${BATCH}, ` +
    `${SIZE}x${SIZE}; median of ${opts.reps} after a warm-up`;
  const backend = backendSummary(info);
  printTable(rows, torchNote ?? torch, {
    header,
    backend,
    threads: torchThreads,
    adapter: withGpu ? adapter : undefined,
  });
}

runMain('bench', main);
