import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  confusionMatrix,
  evaluateModel,
  mostConfidentMistakes,
  perClassMetrics,
  type EvalBatches,
} from '../lib/training/evaluate';
import { sigmoidModel } from './helpers/tinyModel';

before(async () => {
  await tf.setBackend('cpu');
});

function batches(x: number[], y: number[], batchSize: number, extra: Partial<EvalBatches> = {}): EvalBatches {
  return {
    ...extra,
    async *[Symbol.asyncIterator]() {
      for (let i = 0; i < x.length; i += batchSize) {
        const xb = x.slice(i, i + batchSize);
        yield { xs: tf.tensor2d(xb, [xb.length, 1]), ys: tf.tensor2d(y.slice(i, i + batchSize), [xb.length, 1]) };
      }
    },
  } as EvalBatches;
}

const sig = (v: number) => 1 / (1 + Math.exp(-v));

test('binary evaluation: loss, accuracy and predictions match a hand computation and model.evaluate', async () => {
  const x = [2, -1, 0.5, -3, 4];
  const y = [1, 1, 0, 0, 1];
  const model = sigmoidModel();
  const r = await evaluateModel(
    model,
    batches(x, y, 2, { filePaths: x.map((_, i) => `f${i}.jpg`), classNames: ['cats', 'dogs'] }),
  );
  assert.deepEqual(r.predictions, [1, 0, 1, 0, 1]);
  assert.deepEqual(r.labels, y);
  assert.equal(r.accuracy, 3 / 5);
  const bce = x.reduce((a, v, i) => a - (y[i] * Math.log(sig(v)) + (1 - y[i]) * Math.log(1 - sig(v))), 0) / x.length;
  assert.ok(Math.abs(r.loss - bce) < 1e-5, `${r.loss} vs ${bce}`);
  const [tfLoss, tfAcc] = model.evaluate(tf.tensor2d(x, [5, 1]), tf.tensor2d(y, [5, 1])) as tf.Scalar[];
  assert.ok(Math.abs(tfLoss.dataSync()[0] - r.loss) < 1e-4);
  assert.ok(Math.abs(tfAcc.dataSync()[0] - r.accuracy) < 1e-6);
  assert.ok(Math.abs(r.confidences[1] - (1 - sig(-1))) < 1e-6);
  assert.deepEqual(r.filePaths, ['f0.jpg', 'f1.jpg', 'f2.jpg', 'f3.jpg', 'f4.jpg']);
  assert.equal(r.numClasses, 2);

  const mistakes = mostConfidentMistakes(r, 5);
  assert.deepEqual(
    mistakes.map((m) => m.index),
    [1, 2],
    'sigmoid(-1) -> 73% cat beats sigmoid(0.5) -> 62% dog',
  );
  assert.equal(mistakes[0].path, 'f1.jpg');
  assert.equal(mistakes[0].trueLabel, 'dogs');
  assert.equal(mistakes[0].predicted, 'cats');
  assert.ok(Math.abs(mistakes[0].confidence - (1 - sig(-1))) < 1e-6);
  tf.dispose([tfLoss, tfAcc]);
});

test('multi-class evaluation with one-hot and integer labels', async () => {
  const m = tf.sequential({
    layers: [
      tf.layers.dense({
        units: 3,
        inputShape: [3],
        activation: 'softmax',
        kernelInitializer: 'identity',
        biasInitializer: 'zeros',
      }),
    ],
  });
  const xs = [
    [5, 0, 0],
    [0, 5, 0],
    [0, 0, 5],
    [5, 0, 0],
  ];
  const labels = [0, 1, 0, 2];
  const oneHot = {
    async *[Symbol.asyncIterator]() {
      yield { xs: tf.tensor2d(xs), ys: tf.oneHot(tf.tensor1d(labels, 'int32'), 3) };
    },
  };
  const r = await evaluateModel(m, oneHot);
  assert.deepEqual(r.labels, labels, 'one-hot labels are read back as class ids');
  assert.deepEqual(r.predictions, [0, 1, 2, 0]);
  assert.equal(r.accuracy, 0.5);
  const p = Math.exp(5) / (Math.exp(5) + 2);
  const q = 1 / (Math.exp(5) + 2);
  const expected = (-Math.log(p) * 2 - Math.log(q) * 2) / 4;
  assert.ok(Math.abs(r.loss - expected) < 1e-4);
  const ints = [{ xs: tf.tensor2d(xs), ys: tf.tensor1d(labels) }];
  const r2 = await evaluateModel(m, ints);
  assert.deepEqual(r2.labels, labels);
  assert.ok(Math.abs(r2.loss - r.loss) < 1e-6);
  const bad = [{ xs: tf.tensor2d(xs), ys: tf.tensor1d([0, 1, 7, 0]) }];
  await assert.rejects(
    evaluateModel(m, bad),
    /^Error: evaluateModel: label 7 of image 2 is outside 0\.\.2; does the model's output \(3 units\) match the dataset\?$/,
  );
  for (const label of [-1, 3]) {
    const outside = [{ xs: tf.tensor2d([xs[0]]), ys: tf.tensor1d([label]) }];
    await assert.rejects(evaluateModel(m, outside), new RegExp(`label ${label} of image 0 is outside 0\\.\\.2`));
  }
});

