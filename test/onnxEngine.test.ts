import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { assetPath } from '../lib/core/paths';
import { imageDatasetFromDirectory, loadImage } from '../lib/data/imageDataset';
import { chooseEngine, modelRunner, requestedEngine } from '../lib/onnx/engine';
import { exportOnnx } from '../lib/onnx/exportOnnx';
import { openOnnxSessions, releaseOnnxSession, runOnnx } from '../lib/onnx/modelSession';
import { evaluateModel } from '../lib/training/evaluate';
import { extractFeatures, type FeatureBatches } from '../lib/training/features';
import { buildTransferModel } from '../lib/training/transferModel';
import { relativeDifference, shippedMobileNet } from './helpers/onnxCompare';
import { tempDir } from './helpers/tempDir';
import { saveModel } from '../lib/io/modelIO';
import { parsePredictArgs, predictImages } from '../scripts/predict';

const root = path.resolve(__dirname, '..');

before(async () => {
  await tf.setBackend('cpu');
});

/** Mean |a − b| over mean |a|, and max |a − b| over max |a|. */
function differences(a: ArrayLike<number>, b: ArrayLike<number>): { mean: number; max: number } {
  let [sum, ref, max, top] = [0, 0, 0, 0];
  for (let i = 0; i < a.length; i++) {
    sum += Math.abs(a[i] - b[i]);
    ref += Math.abs(a[i]);
    max = Math.max(max, Math.abs(a[i] - b[i]));
    top = Math.max(top, Math.abs(a[i]));
  }
  return { mean: sum / ref, max: max / top };
}

/** A small conv base: 6x6x3 → conv 3x3 (4 filters, relu) → max pool → [2, 2, 4]. */
function tinyBase(): tf.LayersModel {
  const input = tf.input({ shape: [6, 6, 3] });
  const conv = tf.layers.conv2d({
    filters: 4,
    kernelSize: 3,
    activation: 'relu',
    kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
  });
  const x = tf.layers.maxPooling2d({ poolSize: 2 }).apply(conv.apply(input)) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x, name: 'tiny_base' });
}

/** `numBatches` batches of one 6x6 image each, made on demand. */
function tinyBatches(numBatches: number): FeatureBatches {
  return {
    numBatches,
    async *[Symbol.asyncIterator]() {
      for (let b = 0; b < numBatches; b++)
        yield { xs: tf.randomUniform([1, 6, 6, 3], 0, 255, 'float32', b) as tf.Tensor4D, ys: tf.tensor1d([b % 2]) };
    },
  };
}

test('extractFeatures: ONNX Runtime gives the same features as TF.js (real MobileNet α=0.25, real photos)', async () => {
  const base = await shippedMobileNet(160);
  const dataset = () =>
    imageDatasetFromDirectory(assetPath('cats_and_dogs_mini', 'validation'), {
      imageSize: [160, 160],
      batchSize: 16,
      shuffle: false,
      quiet: true,
    });
  const preprocess = (x: tf.Tensor4D) => x.div(127.5).sub(1) as tf.Tensor4D;
  const common = { preprocess, preprocessName: 'tf', quiet: true };
  const ours = await extractFeatures(base, await dataset(), { ...common, engine: 'tfjs' });
  const theirs = await extractFeatures(base, await dataset(), { ...common, engine: 'onnxruntime' });
  assert.equal(ours.engine?.engine, 'tfjs');
  assert.equal(theirs.engine?.engine, 'onnxruntime');
  assert.deepEqual(theirs.features.shape, ours.features.shape);
  assert.equal(ours.features.shape[0], 100);
  const [a, b] = [ours.features.dataSync(), theirs.features.dataSync()];
  const { mean, max } = differences(a, b);
  // Measured: mean 1.3e-6 of the mean feature; largest 7e-4 of the largest feature, on one photo where TF.js itself
  // is 3.1e-3 and ONNX Runtime 1.1e-3 away from a float64 NumPy forward pass (MobileNet's small BatchNorm
  // variances amplify float32 rounding; any two float32 engines differ there). The next test checks against float64.
  assert.ok(mean <= 1e-5, `features differ by ${mean} on average (relative)`);
  assert.ok(max <= 1e-2, `features differ by up to ${max} (relative to the largest)`);
  console.log(
    `# MobileNet α=0.25, 100 photos: mean relative difference ${mean.toExponential(2)}, largest ${max.toExponential(2)}`,
  );
  assert.deepEqual(Array.from(theirs.labels.dataSync()), Array.from(ours.labels.dataSync()));
  tf.dispose([ours.features, ours.labels, theirs.features, theirs.labels]);
  await releaseOnnxSession(base);
});

