/**
 * Fault injection (issue 10): a download and an extraction run in a child process that is killed (SIGINT or
 * SIGKILL) at a random moment, for several seeds; then they run again here. The final files must always be
 * complete and correct, and no temporary file may remain. Then (issue 18) two writers run at once on each kind
 * of target (a download, an extraction, an atomically written file): both succeed, the target is right, and
 * nothing else is left.
 */
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { seededRandom } from '../lib/core/random';
import { getFile } from '../lib/io/download';
import { UNZIP_MARKER, unzip } from '../lib/io/unzip';
import { startServer, type TestServer } from './helpers/server';
import { makeZip } from './helpers/zip';
import { tempDir } from './helpers/tempDir';

const SEEDS = [101, 202, 303, 404];
const CHILD = path.join(__dirname, 'helpers', 'ioChild.ts');
const data = randomBytes(2_000_000);
const sha256 = createHash('sha256').update(data).digest('hex');
let server: TestServer;
let tmp: string;

/** Serves `data` slowly (32 kB every 8 ms, about half a second), honouring Range + If-Range. */
function slowFile(): Parameters<typeof startServer>[0] {
  return {
    '/slow.bin': (req, res) => {
      res.setHeader('ETag', '"slow-1"');
      const m = /^bytes=(\d+)-$/.exec(String(req.headers.range ?? ''));
      const ifRange = req.headers['if-range'];
      const start = m && (ifRange === undefined || ifRange === '"slow-1"') ? Number(m[1]) : 0;
      if (start > 0) {
        res.statusCode = 206;
        res.setHeader('Content-Range', `bytes ${start}-${data.length - 1}/${data.length}`);
      }
      res.setHeader('Content-Length', String(data.length - start));
      let at = start;
      const tick = () => {
        if (res.destroyed) return;
        const end = Math.min(data.length, at + 32_000);
        res.write(data.subarray(at, end));
        at = end;
        if (at < data.length) setTimeout(tick, 8);
        else res.end();
      };
      tick();
    },
  };
}

before(async () => {
  server = await startServer(slowFile());
  tmp = tempDir('io-faults-');
});
after(() => server.close());

/**
 * Runs the child with `args`, sends `signal` `delayMs` after it prints `start` (and `ready()` holds, when given),
 * and waits for it to end. `killed` is false when it had finished before the signal.
 */
async function interrupt(
  args: string[],
  signal: NodeJS.Signals,
  delayMs: number,
  ready = () => true,
): Promise<{ killed: boolean }> {
  // node itself with tsx's loader (not the tsx command, which runs the script in a second process a signal would miss)
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) =>
    child.on('exit', (code, sig) => r({ code, signal: sig })),
  );
  let out = '';
  const started = new Promise<void>((resolve) =>
    child.stdout.on('data', (d) => ((out += d), out.includes('start') && resolve())),
  );
  await Promise.race([started, exited]);
  for (let waited = 0; !ready() && waited < 5000; waited += 5) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, delayMs));
  child.kill(signal);
  const end = await exited;
  return { killed: end.signal !== null || !out.includes('done') };
}

test('downloads killed at random points (SIGINT / SIGKILL) end complete and correct on the next run, with no temp files', async () => {
  let resumed = 0;
  for (const [i, seed] of SEEDS.entries()) {
    const rand = seededRandom(seed);
    const dir = path.join(tmp, `dl-${seed}`);
    const dest = path.join(dir, 'file.bin');
    const url = `${server.base}/slow.bin`;
    const signal = i % 2 ? 'SIGKILL' : 'SIGINT';
    const sent = server.requests.length;
    // The moment: a random point of the half-second transfer, counted from the child's request.
    await interrupt(['download', url, dest], signal, Math.floor(rand() * 600), () => server.requests.length > sent);
    const before = server.requests.length;
    await getFile(url, { dest, quiet: true, hash: sha256 });
    assert.deepEqual(fs.readFileSync(dest), data, `seed ${seed} (${signal})`);
    assert.deepEqual(fs.readdirSync(dir), ['file.bin'], `seed ${seed} (${signal}): nothing else left`);
    if (
      server.requests.slice(before).some((r) => r.headers.range !== undefined && r.headers['if-range'] === '"slow-1"')
    )
      resumed++;
  }
  assert.ok(resumed >= 1, `at least one rerun resumed the interrupted download (${resumed})`);
});

test('extractions killed at random points (SIGINT / SIGKILL) end complete and correct on the next run, with no temp files', async () => {
  const files = Array.from({ length: 150 }, (_, i) => ({
    name: `set/d${i % 5}/f${i}.bin`,
    data: randomBytes(100_000),
    store: i % 3 === 0,
  }));
  const zip = path.join(tmp, 'set.zip');
  fs.writeFileSync(zip, makeZip(files));
  let interrupted = 0;
  for (const [i, seed] of SEEDS.entries()) {
    const rand = seededRandom(seed);
    const area = path.join(tmp, `unzip-${seed}`);
    fs.mkdirSync(area);
    const dest = path.join(area, 'set');
    const signal = i % 2 ? 'SIGKILL' : 'SIGINT';
    const { killed } = await interrupt(['unzip', zip, dest], signal, Math.floor(rand() * 700));
    if (killed) interrupted++;
    if (killed && signal === 'SIGINT')
      assert.ok(!fs.existsSync(path.join(area, '.set.unzip-tmp')), `seed ${seed}: Ctrl-C removed the temp folder`);
    const r = await unzip(zip, dest, { quiet: true });
    assert.equal(r.files, files.length, `seed ${seed} (${signal})`);
    for (const f of files)
      assert.ok(
        fs.readFileSync(path.join(dest, f.name.slice('set/'.length))).equals(f.data),
        `seed ${seed}: ${f.name}`,
      );
    assert.deepEqual(fs.readdirSync(area), ['set'], `seed ${seed} (${signal}): no temp folder left`);
    assert.ok(fs.existsSync(path.join(dest, UNZIP_MARKER)));
  }
  assert.ok(interrupted >= 1, `at least one extraction was interrupted (${interrupted})`);
});

/** Runs the child with `args` to its end; resolves with its exit code and what it printed. */
function runChild(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out })));
}

test('reliability 2: two writers at once on each kind of target (download, extraction, atomic file) never corrupt it', async () => {
  const area = path.join(tmp, 'two-writers');
  fs.mkdirSync(area);
  const dest = path.join(area, 'file.bin');
  const zip = path.join(tmp, 'pair.zip');
  const files = Array.from({ length: 60 }, (_, i) => ({ name: `f${i}.bin`, data: randomBytes(20_000) }));
  fs.writeFileSync(zip, makeZip(files));
  const out = path.join(area, 'out');
  const text = path.join(area, 'report.txt');
  const runs = await Promise.all([
    runChild(['download', `${server.base}/slow.bin`, dest]),
    runChild(['download', `${server.base}/slow.bin`, dest]),
    runChild(['unzip', zip, out, '2']),
    runChild(['unzip', zip, out, '2']),
    runChild(['write', text, 'first writer. ']),
    runChild(['write', text, 'second writer. ']),
  ]);
  for (const r of runs) assert.equal(r.code, 0, r.out);
  assert.deepEqual(fs.readFileSync(dest), data);
  for (const f of files) assert.ok(fs.readFileSync(path.join(out, f.name)).equals(f.data), f.name);
  const written = fs.readFileSync(text, 'utf8');
  assert.ok(/^(first writer\. )+$|^(second writer\. )+$/.test(written), 'the file mixes two writers');
  assert.deepEqual(fs.readdirSync(area).sort(), ['file.bin', 'out', 'report.txt']);
});
