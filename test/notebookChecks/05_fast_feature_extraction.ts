/** Output checks of notebooks/05_fast_feature_extraction.ipynb (executed in the mini profile by test/notebooks.test.ts). */
import assert from 'node:assert/strict';
import { ExecutedNotebook, num } from '../helpers/notebookOutputs';
import { checkLastEpochMeans, checkOverfittingSentence, checkTestSentence, epochLogs } from '../helpers/findingChecks';

/** The accuracy in the per-class table's caption ("정확도 88.0%, 손실 0.3123"), as a fraction. */
export function captionAccuracy(nb: ExecutedNotebook): number {
  const caption = nb
    .tables()
    .map((t) => t.caption)
    .find((c) => /^정확도 [\d.]+%/.test(c));
  assert.ok(caption, 'the test evaluation shows its accuracy');
  return Number(/^정확도 ([\d.]+)%/.exec(caption)![1]) / 100;
}

export default (nb: ExecutedNotebook): void => {
  const text = nb.text();
  // The base's output is the feature map the classifier reads: MobileNet α=0.25 at 192x192 gives 6x6x256.
  assert.match(text, /출력 \(특성 맵\): 6 × 6 × 256/);
  const extract = nb.table('한 번만 뽑은 특성');
  assert.deepEqual(
    extract.map((r) => r['데이터']),
    ['학습', '검증', '테스트'],
  );
  assert.deepEqual(
    extract.map((r) => num(r['이미지 수'])),
    [200, 100, 100],
  );
  for (const r of extract) assert.equal(r['이미지당 특성 맵'], '6 × 6 × 256');
  // The lesson's head on 6x6x256 features, counted independently: input, Flatten 9,216 → Dense 256 → Dropout → Dense 1.
  const params = nb.table('feature_classifier').map((r) => num(r['파라미터']));
  assert.deepEqual(params, [0, 0, 9216 * 256 + 256, 0, 256 + 1]);
  const gap = nb.table('마지막 5 에포크의 평균')[0];
  const [train, validation] = [num(gap['학습 정확도']), num(gap['검증 정확도'])];
  assert.ok(Math.abs(num(gap['차이 (학습 - 검증)']) - (train - validation)) < 2e-3, 'the gap is train - validation');
  // Issue 19 item 2: the table holds the means of the last 5 epochs the epoch lines printed, and the loss gap.
  const epochs = epochLogs(text);
  assert.equal(epochs.length, 30, 'every epoch was logged (the summary shows some, the run logs all)');
  checkLastEpochMeans(gap, epochs.slice(-5));
  checkOverfittingSentence(nb.markdown('마지막 5 에포크의 평균'), gap);
  // Issue 9 item 6: fast feature extraction on the real mini set reaches 0.85 on the test photos.
  const test = captionAccuracy(nb);
  assert.ok(test >= 0.85, `test accuracy ${test} >= 0.85`);
  checkTestSentence(nb.markdown('이번 실행의 테스트 정확도'), test, 100);
  assert.match(text, /저장했습니다: build\/lesson\/mini\/05\.json/);
  // One live training figure (accuracy and loss) and the confusion matrix; no figure drawn twice.
  assert.equal(nb.figureCount(), 3);
  assert.doesNotMatch(text, /numTensors|텐서 수/);
  // Issue 22: the same validation features on both engines (ONNX Runtime loads on the test machine's CPU backend).
  const engines = nb.table('같은 합성곱 기반, 두 추론 엔진');
  assert.deepEqual(
    engines.map((r) => [String(r['엔진']).split(' ')[0], num(r['이미지'])]),
    [
      ['TensorFlow.js', 100],
      ['ONNX', 100],
    ],
  );
  for (const r of engines) assert.ok(num(r['TF.js 특성과의 최대 차이']) < 1e-2, `${r['엔진']}: the same features`);
};
