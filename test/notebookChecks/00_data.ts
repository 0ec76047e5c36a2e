/** Output checks of notebooks/00_data.ipynb (executed in the mini profile by test/notebooks.test.ts). */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ExecutedNotebook, num } from '../helpers/notebookOutputs';

export default (nb: ExecutedNotebook): void | Promise<void> => {
  assert.match(nb.text(), /TensorFlow\.js backend: /, 'the first output names the backend');
  const rows = nb.table('이미지 수');
  assert.deepEqual(rows.map((r) => r.split), ['train', 'validation', 'test']);
  for (const r of rows) {
    for (const cls of ['cats', 'dogs']) {
      const onDisk = readdirSync(path.join(sampleDir, r.split, cls)).filter((f) => IMAGE_EXT.test(f)).length;
      assert.equal(num(r[cls]), onDisk, `${r.split}/${cls}: table says ${r[cls]}, disk has ${onDisk}`);
    }
    assert.equal(num(r.total), num(r.cats) + num(r.dogs));
  }
  assert.ok(nb.htmls().some((h) => h.includes('class="tlts-grid"') && h.includes('data:image/png;base64')), 'an image grid is shown');
};
