/**
 * lib/ui/'s views of training: the live progress callback, the learning-curve and confusion-matrix figures, the
 * evaluation and trainable-parameter views — in a terminal (text, English) and in a simulated tslab kernel
 * (rich output through the kernel's display hook, Korean).
 */
import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { evaluateModel, type EvalBatches } from '../lib/training/evaluate';
import { buildTransferModel } from '../lib/training/transferModel';
import { trainableSummary } from '../lib/training/trainableSummary';
import { confusionMatrixFigure, learningCurveFigures } from '../lib/ui/figures';
import { evaluationCaption, mistakeCaption, showEvaluation } from '../lib/ui/evaluationView';
import { describeTrainable, showTrainableSummary } from '../lib/ui/trainableView';
import { epochLine, liveProgress } from '../lib/ui/trainingProgress';
import { inFakeNotebook } from './helpers/fakeNotebook';
import { sigmoidModel, tinyModel } from './helpers/tinyModel';

before(async () => {
  await tf.setBackend('cpu');
});

/** Captures what is written to a progress sink. */
function sink(): { write(s: string): void; out: string } {
  const s = { out: '', write: (t: string) => void (s.out += t) };
  return s;
}

test('liveProgress prints a batch line and one Keras-style line per epoch; quiet and LESSON_QUIET print nothing', async () => {
  const model = tinyModel();
  const xs = tf.randomNormal([64, 2]);
  const ys = tf.randomNormal([64, 1]);
  const s = sink();
  const cb = liveProgress({ sink: s });
  await model.fit(xs, ys, { epochs: 2, batchSize: 8, validationSplit: 0.25, verbose: 0, callbacks: [cb] });
  assert.match(
    s.out,
    /^\rEpoch 1\/2 \[=*>? *\] +16% 1\/6 \d+\.\ds - loss: \d\.\d{4}/,
    'the first batch draws the line',
  );
  const lines = s.out.split('\n').filter((l) => l.trim());
  assert.equal(lines.length, 2);
  assert.match(lines[0], /\rEpoch 1\/2 - \d+\.\ds - loss: \d\.\d{4} - val_loss: \d\.\d{4} {8}$/);
  assert.match(lines[1], /\rEpoch 2\/2 - /);
  assert.equal(cb.history.loss.length, 2);
  assert.equal(cb.history.val_loss.length, 2);

  const quiet = sink();
  await model.fit(xs, ys, { epochs: 1, verbose: 0, callbacks: [liveProgress({ quiet: true, sink: quiet })] });
  process.env.LESSON_QUIET = '1';
  try {
    await model.fit(xs, ys, { epochs: 1, verbose: 0, callbacks: [liveProgress({ sink: quiet })] });
  } finally {
    delete process.env.LESSON_QUIET;
  }
  assert.equal(quiet.out, '');
  tf.dispose([xs, ys]);
});

test('epochLine: Keras layout and number format', () => {
  assert.equal(epochLine(0, 5, 1.26, { loss: 0.5, acc: 0.75 }), 'Epoch 1/5 - 1.3s - loss: 0.5000 - acc: 0.7500');
  assert.equal(
    epochLine(2, undefined, 0, { batch: 3, size: 8, loss: 1.5e-6, mse: 12345 }),
    'Epoch 3 - 0.0s - loss: 1.500e-6 - mse: 1.235e+4',
  );
  assert.equal(
    epochLine(0, 2, 1, { val_loss: 0.7, val_acc: 0.6, loss: 0.5, acc: 0.75 }),
    'Epoch 1/2 - 1.0s - loss: 0.5000 - acc: 0.7500 - val_loss: 0.7000 - val_acc: 0.6000',
    'training metrics first, as Keras prints them',
  );
});