test("ONNX Runtime's features match the float64 NumPy reference (test/fixtures/mobilenet-reference.json)", async () => {
  const reference = JSON.parse(
    fs.readFileSync(path.join(__dirname, 'fixtures', 'mobilenet-reference.json'), 'utf8'),
  ) as {
    photos: { path: string; height: number; width: number; features: number[] }[];
  };
  const { height, width } = reference.photos[0];
  assert.equal(height, width, 'the fixture photos are square');
  const base = await shippedMobileNet(height, 'avg');
  for (const photo of reference.photos) {
    const img = await loadImage(path.join(root, photo.path));
    const x = tf.tidy(() => img.expandDims(0).div(127.5).sub(1));
    const y = await runOnnx(base, x);
    const rel = differences(photo.features, y.dataSync()).max;
    assert.ok(rel < 1e-5, `${photo.path}: ONNX Runtime's features differ from float64 by ${rel} (relative)`);
    tf.dispose([img, x, y]);
  }
  await releaseOnnxSession(base);
});

test('1,000 batches on ONNX Runtime: one session, reused; no tensor left behind', async () => {
  const base = tinyBase();
  const sessionsBefore = openOnnxSessions();
  const warm = await extractFeatures(base, tinyBatches(2), { engine: 'onnxruntime', quiet: true });
  tf.dispose([warm.features, warm.labels]);
  const tensorsBefore = tf.memory().numTensors;
  const r = await extractFeatures(base, tinyBatches(1000), { engine: 'onnxruntime', quiet: true });
  assert.deepEqual(r.features.shape, [1000, 2, 2, 4]);
  tf.dispose([r.features, r.labels]);
  assert.equal(tf.memory().numTensors, tensorsBefore, 'tensors leaked');
  assert.equal(openOnnxSessions(), sessionsBefore + 1, 'one session for the model, reused');
  await releaseOnnxSession(base);
  assert.equal(openOnnxSessions(), sessionsBefore);
});

test('a model whose weights change gets a new session (never stale weights), still one per model', async () => {
  const base = tinyBase();
  const x = tf.randomUniform([2, 6, 6, 3], 0, 255, 'float32', 3);
  const runner = await modelRunner(base, 'onnxruntime');
  const first = await runner.run(x);
  const sessions = openOnnxSessions();
  base.setWeights(base.getWeights().map((w) => tf.mul(w, 2)));
  const second = await runner.run(x);
  const expected = base.predict(x) as tf.Tensor;
  assert.ok(relativeDifference(expected.dataSync(), second.dataSync()) <= 1e-5);
  assert.ok(relativeDifference(first.dataSync(), second.dataSync()) > 0.1, 'the new weights are used');
  assert.equal(openOnnxSessions(), sessions);
  tf.dispose([x, first, second, expected]);
  await releaseOnnxSession(base);
});

test('evaluateModel on both engines: the same predictions and loss', async () => {
  const base = tinyBase();
  const model = buildTransferModel(base, { head: 'gap', dense: 4, outputs: 1, inputShape: [6, 6, 3] });
  const batches = () => {
    const xs = tf.randomUniform([8, 6, 6, 3], 0, 1, 'float32', 5);
    return [{ xs, ys: tf.tensor1d([0, 1, 0, 1, 1, 0, 1, 0]) }];
  };
  const a = await evaluateModel(model, batches(), { engine: 'tfjs' });
  const b = await evaluateModel(model, batches(), { engine: 'onnxruntime' });
  assert.equal(b.engine?.engine, 'onnxruntime');
  assert.deepEqual(b.predictions, a.predictions);
  assert.ok(Math.abs(a.loss - b.loss) <= 1e-5 * Math.max(1, a.loss), `loss ${a.loss} vs ${b.loss}`);
  assert.ok(relativeDifference(a.probabilities.flat(), b.probabilities.flat()) <= 1e-5);
  await releaseOnnxSession(model);
});

test('engine names: unknown ones are errors naming the choices; auto picks ONNX Runtime on the cpu backend', () => {
  assert.throws(() => requestedEngine('onnx'), /engine 'onnx' does not exist: use one of auto, tfjs, onnxruntime/);
  const saved = process.env.LESSON_ENGINE;
  try {
    process.env.LESSON_ENGINE = 'tensorrt';
    assert.throws(() => chooseEngine(), /LESSON_ENGINE=tensorrt does not exist/);
    process.env.LESSON_ENGINE = 'tfjs';
    assert.equal(chooseEngine().engine, 'tfjs');
    assert.equal(chooseEngine('auto').engine, 'onnxruntime');
    assert.match(chooseEngine('auto').reason, /backend cpu is a CPU one/);
  } finally {
    if (saved === undefined) delete process.env.LESSON_ENGINE;
    else process.env.LESSON_ENGINE = saved;
  }
});