test('one-hot labels over several batches: each image is read from its own row', async () => {
  const m = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [1], activation: 'softmax' })] });
  const labels = [3, 1, 2, 0, 2, 3, 1];
  const batchesOf2 = {
    async *[Symbol.asyncIterator]() {
      for (let i = 0; i < labels.length; i += 2) {
        const part = labels.slice(i, i + 2);
        yield { xs: tf.zeros([part.length, 1]), ys: tf.oneHot(tf.tensor1d(part, 'int32'), 4) };
      }
    },
  };
  const r = await evaluateModel(m, batchesOf2);
  assert.deepEqual(r.labels, labels);
  assert.equal(r.predictions.length, 7);
  assert.equal(r.numClasses, 4);
  m.dispose();
});

test("a sigmoid output of exactly 0.5 is class 0, and 0 or 1 exactly give a finite loss (Keras's clip)", async () => {
  const model = sigmoidModel(); // p = sigmoid(x)
  const r = await evaluateModel(model, batches([0, 100, -100], [1, 0, 1], 3));
  assert.deepEqual(r.predictions, [0, 1, 0], 'p = 0.5 is not above the threshold (Keras: y_pred > 0.5)');
  const [, tfAcc] = model.evaluate(tf.tensor2d([0], [1, 1]), tf.tensor2d([1], [1, 1])) as tf.Scalar[];
  assert.equal(tfAcc.dataSync()[0], 0, 'tfjs counts p = 0.5 with label 1 as wrong too');
  // p = 1 with label 0 and p = 0 with label 1 cost -log(1e-7) each, not Infinity.
  const expected = (-Math.log(0.5) - 2 * Math.log(1e-7)) / 3;
  assert.ok(Math.abs(r.loss - expected) < 1e-3, `${r.loss} vs ${expected}`);
  const strict = await evaluateModel(model, batches([0.1], [1], 1), { threshold: 0.6 });
  assert.deepEqual(strict.predictions, [0], 'sigmoid(0.1) = 0.525 is below a threshold of 0.6');
});

test('evaluateModel keeps the tensor count flat over many batches', async () => {
  const model = sigmoidModel();
  const x = Array.from({ length: 120 }, (_, i) => Math.sin(i + 0.5));
  const y = x.map((v) => (v > 0 ? 1 : 0));
  await evaluateModel(model, batches(x, y, 4));
  const start = tf.memory().numTensors;
  const r = await evaluateModel(model, batches(x, y, 4));
  assert.equal(r.accuracy, 1);
  assert.equal(tf.memory().numTensors, start);
});

test('confusion matrix and per-class metrics', () => {
  const cm = confusionMatrix([0, 0, 1, 1, 1, 2], [0, 1, 1, 1, 0, 2], 3);
  assert.deepEqual(cm, [
    [1, 1, 0],
    [1, 2, 0],
    [0, 0, 1],
  ]);
  const rows = perClassMetrics(cm, ['a', 'b', 'c']);
  assert.equal(rows[1].class, 'b');
  assert.ok(Math.abs(rows[1].precision - 2 / 3) < 1e-12 && Math.abs(rows[1].recall - 2 / 3) < 1e-12);
  assert.equal(rows[2].f1, 1);
  assert.throws(() => confusionMatrix([0, 3], [0, 0], 2), /item 1 has label 3/);
});

