/**
 * `npm run train` end to end (scripts/train.ts `main`, in this process; Ctrl-C in a child process): the shipped
 * flower set (5 classes), the cats/dogs mini set in the lesson's layout, a train/ + val/ layout, and every bad
 * input with its message and nothing written.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import { assetPath } from '../lib/core/paths';
import { decodeImageFile } from '../lib/data/decode';
import { findLayer } from '../lib/layers/walk';
import { loadSavedModel } from '../lib/models/savedModel';
import { loadFolderBackbone } from '../lib/training/folderBackbone';
import { main } from '../scripts/train';
import { predictImages } from '../scripts/predict';
import { quietLessonForFile } from './helpers/quietLesson';
import { tempDir } from './helpers/tempDir';

const FLOWERS = assetPath('flowers_mini');
const CLASSES = ['daisy', 'dandelion', 'rose', 'sunflower', 'tulip'];
const tmp = tempDir('train-folder-');
quietLessonForFile();

/** Runs the CLI, capturing what it prints to stderr. */
async function train(args: string[]): Promise<{ code: number; err: string }> {
  const lines: string[] = [];
  const orig = console.error;
  const origWarn = console.warn;
  console.error = (...a: unknown[]) => lines.push(a.join(' '));
  console.warn = (...a: unknown[]) => lines.push(a.join(' '));
  try {
    return { code: await main(args), err: lines.join('\n') };
  } finally {
    console.error = orig;
    console.warn = origWarn;
  }
}

/** A folder `<root>/<class>/` with copies of the first `n` flower photos of each class given. */
function flowerFolder(root: string, counts: Record<string, number>): string {
  for (const [c, n] of Object.entries(counts)) {
    fs.mkdirSync(path.join(root, c), { recursive: true });
    for (const f of fs.readdirSync(path.join(FLOWERS, c)).sort().slice(0, n))
      fs.copyFileSync(path.join(FLOWERS, c, f), path.join(root, c, f));
  }
  return root;
}

const readJson = (p: string) => JSON.parse(fs.readFileSync(p, 'utf8'));
const noLeftovers = (out: string) => fs.readdirSync(path.dirname(out)).filter((n) => n.startsWith(path.basename(out)));

