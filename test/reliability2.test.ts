/**
 * Reliability, round 2 (issue 18): concurrent runs on one target, files that are not what they claim, and errors
 * that name their cause. One test per item of the issue, named `reliability 2 #N` (failures) and
 * `reliability 2 weak: ...` (weak answers), against loopback fakes and generated files.
 */
import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { envNumber } from '../lib/core/config';
import { imageDatasetFromDirectory } from '../lib/data/imageDataset';
import { getFile } from '../lib/io/download';
import { IdleTimeout } from '../lib/io/idleTimeout';
import { loadModel, saveModel } from '../lib/io/modelIO';
import { unzip, UNZIP_MARKER } from '../lib/io/unzip';
import { serveBytes, startServer, type Handler } from './helpers/server';
import { tempDir } from './helpers/tempDir';
import { makeZip } from './helpers/zip';
import { slowWriter } from './helpers/slowWriter';

const ROOT = path.resolve(__dirname, '..');
const CHILD = path.join(__dirname, 'helpers', 'ioChild.ts');

before(async () => {
  await tf.setBackend('cpu');
});

/** Every file under `dir`, relative, sorted. */
function tree(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((p) => !fs.statSync(path.join(dir, p)).isDirectory())
    .sort();
}

/** A Drive file id of the usual shape (the fake serves any). */
const ID = '1abcdefghijklmnopqrstuvwxyz0123456';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('reliability 2 #1: two unzips into one folder at once serialize; "complete" only with every entry on disk', async () => {
  const dir = tempDir('rel2-unzip-');
  const entries = Array.from({ length: 30 }, (_, i) => ({ name: `top/f${i}.txt`, data: `file ${i} `.repeat(40) }));
  const zip = path.join(dir, 'a.zip');
  fs.writeFileSync(zip, makeZip(entries));
  const dest = path.join(dir, 'out');
  const opts = { quiet: true, writeStream: slowWriter(3) };
  const results = await Promise.all([unzip(zip, dest, opts), unzip(zip, dest, opts)]);
  assert.deepEqual(results.map((r) => r.files).sort(), [30, 30]);
  assert.deepEqual(results.map((r) => r.skipped).sort(), [false, true]);
  assert.equal(tree(dest).length, 31);
  assert.equal(JSON.parse(fs.readFileSync(path.join(dest, UNZIP_MARKER), 'utf8')).files, 30);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['a.zip', 'out']);

  // A lock left by a run that was killed (its process is gone) is taken over.
  fs.rmSync(dest, { recursive: true });
  const dead = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => dead.on('exit', r));
  fs.writeFileSync(
    `${dest}.lock`,
    JSON.stringify({ pid: dead.pid, host: (await import('node:os')).hostname(), what: 'extracting', since: '' }),
  );
  assert.equal((await unzip(zip, dest, { quiet: true })).files, 30);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['a.zip', 'out']);
});

