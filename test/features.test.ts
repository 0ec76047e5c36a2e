import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { featureCacheKey } from '../lib/training/featureCache';
import { extractFeatures, type FeatureBatches } from '../lib/training/features';
import { tempDir } from './helpers/tempDir';

before(async () => {
  await tf.setBackend('cpu');
});

function convBase(seed = 1): tf.LayersModel {
  const input = tf.input({ shape: [6, 6, 3] });
  let x = tf.layers
    .conv2d({
      filters: 4,
      kernelSize: 3,
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
      name: 'block1_conv1',
    })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2, name: 'block1_pool' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x, name: 'tiny_base' });
}

/** A streaming dataset: each batch's tensors are created on demand (the consumer disposes them). */
function dataset(numBatches: number, batchSize: number, files?: string[]): FeatureBatches & { all(): tf.Tensor4D } {
  const image = (i: number) => Array.from({ length: 6 * 6 * 3 }, (_, k) => (i * 31 + k * 7) % 256);
  return {
    size: numBatches * batchSize,
    numBatches,
    filePaths: files ?? Array.from({ length: numBatches * batchSize }, (_, i) => `img${i}.jpg`),
    async *[Symbol.asyncIterator]() {
      for (let b = 0; b < numBatches; b++) {
        const ids = Array.from({ length: batchSize }, (_, j) => b * batchSize + j);
        yield { xs: tf.tensor4d(ids.flatMap(image), [batchSize, 6, 6, 3]), ys: tf.tensor1d(ids.map((i) => i % 2)) };
      }
    },
    all() {
      const n = numBatches * batchSize;
      return tf.tensor4d(Array.from({ length: n }, (_, i) => image(i)).flat(), [n, 6, 6, 3]);
    },
  };
}

/**
 * `batches`, with a pause before its first batch, recording when the consumer first asked for a batch and when
 * it found the last one consumed (`Date.now()`, the clock `seconds` is measured with).
 */
function timedBatches<T extends FeatureBatches>(batches: T, pauseMs: number) {
  const seen = { pulls: 0, first: 0, last: 0 };
  const timed: T = {
    ...batches,
    async *[Symbol.asyncIterator]() {
      seen.pulls++;
      seen.first = Date.now();
      await new Promise((r) => setTimeout(r, pauseMs));
      yield* batches;
      seen.last = Date.now();
    },
  };
  return { timed, seen };
}

/** `seconds` (a result of `extractFeatures`) spans at least `atLeastMs` and at most the call's `elapsedMs`. */
function assertSeconds(seconds: number, atLeastMs: number, elapsedMs: number) {
  const ms = Math.round(seconds * 1000); // Date.now() differences: whole milliseconds
  assert.ok(ms >= atLeastMs, `seconds = ${seconds}, but the dataset alone took ${atLeastMs} ms inside the call`);
  assert.ok(ms <= elapsedMs, `seconds = ${seconds}, but the whole call took ${elapsedMs} ms`);
}

test('extractFeatures returns the base outputs for every image, with labels, and leaks nothing', async () => {
  const base = convBase();
  const ds = dataset(25, 3);
  const { timed, seen } = timedBatches(ds, 30);
  const start = tf.memory().numTensors;
  const t0 = Date.now();
  const { features, labels, fromCache, seconds } = await extractFeatures(base, timed, {
    quiet: true,
    preprocess: (x) => tf.div(x, 255) as tf.Tensor4D,
  });
  const elapsed = Date.now() - t0;
  assert.equal(fromCache, false);
  assert.equal(seen.pulls, 1);
  assert.ok(seen.last - seen.first >= 25, 'the dataset paused before its first batch');
  assertSeconds(seconds, seen.last - seen.first, elapsed);
  assert.deepEqual(features.shape, [75, 2, 2, 4]);
  assert.deepEqual(labels.shape, [75]);
  assert.deepEqual(Array.from(labels.dataSync()).slice(0, 4), [0, 1, 0, 1]);
  const diff = tf.tidy(() => {
    const expected = base.predict(tf.div(ds.all(), 255)) as tf.Tensor;
    return tf.max(tf.abs(tf.sub(expected, features))).dataSync()[0];
  });
  assert.ok(diff < 1e-5, `max difference ${diff}`);
  tf.dispose([features, labels]);
  assert.equal(tf.memory().numTensors, start, 'no tensors left behind over 25 batches');
});

