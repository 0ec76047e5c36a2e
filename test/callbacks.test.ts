import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { earlyStopping, formatCheckpointPath, modelCheckpoint, resolveMode } from '../lib/training/callbacks';
import { historyRecord, monitorValue } from '../lib/training/logs';
import { reportTo, type BatchReport, type EpochReport, type TrainingPlan } from '../lib/training/reporter';
import { loadModel } from '../lib/io/modelIO';
import { tempDir } from './helpers/tempDir';
import { tinyModel } from './helpers/tinyModel';

before(async () => {
  await tf.setBackend('cpu');
});

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
  assert.ok(
    weightsOf(model).every((w) => w.every((v) => v === 2)),
    'weights from epoch 2 (index 1) restored',
  );
  assert.equal(tf.memory().numTensors, start, 'the weight snapshot is disposed');
});

test('earlyStopping in model.fit: mode, minDelta, tfjs/Keras metric names', async () => {
  assert.equal(resolveMode('val_accuracy'), 'max');
  assert.equal(resolveMode('val_loss'), 'min');
  assert.equal(monitorValue({ val_acc: 0.9 }, 'val_accuracy'), 0.9);
  assert.equal(monitorValue({ accuracy: 0.8 }, 'acc'), 0.8);

  const model = tinyModel();
  const xs = tf.tensor2d([
    [1, 2],
    [2, 1],
    [0, 1],
    [1, 0],
  ]);
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
  const h2 = await m2.fit(xs, ys, {
    epochs: 10,
    verbose: 0,
    callbacks: [earlyStopping({ monitor: 'loss', minDelta: 1e6, patience: 2, verbose: false })],
  });
  assert.equal(h2.epoch.length, 3);
  tf.dispose([xs, ys]);
});

test('modelCheckpoint saveBestOnly writes a loadable model only when the monitored value improves', async () => {
  const dir = tempDir('ckpt-');
  const model = tinyModel();
  const cb = modelCheckpoint(path.join(dir, 'best-{epoch:02d}'), {
    monitor: 'val_accuracy',
    saveBestOnly: true,
    verbose: false,
  });
  cb.setModel(model);
  const accs = [0.5, 0.7, 0.6, 0.9];
  for (let e = 0; e < accs.length; e++) {
    setAll(model, e);
    await cb.onEpochEnd(e, { val_acc: accs[e] });
  }
  assert.deepEqual(
    cb.saved.map((p) => path.basename(p)),
    ['best-01', 'best-02', 'best-04'],
  );
  const loaded = await loadModel(path.join(dir, 'best-04'));
  assert.ok(weightsOf(loaded).every((w) => w.every((v) => v === 3)));
  const every = modelCheckpoint(path.join(dir, 'last'), { verbose: false });
  every.setModel(model);
  await every.onEpochEnd(0, {});
  await every.onEpochEnd(1, {});
  assert.ok(fs.existsSync(path.join(dir, 'last', 'model.json')));
  assert.equal(formatCheckpointPath('m-{epoch:03d}-{val_loss:.2f}', 4, { val_loss: 0.12345 }), 'm-005-0.12');
});

test('a reporter gets epochs, batches and the history as numbers, and training loads no ui module', async () => {
  const model = tinyModel();
  const xs = tf.randomNormal([40, 2]);
  const ys = tf.randomNormal([40, 1]);
  const plans: TrainingPlan[] = [];
  const batches: BatchReport[] = [];
  const epochs: (EpochReport & { seen: number })[] = [];
  let ended: Readonly<Record<string, number[]>> | undefined;
  const cb = reportTo({
    onTrainBegin: (plan) => void plans.push(plan),
    onBatchEnd: (r) => void batches.push(r),
    onEpochEnd: (r) => void epochs.push({ ...r, seen: r.history.loss.length }),
    onTrainEnd: (h) => void (ended = h),
  });
  const start = tf.memory().numTensors;
  const h = await model.fit(xs, ys, { epochs: 3, batchSize: 10, validationSplit: 0.25, verbose: 0, callbacks: [cb] });
  assert.deepEqual(plans, [{ epochs: 3, steps: 3 }], '30 training samples in batches of 10');
  assert.equal(batches.length, 9);
  assert.deepEqual(
    batches.slice(0, 4).map((b) => [b.epoch, b.batch]),
    [
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 0],
    ],
  );
  assert.equal(typeof batches[0].logs.loss, 'number');
  assert.deepEqual(
    epochs.map((e) => e.epoch),
    [0, 1, 2],
  );
  assert.deepEqual(
    epochs.map((e) => e.seen),
    [1, 2, 3],
    'the history so far comes with each epoch',
  );
  const rec = historyRecord(h);
  for (const k of ['loss', 'val_loss']) {
    assert.deepEqual(
      cb.history[k].map((v) => v.toFixed(6)),
      rec[k].map((v) => v.toFixed(6)),
      `${k} matches fit's History`,
    );
  }
  assert.equal(ended, cb.history);
  assert.equal(tf.memory().numTensors, start, 'reading the logs leaks nothing');
  const uiModules = Object.keys(require.cache).filter((k) => /[\\/]lib[\\/]ui[\\/]/.test(k));
  assert.deepEqual(uiModules, [], 'lib/training never loads lib/ui');
  tf.dispose([xs, ys]);
});

test('historyRecord gives tfjs and Keras metric names', () => {
  const rec = historyRecord({ history: { loss: [1, 0.5], acc: [0.5, 0.6], val_acc: [0.4, 0.7] } });
  assert.deepEqual(rec.accuracy, [0.5, 0.6]);
  assert.deepEqual(rec.val_accuracy, [0.4, 0.7]);
  assert.deepEqual(historyRecord({ val_accuracy: [0.9] }).val_acc, [0.9]);
});
