import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fileHandler, loadModel, saveModel } from '../lib/io/modelIO';
// Custom layers register when their module is imported: whoever loads a lesson model imports them first.
import { frozenBatchNormalization, FrozenBatchNormalization } from '../lib/layers/frozenBatchNorm';
import { randomFlip, RandomFlip } from '../lib/layers/randomFlip';
import { randomRotation, RandomRotation } from '../lib/layers/randomRotation';
import { tempDir } from './helpers/tempDir';

before(async () => {
  await tf.setBackend('cpu');
});

const tmp = () => tempDir('modelio-');

/** Augmentation layers, then a small base (conv + frozen BN) nested in a functional model with a head, like a transfer model. */
function smallTransferModel(): tf.LayersModel {
  const bin = tf.input({ shape: [8, 8, 3] });
  let b = tf.layers.conv2d({ filters: 4, kernelSize: 3, name: 'block1_conv1' }).apply(bin) as tf.SymbolicTensor;
  b = frozenBatchNormalization({ name: 'block1_bn' }).apply(b) as tf.SymbolicTensor;
  const base = tf.model({ inputs: bin, outputs: b, name: 'base' });
  base.trainable = false;
  const input = tf.input({ shape: [8, 8, 3] });
  let x = randomFlip({ mode: 'horizontal', seed: 1 }).apply(input) as tf.SymbolicTensor;
  x = randomRotation({ factor: 0.1, seed: 2 }).apply(x) as tf.SymbolicTensor;
  x = base.apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 2, activation: 'softmax' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x, name: 'transfer' });
}

test('saveModel/loadModel round trip: same predictions, nested base, frozen BN and augmentation layers, no temp files', async () => {
  const model = smallTransferModel();
  const dir = path.join(tmp(), 'nested', 'model');
  const res = await saveModel(model, dir);
  assert.ok((res.modelArtifactsInfo.weightDataBytes ?? 0) > 0);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['model.json', 'weights.bin']);
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  assert.equal(json.format, 'layers-model');
  assert.deepEqual(json.weightsManifest[0].paths, ['./weights.bin']);
  const bytes = json.weightsManifest[0].weights.reduce(
    (a: number, w: { shape: number[] }) => a + 4 * w.shape.reduce((x, y) => x * y, 1),
    0,
  );
  assert.equal(fs.statSync(path.join(dir, 'weights.bin')).size, bytes);

  const loaded = await loadModel(dir);
  const x = tf.randomUniform([3, 8, 8, 3]);
  const a = model.predict(x) as tf.Tensor;
  const b = loaded.predict(x) as tf.Tensor;
  assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
  const base = loaded.layers.find((l) => l.name === 'base') as tf.LayersModel;
  assert.ok(base.layers.some((l) => l instanceof FrozenBatchNormalization));
  assert.ok(
    loaded.layers.some((l) => l instanceof RandomFlip) && loaded.layers.some((l) => l instanceof RandomRotation),
  );
  tf.dispose([x, a, b]);
});

test('model.save("file://") and tf.loadLayersModel("file://.../model.json") use the registered router', async () => {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4] })] });
  const dir = tmp();
  await model.save(`file://${dir}`);
  const loaded = await tf.loadLayersModel(`file://${path.join(dir, 'model.json')}`);
  const w1 = model.getWeights().map((w) => Array.from(w.dataSync()));
  const w2 = loaded.getWeights().map((w) => Array.from(w.dataSync()));
  assert.deepEqual(w1, w2);
  // loadModel also accepts the file:// URL of the folder
  const again = await loadModel(`file://${dir}`);
  assert.equal(again.layers.length, 1);
});

test('saving twice overwrites atomically; an optimizer can be included', async () => {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
  await model.fit(tf.ones([4, 2]), tf.ones([4, 1]), { epochs: 1, verbose: 0 });
  const dir = tmp();
  await saveModel(model, dir);
  await saveModel(model, dir, { includeOptimizer: true });
  assert.deepEqual(fs.readdirSync(dir).sort(), ['model.json', 'weights.bin']);
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  assert.ok(json.trainingConfig, 'training config saved');
  const loaded = await loadModel(dir);
  assert.equal(loaded.layers.length, 1);
});

test('clear errors for a missing folder, a missing weight file and broken JSON', async () => {
  const dir = tmp();
  await assert.rejects(loadModel(path.join(dir, 'nope')), /does not exist.*saveModel/);
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
  await saveModel(model, dir);
  fs.rmSync(path.join(dir, 'weights.bin'));
  await assert.rejects(loadModel(dir), /weights\.bin.*missing/);
  fs.writeFileSync(path.join(dir, 'model.json'), '{ not json');
  await assert.rejects(loadModel(dir), /not valid JSON/);
});