test(
  'in a notebook, liveProgress embeds plotly.js once per executed cell and redraws one area of learning ' +
    'curves each epoch, in Korean',
  async () => {
    const model = tinyModel();
    const xs = tf.randomNormal([16, 2]);
    const ys = tf.randomNormal([16, 1]);
    const s = sink();
    const sent = await inFakeNotebook(() =>
      model
        .fit(xs, ys, {
          epochs: 3,
          batchSize: 8,
          validationSplit: 0.5,
          verbose: 0,
          callbacks: [liveProgress({ figure: true, title: '실험', sink: s })],
        })
        .then(() => undefined),
    );
    assert.match(s.out, /에포크 1\/3 · \d+\.\d초 · 손실 [\d.e+-]+ · 검증 손실 [\d.e+-]+ *\n/);
    assert.doesNotMatch(s.out, /loss|val_/, 'no English metric keys in a notebook');
    const [loader, waiting, ...area] = sent;
    assert.ok(
      loader.html?.startsWith('<script') && loader.html.length > 500_000 && !loader.html.includes('class="tlts-plot"'),
      'plotly.js in an output of its own',
    );
    assert.match(
      waiting.html ?? '',
      /학습 곡선은 첫 에포크가 끝나면 여기에 그려집니다/,
      'the area is shown at once, above the epoch lines',
    );
    assert.equal(area.length, 3, 'one redraw per epoch');
    assert.ok(
      area.every((m) => m.id === waiting.id && m.id),
      'all in the same display area',
    );
    assert.deepEqual(
      [waiting, ...area].map((m) => m.update),
      [false, true, true, true],
    );
    for (const m of area) {
      assert.equal(m.html?.match(/class="tlts-plot"/g)?.length, 2, 'accuracy and loss figures');
      assert.ok(
        !m.html?.includes('tlts-plotly') && m.html!.length < 20_000,
        'the redrawn area does not carry plotly.js',
      );
    }
    assert.match(area[2].html ?? '', /실험<\/div>/);
    assert.match(area[2].html ?? '', /학습·검증 손실/);
    const again = await inFakeNotebook(() =>
      model
        .fit(xs, ys, { epochs: 1, verbose: 0, callbacks: [liveProgress({ figure: true, sink: s })] })
        .then(() => undefined),
    );
    assert.equal(
      again.length,
      3,
      "a cell executed later carries plotly.js again: its outputs do not depend on another cell's",
    );
    assert.ok(again[0].html?.includes('tlts-plotly'));
    tf.dispose([xs, ys]);
  },
);

test('liveProgress({ continues }) draws an earlier training first, then this one, with a dotted line between them', async () => {
  const model = tinyModel();
  const xs = tf.randomNormal([16, 2]);
  const ys = tf.randomNormal([16, 1]);
  const s = sink();
  const first = { loss: [3, 2], val_loss: [3.5, 2.5] };
  const cb = liveProgress({ figure: true, sink: s, continues: first, continuesLabel: '미세 조정 시작' });
  const sent = await inFakeNotebook(() =>
    model
      .fit(xs, ys, { epochs: 2, batchSize: 8, validationSplit: 0.5, verbose: 0, callbacks: [cb] })
      .then(() => undefined),
  );
  const last = sent[sent.length - 1].html ?? '';
  const specs = [...last.matchAll(/var f=(\{.*?\});var done/g)].map((m) => JSON.parse(m[1]));
  const spec = specs.find((f) => f.layout.title.text.includes('학습·검증 손실'));
  assert.ok(spec, 'the loss figure is in the last redraw');
  const train = spec.data[0] as { x: number[]; y: number[] };
  assert.deepEqual(train.x, [1, 2, 3, 4], 'two earlier epochs, then two of this run');
  assert.deepEqual(train.y.slice(0, 2), [3, 2]);
  assert.deepEqual(train.y.slice(2), cb.history.loss);
  assert.equal(spec.layout.shapes[0].x0, 2.5, 'the line sits between epoch 2 and 3');
  assert.equal(spec.layout.annotations[0].text, '미세 조정 시작');
  tf.dispose([xs, ys]);
});

test('learning-curve and confusion-matrix figures have Korean titles and the numbers given', () => {
  const curves = learningCurveFigures({
    history: { loss: [1, 0.5, 0.4], val_loss: [1.1, 0.7, 0.8], acc: [0.5, 0.7, 0.8], val_acc: [0.5, 0.6, 0.6] },
  });
  const names = (f: { data: object[] }) => f.data.map((d) => (d as { name: string }).name);
  assert.deepEqual(names(curves.accuracy), ['학습', '검증']);
  assert.deepEqual((curves.accuracy.data[0] as { y: number[] }).y, [0.5, 0.7, 0.8], 'tfjs `acc` read as accuracy');
  assert.deepEqual((curves.loss.data[1] as { y: number[] }).y, [1.1, 0.7, 0.8]);
  assert.deepEqual((curves.loss.data[1] as { x: number[] }).x, [1, 2, 3]);
  const layout = curves.loss.layout as { title: { text: string }; xaxis: { title: { text: string } } };
  assert.equal(layout.title.text, '학습·검증 손실');
  assert.equal(layout.xaxis.title.text, '에포크');
  const cm = [
    [1, 1, 0],
    [1, 2, 0],
    [0, 0, 1],
  ];
  const fig = confusionMatrixFigure(cm, ['a', 'b', 'c']);
  assert.deepEqual((fig.data[0] as { z: number[][] }).z, cm);
  assert.equal((fig.layout as { title: { text: string } }).title.text, '혼동 행렬');
});

