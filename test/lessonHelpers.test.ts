/**
 * The helpers notebooks 05-09 call: accuracies at the end of training and their gap, results handed from one
 * notebook to the next, the fine-tuned model saved by 07 and loaded by 08, 09's photo folder, the comparison
 * table, the head on features, the side-by-side grid and one Grad-CAM cell.
 */
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { assetPath, dataPath } from '../lib/core/paths';
import { detectFolderLayout } from '../lib/data/folderLayout';
import { featureBatches, type FeatureSplit } from '../lib/lesson/fastFeatureExtraction';
import { classCountRows, photoFolderPath } from '../lib/lesson/photoFolder';
import {
  fineTunedModelDir,
  loadFineTunedModel,
  predictCommand,
  saveFineTunedModel,
} from '../lib/lesson/fineTunedModel';
import { camCell, classifierSubject } from '../lib/lesson/gradCamViews';
import { samplePhotos } from '../lib/lesson/profileDatasets';
import { loadLessonResult, saveLessonResult } from '../lib/lesson/results';
import { miniProfile } from '../lib/lesson/profile';
import { evaluateModel } from '../lib/training/evaluate';
import { accuracyGap, joinHistories } from '../lib/training/logs';
import { buildFeatureClassifier, buildTransferModel } from '../lib/training/transferModel';
import { accuracyTableRows } from '../lib/ui/accuracyTable';
import { sideBySideHtml } from '../lib/ui/sideBySide';
import { tempDir } from './helpers/tempDir';

const profile = miniProfile('test');
let root: string;
const savedRoot = process.env.LESSON_ROOT;

before(async () => {
  await tf.setBackend('cpu');
  root = tempDir('lesson-helpers-');
  process.env.LESSON_ROOT = root;
});

after(() => {
  if (savedRoot === undefined) delete process.env.LESSON_ROOT;
  else process.env.LESSON_ROOT = savedRoot;
});

test('accuracyGap reads the last epoch (tfjs or Keras names) and says what is missing', () => {
  const gap = accuracyGap({ history: { acc: [0.6, 0.9, 1], val_acc: [0.7, 0.85, 0.875], loss: [1, 0.5, 0.1] } });
  assert.deepEqual(gap, { train: 1, validation: 0.875, gap: 0.125 });
  assert.equal(accuracyGap({ accuracy: [0.5], val_accuracy: [0.75] }).gap, -0.25);
  assert.throws(
    () => accuracyGap({ loss: [1], val_loss: [2] }),
    /no accuracy and val_accuracy \(it has: loss, val_loss\)/,
  );
});

test('joinHistories puts the second training after the first, metric by metric', () => {
  const joined = joinHistories({ loss: [3, 2], acc: [0.5, 0.6] }, { history: { loss: [1], acc: [0.7] } });
  assert.deepEqual(joined.loss, [3, 2, 1]);
  assert.deepEqual(joined.accuracy, [0.5, 0.6, 0.7], 'tfjs acc also under its Keras name');
});

test('a notebook result saved under build/lesson/<profile>/ is read back by the next notebook; a missing one names the notebook', () => {
  assert.throws(
    () => loadLessonResult(profile, '05'),
    /build\/lesson\/mini\/05\.json is missing: run notebook 05 first/,
  );
  saveLessonResult(profile, '05', { label: '05 fast', train: 1, validation: 0.88, test: 0.89 });
  assert.ok(fs.existsSync(path.join(root, 'build', 'lesson', 'mini', '05.json')));
  assert.deepEqual(loadLessonResult(profile, '05'), { label: '05 fast', train: 1, validation: 0.88, test: 0.89 });
  fs.writeFileSync(path.join(root, 'build', 'lesson', 'mini', '05.json'), '{"label": 5}');
  assert.throws(() => loadLessonResult(profile, '05'), /does not hold a lesson result: run notebook 05 again/);
});

test('the comparison table: accuracies with 3 decimals, the gap computed, unmeasured columns left out', () => {
  const rows = accuracyTableRows(
    [
      { label: 'a', train: 1, validation: 0.88, test: 0.9 },
      { label: 'b', test: 0.91, testLoss: 0.25 },
    ],
    'step',
  );
  assert.deepEqual(rows[0], {
    step: 'a',
    'train accuracy': '1.000',
    'validation accuracy': '0.880',
    'gap (train - validation)': '0.120',
    'test accuracy': '0.900',
  });
  assert.deepEqual(rows[1], { step: 'b', 'test accuracy': '0.910', 'test loss': '0.250' });
  const [even] = accuracyTableRows([{ label: 'c', train: 0.3, validation: 0.1 + 0.2 }]);
  assert.equal(even['gap (train - validation)'], '0.000', 'a gap of -5.6e-17 is not shown as -0.000');
});

