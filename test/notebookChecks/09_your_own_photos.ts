/** Output checks of notebooks/09_your_own_photos.ipynb (executed in the mini profile, without LESSON_DATA, by test/notebooks.test.ts). */
import { KOREAN_CLASS_NAMES } from '../../lib/core/displayNames';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { buildPath } from '../../lib/core/paths';
import { ExecutedNotebook, num, statisticalCheck } from '../helpers/notebookOutputs';
import { captionAccuracy } from './05_fast_feature_extraction';
import { grids } from './08_grad_cam';

const CLASSES = ['daisy', 'dandelion', 'rose', 'sunflower', 'tulip'];

export default (nb: ExecutedNotebook): void => {
  const text = nb.text();
  const html = nb.htmls().join('\n');
  assert.match(html, /사진 폴더: lib\/assets\/flowers_mini — LESSON_DATA가 없어서/);
  // The shipped flowers: 5 classes x 40 photos, counted on disk, and 5 photos of each class shown.
  const counts = nb.table('클래스별 사진 수');
  assert.deepEqual(
    counts.map((r) => [r['클래스'], num(r['사진 수'])]),
    [...CLASSES.map((c) => [c, 40]), ['합계', 200]],
  );
  const grid = html.match(/<div class="tlts-grid"[\s\S]*?<\/div><\/figure><\/div>/)?.[0] ?? '';
  assert.equal(grid.match(/<figure/g)?.length, 25, '5 photos per class');
  // The run: Keras's 80/20 split per class, the default method, and the accuracy the evaluation table shows.
  const facts = Object.fromEntries(nb.table('학습 결과').map((r) => [r['항목'], r['값']]));
  assert.equal(facts['이미지'], '학습 160, 검증 40');
  assert.equal(facts['방법'], 'extract');
  assert.equal(facts['백본'], 'MobileNet α=0.25 (함께 배포된 ImageNet 가중치)');
  const accuracy = num(facts['정확도 (검증)']);
  assert.ok(Math.abs(captionAccuracy(nb) - accuracy) < 1e-3, 'the per-class table states the same accuracy');
  // Chance is 0.2 with 5 classes; one run of the CLI gave 0.60 and the notebook 0.50-0.53 (40 photos).
  statisticalCheck(accuracy >= 0.4, `validation accuracy ${accuracy} >= 0.4 (chance 0.2)`);
  assert.ok(num(facts['손실 (검증)']) < Math.log(5), 'the loss is below that of uniform probabilities');
  // What changes from 2 classes, read from the trained model.
  const head = Object.fromEntries(
    nb.table('클래스가 2개일 때와 N개일 때').map((r) => [r['항목'], r['이 폴더 (클래스 5개)']]),
  );
  assert.equal(head['출력층'], 'Dense(5, softmax)');
  assert.equal(head['손실'], 'categoricalCrossentropy');
  assert.equal(head['레이블'], 'one-hot: [0, 0, 1, 0, 0] = rose');
  assert.equal(head['아무렇게나 찍을 때의 정확도'], '1/5 = 0.20');
  // One photo per class: probabilities that sum to 1, and the prediction is the largest.
  const probs = nb.table('검증 사진 한 장씩: 클래스별 확률');
  assert.deepEqual(
    probs.map((r) => r['실제']),
    CLASSES,
  );
  for (const r of probs) {
    const p = CLASSES.map((c) => num(r[c]));
    assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) <= 0.003, `${r['사진']}: ${p} sums to 1`);
    assert.equal(r['합계'], '1.000');
    assert.equal(r['예측'], CLASSES[p.indexOf(Math.max(...p))]);
  }
  // Two learning curves and the 5 x 5 confusion matrix.
  assert.equal(nb.figureCount(), 3);
  // The mistakes: how many (consistent with the accuracy), then each beside the Grad-CAM of its predicted class.
  const wrong = /검증 사진 40장 중 (\d+)장을 틀렸습니다 \(정확도 ([\d.]+)\)\. 가장 확신하며 틀린 (\d+)장:/.exec(text);
  assert.ok(wrong, 'the mistakes section says how many validation photos are wrong');
  assert.equal(num(wrong[1]), Math.round(40 * (1 - accuracy)));
  assert.equal(num(wrong[3]), Math.min(4, num(wrong[1])));
  const [mistakes] = grids(nb);
  assert.equal(mistakes.rows.length, num(wrong[3]));
  assert.deepEqual(mistakes.titles, ['사진', '내 사진 모델 (09)']);
  for (const [photo, cam] of mistakes.rows) {
    const m = /^실제 (\S+), 예측 (\S+) \((\d+\.\d)%\)$/.exec(photo.caption);
    // Korean display names of the class folders (데이지 for daisy/).
    const shown = CLASSES.map((c) => KOREAN_CLASS_NAMES[c] ?? c);
    assert.ok(m && m[1] !== m[2] && shown.includes(m[1]), `a mistake: ${photo.caption}`);
    assert.ok(cam.caption.startsWith(`${m[2]} `), `Grad-CAM explains the predicted class: ${cam.caption}`);
  }
  // Saved as `npm run train` saves: the same accuracy in metrics.json.
  assert.match(
    text,
    /build\/models\/09-your-own-photos에 저장했습니다: model\.json, weights\.bin, metrics\.json, report\.html/,
  );
  const saved = JSON.parse(fs.readFileSync(buildPath('models', '09-your-own-photos', 'metrics.json'), 'utf8'));
  assert.deepEqual(saved.classes, CLASSES);
  assert.equal(saved.evaluation.accuracy.toFixed(3), accuracy.toFixed(3));
  // Issue 22: the model exported to ONNX, run on ONNX Runtime alone, answers as TF.js does.
  assert.match(text, /build\/models\/09-your-own-photos\/model\.onnx에 저장했습니다/);
  const onnxRows = nb.table('ONNX 파일을 ONNX Runtime으로 실행');
  assert.equal(onnxRows.length, 5);
  for (const r of onnxRows) {
    assert.equal(r['ONNX Runtime 예측'], r['TF.js 예측'], `${r['사진']}: the same class`);
    assert.ok(num(r['확률의 최대 차이']) < 1e-4, `${r['사진']}: the same probabilities`);
  }
  // Nothing a learner reads is in English or plumbing.
  assert.doesNotMatch(text + html, /val_loss|val_acc|shipped|Backbone|numTensors/);
};