test('confusion matrix rows are the true class, columns the prediction (an asymmetric case)', () => {
  // Three cats, all called dogs; one dog, called a dog; one bird, called a cat.
  const labels = [0, 0, 0, 1, 2];
  const preds = [1, 1, 1, 1, 0];
  const cm = confusionMatrix(labels, preds, 3);
  assert.deepEqual(cm, [
    [0, 3, 0],
    [0, 1, 0],
    [1, 0, 0],
  ]);
  // Row sums are how many images each class has (support); column sums how often each class was predicted.
  const rows = perClassMetrics(cm, ['cats', 'dogs', 'birds']);
  assert.deepEqual(
    rows.map((r) => r.support),
    [3, 1, 1],
  );
  assert.equal(rows[1].recall, 1, 'the one dog was found');
  assert.equal(rows[1].precision, 1 / 4, 'four images were called dogs, one of them a dog');
  assert.equal(rows[0].precision, 0, 'the one image called a cat was a bird');
  assert.equal(rows[0].recall, 0);
  assert.equal(rows[0].f1, 0, 'no true positives: F1 is 0, not NaN');
  assert.ok(Math.abs(rows[1].f1 - (2 * 0.25 * 1) / 1.25) < 1e-12);
});

test('evaluateModel refuses one-hot labels of another width, and a dataset with no batches', async () => {
  const m = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [1], activation: 'softmax' })] });
  const wide = [{ xs: tf.zeros([2, 1]), ys: tf.oneHot(tf.tensor1d([0, 3], 'int32'), 4) }];
  await assert.rejects(
    evaluateModel(m, wide),
    /^Error: evaluateModel: labels are one-hot with 4 classes but the model has 3 outputs\.$/,
  );
  await assert.rejects(evaluateModel(m, []), /^Error: evaluateModel: the dataset produced no batches\.$/);
  m.dispose();
});

test('evaluateModel names only the files it evaluated, and counts a binary model as 2 classes', async () => {
  const files = ['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg'];
  const r = await evaluateModel(sigmoidModel(), batches([1, -1], [1, 0], 2, { filePaths: files }));
  assert.deepEqual(r.filePaths, ['a.jpg', 'b.jpg'], 'a dataset cut short names the images it gave');
  assert.equal(r.numClasses, 2);
});

test('confusionMatrix refuses mismatched lengths and any label or prediction outside 0..n-1, naming the item', () => {
  assert.throws(() => confusionMatrix([0, 1], [0], 2), /^Error: confusionMatrix: 2 labels but 1 predictions\.$/);
  for (const [labels, preds, item] of [
    [[0, -1], [0, 0], '1 has label -1 / prediction 0'],
    [[0, 1], [2, 0], '0 has label 0 / prediction 2'],
    [[0, 1], [0, -1], '1 has label 1 / prediction -1'],
    [[0, 0.5], [0, 0], '1 has label 0.5 / prediction 0'],
    [[2, 0], [0, 0], '0 has label 2 / prediction 0'],
  ] as [number[], number[], string][]) {
    assert.throws(
      () => confusionMatrix(labels, preds, 2),
      new RegExp(`^Error: confusionMatrix: item ${item}, outside 0\\.\\.1\\.$`),
    );
  }
  assert.deepEqual(
    confusionMatrix([1, 1], [1, 1], 2),
    [
      [0, 0],
      [0, 2],
    ],
    'class n-1 is inside',
  );
});

test('mostConfidentMistakes: only wrong answers, the surest first, at most k', () => {
  const result = {
    predictions: [1, 0, 1, 1, 0, 1],
    labels: [0, 0, 0, 1, 1, 0],
    confidences: [0.6, 0.99, 0.9, 0.8, 0.7, 0.95],
    classNames: ['cats', 'dogs'],
  } as Parameters<typeof mostConfidentMistakes>[0];
  const all = mostConfidentMistakes(result);
  assert.deepEqual(
    all.map((m) => m.index),
    [5, 2, 4, 0],
  );
  assert.deepEqual(
    all.map((m) => m.confidence),
    [0.95, 0.9, 0.7, 0.6],
  );
  assert.deepEqual(
    mostConfidentMistakes(result, 2).map((m) => m.index),
    [5, 2],
  );
  assert.equal(all[2].trueLabel, 'dogs');
  assert.equal(all[2].predicted, 'cats');
});