/** p = sigmoid(x) on five images, two of them wrong (as in evaluate.test.ts). */
async function evaluation() {
  const m = sigmoidModel();
  const x = [2, -1, 0.5, -3, 4];
  const batches = [{ xs: tf.tensor2d(x, [5, 1]), ys: tf.tensor2d([1, 1, 0, 0, 1], [5, 1]) }];
  return evaluateModel(
    m,
    Object.assign(batches, { filePaths: x.map((_, i) => `f${i}.jpg`), classNames: ['cats', 'dogs'] }) as EvalBatches,
  );
}

test('showEvaluation in a terminal prints the per-class table and the mistakes, most confident first', async () => {
  const result = await evaluation();
  const logs: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => void logs.push(a.join(' '));
  try {
    await showEvaluation(result, { mistakes: 5 });
  } finally {
    console.log = orig;
  }
  const text = logs.join('\n');
  assert.match(
    text,
    /accuracy 60\.0%, loss \d\.\d{4}\nclass +precision +recall +F1 +images\n[- ]+\ncats +0\.5000 +0\.5000 +0\.5000 +2 *\ndogs +0\.6667 +0\.6667 +0\.6667 +3 *$/m,
  );
  assert.match(
    text,
    /The 2 misclassified images the model was most sure about:\nf1\.jpg: true dogs, predicted cats \(73\.1%\)\nf2\.jpg: true cats, predicted dogs \(62\.2%\)/,
  );
  assert.equal(evaluationCaption(result), `accuracy 60.0%, loss ${result.loss.toFixed(4)}`);
});

test('in a notebook, the evaluation and trainable views speak Korean', async () => {
  const result = await evaluation();
  const model = buildTransferModel(
    tf.sequential({
      layers: [tf.layers.conv2d({ filters: 2, kernelSize: 3, inputShape: [6, 6, 3], name: 'block1_conv1' })],
      name: 'base',
    }),
    { dense: 4 },
  );
  let caption = '';
  const sent = await inFakeNotebook(async () => {
    caption = mistakeCaption({ index: 1, trueLabel: 'dogs', predicted: 'cats', confidence: 0.7311 });
    await showEvaluation(result, { mistakes: 0 });
    showTrainableSummary(model);
  });
  assert.equal(caption, '실제 개, 예측 고양이 (73.1%)');
  const [figure, table, trainable] = sent.map((m) => m.html ?? '');
  assert.match(figure, /class="tlts-plot"/);
  assert.match(table, /정확도 60\.0%, 손실 .*<th>클래스<\/th><th>정밀도<\/th><th>재현율<\/th>/);
  assert.match(trainable, /transfer_model: 학습 가능 137 \/ 학습 불가 56 .*<th>층<\/th>/);
  assert.match(
    trainable,
    /<td>base\/block1_conv1<\/td><td>Conv2D<\/td><td style="text-align:right">56<\/td><td style="text-align:right">0<\/td><td>아니오<\/td>/,
  );
  assert.equal(sent.length, 3);
});

test('describeTrainable in a terminal', () => {
  const model = buildTransferModel(
    tf.sequential({ layers: [tf.layers.conv2d({ filters: 2, kernelSize: 3, inputShape: [6, 6, 3] })] }),
    { dense: 4 },
  );
  const s = trainableSummary(model);
  const head = (4 * 4 * 2 + 1) * 4 + (4 + 1);
  assert.equal(
    describeTrainable(s),
    `trainable ${head} / non-trainable 56 / total ${head + 56} parameters (4 trainable weight tensors)`,
  );
});
