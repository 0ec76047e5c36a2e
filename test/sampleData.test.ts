import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import { makeSampleDataset } from '../lib/sampleData';
import { imageDatasetFromDirectory, type ImageDataset } from '../lib/dataset';

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

/** Binary accuracy of `predict` (on images rescaled to 0..1) over a dataset. */
async function accuracy(predict: (x: tf.Tensor) => tf.Tensor, ds: ImageDataset): Promise<number> {
  let correct = 0;
  for await (const b of ds) {
    const c = tf.tidy(() => {
      const p = predict(b.xs.div(255));
      return p.greater(0.5).reshape([-1]).toInt().equal(b.ys.reshape([-1]).toInt()).sum().arraySync() as number;
    });
    correct += c;
    tf.dispose([b.xs, b.ys]);
  }
  return correct / ds.size;
}

test('learnable: a tiny convnet and a dense head on frozen random conv features reach >= 0.95 test accuracy', async () => {
  await tf.setBackend('cpu');
  const dir = path.join(tmp, 'learn');
  await makeSampleDataset(dir, { perClass: { train: 60, validation: 10, test: 40 }, imageSize: 64, seed: 3, quiet: true });
  const opts = { labelMode: 'binary' as const, imageSize: [40, 40] as [number, number], batchSize: 8, quiet: true, seed: 1 };
  const train = await imageDatasetFromDirectory(path.join(dir, 'train'), opts);
  const testDs = await imageDatasetFromDirectory(path.join(dir, 'test'), { ...opts, shuffle: false });
  assert.deepEqual(train.classNames, ['cats', 'dogs']);
  const rescaled = (ds: ImageDataset) => ds.toTfData().map((b) => tf.tidy(() => ({ xs: b.xs.div(255), ys: b.ys })) as never);

  // 1) A small convnet trained from scratch.
  const convnet = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [40, 40, 3], filters: 8, kernelSize: 3, strides: 2, activation: 'relu' }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, activation: 'relu' }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  convnet.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const t0 = Date.now();
  await convnet.fitDataset(rescaled(train), { epochs: 6, verbose: 0 });
  const fitMs = Date.now() - t0;
  const accConv = await accuracy((x) => convnet.predict(x) as tf.Tensor, testDs);
  assert.ok(accConv >= 0.95, `convnet test accuracy ${accConv}`);

  // 2) Frozen random convolutional features + a trained dense head.
  const base = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [40, 40, 3], filters: 16, kernelSize: 3, strides: 2, activation: 'relu' }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, strides: 2, activation: 'relu' }),
      tf.layers.globalAveragePooling2d({}),
    ],
  });
  const feats: tf.Tensor[] = [];
  const labels: tf.Tensor[] = [];
  for await (const b of train) {
    feats.push(tf.tidy(() => base.predict(b.xs.div(255)) as tf.Tensor));
    labels.push(b.ys);
    b.xs.dispose();
  }
  const X = tf.concat(feats);
  const Y = tf.concat(labels);
  tf.dispose([...feats, ...labels]);
  const head = tf.sequential({ layers: [tf.layers.dense({ inputShape: [32], units: 1, activation: 'sigmoid' })] });
  head.compile({ optimizer: tf.train.adam(0.05), loss: 'binaryCrossentropy' });
  const mean = X.mean(0);
  const std = tf.moments(X, 0).variance.sqrt().add(1e-6);
  const Xn = X.sub(mean).div(std);
  await head.fit(Xn, Y, { epochs: 60, batchSize: 32, verbose: 0 });
  const accHead = await accuracy((x) => head.predict((base.predict(x) as tf.Tensor).sub(mean).div(std)) as tf.Tensor, testDs);
  assert.ok(accHead >= 0.95, `frozen-features head test accuracy ${accHead}`);
  console.log(`# sample data: convnet test acc ${accConv.toFixed(3)} (fit ${fitMs} ms), frozen random features + dense head ${accHead.toFixed(3)}`);
  tf.dispose([X, Y, Xn, mean, std]);
  convnet.dispose();
  head.dispose();
  base.dispose();
});