test('an unregistered custom class gets an error naming it', async () => {
  const dir = tmp();
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
  await saveModel(model, dir);
  const f = path.join(dir, 'model.json');
  fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace('"Dense"', '"MysteryLayer"'));
  await assert.rejects(loadModel(dir), /MysteryLayer/);
});

test('issue 10 #14a: a truncated weights.bin is named, with what to do (loadModel and npm run predict)', async () => {
  const dir = tmp();
  const input = tf.input({ shape: [6, 6, 3] });
  const x = tf.layers.globalAveragePooling2d({}).apply(input) as tf.SymbolicTensor;
  const y = tf.layers.dense({ units: 54 }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: y });
  await saveModel(model, path.join(dir, 'model'));
  const weights = path.join(dir, 'model', 'weights.bin');
  fs.truncateSync(weights, 100);
  const check = (err: Error) => {
    assert.ok(err.message.includes(weights), err.message);
    assert.match(err.message, /100 bytes.*864 bytes/);
    assert.match(err.message, /truncated/);
    assert.match(err.message, /save the model again/);
    assert.doesNotMatch(err.message, /tensor should have/);
    return true;
  };
  await assert.rejects(loadModel(path.join(dir, 'model')), check);
  const { parsePredictArgs, predictImages } = await import('../scripts/predict');
  const img = path.join(dir, 'img.png');
  const sharp = (await import('sharp')).default;
  await sharp({ create: { width: 6, height: 6, channels: 3, background: { r: 9, g: 9, b: 9 } } })
    .png()
    .toFile(img);
  await assert.rejects(predictImages(parsePredictArgs([path.join(dir, 'model'), img]), { quiet: true }), check);
});

test('fileHandler to a .json path names the weights after it', async () => {
  const dir = tmp();
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
  await model.save(fileHandler(path.join(dir, 'best.json')));
  assert.deepEqual(fs.readdirSync(dir).sort(), ['best.json', 'best.weights.bin']);
  const loaded = await loadModel(path.join(dir, 'best.json'));
  assert.equal(loaded.layers.length, 1);
});

test('scripts/predict classifies images with a saved model; clear errors', async () => {
  const sharp = (await import('sharp')).default;
  const { parsePredictArgs, predictImages, main } = await import('../scripts/predict');
  const dir = tmp();
  // "dog" if the mean red value is high: sigmoid(w * mean(R) + b) with a GAP layer
  const input = tf.input({ shape: [6, 6, 3] });
  let x = tf.layers.globalAveragePooling2d({}).apply(input) as tf.SymbolicTensor;
  x = tf.layers
    .dense({ units: 1, activation: 'sigmoid', weights: [tf.tensor2d([[0.1], [0], [0]]), tf.tensor1d([-12.75])] })
    .apply(x) as tf.SymbolicTensor;
  await saveModel(tf.model({ inputs: input, outputs: x }), path.join(dir, 'model'));
  const red = path.join(dir, 'red.png');
  const blue = path.join(dir, 'blue.png');
  await sharp({ create: { width: 20, height: 12, channels: 3, background: { r: 255, g: 0, b: 0 } } })
    .png()
    .toFile(red);
  await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 0, g: 0, b: 255 } } })
    .png()
    .toFile(blue);
  const lines: string[] = [];
  const preds = await predictImages(parsePredictArgs([path.join(dir, 'model'), red, blue, '--classes', 'cats,dogs']), {
    out: (l) => lines.push(l),
  });
  assert.deepEqual(
    preds.map((p) => p.className),
    ['dogs', 'cats'],
  );
  assert.ok(Math.abs(preds[0].probability - 1 / (1 + Math.exp(-12.75))) < 1e-4);
  assert.match(lines[1], /blue\.png\tcats\t1\.0000/);
  assert.deepEqual(parsePredictArgs(['m', 'a.jpg', '--size', '150x200']).size, [150, 200]);
  assert.throws(() => parsePredictArgs(['m']), /at least one image/);
  await assert.rejects(
    predictImages(parsePredictArgs([path.join(dir, 'nope'), red])),
    /model folder .*nope does not exist/,
  );
  const junk = path.join(dir, 'junk.jpg');
  fs.writeFileSync(junk, 'not an image');
  await assert.rejects(
    predictImages(parsePredictArgs([path.join(dir, 'model'), junk]), { quiet: true }),
    /cannot read image .*junk\.jpg/,
  );
  await assert.rejects(
    predictImages(parsePredictArgs([path.join(dir, 'model'), red, '--classes', 'a,b,c']), { quiet: true }),
    /3 names but the model predicts 2/,
  );
  const err = console.error;
  console.error = () => undefined;
  try {
    assert.equal(await main([path.join(dir, 'nope'), red]), 1);
  } finally {
    console.error = err;
  }
});
