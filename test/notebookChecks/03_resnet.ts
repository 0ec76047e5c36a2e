/** Output checks of notebooks/03_resnet.ipynb (executed in the mini profile by test/notebooks.test.ts). */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ExecutedNotebook, num } from '../helpers/notebookOutputs';

export default (nb: ExecutedNotebook): void | Promise<void> => {
  const text = nb.text();
  assert.match(text, /F\(x\) = 0일 때 max \|H\(x\) - x\| = 0\n/, 'with F(x) = 0 the block is the identity');
  const other = /원래 가중치일 때 max \|H\(x\) - x\| = ([\d.]+)/.exec(text);
  assert.ok(other && Number(other[1]) > 0.01, `with its own weights the block is not the identity (${other?.[1]})`);
  const grads = nb.table('plain vs residual');
  const deepest = grads[grads.length - 1];
  assert.ok(num(deepest['residual: |dy/dx|']) > 1e6 * num(deepest['plain: |dy/dx|']), 'the plain net\'s input gradient vanishes, the residual one\'s does not');
  const stages = nb.table('ResNet50 단계별');
  assert.deepEqual(stages.filter((r) => /^conv[2-5]$/.test(r.stage)).map((r) => num(r.blocks)), [3, 4, 6, 3]);
  const sizes = nb.table('ResNet 깊이별');
  assert.deepEqual(sizes.map((r) => num(r['params (with top)'])), [25_636_712, 44_707_176, 60_419_944]);
};
