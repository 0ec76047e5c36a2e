import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fetchKerasWeights } from '../lib/models/weightFiles';
import { assetPath } from '../lib/core/paths';
import { serveBytes, startServer, type TestServer } from './helpers/server';
import { tempDir } from './helpers/tempDir';

// Keras publishes no hash for the MobileNet files: only the file's form tells a weight file from an error page.
const FILE = { subdir: 'mobilenet', fileName: 'mobilenet_2_5_224_tf_no_top.h5' };
const real = fs.readFileSync(assetPath('keras-weights', FILE.fileName));
const page = Buffer.from('<!DOCTYPE html><html><body>Service temporarily unavailable</body></html>');
const ENV = ['KERAS_WEIGHTS_BASE_URL', 'KERAS_WEIGHTS_DIR', 'KERAS_HOME'] as const;
const saved = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));
let server: TestServer;
let cache: string;
let kerasHome: string;
let serveReal = false;

before(async () => {
  server = await startServer({
    [`/${FILE.subdir}/${FILE.fileName}`]: (req, res, url) => {
      if (serveReal) return serveBytes(real)(req, res, url);
      res.setHeader('Content-Type', 'text/html');
      res.end(page);
    },
  });
  cache = tempDir('weights-cache-');
  process.env.KERAS_WEIGHTS_BASE_URL = `${server.base}/`;
  process.env.KERAS_WEIGHTS_DIR = cache;
  kerasHome = tempDir('keras-home-');
  process.env.KERAS_HOME = kerasHome; // empty: a Keras cache on the machine running the tests is not used
});
after(async () => {
  for (const k of ENV) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  await server.close();
});

test('issue 10 #2: a hashless weight file that is not HDF5 never enters the cache; a poisoned cache heals', async () => {
  const dest = path.join(cache, FILE.fileName);
  await assert.rejects(fetchKerasWeights(FILE, { quiet: true }), (err: Error) => {
    assert.match(err.message, /HDF5/);
    assert.ok(err.message.includes(dest) && err.message.includes(`${dest}.bad`), err.message);
    return true;
  });
  assert.ok(!fs.existsSync(dest), 'nothing under the cache name');
  serveReal = true;
  assert.equal(await fetchKerasWeights(FILE, { quiet: true }), dest, 'the next run, with the server fixed, works');
  assert.deepEqual(fs.readFileSync(dest), real);

  // A cache poisoned by an older version: moved aside with a message, downloaded again.
  fs.writeFileSync(dest, page);
  const warn = console.warn;
  const warnings: string[] = [];
  console.warn = (...a: unknown[]) => void warnings.push(a.join(' '));
  try {
    await fetchKerasWeights(FILE, { quiet: true });
  } finally {
    console.warn = warn;
  }
  assert.deepEqual(fs.readFileSync(dest), real);
  assert.deepEqual(fs.readFileSync(`${dest}.bad`), page);
  assert.ok(
    warnings.some((w) => w.includes(dest) && w.includes(`${dest}.bad`)),
    warnings.join('\n'),
  );
  // A truncated cached file (the HDF5 signature is there, the end is not) is caught as well.
  for (const keep of [5000, Math.floor(real.length * 0.9)]) {
    fs.writeFileSync(dest, real.subarray(0, keep));
    warnings.length = 0;
    console.warn = (...a: unknown[]) => void warnings.push(a.join(' '));
    try {
      await fetchKerasWeights(FILE, { quiet: true });
    } finally {
      console.warn = warn;
    }
    assert.deepEqual(fs.readFileSync(dest), real, `cut at ${keep}`);
    assert.equal(fs.statSync(`${dest}.bad`).size, keep);
    assert.ok(
      warnings.some((w) => w.includes(`${dest}.bad`)),
      warnings.join('\n'),
    );
  }
});

test("a weight file in Keras's own cache ($KERAS_HOME/models) is used in place, without a download; a bad one is not", async () => {
  const models = path.join(kerasHome, 'models');
  const cached = path.join(models, FILE.fileName);
  const emptyCache = tempDir('weights-cache-');
  process.env.KERAS_WEIGHTS_DIR = emptyCache;
  try {
    fs.mkdirSync(models, { recursive: true });
    fs.writeFileSync(cached, real);
    const before = server.requests.length;
    assert.equal(await fetchKerasWeights(FILE, { quiet: true }), cached);
    assert.equal(server.requests.length, before, 'nothing downloaded');
    assert.deepEqual(fs.readdirSync(emptyCache), []);
    fs.writeFileSync(cached, page); // an error page saved under the weight file's name
    serveReal = true;
    assert.equal(await fetchKerasWeights(FILE, { quiet: true }), path.join(emptyCache, FILE.fileName));
    assert.ok(server.requests.length > before, 'downloaded instead');
  } finally {
    serveReal = false;
    fs.rmSync(models, { recursive: true, force: true });
    process.env.KERAS_WEIGHTS_DIR = cache;
  }
});
