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
  '02_vgg16': (nb) => {
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
  },
  '03_resnet': (nb) => {
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
  },
  '04_pretrained_models': (nb) => {
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
  },
  '05_fast_feature_extraction': (nb) => {
    const extract = nb.table('특성 추출 결과');
    assert.deepEqual(extract.map((r) => r.split), ['train', 'validation', 'test']);
    for (const r of extract) assert.equal(JSON.parse(r.features)[0], num(r.images));
    const result = nb.table('테스트 결과 (빠른 특성 추출)')[0];
    assert.ok(num(result['test accuracy']) >= 0.9, `test accuracy ${result['test accuracy']} >= 0.9`);
    assert.ok(nb.figureCount() >= 3, 'learning curves and the confusion matrix are drawn');
  },
  '06_feature_extraction_augmentation': (nb) => {
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
  },
  '07_fine_tuning': (nb) => {
    const strategies = nb.table('미세 조정 전략별');
    const trainable = strategies.map((r) => num(r['trainable params']));
    assert.ok(trainable[0] > trainable[1] && trainable[1] > trainable[2], `all > top > classifier (${trainable})`);
    const results = nb.table('테스트 결과 (미세 조정');
    assert.equal(results.length, 2);
    assert.ok(num(results[0]['test accuracy']) >= 0.8, `before fine-tuning: ${results[0]['test accuracy']}`);
    assert.ok(num(results[1]['test accuracy']) >= 0.9, `after fine-tuning: ${results[1]['test accuracy']} >= 0.9`);
    assert.match(nb.text(), /BatchNormalization \d+개: 미세 조정 중에도 추론 모드/);
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
      assert.doesNotMatch(dom.stdout, /class="tlts-plot-note"/, 'no figure left its note (plotly.js found, scripts ran)');
      const shot = path.join(outDir, `${r.name}.png`);
      spawnSync(chromium, [...flags, '--window-size=1280,4000', '--hide-scrollbars', `--screenshot=${shot}`, `file://${r.html}`], { timeout: 120_000 });
      assert.ok(existsSync(shot), `screenshot ${shot} written`);
    });
  }
});