test('the cache is written, reused, and recomputed when the files or the base change', async () => {
  const dir = path.join(tempDir('feat-'), 'cache');
  const base = convBase();
  const first = await extractFeatures(base, dataset(4, 2), { quiet: true, cache: dir });
  assert.equal(first.fromCache, false);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['features.json', 'features.npy', 'labels.npy']);
  const key = JSON.parse(fs.readFileSync(path.join(dir, 'features.json'), 'utf8'));
  assert.equal(key.baseName, 'tiny_base');
  assert.equal(key.count, 8);

  const second = await extractFeatures(base, dataset(4, 2), { quiet: true, cache: dir });
  assert.equal(second.fromCache, true);
  assert.deepEqual(second.features.shape, first.features.shape);
  assert.deepEqual(Array.from(second.features.dataSync()), Array.from(first.features.dataSync()));
  assert.deepEqual(Array.from(second.labels.dataSync()), Array.from(first.labels.dataSync()));

  const otherFiles = dataset(
    4,
    2,
    Array.from({ length: 8 }, (_, i) => `other${i}.jpg`),
  );
  let out = '';
  const third = await extractFeatures(base, otherFiles, {
    cache: dir,
    quiet: false,
    sink: { write: (t: string) => void (out += t) },
  });
  assert.equal(third.fromCache, false);
  assert.match(out, /stale \(filesHash changed\); recomputing/);

  const fourth = await extractFeatures(convBase(2), otherFiles, { quiet: true, cache: dir });
  assert.equal(fourth.fromCache, false, 'other weights -> recompute');
  const fifth = await extractFeatures(convBase(2), otherFiles, { quiet: true, cache: dir, preprocessName: 'caffe' });
  assert.equal(fifth.fromCache, false, 'other preprocessing -> recompute');
  fs.writeFileSync(path.join(dir, 'features.json'), '{"version": 1, "baseN');
  out = '';
  const sixth = await extractFeatures(convBase(2), otherFiles, {
    cache: dir,
    preprocessName: 'caffe',
    quiet: false,
    sink: { write: (t: string) => void (out += t) },
  });
  assert.equal(sixth.fromCache, false, 'a key cut short -> recompute');
  assert.match(out, /features\.json unreadable/);
  assert.equal(
    JSON.parse(fs.readFileSync(path.join(dir, 'features.json'), 'utf8')).preprocess,
    'caffe',
    'and a whole key is written again',
  );
  tf.dispose([first, second, third, fourth, fifth, sixth].flatMap((r) => [r.features, r.labels]));
});

test('seconds is the time of the call; a cache hit reads the same features without touching the dataset', async () => {
  const dir = tempDir('feat-time-');
  const base = convBase();
  const first = timedBatches(dataset(3, 2), 30);
  let t0 = Date.now();
  const computed = await extractFeatures(base, first.timed, { quiet: true, cache: dir });
  let elapsed = Date.now() - t0;
  assert.equal(computed.fromCache, false);
  assertSeconds(computed.seconds, first.seen.last - first.seen.first, elapsed);

  const second = timedBatches(dataset(3, 2), 30);
  t0 = Date.now();
  const cached = await extractFeatures(base, second.timed, { quiet: true, cache: dir });
  elapsed = Date.now() - t0;
  assert.equal(cached.fromCache, true);
  assert.equal(second.seen.pulls, 0, 'a cache hit does not run the base over the dataset');
  assertSeconds(cached.seconds, 0, elapsed);
  assert.deepEqual(cached.features.shape, [6, 2, 2, 4]);
  assert.deepEqual(Array.from(cached.features.dataSync()), Array.from(computed.features.dataSync()));
  assert.deepEqual(Array.from(cached.labels.dataSync()), Array.from(computed.labels.dataSync()));
  tf.dispose([computed.features, computed.labels, cached.features, cached.labels]);
});

test('cache key fields', async () => {
  const k = await featureCacheKey(convBase(), dataset(2, 2));
  assert.deepEqual(k.inputShape, [null, 6, 6, 3]);
  assert.deepEqual(k.outputShape, [null, 2, 2, 4]);
  assert.equal(k.count, 4);
  assert.equal(k.preprocess, 'none');
});

test('progress goes through one progress line: a bar per batch, then a summary in its place', async () => {
  let out = '';
  const r = await extractFeatures(convBase(), dataset(5, 2), {
    label: 'train',
    quiet: false,
    sink: { write: (t: string) => void (out += t) },
  });
  assert.match(out, /^\rtrain \[=*>? *\] +20% 1\/5 \d+\.\ds - 2 images/, 'the first batch draws the line');
  const lines = out.split('\n').filter((l) => l);
  assert.equal(lines.length, 1, 'progress redraws one line (\\r) and ends it once');
  assert.match(
    lines[0],
    /\rtrain: 10 images -> features \[2,2,4\] in \d+\.\d s \((ONNX Runtime|TensorFlow\.js \(cpu\))\) {8}$/,
  );
  let quiet = '';
  await extractFeatures(convBase(), dataset(2, 2), { quiet: true, sink: { write: (t: string) => void (quiet += t) } });
  assert.equal(quiet, '');
  tf.dispose([r.features, r.labels]);
});

test('the cache key changes when an image file is rewritten under the same name', async () => {
  const dir = tempDir('feat-stamp-');
  const files = [0, 1, 2, 3].map((i) => path.join(dir, `img${i}.jpg`));
  for (const f of files) fs.writeFileSync(f, 'a');
  const stamp0 = (await featureCacheKey(convBase(), dataset(2, 2, files))).filesHash;
  assert.equal((await featureCacheKey(convBase(), dataset(2, 2, files))).filesHash, stamp0, 'same files, same key');
  fs.writeFileSync(files[2], 'a different image');
  assert.notEqual(
    (await featureCacheKey(convBase(), dataset(2, 2, files))).filesHash,
    stamp0,
    'a regenerated image invalidates the cache',
  );
});

test('an empty dataset is a clear error', async () => {
  await assert.rejects(extractFeatures(convBase(), dataset(0, 2), { quiet: true }), /produced no batches/);
});
