/** Output checks of notebooks/06_feature_extraction_augmentation.ipynb (executed in the mini profile by test/notebooks.test.ts). */
import assert from 'node:assert/strict';
import { ExecutedNotebook, num } from '../helpers/notebookOutputs';
import { captionAccuracy } from './05_fast_feature_extraction';
import { readFileSync } from 'node:fs';
import { buildPath } from '../../lib/core/paths';
import { miniProfile } from '../../lib/lesson/profile';
import { checkEpochTimeSentence, checkLastEpochMeans, epochLogs } from '../helpers/findingChecks';

export default (nb: ExecutedNotebook): void => {
  const text = nb.text();
  // The preview: the photo and 8 augmented copies; in inference the layers change nothing.
  const preview = nb.htmls().find((h) => h.includes('tlts-grid') && h.includes('증식 8'));
  assert.ok(preview, 'the augmentation preview is shown');
  assert.equal(preview.match(/<img /g)?.length, 9);
  assert.match(text, /증식 층이 사진을 바꾸지 않습니다: 가장 큰 변화량 0\n/);
  // Freezing moves the base's parameters to non-trainable; the head (Flatten 6x6x256 → 256 → 1) still trains.
  const [before, after] = nb.table('고정하기 전과 후');
  const total = (r: Record<string, string>) => num(r['학습 가능 파라미터']) + num(r['학습 불가 파라미터']);
  assert.equal(total(before), total(after));
  assert.equal(num(after['학습 가능 파라미터']), 9216 * 256 + 256 + 256 + 1);
  assert.ok(num(before['학습 가능 파라미터']) > num(after['학습 가능 파라미터']));
  // Issue 9 item 6: the train-validation gap printed next to 05's, and augmentation makes it smaller.
  const [row05, row06] = nb.table('05와 06');
  assert.equal(row05['학습 방법'], '05 빠른 특성 추출');
  assert.match(row06['학습 방법'], /^06 /);
  const gap = (r: Record<string, string>) => num(r['차이 (학습 - 검증)']);
  for (const r of [row05, row06]) assert.ok(Math.abs(gap(r) - (num(r['학습 정확도']) - num(r['검증 정확도']))) < 2e-3);
  assert.ok(gap(row06) < gap(row05), `gap with augmentation ${gap(row06)} < without ${gap(row05)}`);
  assert.ok(
    Math.abs(num(row06['테스트 정확도']) - captionAccuracy(nb)) < 1e-3,
    'the table shows the evaluated accuracy',
  );
  assert.ok(captionAccuracy(nb) >= 0.8, `test accuracy ${captionAccuracy(nb)} >= 0.8`);
  // Issue 19 item 2: 06's row is the mean of its last 5 epoch lines; 05's row is what 05 saved.
  const epochs = epochLogs(text);
  assert.equal(epochs.length, miniProfile('').epochs.augmentation);
  checkLastEpochMeans(row06, epochs.slice(-5));
  const saved05 = JSON.parse(readFileSync(buildPath('lesson', 'mini', '05.json'), 'utf8'));
  assert.equal(row05['학습 정확도'], saved05.train.toFixed(3));
  assert.equal(row05['검증 정확도'], saved05.validation.toFixed(3));
  checkEpochTimeSentence(nb.markdown('에포크 하나에'), epochs);
  // The comparison sentence repeats the table's gaps and test accuracies, and its verdicts follow them.
  const md = nb.markdown('05가');
  const g = /05가 (-?[\d.]+), 06이 (-?[\d.]+)입니다\./.exec(md);
  assert.ok(g, `the gaps in the sentence: ${md}`);
  assert.deepEqual(g.slice(1), [row05['차이 (학습 - 검증)'], row06['차이 (학습 - 검증)']]);
  assert.equal(/과대적합이 [\d.]+만큼 줄었습니다/.test(md), gap(row06) < gap(row05) - 0.02, md);
  const t = /테스트 정확도는 05가 ([\d.]+), 06이 ([\d.]+)입니다/.exec(md);
  assert.ok(t, `the test accuracies in the sentence: ${md}`);
  assert.deepEqual(t.slice(1), [row05['테스트 정확도'], row06['테스트 정확도']]);
  // The live training figure (accuracy and loss) and the confusion matrix, nothing drawn twice.
  assert.equal(nb.figureCount(), 3);
};
