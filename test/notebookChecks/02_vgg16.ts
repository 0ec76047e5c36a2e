/** Output checks of notebooks/02_vgg16.ipynb (executed in the mini profile by test/notebooks.test.ts). */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ExecutedNotebook, num } from '../helpers/notebookOutputs';

export default (nb: ExecutedNotebook): void | Promise<void> => {
  const share = nb.table('VGG16 파라미터 비중');
  assert.equal(num(share[2].params), 138_357_544, 'VGG16 with top has Keras\'s parameter count');
  assert.equal(num(share[0].params), 14_714_688, 'the 13 conv layers');
  assert.equal(num(share[0].params) + num(share[1].params), num(share[2].params));
  const blocks = nb.table('VGG16 블록별');
  assert.deepEqual(blocks.slice(0, 5).map((r) => num(r['conv layers'])), [2, 2, 3, 3, 3]);
  assert.deepEqual(blocks.slice(0, 5).map((r) => num(r.filters)), [64, 128, 256, 512, 512]);
  assert.equal(blocks.slice(0, 5).reduce((s, r) => s + num(r.params), 0), 14_714_688);
  for (const r of nb.table('5x5 합성곱 1개 vs 3x3 합성곱 2개')) {
    const c = num(r.channels);
    assert.equal(num(r['5x5 x1 (countParams)']), 25 * c * c + c);
    assert.equal(num(r['3x3 x2 (countParams)']), 2 * (9 * c * c + c));
  }
  const preds = nb.table('decodePredictions(preds, 3)');
  assert.equal(preds.length, 4 * 3, 'top-3 for 4 images');
  assert.deepEqual(preds.slice(0, 3).map((r) => num(r.rank)), [1, 2, 3]);
  for (const r of preds) assert.match(r.wnid, /^n\d{8}$/);
  assert.ok(nb.figureCount() >= 1);
};
