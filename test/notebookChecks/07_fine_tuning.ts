/** Output checks of notebooks/07_fine_tuning.ipynb (executed in the mini profile by test/notebooks.test.ts). */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ExecutedNotebook, num } from '../helpers/notebookOutputs';

export default (nb: ExecutedNotebook): void | Promise<void> => {
  const strategies = nb.table('미세 조정 전략별');
  const trainable = strategies.map((r) => num(r['trainable params']));
  assert.ok(trainable[0] > trainable[1] && trainable[1] > trainable[2], `all > top > classifier (${trainable})`);
  const results = nb.table('테스트 결과 (미세 조정');
  assert.equal(results.length, 2);
  assert.ok(num(results[0]['test accuracy']) >= 0.8, `before fine-tuning: ${results[0]['test accuracy']}`);
  assert.ok(num(results[1]['test accuracy']) >= 0.9, `after fine-tuning: ${results[1]['test accuracy']} >= 0.9`);
  assert.match(nb.text(), /BatchNormalization \d+개: 미세 조정 중에도 추론 모드/);
};