test('the shipped flowers (5 classes): metrics.json, a 5 x 5 matrix and the mistakes in the report, predict prints a class', async () => {
  const out = path.join(tmp, 'flowers');
  const { code, err } = await train([FLOWERS, '--image-size', '96', '--epochs', '25', '--out', out]);
  assert.equal(code, 0, err);
  assert.deepEqual(fs.readdirSync(out).sort(), ['metrics.json', 'model.json', 'report.html', 'weights.bin']);
  const m = readJson(path.join(out, 'metrics.json'));
  assert.deepEqual(m.classes, CLASSES);
  assert.deepEqual(m.splits, { train: 160, validation: 40 });
  assert.equal(m.method, 'extract');
  assert.equal(m.backbone, 'MobileNet');
  assert.deepEqual(m.imageSize, [96, 96]);
  const e = m.evaluation;
  assert.equal(e.split, 'validation');
  assert.equal(e.confusionMatrix.length, 5);
  assert.ok(e.confusionMatrix.every((r: number[]) => r.length === 5));
  assert.equal(
    e.confusionMatrix.flat().reduce((a: number, b: number) => a + b, 0),
    40,
  );
  const diagonal = e.confusionMatrix.reduce((a: number, r: number[], i: number) => a + r[i], 0);
  assert.equal(diagonal / 40, e.accuracy);
  assert.ok(e.accuracy > 0.4, `accuracy ${e.accuracy} is well above chance (0.2)`);
  assert.deepEqual(
    e.perClass.map((r: { class: string }) => r.class),
    CLASSES,
  );
  e.perClass.forEach((r: { support: number }, i: number) =>
    assert.equal(
      r.support,
      e.confusionMatrix[i].reduce((a: number, b: number) => a + b, 0),
    ),
  );
  assert.equal(m.history.loss.length, 25);
  assert.deepEqual(m.skipped, []);
  const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
  const cm = /<table class="cm">(.*?)<\/table>/s.exec(html)![1];
  assert.equal(cm.match(/<tr>/g)!.length, 6, 'header + 5 rows');
  assert.equal(cm.match(/<td/g)!.length, 25);
  const mistakes = Math.round(40 * (1 - e.accuracy));
  assert.equal(html.match(/<figure>/g)?.length ?? 0, Math.min(8, mistakes));
  assert.ok(!/<script/i.test(html) && !/src="http/i.test(html), 'self-contained');
  const model = readJson(path.join(out, 'model.json'));
  assert.deepEqual(model.userDefinedMetadata.classNames, CLASSES);
  // Saved in TF.js's standard layers (lib/models/standardLayers.ts), for a plain tf.loadLayersModel in a browser.
  const saved = JSON.stringify(model.modelTopology);
  assert.ok(!/FrozenBatchNormalization|ImageNetPreprocessing|"Random/.test(saved), 'no custom layer class');
  assert.match(saved, /"class_name":"BatchNormalization"/);
  const photo = path.join(FLOWERS, 'rose', fs.readdirSync(path.join(FLOWERS, 'rose'))[0]);
  const lines: string[] = [];
  const cam = path.join(tmp, 'flowers-cam');
  const [p] = await predictImages(
    { modelDir: out, images: [photo], threshold: 0.5, cam },
    { out: (l) => lines.push(l) },
  );
  assert.ok(fs.statSync(p.camPath!).size > 0, 'Grad-CAM works on the saved (standard-layer) model');
  assert.ok(CLASSES.includes(p.className));
  assert.match(lines[0], new RegExp(`\\t${p.className}\\t`));
  assert.equal(p.top!.length, 3);
  assert.equal(p.top![0].className, p.className);
  assert.ok(p.top![0].probability >= p.top![1].probability && p.top![1].probability >= p.top![2].probability);
  assert.ok(lines[0].endsWith(p.top!.map((t) => `${t.className} ${t.probability.toFixed(4)}`).join(', ')));
});

test("the cats/dogs mini set in the lesson's layout: sigmoid, evaluated on test/", async () => {
  const out = path.join(tmp, 'cats');
  const { code, err } = await train([
    assetPath('cats_and_dogs_mini'),
    '--image-size',
    '64',
    '--epochs',
    '3',
    '--out',
    out,
  ]);
  assert.equal(code, 0, err);
  const m = readJson(path.join(out, 'metrics.json'));
  assert.deepEqual(m.classes, ['cats', 'dogs']);
  assert.deepEqual(m.splits, { train: 200, validation: 100, test: 100 });
  assert.equal(m.layout, 'splits');
  assert.equal(m.evaluation.split, 'test');
  assert.deepEqual(
    m.evaluation.confusionMatrix.map((r: number[]) => r.reduce((a, b) => a + b, 0)),
    [50, 50],
  );
  const model = readJson(path.join(out, 'model.json'));
  const topology = model.modelTopology;
  const layers = (topology.model_config ?? topology).config.layers;
  const last = layers[layers.length - 1].config;
  assert.equal(last.units, 1);
  assert.equal(last.activation, 'sigmoid');
});

test('a train/ + val/ layout (PyTorch ImageFolder) uses val/ for validation; --test-dir evaluates elsewhere', async () => {
  const root = path.join(tmp, 'pt');
  flowerFolder(path.join(root, 'train'), { daisy: 12, rose: 12, tulip: 12 });
  const val = path.join(tmp, 'pt-val');
  flowerFolder(val, { daisy: 20, rose: 20, tulip: 20 });
  for (const c of ['daisy', 'rose', 'tulip']) {
    fs.mkdirSync(path.join(root, 'val', c), { recursive: true });
    for (const f of fs.readdirSync(path.join(val, c)).slice(12))
      fs.copyFileSync(path.join(val, c, f), path.join(root, 'val', c, f));
  }
  const out = path.join(tmp, 'pt-out');
  const { code, err } = await train([root, '--image-size', '64', '--epochs', '2', '--out', out, '--test-dir', val]);
  assert.equal(code, 0, err);
  const m = readJson(path.join(out, 'metrics.json'));
  assert.deepEqual(m.splits, { train: 36, validation: 24, test: 60 });
  assert.equal(m.evaluation.split, 'test');
  assert.equal(m.evaluation.confusionMatrix.length, 3);
});

/**
 * Per named layer of the shipped MobileNet α=0.25 (64 px), per weight: does the model saved in `out` hold it
 * unchanged, bit for bit?
 */
async function unchangedWeights(out: string, names: string[]): Promise<Record<string, boolean[]>> {
  const saved = await loadSavedModel(out);
  const shipped = await loadFolderBackbone({}, [64, 64], true);
  const bytes = (w: tf.Tensor) => Buffer.from(w.dataSync().buffer);
  const same = (name: string) => {
    const [a, b] = [findLayer(saved, name)!.layer.getWeights(), findLayer(shipped.base, name)!.layer.getWeights()];
    return a.map((w, i) => Buffer.compare(bytes(w), bytes(b[i])) === 0);
  };
  const result = Object.fromEntries(names.map((n) => [n, same(n)]));
  saved.dispose();
  shipped.base.dispose();
  return result;
}

/** Trains the flowers at 64 px with `method` for 2 epochs; returns the output folder and its metrics.json. */
async function trainWith(method: string): Promise<{ out: string; m: { history: Record<string, number[]> } }> {
  const out = path.join(tmp, method);
  const { code, err } = await train([FLOWERS, '--method', method, '--image-size', '64', '--epochs', '2', '--out', out]);
  assert.equal(code, 0, err);
  const m = readJson(path.join(out, 'metrics.json'));
  assert.equal(m.method, method);
  assert.deepEqual(Object.keys(m.history).sort(), ['acc', 'loss', 'val_acc', 'val_loss']);
  return { out, m };
}

test(
  '--method augment: the base stays frozen (its weights as shipped), the history has the epochs asked for, ' +
    'no augmentation in the saved model',
  async () => {
    const { out, m } = await trainWith('augment');
    assert.equal(m.history.loss.length, 2);
    const unchanged = await unchangedWeights(out, [
      'conv1',
      'conv_dw_1_bn',
      'conv_pw_12',
      'conv_pw_13',
      'conv_pw_13_bn',
    ]);
    assert.ok(Object.values(unchanged).flat().every(Boolean), JSON.stringify(unchanged));
    const topology = readJson(path.join(out, 'model.json')).modelTopology;
    const classes = (topology.model_config ?? topology).config.layers.map((l: { class_name: string }) => l.class_name);
    assert.ok(!classes.some((c: string) => /^Random/.test(c)), classes.join(', '));
  },
);

test(
  '--method finetune: 20 head epochs then the fine-tuning epochs; the top stage (from conv_dw_12) changed, ' +
    'the layers below and BatchNorm statistics did not',
  async () => {
    const { out, m } = await trainWith('finetune');
    assert.equal(m.history.loss.length, 20 + 2);
    const unchanged = await unchangedWeights(out, ['conv1', 'conv_dw_11', 'conv_pw_11', 'conv_dw_12', 'conv_pw_13_bn']);
    assert.deepEqual(unchanged, {
      conv1: [true],
      conv_dw_11: [true],
      conv_pw_11: [true],
      conv_dw_12: [false],
      // gamma and beta train; the moving mean and variance keep ImageNet's (the BatchNorm layers run in inference mode).
      conv_pw_13_bn: [false, false, true, true],
    });
  },
);

test('bad folders: an error naming the folder and what is needed, exit 1, nothing written', async () => {
  const empty = fs.mkdirSync(path.join(tmp, 'empty'), { recursive: true }) ?? path.join(tmp, 'empty');
  const one = flowerFolder(path.join(tmp, 'one'), { daisy: 5 });
  const small = flowerFolder(path.join(tmp, 'small'), { daisy: 10, rose: 10, tulip: 1 });
  const cases: [string, RegExp][] = [
    [path.join(tmp, 'missing'), /missing does not exist.*one sub-folder of images per class/],
    [empty, /empty has no class sub-folders: a classifier needs at least 2 classes/],
    [one, /one has only one class \(daisy\): a classifier needs at least 2 classes/],
    [small, /Class 'tulip' is too small for the split: .* add images to .*tulip or change the validation split/],
  ];
  for (const [dir, message] of cases) {
    const out = path.join(tmp, `out-${path.basename(dir)}`);
    const { code, err } = await train([dir, '--image-size', '64', '--epochs', '1', '--out', out]);
    assert.equal(code, 1, dir);
    assert.match(err, message);
    assert.deepEqual(noLeftovers(out), [], `nothing written for ${dir}`);
  }
});

test('unreadable files are skipped and named; hidden files and other extensions ignored; odd formats converted', async () => {
  const root = flowerFolder(path.join(tmp, 'odd'), { daisy: 10, rose: 10 });
  const src = path.join(root, 'daisy', fs.readdirSync(path.join(root, 'daisy'))[0]);
  const bytes = fs.readFileSync(src);
  fs.writeFileSync(path.join(root, 'daisy', 'truncated.jpg'), bytes.subarray(0, 2000));
  fs.writeFileSync(path.join(root, 'rose', 'notes.jpg'), 'not an image');
  fs.writeFileSync(path.join(root, 'rose', '.DS_Store'), 'x');
  fs.writeFileSync(path.join(root, 'rose', '._x.jpg'), 'AppleDouble');
  fs.writeFileSync(path.join(root, 'rose', 'readme.txt'), 'ignored');
  const img = sharp(bytes);
  await img
    .clone()
    .grayscale()
    .jpeg()
    .toFile(path.join(root, 'rose', 'gray.jpg'));
  await img
    .clone()
    .png({ palette: true })
    .toFile(path.join(root, 'rose', 'palette.png'));
  await img
    .clone()
    .ensureAlpha(0.5)
    .png()
    .toFile(path.join(root, 'daisy', 'rgba.png'));
  await img
    .clone()
    .toColourspace('cmyk')
    .jpeg()
    .toFile(path.join(root, 'daisy', 'cmyk.jpg'));
  await img
    .clone()
    .toColourspace('rgb16')
    .png()
    .toFile(path.join(root, 'rose', 'deep.png'));
  const out = path.join(tmp, 'odd-out');
  const { code, err } = await train([root, '--image-size', '64', '--epochs', '1', '--out', out]);
  assert.equal(code, 0, err);
  const m = readJson(path.join(out, 'metrics.json'));
  assert.deepEqual(m.skipped.map((s: { path: string }) => path.basename(s.path)).sort(), [
    'notes.jpg',
    'truncated.jpg',
  ]);
  assert.ok(m.skipped.every((s: { reason: string }) => s.reason.length > 0));
  assert.equal(m.splits.train + m.splits.validation, 20 + 5, '20 photos + gray, palette, rgba, cmyk, 16-bit');
  assert.match(err, /Skipped 2 unreadable image file\(s\):.*(notes|truncated)\.jpg/);
  const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
  assert.ok(html.includes('truncated.jpg') && html.includes('notes.jpg'));
  for (const f of ['gray.jpg', 'palette.png', 'deep.png']) {
    const d = await decodeImageFile(path.join(root, 'rose', f));
    assert.equal(d.channels, 3, f);
  }
});

test('EXIF-rotated photos are used as a viewer shows them', async () => {
  const file = path.join(tmp, 'rotated.jpg');
  await sharp({ create: { width: 40, height: 20, channels: 3, background: '#808080' } })
    .jpeg()
    .withMetadata({ orientation: 6 })
    .toFile(file);
  const asStored = await decodeImageFile(file);
  const upright = await decodeImageFile(file, 'rgb', { autoOrient: true });
  assert.deepEqual([asStored.width, asStored.height], [40, 20]);
  assert.deepEqual([upright.width, upright.height], [20, 40]);
});

test('unbalanced classes: a warning with the counts; --class-weight balanced trains', async () => {
  const root = flowerFolder(path.join(tmp, 'unbalanced'), { daisy: 40, rose: 10 });
  const out = path.join(tmp, 'unbalanced-out');
  const { code, err } = await train([
    root,
    '--image-size',
    '64',
    '--epochs',
    '1',
    '--class-weight',
    'balanced',
    '--out',
    out,
  ]);
  assert.equal(code, 0, err);
  assert.match(err, /Unbalanced classes \(largest \/ smallest = 4\.0 > 3\): daisy 40, rose 10/);
  assert.equal(readJson(path.join(out, 'metrics.json')).warnings.length, 1);
});

test('an existing --out is refused without --overwrite and replaced with it', async () => {
  const root = flowerFolder(path.join(tmp, 'two'), { daisy: 10, rose: 10 });
  const out = path.join(tmp, 'existing');
  fs.mkdirSync(out);
  fs.writeFileSync(path.join(out, 'keep.txt'), 'mine');
  const refused = await train([root, '--image-size', '64', '--epochs', '1', '--out', out]);
  assert.equal(refused.code, 1);
  assert.match(refused.err, /existing already exists: pass --overwrite/);
  assert.deepEqual(fs.readdirSync(out), ['keep.txt']);
  const replaced = await train([root, '--image-size', '64', '--epochs', '1', '--out', out, '--overwrite']);
  assert.equal(replaced.code, 0, replaced.err);
  assert.deepEqual(fs.readdirSync(out).sort(), ['metrics.json', 'model.json', 'report.html', 'weights.bin']);
  assert.deepEqual(noLeftovers(out), ['existing']);
});

test('Ctrl-C stops cleanly: exit 130 and nothing written', async () => {
  const out = path.join(tmp, 'interrupted');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'scripts/train.ts', FLOWERS, '--image-size', '96', '--epochs', '2000', '--out', out],
    {
      cwd: path.resolve(__dirname, '..'),
      env: { ...process.env, LESSON_QUIET: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let text = '';
  let interrupted = false;
  const sent = new Promise<void>((resolve) => {
    const watch = (d: Buffer) => {
      text += d.toString();
      if (/train head/.test(text) && child.signalCode === null && !interrupted) {
        interrupted = true; // once: a second Ctrl-C after the clean-up would kill the process by the default action
        child.kill('SIGINT');
        resolve();
      }
    };
    child.stdout.on('data', watch);
    child.stderr.on('data', watch);
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  await sent;
  assert.equal(code, 130, text.slice(-500));
  assert.match(text, /interrupted; nothing was written/);
  assert.deepEqual(noLeftovers(out), []);
});
