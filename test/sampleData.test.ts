import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import { makeSampleDataset, SAMPLE_VERSION } from '../lib/data/sampleData';
import { imageDatasetFromDirectory } from '../lib/data/imageDataset';
import { mobilenet } from '../lib/models/mobilenet';
import { preprocessInput } from '../lib/models/imagenet';

let tmp: string;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sample-test-'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function digest(dir: string): string {
  const h = createHash('sha256');
  for (const f of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isFile()) h.update(f).update(fs.readFileSync(p));
  }
  return h.digest('hex');
}

test('default layout, names, sizes; idempotent; deterministic by seed', async () => {
  const dir = path.join(tmp, 'cats_and_dogs_small');
  const r = await makeSampleDataset(dir, { quiet: true });
  assert.equal(r.created, true);
  assert.deepEqual(r.counts, { train: { cats: 100, dogs: 100 }, validation: { cats: 50, dogs: 50 }, test: { cats: 50, dogs: 50 } });
  const names = (split: string, cls: string) => fs.readdirSync(path.join(dir, split, cls)).sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
  assert.equal(names('train', 'cats')[0], 'cat.0.jpg');
  assert.equal(names('train', 'cats').at(-1), 'cat.99.jpg');
  assert.equal(names('validation', 'dogs')[0], 'dog.1000.jpg');
  assert.equal(names('test', 'cats')[0], 'cat.1500.jpg');
  assert.equal(names('test', 'dogs').length, 50);
  const meta = await sharp(path.join(dir, 'train/dogs/dog.7.jpg')).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height, meta.channels], ['jpeg', 150, 150, 3]);
  assert.deepEqual(fs.readdirSync(tmp), ['cats_and_dogs_small'], 'no temp folder left');

  const before = digest(dir);
  const again = await makeSampleDataset(dir, { quiet: true });
  assert.equal(again.created, false);
  assert.equal(digest(dir), before);

  const same = await makeSampleDataset(path.join(tmp, 'copy'), { quiet: true });
  assert.equal(same.created, true);
  assert.equal(digest(path.join(tmp, 'copy')), before, 'same seed, same bytes');
  const other = path.join(tmp, 'other');
  await makeSampleDataset(other, { seed: 7, perClass: { train: 3, validation: 2, test: 1 }, imageSize: 32, quiet: true });
  assert.equal(fs.readdirSync(path.join(other, 'train', 'cats')).length, 3);
  // Images differ from one another (varied, not one template).
  const a = fs.readFileSync(path.join(other, 'train/cats/cat.0.jpg'));
  const b = fs.readFileSync(path.join(other, 'train/cats/cat.1.jpg'));
  assert.notDeepEqual(a, b);
  // A foreign folder is not overwritten.
  const foreign = path.join(tmp, 'foreign');
  fs.mkdirSync(foreign);
  fs.writeFileSync(path.join(foreign, 'x.txt'), 'mine');
  await assert.rejects(makeSampleDataset(foreign, { quiet: true }), /not a sample dataset/);
  assert.equal(fs.readFileSync(path.join(foreign, 'x.txt'), 'utf8'), 'mine');
});

test('a dataset made by an older version of the drawing code is regenerated', async () => {
  const dir = path.join(tmp, 'old');
  const opts = { perClass: { train: 2, validation: 1, test: 1 }, imageSize: 32, quiet: true };
  await makeSampleDataset(dir, opts);
  const marker = path.join(dir, '.sample-complete.json');
  const settings = JSON.parse(fs.readFileSync(marker, 'utf8'));
  assert.equal(settings.version, SAMPLE_VERSION);
  fs.writeFileSync(marker, JSON.stringify({ ...settings, version: SAMPLE_VERSION - 1 }, null, 2));
  fs.writeFileSync(path.join(dir, 'train/cats/cat.0.jpg'), 'stale');
  const r = await makeSampleDataset(dir, opts);
  assert.equal(r.created, true);
  assert.equal(JSON.parse(fs.readFileSync(marker, 'utf8')).version, SAMPLE_VERSION);
  assert.equal((await sharp(path.join(dir, 'train/cats/cat.0.jpg')).metadata()).format, 'jpeg');
});


/** All images and labels of a split as one batch [n, h, w, 3] (0..255) and [n, 1]. */
async function loadSplit(dir: string, size: number): Promise<{ xs: tf.Tensor4D; ys: tf.Tensor2D }> {
  const ds = await imageDatasetFromDirectory(dir, { labelMode: 'binary', imageSize: [size, size], batchSize: 32, shuffle: false, quiet: true });
  const xs: tf.Tensor[] = [];
  const ys: tf.Tensor[] = [];
  for await (const b of ds) {
    xs.push(b.xs);
    ys.push(b.ys);
  }
  const out = { xs: tf.concat(xs) as tf.Tensor4D, ys: tf.concat(ys) as tf.Tensor2D };
  tf.dispose([...xs, ...ys]);
  return out;
}

