/** Output checks of notebooks/01_gap.ipynb (executed in the mini profile by test/notebooks.test.ts). */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ExecutedNotebook, num } from '../helpers/notebookOutputs';

export default (nb: ExecutedNotebook): void | Promise<void> => {
  assert.match(nb.text(), /TensorFlow\.js backend: /);
  assert.match(nb.text(), /GAP 출력\s*: \[ 1, 3 \] \[ \[ 2\.5, 25, 250 \] \]/, 'GAP of the worked example is the per-channel mean');
  const heads = nb.table('Flatten vs GAP');
  assert.equal(heads.length, 2);
  for (const r of heads) {
    const [h, w, c] = r['feature map'].split('x').map(Number);
    // An independent count: the same head on its own, built here, counted by TF.js.
    const head = tf.sequential({
      layers: [
        r.head === 'Flatten' ? tf.layers.flatten({ inputShape: [h, w, c] }) : tf.layers.globalAveragePooling2d({ inputShape: [h, w, c] }),
        tf.layers.dense({ units: 256 }),
        tf.layers.dense({ units: 1 }),
      ],
    });
    assert.equal(num(r['head params (countParams)']), head.countParams(), `${r.head} head`);
    assert.equal(num(r['head params (by hand)']), head.countParams(), `${r.head} head by hand`);
    head.dispose();
  }
  const sweep = nb.table('채널 수별');
  assert.ok(sweep.length >= 6);
  for (const r of sweep) {
    const c = num(r.channels);
    assert.equal(num(r['Flatten head params']), (7 * 7 * c + 1) * 256 + 257);
    assert.equal(num(r['GAP head params']), (c + 1) * 256 + 257);
  }
  assert.ok(nb.figureCount() >= 2, 'parameter charts are drawn');
};
