/**
 * Speed of the lesson's workloads on the active TensorFlow.js backend, next to PyTorch where it is installed.
 *
 *   npm run bench [-- --quick] [-- --backend wasm|cpu|node|gpu]
 *
 * Workloads (batch 20, 150x150 images): VGG16-notop forward (images/s); the small convnet's training step
 * (Conv 32-64-128-128 + max-pool, Flatten, Dense 512, Dense 1, RMSprop; ms/step); a VGG16 fine-tuning step
 * with block1-4 frozen (ms/step); the dense head on 4x4x512 features (ms/step). One warm-up run is excluded;
 * the median of the timed runs is shown. With `/usr/bin/python3` and torch, `bench_torch.py` measures the same
 * shapes with as many threads as cores, and the table shows the ratio. On wasm, the forward pass is also timed
 * with Winograd convolutions off (XNNPACK's direct convolution only), alternating with the default runs.
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import { setWasmWinograd } from '../lib/backend/wasm/kernels/fusedConv2dWinograd';
import { initBackend, parseBackendEnv } from '../lib/backend/select';
import { vgg16 } from '../lib/models/vgg';

const BATCH = 20;
const SIZE = 150;

interface Row {
  name: string;
  /** The PyTorch workload it compares with (default: the row's name). */
  torch?: string;
  unit: 'images/s' | 'ms/step';
  value: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs `step` once to warm up, then `reps` times; returns the median milliseconds. */