/** Trains a standardised logistic-regression / small dense classifier on [n, d] features; returns test accuracy. */
async function fitAndScore(trainX: tf.Tensor2D, trainY: tf.Tensor2D, testX: tf.Tensor2D, testY: tf.Tensor2D, hidden: number): Promise<number> {
  const { mean, variance } = tf.moments(trainX, 0);
  const std = tf.tidy(() => variance.sqrt().add(1e-6));
  const norm = (x: tf.Tensor2D) => tf.tidy(() => x.sub(mean).div(std) as tf.Tensor2D);
  const [xn, tn] = [norm(trainX), norm(testX)];
  const layers = hidden
    ? [tf.layers.dense({ inputShape: [trainX.shape[1]], units: hidden, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }), tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) })]
    : [tf.layers.dense({ inputShape: [trainX.shape[1]], units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) })];
  const model = tf.sequential({ layers });
  const optimizer = tf.train.adam(hidden ? 1e-3 : 0.05);
  model.compile({ optimizer, loss: 'binaryCrossentropy' });
  await model.fit(xn, trainY, { epochs: hidden ? 30 : 100, batchSize: 16, verbose: 0 });
  const acc = tf.tidy(() => (model.predict(tn) as tf.Tensor).greater(0.5).toFloat().equal(testY).toFloat().mean().arraySync() as number);
  tf.dispose([mean, variance, std, xn, tn]);
  model.dispose();
  optimizer.dispose();
  return acc;
}

test('hard for colour, learnable from shape: colour statistics stay <= 0.8, pretrained MobileNet features reach >= 0.85', async () => {
  await tf.setBackend('cpu');
  const dir = path.join(tmp, 'learn');
  await makeSampleDataset(dir, { perClass: { train: 100, validation: 1, test: 50 }, imageSize: 150, seed: 5, quiet: true });
  const size = 96;
  const train = await loadSplit(path.join(dir, 'train'), size);
  const testSet = await loadSplit(path.join(dir, 'test'), size);
  assert.deepEqual(train.xs.shape, [200, size, size, 3]);
  const base = await mobilenet({ alpha: 0.25, includeTop: false, weights: path.join(__dirname, '..', 'lib', 'assets', 'keras-weights', 'mobilenet_2_5_224_tf_no_top.h5'), inputShape: [size, size, 3], quiet: true } as never);
  const start = tf.memory().numTensors;

  // 1) Colour: per-image mean and spread of each channel and of the central region (where the animal usually is).
  const colourStats = (xs: tf.Tensor4D) => tf.tidy(() => {
    const centre = xs.slice([0, size / 4, size / 4, 0], [-1, size / 2, size / 2, 3]);
    const m1 = tf.moments(xs, [1, 2]);
    const m2 = tf.moments(centre, [1, 2]);
    return tf.concat([m1.mean, m1.variance.sqrt(), m2.mean, m2.variance.sqrt()], 1) as tf.Tensor2D;
  });
  const [cTrain, cTest] = [colourStats(train.xs), colourStats(testSet.xs)];
  const accColour = await fitAndScore(cTrain, train.ys, cTest, testSet.ys, 0);
  console.log(`# sample data: test accuracy from colour statistics ${accColour.toFixed(3)}`);
  assert.ok(accColour <= 0.8, `colour statistics alone should not separate the classes, got test accuracy ${accColour}`);

  // 2) Shape: frozen ImageNet MobileNet (alpha 0.25, the bundled Keras weights) features + a small dense head.
  const features = (xs: tf.Tensor4D) => tf.tidy(() => (base.predict(preprocessInput(xs, 'tf')) as tf.Tensor).reshape([xs.shape[0], -1]) as tf.Tensor2D);
  const [fTrain, fTest] = [features(train.xs), features(testSet.xs)];
  const accShape = await fitAndScore(fTrain, train.ys, fTest, testSet.ys, 64);
  console.log(`# sample data: test accuracy from MobileNet features ${accShape.toFixed(3)}`);
  assert.ok(accShape >= 0.85, `pretrained features should separate the classes, got test accuracy ${accShape}`);
  assert.ok(accShape - accColour >= 0.1, `shape (${accShape}) should beat colour (${accColour}) clearly`);
  tf.dispose([cTrain, cTest, fTrain, fTest]);
  assert.equal(tf.memory().numTensors, start, 'no tensors leaked');
  base.dispose();
  tf.dispose([train.xs, train.ys, testSet.xs, testSet.ys]);
});
