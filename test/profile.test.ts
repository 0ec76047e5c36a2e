/**
 * Lesson profiles: `sample` generates its data and seeds the weights cache; unset (auto) downloads the lesson's
 * zip from (a loopback imitation of) Google Drive and runs `full`, or falls back to `sample` saying why.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { prepareLesson, resolveProfile } from '../lib/lesson/profile';
import { serveBytes, startServer } from './helpers/server';
import { makeZip } from './helpers/zip';

const ENV_KEYS = ['LESSON_PROFILE', 'LESSON_ROOT', 'KERAS_WEIGHTS_DIR', 'GDRIVE_BASE_URL', 'LESSON_QUIET', 'LESSON_BACKBONE', 'LESSON_PROFILE_REASON'] as const;

async function withEnv<T>(env: Partial<Record<(typeof ENV_KEYS)[number], string>>, f: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
  for (const k of ENV_KEYS) delete process.env[k];
  Object.assign(process.env, { LESSON_QUIET: '1' }, env);
  try {
    return await f();
  } finally {
    for (const k of ENV_KEYS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
}

const tmpRoot = () => fs.mkdtempSync(path.join(os.tmpdir(), 'lesson-root-'));
const md5 = (file: string) => createHash('md5').update(fs.readFileSync(file)).digest('hex');

test('LESSON_PROFILE=sample generates the dataset once and puts the bundled Keras weights in the cache', async () => {
  const root = tmpRoot();
  await withEnv({ LESSON_PROFILE: 'sample', LESSON_ROOT: root, KERAS_WEIGHTS_DIR: path.join(root, 'models') }, async () => {
    const p = await prepareLesson({ banner: false });
    assert.equal(p.name, 'sample');
    assert.match(p.reason, /forced by LESSON_PROFILE=sample/);
    assert.equal(p.dataDir, path.join(root, 'data', 'sample', 'cats_and_dogs_small'));
    for (const split of ['train', 'validation', 'test']) {
      for (const cls of ['cats', 'dogs']) assert.ok(fs.readdirSync(path.join(p.dataDir, split, cls)).some((f) => f.endsWith('.jpg')));
    }
    const weights = path.join(root, 'models', 'mobilenet_2_5_224_tf_no_top.h5');
    assert.equal(md5(weights), 'f313cee49f5d33dfb06f2b255c4adb64', 'the real Keras file, byte for byte');
    const stamp = fs.statSync(path.join(p.dataDir, 'train', 'cats', 'cat.0.jpg')).mtimeMs;
    await prepareLesson({ banner: false });
    assert.equal(fs.statSync(path.join(p.dataDir, 'train', 'cats', 'cat.0.jpg')).mtimeMs, stamp, 'not regenerated');
  });
  fs.rmSync(root, { recursive: true, force: true });
});

test('unset, the lesson zip is downloaded from Drive and unzipped, and the full profile runs', async () => {
  const root = tmpRoot();
  const entries = ['train', 'validation', 'test'].flatMap((split) =>
    ['cats', 'dogs'].map((cls) => ({ name: `cats_and_dogs_small/${split}/${cls}/${cls.slice(0, 3)}.1.jpg`, data: `${split}-${cls}` })),
  );
  const zip = makeZip(entries);
  const drive = await startServer({
    '/uc': serveBytes(zip, { headers: { 'Content-Disposition': 'attachment; filename="cats_and_dogs_small.zip"' } }),
  });
  try {
    await withEnv({ LESSON_ROOT: root, GDRIVE_BASE_URL: drive.base }, async () => {
      assert.equal(resolveProfile().name, 'auto', 'no data yet: undecided until a download is tried');
      const p = await prepareLesson({ banner: false });
      assert.equal(p.name, 'full');
      assert.match(p.reason, /downloaded from Google Drive/);
      assert.deepEqual(p.imageSize, [150, 150]);
      assert.equal(fs.readFileSync(path.join(p.dataDir, 'test', 'dogs', 'dog.1.jpg'), 'utf8'), 'test-dogs');
      assert.ok(drive.requests.some((r) => r.url.includes('id=1nBE3N2cXQGwD8JaD0JZ2LmFD-n3D5hVU')), 'the lesson\'s Drive file id');
      assert.ok(fs.existsSync(path.join(root, 'data', 'cats_and_dogs_small.zip')));
      const before = drive.requests.length;
      const again = await prepareLesson({ banner: false });
      assert.equal(again.name, 'full');
      assert.match(again.reason, /is in data\/cats_and_dogs_small/);
      assert.equal(drive.requests.length, before, 'data in place: no request');
    });
  } finally {
    await drive.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('unset and Drive unreachable: the sample profile runs and the reason names the failure', async () => {
  const root = tmpRoot();
  const drive = await startServer();
  const dead = drive.base;
  await drive.close();
  await withEnv({ LESSON_ROOT: root, GDRIVE_BASE_URL: dead, KERAS_WEIGHTS_DIR: path.join(root, 'models') }, async () => {
    const p = await prepareLesson({ banner: false });
    assert.equal(p.name, 'sample');
    assert.match(p.reason, /could not be downloaded \(.+\)/);
    assert.ok(!fs.existsSync(path.join(root, 'data', 'cats_and_dogs_small.zip')), 'no partial zip left under the final name');
  });
  fs.rmSync(root, { recursive: true, force: true });
});

test('a wrong LESSON_PROFILE or LESSON_BACKBONE is a clear error; mobilenet is a full-profile backbone', async () => {
  await withEnv({ LESSON_PROFILE: 'quick' }, async () => {
    await assert.rejects(prepareLesson({ banner: false }), /LESSON_PROFILE=quick is not a profile: use full, sample, or leave it unset/);
  });
  await withEnv({ LESSON_PROFILE: 'full', LESSON_BACKBONE: 'resnet' }, async () => {
    assert.throws(() => resolveProfile(), /LESSON_BACKBONE=resnet is not a backbone: use vgg16 \(the lesson's\) or mobilenet/);
  });
  await withEnv({ LESSON_PROFILE: 'sample', LESSON_PROFILE_REASON: 'decided once by npm run lesson' }, async () => {
    assert.equal(resolveProfile().profile!.reason, 'decided once by npm run lesson', 'the runner\'s reason reaches every notebook');
  });
  await withEnv({ LESSON_PROFILE: 'full', LESSON_BACKBONE: 'mobilenet' }, async () => {
    const p = resolveProfile().profile!;
    assert.equal(p.backbone.name, 'mobilenet');
    assert.equal(p.backbone.fineTuneFrom, 'conv_dw_12');
    assert.deepEqual(p.imageSize, [150, 150]);
  });
});
