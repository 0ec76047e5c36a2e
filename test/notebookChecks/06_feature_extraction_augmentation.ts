/** Output checks of notebooks/06_feature_extraction_augmentation.ipynb (executed in the mini profile by test/notebooks.test.ts). */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ExecutedNotebook, num } from '../helpers/notebookOutputs';

export default (nb: ExecutedNotebook): void | Promise<void> => {
  const text = nb.text();
  assert.match(text, /증식 층은 항등 함수: max \|출력 - 입력\| = 0\n/);
  assert.match(text, /→ 변하지 않음/, 'the frozen base does not change while the head trains');
  const frozen = nb.table('고정 전후');
  assert.ok(num(frozen[1]['trainable params']) < num(frozen[0]['trainable params']));
  assert.equal(num(frozen[0]['trainable params']) + num(frozen[0]['non-trainable params']), num(frozen[1]['trainable params']) + num(frozen[1]['non-trainable params']));
  const result = nb.table('테스트 결과 (고정된 합성곱 기반 + 데이터 증식)')[0];
  assert.ok(num(result['test accuracy']) >= 0.9, `test accuracy ${result['test accuracy']} >= 0.9`);
  const reloaded = /불러온 모델\([^)]*\)의 테스트 정확도: ([\d.]+)/.exec(text);
  assert.ok(reloaded, 'the checkpoint is reloaded');
  assert.ok(num(reloaded[1]) >= 0.9);
};