async function timeIt(reps: number, step: () => Promise<void>): Promise<number> {
  await step();
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await step();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

/** Like `timeIt` for two settings of the same step, alternating them run by run; returns both medians. */
async function timePair(reps: number, step: () => Promise<void>, setA: () => void, setB: () => void): Promise<[number, number]> {
  const a: number[] = [];
  const b: number[] = [];
  for (const set of [setA, setB]) {
    set();
    await step(); // warm-up of each setting
  }
  for (let i = 0; i < reps; i++) {
    for (const [set, out] of [[setA, a], [setB, b]] as const) {
      set();
      const t0 = performance.now();
      await step();
      out.push(performance.now() - t0);
    }
  }
  return [median(a), median(b)];
}

function smallConvnet(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [SIZE, SIZE, 3], filters: 32, kernelSize: 3, activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  for (const f of [64, 128, 128]) {
    m.add(tf.layers.conv2d({ filters: f, kernelSize: 3, activation: 'relu' }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  }
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 512, activation: 'relu' }));
  m.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
  m.compile({ optimizer: tf.train.rmsprop(1e-4), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return m;
}

function denseHead(input: tf.SymbolicTensor): tf.SymbolicTensor {
  let x = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 256, activation: 'relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dropout({ rate: 0.5 }).apply(x) as tf.SymbolicTensor;
  return tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(x) as tf.SymbolicTensor;
}

async function trainStep(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor): Promise<void> {
  await model.trainOnBatch(x, y);
}

/** The command line: `--quick` (2 timed runs instead of 5) and `--backend <name>` (else TFJS_BACKEND or the fastest). */
function benchOptions(argv: string[]): { quick: boolean; backend?: string } {
  try {
    const { values } = parseArgs({ args: argv, options: { quick: { type: 'boolean', default: false }, backend: { type: 'string' } } });
    return { quick: values.quick ?? false, backend: values.backend };
  } catch (err) {
    throw new Error(`bench: ${(err as Error).message}; use --quick and/or --backend wasm|cpu|node|gpu`, { cause: err });
  }
}

function torchRows(reps: number, threads: number): Record<string, number> | string {
  const py = '/usr/bin/python3';
  const probe = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return 'PyTorch not installed (apt-get install -y python3-torch)';
  const script = path.join(__dirname, 'bench_torch.py');
  const r = spawnSync(py, [script, '--reps', String(reps), '--threads', String(threads)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) return `bench_torch.py failed: ${(r.stderr || '').trim().split('\n').pop()}`;
  const line = r.stdout.trim().split('\n').pop() ?? '{}';
  return JSON.parse(line) as Record<string, number>;
}

async function main(): Promise<void> {
  const args = benchOptions(process.argv.slice(2));
  const reps = args.quick ? 2 : 5;
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown cpu'}, ${cores} cores, Node ${process.version}`);
  const info = await initBackend({ force: args.backend ? parseBackendEnv(args.backend) : undefined });
  if (info.choice === 'cpu') console.log('(the cpu backend needs minutes per VGG step; use --quick)');
  const rows: Row[] = [];
  const x = tf.randomUniform([BATCH, SIZE, SIZE, 3], 0, 1);
  const y = tf.cast(tf.randomUniform([BATCH, 1], 0, 2, 'int32'), 'float32');

  {
    const base = await vgg16({ includeTop: false, weights: null, inputShape: [SIZE, SIZE, 3] });
    const forward = async (): Promise<void> => {
      const out = base.predict(x) as tf.Tensor;
      await out.data();
      out.dispose();
    };
    const name = 'VGG16-notop forward';
    if (info.choice === 'wasm') {
      // Alternate Winograd on / off so that both see the same machine load.
      const both = await timePair(reps, forward, () => setWasmWinograd(true), () => setWasmWinograd(false));
      setWasmWinograd(true);
      rows.push({ name, unit: 'images/s', value: (BATCH * 1000) / both[0] });
      rows.push({ name: `${name} (direct conv, WASM_WINOGRAD=0)`, torch: name, unit: 'images/s', value: (BATCH * 1000) / both[1] });
      console.log(`  ${name}: ${rows[0].value.toFixed(2)} images/s (direct conv: ${rows[1].value.toFixed(2)})`);
    } else {
      rows.push({ name, unit: 'images/s', value: (BATCH * 1000) / (await timeIt(reps, forward)) });
      console.log(`  ${name}: ${rows[0].value.toFixed(2)} images/s`);
    }

    const head = denseHead(base.outputs[0]);
    const fine = tf.model({ inputs: base.inputs, outputs: head });
    let trainable = false;
    for (const l of base.layers) {
      if (l.name === 'block5_conv1') trainable = true;
      l.trainable = trainable;
    }
    fine.compile({ optimizer: tf.train.rmsprop(1e-5), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    rows.push({ name: 'VGG16 block5 fine-tune step', unit: 'ms/step', value: await timeIt(reps, () => trainStep(fine, x, y)) });
    console.log(`  ${rows[rows.length - 1].name}: ${rows[rows.length - 1].value.toFixed(0)} ms/step`);
    fine.dispose();
  }
  {
    const m = smallConvnet();
    rows.push({ name: 'small convnet train step', unit: 'ms/step', value: await timeIt(reps, () => trainStep(m, x, y)) });
    console.log(`  ${rows[rows.length - 1].name}: ${rows[rows.length - 1].value.toFixed(0)} ms/step`);
    m.dispose();
  }
  {
    const input = tf.input({ shape: [4, 4, 512] });
    const m = tf.model({ inputs: input, outputs: denseHead(input) });
    m.compile({ optimizer: tf.train.rmsprop(2e-5), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const f = tf.randomUniform([BATCH, 4, 4, 512]);
    rows.push({ name: 'dense head train step', unit: 'ms/step', value: await timeIt(reps * 4, () => trainStep(m, f, y)) });
    console.log(`  ${rows[rows.length - 1].name}: ${rows[rows.length - 1].value.toFixed(1)} ms/step`);
    f.dispose();
    m.dispose();
  }
  x.dispose();
  y.dispose();

  const torch = torchRows(reps, cores);
  const torchKey: Record<string, string> = {
    'VGG16-notop forward': 'vgg_forward_images_s',
    'VGG16 block5 fine-tune step': 'vgg_finetune_ms',
    'small convnet train step': 'convnet_ms',
    'dense head train step': 'head_ms',
  };
  console.log(`\n${info.choice} backend, ${info.threads} thread(s), batch ${BATCH}, ${SIZE}x${SIZE}, median of ${reps} after a warm-up`);
  if (typeof torch === 'string') console.log(`PyTorch: ${torch}`);
  console.log(`| workload | unit | tfjs ${info.choice} | PyTorch (${cores} threads) | tfjs / PyTorch |`);
  console.log('|---|---|---|---|---|');
  for (const r of rows) {
    const t = typeof torch === 'string' ? undefined : torch[torchKey[r.torch ?? r.name]];
    const fmt = (v: number): string => (r.unit === 'images/s' ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0));
    const ratio = t === undefined ? '' : `${(r.value / t).toFixed(2)}x`;
    console.log(`| ${r.name} | ${r.unit} | ${fmt(r.value)} | ${t === undefined ? '' : fmt(t)} | ${ratio} |`);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