test("the head on features has the lesson's parameter count and evaluates like a dataset, with its file paths", async () => {
  const head = buildFeatureClassifier([5, 5, 256], { dropout: 0.5 });
  assert.equal(head.countParams(), 5 * 5 * 256 * 256 + 256 + 256 + 1);
  const split: FeatureSplit = {
    features: tf.randomNormal([4, 5, 5, 256]),
    labels: tf.tensor2d([0, 1, 0, 1], [4, 1]),
    fromCache: false,
    seconds: 0,
    filePaths: ['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg'],
    classNames: ['cats', 'dogs'],
  };
  const r = await evaluateModel(head, featureBatches(split), { disposeBatches: false });
  assert.deepEqual(r.filePaths, split.filePaths);
  assert.deepEqual(r.classNames, ['cats', 'dogs']);
  assert.equal(r.labels.length, 4);
  assert.equal(split.features.isDisposed, false, 'the caller keeps the features');
  tf.dispose([split.features, split.labels]);
  head.dispose();
});

/** A small transfer model on 32x32 photos (a 2-layer convnet base), as 07 saves one. */
function tinyTransferModel(): tf.LayersModel {
  const base = tf.sequential({
    name: 'tiny_base',
    layers: [
      tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 4, kernelSize: 3, activation: 'relu', name: 'conv_a' }),
      tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, activation: 'relu', name: 'conv_b' }),
    ],
  });
  return buildTransferModel(base, { preprocess: 'tf', dense: 8, dropout: 0.5 });
}

test('07 saves its model with the class names; 08 loads it, or says to run 07 (or to run it again for another size)', async () => {
  await assert.rejects(
    loadFineTunedModel({ ...profile, imageSize: [32, 32] }),
    /has no saved model: run notebook 07_fine_tuning first/,
  );
  const model = tinyTransferModel();
  await saveFineTunedModel(model, ['cats', 'dogs']);
  assert.equal(fineTunedModelDir(), path.join(root, 'build', 'models', '07-fine-tuned'));
  const loaded = await loadFineTunedModel({ ...profile, imageSize: [32, 32] });
  assert.deepEqual(loaded.classNames, ['cats', 'dogs']);
  assert.equal(loaded.model.countParams(), model.countParams());
  await assert.rejects(loadFineTunedModel(profile), /takes 32x32 images, profile mini 192x192: run 07 again/);
  assert.equal(
    predictCommand(path.join(root, 'x.jpg')),
    'npm run predict -- build/models/07-fine-tuned x.jpg --cam build/cam',
  );
  loaded.model.dispose();
  model.dispose();
});

test("a Grad-CAM cell: the overlay at the model's input size, captioned with the class the model chose", async () => {
  const model = tinyTransferModel();
  const [photo] = await samplePhotos(profile, { split: 'test', perClass: 1 });
  const leaked = tf.memory().numTensors;
  const cell = await camCell(photo, classifierSubject(model, ['cats', 'dogs'], 'tiny'));
  assert.equal(tf.memory().numTensors, leaked, 'no tensor left behind');
  assert.match(cell.caption ?? '', /^(cats|dogs) \d+\.\d%$/);
  assert.ok(Buffer.isBuffer(cell.image));
  const png = cell.image as Buffer;
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [32, 32], 'PNG width and height');
  model.dispose();
});

test('the side-by-side grid has a title row and one row per photo, each image with its caption', async () => {
  const photo = tf.fill([8, 8, 3], 128) as tf.Tensor3D;
  const html = await sideBySideHtml(
    ['photo', 'model'],
    [
      [
        { image: photo, caption: 'a.jpg' },
        { image: photo, caption: 'cats 90.0%' },
      ],
    ],
    { caption: 'grid', note: '0.2 s' },
  );
  assert.match(html, /<caption[^>]*>grid<\/caption><thead><tr><th[^>]*>photo<\/th><th[^>]*>model<\/th><\/tr><\/thead>/);
  assert.equal(html.match(/<tr>/g)?.length, 2);
  assert.equal(html.match(/<img src="data:image\/png;base64,/g)?.length, 2);
  assert.match(html, />cats 90\.0%</);
  assert.match(html, /tlts-side-note[^>]*>0\.2 s</);
  photo.dispose();
});

test("notebook 09's folder: LESSON_DATA from the project root, else the shipped flowers; class counts per split folder", async () => {
  assert.deepEqual(photoFolderPath({}), { dir: assetPath('flowers_mini'), fromEnv: false });
  assert.deepEqual(photoFolderPath({ LESSON_DATA: 'data/photos' }), { dir: dataPath('photos'), fromEnv: true });
  const rows = await classCountRows(await detectFolderLayout(assetPath('cats_and_dogs_mini')));
  assert.deepEqual(rows, [
    { 클래스: 'cats', train: 100, validation: 50, test: 50 },
    { 클래스: 'dogs', train: 100, validation: 50, test: 50 },
    { 클래스: '합계', train: 200, validation: 100, test: 100 },
  ]);
});
