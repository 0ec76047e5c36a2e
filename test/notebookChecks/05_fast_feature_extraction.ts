/** Output checks of notebooks/05_fast_feature_extraction.ipynb (executed in the mini profile by test/notebooks.test.ts). */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ExecutedNotebook, num } from '../helpers/notebookOutputs';

export default (nb: ExecutedNotebook): void | Promise<void> => {
  const extract = nb.table('특성 추출 결과');
  assert.deepEqual(extract.map((r) => r.split), ['train', 'validation', 'test']);
  for (const r of extract) assert.equal(JSON.parse(r.features)[0], num(r.images));
  const result = nb.table('테스트 결과 (빠른 특성 추출)')[0];
  assert.ok(num(result['test accuracy']) >= 0.9, `test accuracy ${result['test accuracy']} >= 0.9`);
  assert.ok(nb.figureCount() >= 3, 'learning curves and the confusion matrix are drawn');
};
