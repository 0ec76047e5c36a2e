/** Output checks of notebooks/04_pretrained_models.ipynb (executed in the mini profile by test/notebooks.test.ts). */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ExecutedNotebook, num } from '../helpers/notebookOutputs';

export default (nb: ExecutedNotebook): void | Promise<void> => {
  const rows = nb.table('조합별 출력 모양과 파라미터');
  const vggNoTop = rows.find((r) => r.model === 'VGG16' && r.options === 'includeTop: false, inputShape [150,150,3]');
  assert.ok(vggNoTop);
  assert.equal(vggNoTop['output shape'], '[null,4,4,512]');
  assert.equal(num(vggNoTop.params), 14_714_688);
  const avg = rows.find((r) => r.model === 'ResNet50' && r.options.includes("'avg'"));
  assert.equal(avg?.['output shape'], '[null,2048]');
  const errors = nb.table('잘못된 인자');
  assert.ok(errors.length >= 4);
  for (const r of errors) assert.notEqual(r.error, '(오류 없음)', `${r.call} must be refused`);
  assert.match(nb.text(), /가중치를 받은 층 54개, 배열 135개, 값 218,544개, 건너뛴 층 0개/, 'the bundled Keras MobileNet file loads completely');
  const stats = nb.table('첫 합성곱 커널');
  assert.ok(num(stats[0].std) > 1.5 * num(stats[1].std), 'learned filters are spread wider than the random initialisation');
};