test('auto falls back to TF.js, naming the layer, for a model with no ONNX form; onnxruntime by name fails', async () => {
  const input = tf.input({ shape: [4, 4, 3] });
  const up = tf.layers.upSampling2d({ size: [2, 2], name: 'up' }).apply(input) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: up });
  const runner = await modelRunner(model, 'auto');
  assert.equal(runner.engine, 'tfjs');
  assert.match(runner.reason, /'up' \(class UpSampling2D\)/);
  await assert.rejects(modelRunner(model, 'onnxruntime'), /'up' \(class UpSampling2D\): this layer has no ONNX form/);
});

test('onnxruntime-node missing: auto falls back to TF.js with the reason; asked for by name, a clear error', () => {
  const script = `
    const Module = require('node:module');
    const resolve = Module._resolveFilename;
    Module._resolveFilename = function (req, ...rest) {
      if (req === 'onnxruntime-node') throw Object.assign(new Error("Cannot find module 'onnxruntime-node'"), { code: 'MODULE_NOT_FOUND' });
      return resolve.call(this, req, ...rest);
    };
    require('@tensorflow/tfjs').setBackend('cpu');
    const { chooseEngine } = require('./lib/onnx/engine');
    console.log(JSON.stringify(chooseEngine('auto')));
    try { chooseEngine('onnxruntime'); } catch (err) { console.log(err.message); }
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const [auto, named] = r.stdout.trim().split('\n');
  assert.deepEqual(JSON.parse(auto), {
    engine: 'tfjs',
    reason: 'auto: onnxruntime-node is not installed (run `npm ci`; see the README, "ONNX")',
  });
  assert.match(named, /engine 'onnxruntime': onnxruntime-node is not installed.*LESSON_ENGINE=tfjs/);
});

test('npm run predict --engine: the same classes and probabilities on both engines; an unknown engine is an error', async () => {
  const base = tinyBase();
  const model = buildTransferModel(base, { head: 'gap', dense: 4, outputs: 3, inputShape: [6, 6, 3] });
  const dir = tempDir('onnx-predict-');
  await saveModel(model, path.join(dir, 'model'));
  const photos = ['cat.10150.jpg', 'cat.10151.jpg'].map((f) => assetPath('cats_and_dogs_mini', 'test', 'cats', f));
  const predict = (engine: string) =>
    predictImages(parsePredictArgs([path.join(dir, 'model'), ...photos, '--engine', engine]), { quiet: true });
  const [a, b] = [await predict('tfjs'), await predict('onnxruntime')];
  assert.deepEqual(
    b.map((p) => p.className),
    a.map((p) => p.className),
  );
  a.forEach((p, i) => assert.ok(Math.abs(p.probability - b[i].probability) <= 1e-5, `${p.path}: probabilities differ`));
  assert.throws(() => parsePredictArgs(['m', 'a.jpg', '--engine', 'gpu']), /engine 'gpu' does not exist/);
});

test('npm run predict on an exported .onnx file: the same answers as the folder; corrupt and foreign files are clear errors', async () => {
  const base = tinyBase();
  const model = buildTransferModel(base, { head: 'gap', dense: 4, outputs: 3, inputShape: [6, 6, 3] });
  model.setUserDefinedMetadata({ classNames: ['a', 'b', 'c'] });
  const dir = tempDir('onnx-file-');
  await saveModel(model, path.join(dir, 'model'));
  const file = await exportOnnx(model, path.join(dir, 'model.onnx'));
  const photos = ['cat.10150.jpg', 'dog.10150.jpg'].map((f) =>
    assetPath('cats_and_dogs_mini', 'test', f.startsWith('cat') ? 'cats' : 'dogs', f),
  );
  const predict = (m: string, ...more: string[]) =>
    predictImages(parsePredictArgs([m, ...photos, ...more]), { quiet: true });
  const [fromFolder, fromFile] = [await predict(path.join(dir, 'model'), '--engine', 'tfjs'), await predict(file)];
  assert.deepEqual(
    fromFile.map((p) => p.className),
    fromFolder.map((p) => p.className),
  );
  assert.ok(
    fromFile.every((p) => ['a', 'b', 'c'].includes(p.className)),
    'class names from the metadata',
  );
  fromFile.forEach((p, i) => assert.ok(Math.abs(p.probability - fromFolder[i].probability) <= 1e-5));
  const corrupt = path.join(dir, 'corrupt.onnx');
  fs.writeFileSync(corrupt, fs.readFileSync(file).subarray(0, 200));
  await assert.rejects(predict(corrupt), /corrupt\.onnx is not an ONNX model .*npm run export/);
  fs.writeFileSync(path.join(dir, 'text.onnx'), 'not a model at all');
  await assert.rejects(predict(path.join(dir, 'text.onnx')), /text\.onnx is not an ONNX model/);
  const dense = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [8] })] });
  const foreign = await exportOnnx(dense, path.join(dir, 'foreign.onnx'));
  await assert.rejects(predict(foreign), /foreign\.onnx: its input .* is \[\?,8\].*float32 NHWC pixels/);
  await assert.rejects(predict(file, '--cam', dir), /--cam needs the model folder/);
});
