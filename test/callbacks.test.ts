import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { earlyStopping, epochLine, formatCheckpointPath, modelCheckpoint, monitorValue, progress, resolveMode } from '../lib/training/callbacks';
import { historyRecord } from '../lib/training/evaluate';
import { loadModel } from '../lib/io/modelIO';

before(async () => {
  await tf.setBackend('cpu');
});

function tinyModel(): tf.LayersModel {
  const m = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'zeros' })] });
  m.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError' });
  return m;
}
const weightsOf = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
function setAll(m: tf.LayersModel, v: number): void {
  const ws = m.getWeights().map((w) => tf.fill(w.shape, v));
  m.setWeights(ws);
  tf.dispose(ws);
}

test('earlyStopping stops after `patience` epochs without improvement and restores the best weights', async () => {
  const model = tinyModel();
  const cb = earlyStopping({ monitor: 'val_loss', patience: 2, restoreBestWeights: true, verbose: false });
  cb.setModel(model);
  const start = tf.memory().numTensors;
  await cb.onTrainBegin();
  const losses = [1.0, 0.5, 0.7, 0.8, 0.9];
  let stoppedAt = -1;
  for (let e = 0; e < losses.length; e++) {
    setAll(model, e + 1); // the weights "after epoch e" are all e + 1
    await cb.onEpochEnd(e, { val_loss: losses[e] });
    if (model.stopTraining) {
      stoppedAt = e;
      break;
    }
  }
  assert.equal(stoppedAt, 3);
  assert.equal(cb.bestEpoch, 1);
  assert.equal(cb.best, 0.5);
  await cb.onTrainEnd();
  assert.ok(weightsOf(model).every((w) => w.every((v) => v === 2)), 'weights from epoch 2 (index 1) restored');
  assert.equal(tf.memory().numTensors, start, 'the weight snapshot is disposed');
});

test('earlyStopping in model.fit: mode, minDelta, tfjs/Keras metric names', async () => {
  assert.equal(resolveMode('val_accuracy'), 'max');
  assert.equal(resolveMode('val_loss'), 'min');
  assert.equal(monitorValue({ val_acc: 0.9 }, 'val_accuracy'), 0.9);
  assert.equal(monitorValue({ accuracy: 0.8 }, 'acc'), 0.8);

  const model = tinyModel();
  const xs = tf.tensor2d([[1, 2], [2, 1], [0, 1], [1, 0]]);
  const ys = tf.tensor2d([[3], [3], [1], [1]]);
  const afterEpoch: number[][][] = [];
  // The loss falls every epoch; watched in 'max' mode nothing improves after epoch 1, so fit stops at epoch 2.
  const h = await model.fit(xs, ys, {
    epochs: 10,
    verbose: 0,
    callbacks: [
      new tf.CustomCallback({ onEpochEnd: async () => void afterEpoch.push(weightsOf(model)) }),
      earlyStopping({ monitor: 'loss', mode: 'max', patience: 1, restoreBestWeights: true, verbose: false }),
    ],
  });
  assert.equal(h.epoch.length, 2);
  const rec = historyRecord(h);
  assert.ok(rec.loss[1] < rec.loss[0]);
  assert.deepEqual(weightsOf(model), afterEpoch[0], 'restored to the weights after the first epoch');

  // minDelta: improvements smaller than it do not count
  const m2 = tinyModel();
  const h2 = await m2.fit(xs, ys, { epochs: 10, verbose: 0, callbacks: [earlyStopping({ monitor: 'loss', minDelta: 1e6, patience: 2, verbose: false })] });
  assert.equal(h2.epoch.length, 3);
  tf.dispose([xs, ys]);
});

test('modelCheckpoint saveBestOnly writes a loadable model only when the monitored value improves', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ckpt-'));
  const model = tinyModel();
  const cb = modelCheckpoint(path.join(dir, 'best-{epoch:02d}'), { monitor: 'val_accuracy', saveBestOnly: true, verbose: false });
  cb.setModel(model);
  const accs = [0.5, 0.7, 0.6, 0.9];
  for (let e = 0; e < accs.length; e++) {
    setAll(model, e);
    await cb.onEpochEnd(e, { val_acc: accs[e] });
  }
  assert.deepEqual(cb.saved.map((p) => path.basename(p)), ['best-01', 'best-02', 'best-04']);
  const loaded = await loadModel(path.join(dir, 'best-04'));
  assert.ok(weightsOf(loaded).every((w) => w.every((v) => v === 3)));
  const every = modelCheckpoint(path.join(dir, 'last'), { verbose: false });
  every.setModel(model);
  await every.onEpochEnd(0, {});
  await every.onEpochEnd(1, {});
  assert.ok(fs.existsSync(path.join(dir, 'last', 'model.json')));
  assert.equal(formatCheckpointPath('m-{epoch:03d}-{val_loss:.2f}', 4, { val_loss: 0.12345 }), 'm-005-0.12');
});

test('progress prints one Keras-style line per epoch; quiet and LESSON_QUIET print nothing', async () => {
  const model = tinyModel();
  const xs = tf.randomNormal([64, 2]);
  const ys = tf.randomNormal([64, 1]);
  let out = '';
  const stream = { write: (s: string) => void (out += s) };
  const cb = progress({ stream });
  await model.fit(xs, ys, { epochs: 2, batchSize: 8, validationSplit: 0.25, verbose: 0, callbacks: [cb] });
  const lines = out.split('\n').filter((l) => l.trim());
  assert.equal(lines.length, 2);
  assert.match(lines[0], /\rEpoch 1\/2 - \d+\.\ds - val_loss: \d\.\d{4} - loss: \d\.\d{4}/);
  assert.match(lines[1], /Epoch 2\/2/);
  assert.equal(cb.history.loss.length, 2);
  assert.equal(cb.history.val_loss.length, 2);

  let quietOut = '';
  await model.fit(xs, ys, { epochs: 1, verbose: 0, callbacks: [progress({ quiet: true, stream: { write: (s: string) => void (quietOut += s) } })] });
  process.env.LESSON_QUIET = '1';
  try {
    await model.fit(xs, ys, { epochs: 1, verbose: 0, callbacks: [progress({ stream: { write: (s: string) => void (quietOut += s) } })] });
  } finally {
    delete process.env.LESSON_QUIET;
  }
  assert.equal(quietOut, '');
  tf.dispose([xs, ys]);
});

test('epochLine and historyRecord', () => {
  assert.equal(epochLine(0, 5, 1.26, { loss: 0.5, acc: 0.75 }), 'Epoch 1/5 - 1.3s - loss: 0.5000 - acc: 0.7500');
  const rec = historyRecord({ history: { loss: [1, 0.5], acc: [0.5, 0.6], val_acc: [0.4, 0.7] } });
  assert.deepEqual(rec.accuracy, [0.5, 0.6]);
  assert.deepEqual(rec.val_accuracy, [0.4, 0.7]);
});
