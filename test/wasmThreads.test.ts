/**
 * Multi-threaded wasm (lib/backend/wasm/threads.ts): thread-count parsing, identical results with 1 and N threads,
 * and a script that used threaded wasm exits by itself. The backend starts once per process, so each thread
 * count runs in a child `node` process.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { wasmThreadCount } from '../lib/backend/wasm/threads';
import { tempDir } from './helpers/tempDir';

const ROOT = path.resolve(__dirname, '..');
const TSX = require.resolve('tsx/cli');
let dir: string;
let script: string;

/**
 * The child: threaded wasm via initBackend, a conv net forward + gradient (Winograd convolutions and their input
 * gradient among them) + matmuls, hashes of the outputs.
 */
const CHILD = `
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'crypto';
import { initBackend } from ${JSON.stringify(path.join(ROOT, 'lib/backend/select'))};
(async () => {
  const info = await initBackend({ force: 'wasm', quiet: true });
  let seed = 7;
  const rnd = (shape: number[]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) { seed = (seed * 1103515245 + 12345) % 2147483648; v[i] = seed / 2147483648 - 0.5; }
    return tf.tensor(v, shape);
  };
  const x = rnd([4, 40, 40, 16]) as tf.Tensor4D;
  const w1 = rnd([3, 3, 16, 32]) as tf.Tensor4D;
  const w2 = rnd([3, 3, 32, 16]) as tf.Tensor4D;
  const dense = rnd([16 * 10 * 10, 64]) as tf.Tensor2D;
  const outs = tf.tidy(() => {
    const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
      let h = tf.relu(tf.conv2d(x, a as tf.Tensor4D, 1, 'same'));
      h = tf.maxPool(h, 2, 2, 'valid');
      h = tf.relu(tf.conv2d(h, b as tf.Tensor4D, 1, 'same'));
      h = tf.maxPool(h, 2, 2, 'valid');
      return tf.sum(tf.square(tf.matMul(tf.reshape(h, [4, -1]), c as tf.Tensor2D)));
    };
    const grads = tf.grads(loss)([w1, w2, dense]);
    return [tf.conv2d(x, w1, 1, 'same'), tf.matMul(dense, dense, true, false), ...grads];
  });
  const hashes = outs.map((t) => createHash('sha256').update(Buffer.from((t.dataSync() as Float32Array).buffer)).digest('hex').slice(0, 16));
  console.log(JSON.stringify({ threads: info.threads, hashes }));
})();
`;

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  afterOutputMs: number;
}

/** Runs the child with WASM_THREADS=n; kills it after `killAfterMs` (reported as a signal). */
function runChild(n: number, killAfterMs = 60000): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TSX, script], {
      cwd: ROOT,
      env: { ...process.env, WASM_THREADS: String(n), TFJS_BACKEND: 'wasm' },
    });
    let stdout = '';
    let stderr = '';
    let outputAt = 0;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('"hashes"') && !outputAt) outputAt = Date.now();
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, afterOutputMs: outputAt ? Date.now() - outputAt : -1 });
    });
  });
}

function parse(r: ChildResult): { threads: number; hashes: string[] } {
  assert.equal(r.signal, null, `child was killed (did not exit by itself); stderr: ${r.stderr.slice(-500)}`);
  assert.equal(r.code, 0, `child failed: ${r.stderr.slice(-1000)}`);
  const line = r.stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  assert.ok(line, `no result line in child output: ${r.stdout.slice(-500)}`);
  return JSON.parse(line) as { threads: number; hashes: string[] };
}

before(() => {
  // Inside the project (build/ is git-ignored) so that the child resolves node_modules.
  fs.mkdirSync(path.join(ROOT, 'build'), { recursive: true });
  dir = tempDir('wasm-threads-test-', path.join(ROOT, 'build'));
  script = path.join(dir, 'child.ts');
  fs.writeFileSync(script, CHILD);
});

describe('WASM_THREADS parsing', () => {
  it('defaults to all cores (capped at 9), honours N, rejects nonsense', () => {
    const cores = os.availableParallelism();
    assert.equal(wasmThreadCount(undefined), Math.min(cores, 9));
    assert.equal(wasmThreadCount(''), Math.min(cores, 9));
    assert.equal(wasmThreadCount('1'), 1);
    assert.equal(wasmThreadCount('3'), 3);
    assert.equal(wasmThreadCount('64'), 9);
    for (const bad of ['0', '-2', '1.5', 'four'])
      assert.throws(
        () => wasmThreadCount(bad),
        /WASM_THREADS=.* (is out of range|is not a number): use a whole number from 1/,
      );
  });
});

describe('threaded wasm in child processes', () => {
  const n = Math.max(2, Math.min(os.availableParallelism(), 9));
  it(`gives bit-identical results with 1 and ${n} threads, and the child exits by itself`, async () => {
    const one = parse(await runChild(1));
    const many = parse(await runChild(n));
    assert.equal(one.threads, 1);
    assert.equal(many.threads, n, 'the backend banner reports the thread count in use');
    assert.equal(many.hashes.length, 5);
    assert.deepEqual(many.hashes, one.hashes);
  });
  it('a script that used threaded wasm ends on its own soon after its last output', async () => {
    const r = await runChild(n, 30000);
    parse(r);
    assert.ok(r.afterOutputMs >= 0 && r.afterOutputMs < 10000, `exited ${r.afterOutputMs} ms after its output`);
  });
});
