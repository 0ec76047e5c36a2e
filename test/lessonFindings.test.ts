/**
 * Issue 19 item 2, evidence that holds: the overfitting numbers are the means of the last epochs (with the loss gap),
 * every sentence about a run is built from its numbers, and 07's control trains the classifier alone from the same
 * weights and puts them back.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  accuracyMargin,
  augmentationFinding,
  epochTimeFinding,
  fineTuneFinding,
  overfittingFinding,
  testAccuracyFinding,
  topicParticle,
} from '../lib/lesson/findings';
import { classifierOnlyControl } from '../lib/lesson/fineTuneControl';
import type { LessonDatasets } from '../lib/lesson/profileDatasets';
import { compileBinaryClassifier } from '../lib/training/compile';
import { overfittingSummary } from '../lib/training/overfitting';
import { buildTransferModel } from '../lib/training/transferModel';
import { accuracyTableRows } from '../lib/ui/accuracyTable';
import { summaryEpochs } from '../lib/ui/trainingProgress';

const history = {
  acc: [0.5, 0.8, 0.9, 1, 1, 1, 1, 1],
  val_acc: [0.5, 0.7, 0.8, 0.9, 0.86, 0.88, 0.92, 0.84],
  loss: [0.7, 0.4, 0.2, 0.01, 0.002, 0.001, 0.001, 0.001],
  val_loss: [0.7, 0.5, 0.4, 0.3, 0.31, 0.3, 0.29, 0.3],
};

test('overfittingSummary: means of the last epochs, their validation range, and the loss gap', () => {
  const s = overfittingSummary(history, 5);
  assert.equal(s.epochs, 5);
  assert.ok(Math.abs(s.train - 1) < 1e-12);
  assert.ok(Math.abs(s.validation - (0.9 + 0.86 + 0.88 + 0.92 + 0.84) / 5) < 1e-12);
  assert.ok(Math.abs(s.gap - (s.train - s.validation)) < 1e-12);
  assert.ok(Math.abs(s.trainLoss - 0.003) < 1e-12);
  assert.ok(Math.abs(s.lossGap - (0.3 - 0.003)) < 1e-12);
  assert.deepEqual(s.validationRange, [0.84, 0.92]);
  // Not the last epoch alone (its gap is 0.16), and a short training averages what it has.
  assert.notEqual(s.gap.toFixed(3), (1 - 0.84).toFixed(3));
  assert.equal(overfittingSummary({ acc: [1, 1], val_acc: [0.5, 0.7], loss: [0, 0], val_loss: [1, 1] }).epochs, 2);
  assert.throws(() => overfittingSummary({ acc: [1], loss: [1] }), /no val_accuracy, val_loss/);
  assert.throws(() => overfittingSummary(history, 0), /lastEpochs must be a whole number >= 1/);
});

test('the comparison table shows the losses and their gap next to the accuracies', () => {
  const [row] = accuracyTableRows([{ label: 'a', train: 1, validation: 0.9, trainLoss: 3e-5, validationLoss: 0.25 }]);
  assert.equal(row['train loss'], '3.0e-5');
  assert.equal(row['validation loss'], '0.2500');
  assert.equal(row['loss gap (validation - train)'], '0.2500');
});

test('the sentences are built from the numbers, and their verdicts follow them', () => {
  const s = overfittingSummary(history, 5);
  const md = overfittingFinding(s);
  assert.match(md, /학습 정확도 1\.000, 검증 정확도 0\.880, 차이 0\.120/);
  assert.match(md, /검증 정확도는 0\.840~0\.920 사이/);
  assert.match(md, /손실은 학습 0\.0030, 검증 0\.3000입니다: 검증 손실이 학습 손실의 약 100배/);
  const close = overfittingFinding({ ...s, trainLoss: 0.25, validationLoss: 0.3 });
  assert.match(close, /두 손실이 비슷해서/);
  assert.doesNotMatch(close, /과대적합의 신호/);
  // The 95 % interval of an accuracy on n photos, never below one photo.
  assert.ok(Math.abs(accuracyMargin(0.9, 100) - 1.96 * Math.sqrt(0.09 / 100)) < 1e-12);
  assert.equal(accuracyMargin(1, 100), 0.01);
  assert.match(testAccuracyFinding(0.91, 100), /테스트 정확도는 0\.910입니다\.\*\* .*사진 한 장이 0\.010.*±0\.06/);
  const r05 = { label: '05', train: 1, validation: 0.88, trainLoss: 0.001, validationLoss: 0.3, test: 0.9 };
  const r06 = {
    label: '06',
    train: 0.88,
    validation: 0.89,
    trainLoss: 0.28,
    validationLoss: 0.27,
    test: 0.93,
    epochs: 5,
  };
  const aug = augmentationFinding(r05, r06, 100);
  assert.match(aug, /05가 0\.120, 06이 -0\.010입니다\. 데이터 증식으로 과대적합이 0\.130만큼 줄었습니다/);
  assert.match(aug, /차이 0\.030\(사진 3장\)은 ±0\.0[56] 구간보다 작아서/);
  assert.match(augmentationFinding(r05, { ...r06, train: 1, validation: 0.89 }, 100), /분명하게 줄지 않았습니다/);
  assert.match(augmentationFinding(r05, { ...r06, test: 0.7 }, 100), /구간보다 큽니다/);
  assert.equal(
    epochTimeFinding([5.04, 6.2, 5.5]),
    '이번 실행에서 에포크 하나에 5.0~6.2초(평균 5.6초) 걸렸습니다 (3 에포크).',
  );
  const ft = fineTuneFinding({ before: 0.85, control: 0.88, tuned: 0.9, epochs: 4, n: 100 });
  assert.match(
    ft,
    /1단계 뒤 0\.850 → 분류기만 4 에포크 더 \(대조군\) 0\.880, 위쪽 층을 풀고 4 에포크 \(미세 조정\) 0\.900/,
  );
  assert.match(ft, /대조군보다 0\.020 높습니다/);
  const same = fineTuneFinding({ before: 0.87, control: 0.89, tuned: 0.89, epochs: 4, n: 100 });
  assert.match(same, /미세 조정과 대조군의 테스트 정확도가 같습니다: 1단계 뒤와의 차이 0\.020은/);
  assert.doesNotMatch(same, /대조군보다/);
  const flat = fineTuneFinding({ before: 0.89, control: 0.89, tuned: 0.89, epochs: 4, n: 100 });
  assert.match(flat, /세 값이 모두 같습니다/);
  assert.doesNotMatch(flat, /차이 0\.000/, 'no difference of 0.000 to explain');
  assert.deepEqual(['0.020', '0.012', '0.101', '0.034'].map(topicParticle), ['은', '는', '은', '는']);
});

test('the compact epoch summary shows the first epoch, every few and the last', () => {
  assert.deepEqual(summaryEpochs(30), [0, 4, 9, 14, 19, 24, 29]);
  assert.deepEqual(summaryEpochs(8), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(summaryEpochs(10), [0, 1, 3, 5, 7, 9]);
});

test("07's control trains the classifier alone, evaluates it, and restores every weight", async () => {
  const base = tf.sequential({
    name: 'tiny_base',
    layers: [tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 2, kernelSize: 3, activation: 'relu', name: 'c' })],
  });
  const model = buildTransferModel(base, { preprocess: 'tf', dense: 4, dropout: 0 });
  compileBinaryClassifier(model, 0.01);
  const batches = () =>
    tf.data.array([0, 1, 2, 3]).map((i) => ({
      xs: tf.fill([2, 8, 8, 3], (i as number) * 60),
      ys: tf.tensor2d([[(i as number) % 2], [(i as number) % 2]]),
    }));
  const split = { toTfData: batches, [Symbol.iterator]: function* () {} };
  const test4 = Object.assign(
    [0, 1].map((i) => ({ xs: tf.fill([2, 8, 8, 3], i * 60), ys: tf.tensor2d([[i], [i]]) })),
    { classNames: ['cats', 'dogs'] },
  );
  const data = { train: split, validation: split, test: test4 } as unknown as LessonDatasets;
  const before = model.getWeights().map((w) => w.arraySync());
  const baseBefore = base.getWeights().map((w) => w.arraySync());
  const control = await classifierOnlyControl(model, base, data, { epochs: 2, learningRate: 0.1 });
  assert.equal(control.result.labels.length, 4, 'evaluated on the test batches');
  assert.equal(control.history.loss.length, 2, 'trained the given epochs');
  assert.deepEqual(
    model.getWeights().map((w) => w.arraySync()),
    before,
    'every weight is back',
  );
  assert.deepEqual(
    base.getWeights().map((w) => w.arraySync()),
    baseBefore,
  );
  assert.ok(
    base.layers.every((l) => !l.trainable),
    'the base stays frozen',
  );
  model.dispose();
});
