/** Output checks of notebooks/07_fine_tuning.ipynb (executed in the mini profile by test/notebooks.test.ts). */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { miniProfile } from '../../lib/lesson/profile';
import { boxTexts } from '../helpers/diagramBoxes';
import { ExecutedNotebook, num, statisticalCheck } from '../helpers/notebookOutputs';
import { checkEpochTimeSentence, epochLogs } from '../helpers/findingChecks';

export default (nb: ExecutedNotebook): void => {
  const text = nb.text();
  // The quadrant: four cells naming the strategies of the table below, this lesson's cats and dogs in strategy 3's.
  const [quadrant] = nb.diagramSvgs();
  assert.ok(quadrant, 'the fine-tuning quadrant is shown');
  const cells = boxTexts(quadrant, 'cell (?:all|top|classifier)').map((lines) => lines[0]);
  assert.deepEqual(cells, ['3. 분류기만 학습', '2. 위쪽 일부만 학습', '2. 위쪽 일부만 학습', '1. 전체 학습']);
  assert.match(quadrant, /<g class="mark">[\s\S]*이 강의의 고양이·개/);
  const strategies = nb.table('미세 조정 전략별');
  assert.deepEqual(
    strategies.map((r) => r['상태']),
    ['1. 전체 학습', '2. 위쪽 일부만 학습 (conv_dw_12부터)', '3. 분류기만 학습'],
  );
  const trainable = strategies.map((r) => num(r['학습 가능 파라미터']));
  assert.ok(trainable[0] > trainable[1] && trainable[1] > trainable[2], `all > top > classifier (${trainable})`);
  // Strategy 3 trains the head only: Flatten 6x6x256 → Dense 256 → Dense 1, counted independently.
  assert.equal(trainable[2], 9216 * 256 + 256 + 256 + 1);
  const totals = strategies.map((r) => num(r['학습 가능 파라미터']) + num(r['학습 불가 파라미터']));
  assert.ok(
    totals.every((t) => t === totals[0]),
    'the same model in every row',
  );
  // MobileNet v1 has one BatchNormalization after the first conv and two per depthwise-separable block (13).
  assert.match(text, /추론 모드로 둔 BatchNormalization 층: 27개, 학습률: 0\.000005\n/);
  assert.match(text, new RegExp(`학습 가능 파라미터: ${trainable[1].toLocaleString('en-US')}개 \\(conv_dw_12부터\\)`));
  // One figure (accuracy and loss) with both stages joined and the line where fine-tuning began.
  assert.equal(nb.figureCount(), 2);
  const area = nb.htmls().find((h) => h.includes('미세 조정 시작'));
  assert.ok(area, 'the joined curves mark where fine-tuning began');
  const { epochs } = miniProfile('');
  const spec = JSON.parse(/var f=(\{.*?\});var done/.exec(area)![1]) as { data: { x: number[] }[] };
  assert.equal(spec.data[0].x.length, epochs.classifier + epochs.fineTune, "both stages' epochs in one figure");
  // The fine-tuned model is saved for 08 and npm run predict.
  assert.match(text, /npm run predict -- build\/models\/07-fine-tuned \S+\.jpg --cam build\/cam/);
  assert.ok(existsSync(path.join(__dirname, '..', '..', 'build', 'models', '07-fine-tuned', 'model.json')));
  // Issue 19 item 2: before, the classifier-only control (same extra epochs, same start) and fine-tuning, side by side.
  const rows = nb.table('미세 조정 전과 후, 그리고 대조군');
  assert.deepEqual(
    rows.map((r) => r['단계']),
    [
      '1단계: 분류기만 학습',
      `대조군: 분류기만 ${epochs.fineTune} 에포크 더`,
      `2단계: conv_dw_12부터 미세 조정 ${epochs.fineTune} 에포크`,
    ],
  );
  const [before, control, after] = rows.map((r) => num(r['테스트 정확도']));
  const md = nb.markdown('대조군');
  const m =
    /1단계 뒤 (\d+\.\d+) → 분류기만 \d+ 에포크 더 \(대조군\) (\d+\.\d+), 위쪽 층을 풀고 \d+ 에포크 \(미세 조정\) (\d+\.\d+)/.exec(
      md,
    );
  assert.ok(m, `the three numbers in the sentence: ${md}`);
  assert.deepEqual(m.slice(1).map(num), [before, control, after]);
  // The control trained 4 epochs and was evaluated (its epoch lines), then stage 2 began from stage 1's weights.
  assert.equal(epochLogs(text).length >= epochs.classifier, true);
  checkEpochTimeSentence(nb.markdown('에포크 하나에'), epochLogs(text).slice(-epochs.fineTune));
  assert.ok(before >= 0.75, `before fine-tuning: ${before}`);
  // On 100 test photos these numbers move from run to run: checked last, as a statistical check (one more run if it
  // fails). Accuracies are multiples of 0.01 (100 photos): allow for 0.87 - 0.02 being 0.8500000000000001.
  statisticalCheck(
    after >= before - 0.02 - 1e-9,
    `after fine-tuning ${after} is not worse than before ${before} by more than 0.02`,
  );
};