test('reliability 2 #1: after SIGHUP to tsx, its child stops extracting and leaves no temp folder', async () => {
  const dir = tempDir('rel2-hup-');
  const entries = Array.from({ length: 400 }, (_, i) => ({ name: `f${i}.txt`, data: `file ${i}` }));
  const zip = path.join(dir, 'a.zip');
  fs.writeFileSync(zip, makeZip(entries));
  const dest = path.join(dir, 'out');
  const tsx = spawn(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [CHILD, 'unzip', zip, dest, '20'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const pid = await new Promise<number>((resolve) =>
    tsx.stdout.on('data', (d) => {
      out += d;
      const m = /start (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    }),
  );
  await sleep(400);
  tsx.kill('SIGHUP');
  for (let waited = 0; isAlive(pid) && waited < 3000; waited += 50) await sleep(50);
  const stillRunning = isAlive(pid);
  if (stillRunning) process.kill(pid, 'SIGKILL');
  assert.equal(stillRunning, false, 'the extracting process went on after SIGHUP');
  assert.deepEqual(fs.readdirSync(dir), ['a.zip']);
});

test('reliability 2 #2: re-extracting a changed zip keeps the files the user added and says what it replaces', async (t) => {
  const dir = tempDir('rel2-reextract-');
  const zip = path.join(dir, 'data.zip');
  const dest = path.join(dir, 'data');
  fs.writeFileSync(
    zip,
    makeZip([
      { name: 'train/a.txt', data: 'a1' },
      { name: 'train/old.txt', data: 'old' },
    ]),
  );
  await unzip(zip, dest, { quiet: true });
  fs.writeFileSync(path.join(dest, 'mine.txt'), 'mine');
  fs.writeFileSync(path.join(dest, 'train', 'notes.txt'), 'notes');
  fs.writeFileSync(
    zip,
    makeZip([
      { name: 'train/a.txt', data: 'a2-new' },
      { name: 'train/b.txt', data: 'b' },
    ]),
  );
  fs.utimesSync(zip, new Date(), new Date(Date.now() + 5000));
  const log = t.mock.method(console, 'log', () => undefined);
  const r = await unzip(zip, dest);
  const said = log.mock.calls.map((c) => String(c.arguments[0])).join('\n');
  assert.equal(r.skipped, false);
  assert.equal(fs.readFileSync(path.join(dest, 'mine.txt'), 'utf8'), 'mine');
  assert.equal(fs.readFileSync(path.join(dest, 'train', 'notes.txt'), 'utf8'), 'notes');
  assert.equal(fs.readFileSync(path.join(dest, 'train', 'a.txt'), 'utf8'), 'a2-new');
  assert.deepEqual(tree(dest), [UNZIP_MARKER, 'mine.txt', 'train/a.txt', 'train/b.txt', 'train/notes.txt'].sort());
  assert.match(said, /replac/i);
  assert.match(said, /mine\.txt|2 files you added/);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['data', 'data.zip']);
});

/** A server route that ignores Range and sends `data` slowly, in chunks. */
function slowNoRange(data: Buffer, chunk = 8192, gapMs = 15): Handler {
  return (_req, res) => {
    res.setHeader('Content-Length', String(data.length));
    res.setHeader('Content-Type', 'application/octet-stream');
    let at = 0;
    const next = () => {
      if (res.destroyed) return;
      if (at >= data.length) return void res.end();
      res.write(data.subarray(at, (at += chunk)));
      setTimeout(next, gapMs);
    };
    next();
  };
}

test('reliability 2 #3: two downloads to one file while the server ignores Range end with the right bytes', async () => {
  const data = Buffer.alloc(160_000);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + 3) % 251;
  const server = await startServer({ '/f.bin': slowNoRange(data) });
  try {
    const dir = tempDir('rel2-dl2-');
    const dest = path.join(dir, 'f.bin');
    const url = `${server.base}/f.bin`;
    const got = await Promise.allSettled([
      getFile(url, { dest, quiet: true, retries: 0 }),
      getFile(url, { dest, quiet: true, retries: 0 }),
    ]);
    for (const g of got) assert.equal(g.status, 'fulfilled', String((g as PromiseRejectedResult).reason));
    assert.ok(fs.readFileSync(dest).equals(data), 'the file kept is not the file served');
    assert.deepEqual(fs.readdirSync(dir), ['f.bin']);

    // A part left by an earlier run, resumed with Range and answered with 200: the download starts over.
    fs.rmSync(dest);
    fs.writeFileSync(`${dest}.part`, Buffer.alloc(5000, 0));
    fs.writeFileSync(`${dest}.part.json`, JSON.stringify({ key: url, size: data.length }));
    await getFile(url, { dest, quiet: true, retries: 0 });
    assert.ok(fs.readFileSync(dest).equals(data));
    assert.deepEqual(fs.readdirSync(dir), ['f.bin']);
  } finally {
    await server.close();
  }
});

test('reliability 2 #4: class folders and images that are symbolic links are followed; loops are named and skipped', async (t) => {
  const sharp = (await import('sharp')).default;
  const dir = tempDir('rel2-links-');
  const real = path.join(dir, 'elsewhere', 'dogs');
  fs.mkdirSync(real, { recursive: true });
  fs.mkdirSync(path.join(dir, 'ds', 'cats'), { recursive: true });
  const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#808080' } })
    .png()
    .toBuffer();
  fs.writeFileSync(path.join(real, 'd1.png'), png);
  fs.writeFileSync(path.join(dir, 'elsewhere', 'c0.png'), png);
  fs.writeFileSync(path.join(dir, 'ds', 'cats', 'c1.png'), png);
  fs.symlinkSync(path.join(dir, 'elsewhere', 'c0.png'), path.join(dir, 'ds', 'cats', 'c0.png'));
  fs.symlinkSync(real, path.join(dir, 'ds', 'dogs'));
  fs.symlinkSync(real, path.join(real, 'loop'));
  const warn = t.mock.method(console, 'warn', () => undefined);
  const ds = await imageDatasetFromDirectory(path.join(dir, 'ds'), { quiet: true, imageSize: [4, 4] });
  assert.deepEqual(ds.classNames, ['cats', 'dogs']);
  assert.deepEqual(ds.filePaths.map((f) => path.relative(path.join(dir, 'ds'), f)).sort(), [
    'cats/c0.png',
    'cats/c1.png',
    'dogs/d1.png',
  ]);
  const warned = warn.mock.calls.map((c) => String(c.arguments[0])).join('\n');
  assert.match(warned, /loop/);
  assert.match(warned, /dogs.loop/);
});

test('reliability 2 #5: predict --cam never overwrites an input and never classifies an overlay', async () => {
  const sharp = (await import('sharp')).default;
  const { parsePredictArgs, predictImages } = await import('../scripts/predict');
  const dir = tempDir('rel2-cam-');
  const input = tf.input({ shape: [8, 8, 3] });
  let x = tf.layers.conv2d({ filters: 2, kernelSize: 3, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 2, activation: 'softmax' }).apply(x) as tf.SymbolicTensor;
  await saveModel(tf.model({ inputs: input, outputs: x }), path.join(dir, 'model'));
  const a = path.join(dir, 'a.png');
  const aCam = path.join(dir, 'a_cam.png');
  await sharp({ create: { width: 8, height: 8, channels: 3, background: '#ff0000' } })
    .png()
    .toFile(a);
  await sharp({ create: { width: 8, height: 8, channels: 3, background: '#0000ff' } })
    .png()
    .toFile(aCam);
  const before = fs.readFileSync(aCam);
  const preds = await predictImages(parsePredictArgs([path.join(dir, 'model'), a, aCam, '--cam', dir]), {
    quiet: true,
  });
  assert.ok(fs.readFileSync(aCam).equals(before), 'an input image was overwritten');
  const outs = preds.map((p) => path.resolve(p.camPath ?? ''));
  assert.equal(new Set([...outs, a, aCam]).size, 4, `overlay names clash: ${outs.join(', ')}`);
  for (const o of outs) assert.ok(fs.existsSync(o));
});

test('reliability 2 #6: a manifest path that leaves the model folder is refused (.., absolute, symlink out)', async () => {
  const dir = tempDir('rel2-manifest-');
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
  const mdir = path.join(dir, 'models', 'm');
  await saveModel(model, mdir);
  fs.mkdirSync(path.join(dir, 'outside'));
  fs.copyFileSync(path.join(mdir, 'weights.bin'), path.join(dir, 'outside', 'w.bin'));
  const json = JSON.parse(fs.readFileSync(path.join(mdir, 'model.json'), 'utf8'));
  const withPath = (p: string) => {
    json.weightsManifest[0].paths = [p];
    fs.writeFileSync(path.join(mdir, 'model.json'), JSON.stringify(json));
  };
  for (const p of ['../../outside/w.bin', path.join(dir, 'outside', 'w.bin')]) {
    withPath(p);
    await assert.rejects(loadModel(mdir), /outside the model folder/, p);
  }
  fs.symlinkSync(path.join(dir, 'outside', 'w.bin'), path.join(mdir, 'link.bin'));
  withPath('./link.bin');
  await assert.rejects(loadModel(mdir), /outside the model folder/);
  withPath('./weights.bin');
  assert.equal((await loadModel(mdir)).layers.length, 1);
});

test('reliability 2 #7: gzip-encoded downloads succeed (Content-Length of the compressed body); identity is asked for', async () => {
  const data = Buffer.from('payload '.repeat(5000));
  const gz = gzipSync(data);
  const server = await startServer({
    '/always-gzip': (_req, res) => {
      res.setHeader('Content-Type', 'application/octet-stream');
      res.setHeader('Content-Encoding', 'gzip');
      res.setHeader('Content-Length', String(gz.length));
      res.end(gz);
    },
    '/negotiated': (req, res) => {
      const gzip = /gzip/.test(String(req.headers['accept-encoding'] ?? ''));
      res.setHeader('Content-Type', 'application/octet-stream');
      if (gzip) res.setHeader('Content-Encoding', 'gzip');
      res.setHeader('Content-Length', String(gzip ? gz.length : data.length));
      res.end(gzip ? gz : data);
    },
  });
  try {
    const dir = tempDir('rel2-gzip-');
    for (const route of ['/always-gzip', '/negotiated']) {
      const dest = path.join(dir, `${route.slice(1)}.bin`);
      await getFile(`${server.base}${route}`, { dest, quiet: true, retries: 0 });
      assert.ok(fs.readFileSync(dest).equals(data), route);
    }
    const asked = server.requests.filter((r) => r.url === '/negotiated').map((r) => r.headers['accept-encoding']);
    assert.deepEqual(asked, ['identity']);
  } finally {
    await server.close();
  }
});

test('reliability 2 #8: numeric environment variables are range-checked, naming the variable, value and range', () => {
  assert.throws(
    () => envNumber('DOWNLOAD_IDLE_TIMEOUT_S', 60, { DOWNLOAD_IDLE_TIMEOUT_S: '99999999' }),
    /DOWNLOAD_IDLE_TIMEOUT_S=99999999 is out of range: use a number from 0\.001 to 2147483/,
  );
  assert.equal(envNumber('DOWNLOAD_IDLE_TIMEOUT_S', 60, { DOWNLOAD_IDLE_TIMEOUT_S: '2147483' }), 2147483);
  assert.throws(
    () => envNumber('UNZIP_MAX_RATIO', 1000, { UNZIP_MAX_RATIO: '0.5' }),
    /UNZIP_MAX_RATIO=0\.5 is out of range/,
  );
  assert.throws(
    () => envNumber('UNZIP_MAX_BYTES', 1, { UNZIP_MAX_BYTES: '1e400' }),
    /UNZIP_MAX_BYTES=1e400 is not a number/,
  );
  assert.throws(
    () => envNumber('WASM_THREADS', 2, { WASM_THREADS: 'abc' }),
    /WASM_THREADS=abc is not a number: use a whole number from 1 to/,
  );
  assert.throws(() => new IdleTimeout(3e9), /idle timeout of 3000000 s is out of range/);
});

test('reliability 2 weak: raw system errors become messages naming the path and the fix', async () => {
  const dir = tempDir('rel2-errno-');
  const file = path.join(dir, 'afile');
  fs.writeFileSync(file, 'x');
  const server = await startServer({ '/f': serveBytes(Buffer.from('data')) });
  try {
    await assert.rejects(getFile(`${server.base}/f`, { dest: path.join(file, 'x.bin'), quiet: true }), (err: Error) => {
      assert.match(err.message, /afile.* (is a file, not a folder|a file of that name is in the way)/);
      assert.doesNotMatch(err.message, /^E[A-Z]+:/);
      return true;
    });
  } finally {
    await server.close();
  }
  const { loadNpy } = await import('../lib/io/npy');
  assert.throws(() => loadNpy(dir), /is a folder where a file is expected/);
  const { readKerasWeights } = await import('../lib/io/kerasHdf5');
  assert.throws(() => readKerasWeights(dir), /is a folder where a file is expected/);
  const { loadImage } = await import('../lib/data/imageDataset');
  await assert.rejects(loadImage(dir), /is a folder where a file is expected/);
  const { overlayPaths } = await import('../lib/explain/overlayNames');
  assert.throws(() => overlayPaths(['a.png'], file), /--cam .*afile is a file, not a folder/);
  const zip = path.join(dir, 'clash.zip');
  for (const [entries, why] of [
    [
      [
        { name: 'a', data: '1' },
        { name: 'a/b', data: '2' },
      ],
      /entries 'a' \(a file\) and 'a\/b'/,
    ],
    [[{ name: `${'n'.repeat(300)}.txt`, data: '1' }], /a name of 304 bytes/],
    [[{ name: 'x\0y', data: '1' }], /NUL character/],
  ] as const) {
    fs.writeFileSync(zip, makeZip([...entries]));
    await assert.rejects(unzip(zip, path.join(dir, 'out'), { quiet: true }), why);
    assert.equal(fs.existsSync(path.join(dir, 'out')), false);
  }
  fs.writeFileSync(zip, makeZip([{ name: 'a', data: '1' }]));
  await assert.rejects(
    unzip(zip, path.join(file, 'out'), { quiet: true }),
    /afile (is a file, not a folder|cannot be created: a file of that name is in the way)/,
  );
});

test('reliability 2 weak: Drive answers are diagnosed (redirect loop, stalled page, pages and names that are not files)', async () => {
  const { gdown } = await import('../lib/io/gdown');
  const { filenameFromContentDisposition } = await import('../lib/io/drivePage');
  const server = await startServer({
    '/uc': (_req, res) => {
      res.statusCode = 302;
      res.setHeader('Location', '/loop');
      res.end();
    },
    '/loop': (_req, res) => {
      res.statusCode = 302;
      res.setHeader('Location', `/uc?export=download&id=${ID}`);
      res.end();
    },
  });
  const dir = tempDir('rel2-drive-');
  try {
    await assert.rejects(
      gdown(ID, { output: path.join(dir, 'f.zip'), baseUrl: server.base, quiet: true }),
      /redirects in a loop/,
    );
    server.route('/uc', (_req, res) => {
      res.setHeader('Content-Type', 'application/octet-stream');
      res.end('<!DOCTYPE html><html>quota</html>');
    });
    await assert.rejects(gdown(ID, { output: path.join(dir, 'f.zip'), baseUrl: server.base, quiet: true }));
    assert.deepEqual(fs.readdirSync(dir), []);
    server.route('/uc', (_req, res) => {
      res.setHeader('Content-Type', 'text/html');
      res.write('<html>');
    });
    const env = process.env.DOWNLOAD_IDLE_TIMEOUT_S;
    process.env.DOWNLOAD_IDLE_TIMEOUT_S = '0.3';
    try {
      await assert.rejects(
        gdown(ID, { output: path.join(dir, 'f.zip'), baseUrl: server.base, quiet: true }),
        (err: Error) => {
          assert.match(err.message, /stopped sending data/);
          assert.ok(err.message.includes(`/uc?export=download&id=${ID}`), err.message);
          assert.ok(err.message.includes(`file ${ID}`), err.message);
          assert.match(err.message, /Try again later/);
          return true;
        },
      );
    } finally {
      if (env === undefined) delete process.env.DOWNLOAD_IDLE_TIMEOUT_S;
      else process.env.DOWNLOAD_IDLE_TIMEOUT_S = env;
    }
    server.route(
      '/uc',
      serveBytes(Buffer.from('zipdata'), { headers: { 'Content-Disposition': 'attachment; filename=".bashrc"' } }),
    );
    assert.equal(await gdown(ID, { output: `${dir}/`, baseUrl: server.base, quiet: true }), path.join(dir, 'bashrc'));
    fs.writeFileSync(path.join(dir, 'empty.zip'), '');
    await gdown(ID, { output: path.join(dir, 'empty.zip'), baseUrl: server.base, quiet: true });
    assert.equal(
      fs.readFileSync(path.join(dir, 'empty.zip'), 'utf8'),
      'zipdata',
      'an empty file counted as downloaded',
    );
    fs.mkdirSync(path.join(dir, 'sub', 'afolder'), { recursive: true });
    server.route(
      '/uc',
      serveBytes(Buffer.from('zipdata'), { headers: { 'Content-Disposition': 'attachment; filename="afolder"' } }),
    );
    await assert.rejects(
      gdown(ID, { output: `${dir}/sub/`, baseUrl: server.base, quiet: true }),
      /afolder: that is a folder/,
    );
  } finally {
    await server.close();
  }
  const long = filenameFromContentDisposition(`attachment; filename="${'x'.repeat(300)}.zip"`) ?? '';
  assert.ok(long.endsWith('.zip') && Buffer.byteLength(long) <= 200, long);
});

test(
  'reliability 2 weak: wrong diagnoses fixed (--size, LESSON_PROFILE hint, WASM_THREADS, empty lesson zip, ' +
    'gdown under LESSON_ROOT)',
  async () => {
    const { parseImageSize } = await import('../lib/data/imageSize');
    assert.throws(() => parseImageSize('0'), /--size 0: each side must be from 1 to 8192/);
    assert.throws(() => parseImageSize('40000x40000'), /--size 40000x40000: each side must be from 1 to 8192/);
    assert.deepEqual(parseImageSize('150x200'), [150, 200]);
    const { ENV_VARS, envChoice } = await import('../lib/core/config');
    assert.doesNotMatch(ENV_VARS.LESSON_PROFILE, /sample/);
    assert.throws(
      () => envChoice('LESSON_PROFILE', ['full', 'mini', 'auto'] as const, 'auto', { LESSON_PROFILE: 'sample' }),
      /full, mini, auto \(lesson profile: full, mini, or auto/,
    );
    const root = tempDir('rel2-root-');
    fs.mkdirSync(path.join(root, 'data'));
    fs.writeFileSync(path.join(root, 'data', 'cats_and_dogs_small.zip'), '');
    const probe = [
      "const { resolveProfile } = require('./lib/lesson/profile');",
      "const { parseGdownArgs } = require('./scripts/gdown');",
      "const { initBackend } = require('./lib/backend/select');",
      'console.log(JSON.stringify({ profile: resolveProfile().name, output: parseGdownArgs([]).output }));',
      "initBackend({ quiet: true }).then(() => console.log('started'), (e) => console.log('error: ' + e.message));",
    ].join('\n');
    const out = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '-e', probe], {
        cwd: ROOT,
        env: { ...process.env, LESSON_ROOT: root, WASM_THREADS: 'abc', TFJS_BACKEND: '', LESSON_PROFILE: '' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let text = '';
      child.stdout.on('data', (d) => (text += d));
      child.on('exit', () => resolve(text));
    });
    const [first, second] = out.trim().split('\n');
    assert.deepEqual(JSON.parse(first), {
      profile: 'mini',
      output: path.join(root, 'data', 'cats_and_dogs_small.zip'),
    });
    assert.match(second, /^error: WASM_THREADS=abc is not a number/);
    assert.doesNotMatch(second, /TFJS_BACKEND/);
  },
);
