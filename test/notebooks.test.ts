/**
 * Executes every notebook in notebooks/ on the tslab kernel in the `sample` profile (a failing cell fails the
 * test with the cell and its error), then checks key outputs of the executed copies in build/notebooks/, and
 * finally opens the exported HTML in headless Chromium to check that every plotly figure drew.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'fs';
import { spawnSync } from 'child_process';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { executeNotebook, formatFailure, listNotebooks, NotebookRun } from '../scripts/lesson';
import { ExecutedNotebook, num } from './helpers/notebookOutputs';

const root = path.resolve(__dirname, '..');
const outDir = path.join(root, 'build', 'notebooks');
const sampleDir = path.join(root, 'data', 'sample', 'cats_and_dogs_small');
const IMAGE_EXT = /\.(jpe?g|png|gif|bmp)$/i;

const checks: Record<string, (nb: ExecutedNotebook) => void | Promise<void>> = {
  '00_data': (nb) => {
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
  },
  '01_gap': (nb) => {
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
  },
};

const runs: NotebookRun[] = [];

test('notebooks run headless in the sample profile', async (t) => {
  const notebooks = listNotebooks();
  assert.ok(notebooks.length >= 2, 'notebooks/ has the lesson');
  for (const nbPath of notebooks) {
    const name = path.basename(nbPath, '.ipynb');
    await t.test(name, async () => {
      const r = await executeNotebook(nbPath, outDir, { LESSON_PROFILE: 'sample' });
      runs.push(r);
      assert.ok(r.ok, formatFailure(r));
      const check = checks[name];
      assert.ok(check, `test/notebooks.test.ts has no output checks for ${name}`);
      await check(new ExecutedNotebook(r.ipynb));
    });
  }
});

test('every plotly figure in the exported HTML draws in headless Chromium', async (t) => {
  const setup = JSON.parse(readFileSync(path.join(root, 'build', 'setup.json'), 'utf8'));
  const chromium: string | null = process.env.CHROMIUM_PATH ?? setup.chromium;
  if (!chromium || !existsSync(chromium)) {
    t.skip('no Chromium found (npm test installs it with apt as root; or set CHROMIUM_PATH)');
    return;
  }
  const withPlots = runs.filter((r) => r.ok && r.html && new ExecutedNotebook(r.ipynb).figureCount() > 0);
  assert.ok(withPlots.length > 0, 'some notebook draws plots');
  for (const r of withPlots) {
    await t.test(r.name, () => {
      const expected = new ExecutedNotebook(r.ipynb).figureCount();
      const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run', '--virtual-time-budget=20000', `--user-data-dir=${path.join(root, 'build', 'chromium-profile')}`];
      const dom = spawnSync(chromium, [...flags, '--dump-dom', `file://${r.html}`], { encoding: 'utf8', maxBuffer: 256 << 20, timeout: 120_000 });
      assert.equal(dom.status, 0, `chromium failed on ${r.html}: ${dom.stderr.slice(-500)}`);
      const drawn = (dom.stdout.match(/class="tlts-plot[^"]*js-plotly-plot/g) ?? []).length;
      assert.equal(drawn, expected, `${r.name}: ${drawn} of ${expected} plotly figures drew`);
      assert.ok(!dom.stdout.includes('plotly.js is not loaded'), 'plotly.js loaded');
      const shot = path.join(outDir, `${r.name}.png`);
      spawnSync(chromium, [...flags, '--window-size=1280,4000', '--hide-scrollbars', `--screenshot=${shot}`, `file://${r.html}`], { timeout: 120_000 });
      assert.ok(existsSync(shot), `screenshot ${shot} written`);
    });
  }
});
