/**
 * A per-kernel profile of what runs on a backend: wall time and CPU time (all threads of the process) per kernel
 * name, for `npm run bench -- --profile`. While a profile runs, every kernel registered for the backend is replaced
 * by a timed wrapper (the engine looks kernels up at each call, so nothing else changes); a kernel that runs
 * others inside it (the project's composite kernels) is counted once, at the outermost call, with all of its time.
 * CPU time over wall time tells whether a kernel ran on one thread (about 1) or on several (up to the thread count);
 * idle pool threads that spin-wait count as CPU time too, so the figure is an upper bound.
 */
import * as tf from '@tensorflow/tfjs';

/** One kernel name's totals over a profile. */
export interface KernelRow {
  /** The kernel's name (tfjs's, e.g. 'FusedConv2D'). */
  name: string;
  /** Outermost calls. */
  calls: number;
  /** Wall-clock milliseconds, outermost calls only. */
  ms: number;
  /** CPU milliseconds of the whole process (every thread) during those calls. */
  cpuMs: number;
}

/** A finished profile: kernels sorted by time, and the wall time spent outside any kernel. */
export interface KernelProfile {
  rows: KernelRow[];
  /** Wall milliseconds of the profiled function. */
  totalMs: number;
  /** Wall milliseconds outside every kernel (JavaScript: the engine, layers, optimizers, awaiting data). */
  outsideMs: number;
  /** CPU milliseconds of the whole process over the profiled function. */
  totalCpuMs: number;
}

function cpuMsNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** The row a call counts in: the kernel's name, with its input shapes when `byShape`. */
function rowKey(name: string, inputs: tf.NamedTensorInfoMap, byShape: boolean): string {
  if (!byShape) return name;
  const shapes = Object.entries(inputs)
    .filter(([, t]) => t)
    .map(([k, t]) => `${k}:${(t as tf.TensorInfo).shape.join('x')}`);
  return `${name} ${shapes.join(' ')}`;
}

/** Replaces the backend's kernels by timed wrappers; returns the function that puts the originals back. */
function wrapKernels(backendName: string, stats: Map<string, KernelRow>, byShape: boolean): () => void {
  const originals = tf.getKernelsForBackend(backendName);
  let depth = 0;
  for (const cfg of originals) {
    const timed: tf.KernelFunc = (args) => {
      if (depth > 0) return cfg.kernelFunc(args);
      depth++;
      const c0 = cpuMsNow();
      const t0 = performance.now();
      try {
        return cfg.kernelFunc(args);
      } finally {
        const key = rowKey(cfg.kernelName, args.inputs, byShape);
        let row = stats.get(key);
        if (!row) stats.set(key, (row = { name: key, calls: 0, ms: 0, cpuMs: 0 }));
        row.ms += performance.now() - t0;
        row.cpuMs += cpuMsNow() - c0;
        row.calls++;
        depth--;
      }
    };
    tf.unregisterKernel(cfg.kernelName, backendName);
    tf.registerKernel({ ...cfg, kernelFunc: timed });
  }
  return () => {
    for (const cfg of originals) {
      tf.unregisterKernel(cfg.kernelName, backendName);
      tf.registerKernel(cfg);
    }
  };
}

/**
 * Runs `fn` with every kernel of the active backend timed; returns the profile (one row per kernel name, or per
 * name and input shapes with `byShape`). Kernels are put back afterwards, even when `fn` throws.
 */
export async function profileKernels(
  fn: () => Promise<unknown>,
  opts: { backendName?: string; byShape?: boolean } = {},
): Promise<KernelProfile> {
  const stats = new Map<string, KernelRow>();
  const restore = wrapKernels(opts.backendName ?? tf.getBackend(), stats, opts.byShape ?? false);
  const c0 = cpuMsNow();
  const t0 = performance.now();
  try {
    await fn();
  } finally {
    restore();
  }
  const totalMs = performance.now() - t0;
  const totalCpuMs = cpuMsNow() - c0;
  const rows = [...stats.values()].sort((a, b) => b.ms - a.ms);
  const inKernels = rows.reduce((s, r) => s + r.ms, 0);
  return { rows, totalMs, outsideMs: Math.max(0, totalMs - inKernels), totalCpuMs };
}

/**
 * A Markdown table of a profile divided by `steps` (per step), with the kernels under `minShare` of the wall time
 * folded into one row. CPU ms counts every thread of the process: on a machine shared with other work it moves
 * less than wall time does.
 */
export function formatKernelProfile(p: KernelProfile, steps = 1, minShare = 0.005): string {
  const lines = ['| kernel | calls/step | ms/step | share | CPU ms/step | CPU/wall |', '|---|---|---|---|---|---|'];
  const fmt = (ms: number): string => (ms / steps).toFixed(ms / steps < 10 ? 2 : 1);
  const pct = (ms: number): string => `${((100 * ms) / p.totalMs).toFixed(1)}%`;
  const rest = { calls: 0, ms: 0, cpuMs: 0 };
  for (const r of p.rows) {
    if (r.ms / p.totalMs < minShare) {
      rest.calls += r.calls;
      rest.ms += r.ms;
      rest.cpuMs += r.cpuMs;
      continue;
    }
    const par = r.ms > 0 ? (r.cpuMs / r.ms).toFixed(2) : '';
    lines.push(
      `| ${r.name} | ${(r.calls / steps).toFixed(0)} | ${fmt(r.ms)} | ${pct(r.ms)} | ${fmt(r.cpuMs)} | ${par} |`,
    );
  }
  if (rest.calls)
    lines.push(
      `| (${rest.calls / steps} calls of other kernels) | | ${fmt(rest.ms)} | ${pct(rest.ms)} | ${fmt(rest.cpuMs)} | |`,
    );
  lines.push(`| (outside kernels: JavaScript) | | ${fmt(p.outsideMs)} | ${pct(p.outsideMs)} | | |`);
  lines.push(`| **total** | | ${fmt(p.totalMs)} | 100% | ${fmt(p.totalCpuMs)} | |`);
  return lines.join('\n');
}
