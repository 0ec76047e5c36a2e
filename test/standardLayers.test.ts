/**
 * lib/models/standardLayers.ts `toStandardLayers`: a MobileNet α=0.25 transfer model ('tf' preprocessing, shipped
 * weights) and a small ResNet-style model ('caffe' preprocessing, FrozenBatchNormalization with non-trivial
 * statistics, augmentation layers) give the same outputs after conversion on real photos, in this process and in a
 * fresh process that imports only `@tensorflow/tfjs` (test/helpers/plainTfjsChild.ts), which loads the saved
 * model.json and finds no class it does not register.
 */
import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/backend/select';
import { assetPath } from '../lib/core/paths';
import { loadImage } from '../lib/data/imageDataset';
import { listImages } from '../lib/data/files';
import { defaultAugmentation } from '../lib/layers/augmentation';
import { frozenBatchNormalization } from '../lib/layers/frozenBatchNorm';
import { leafLayers } from '../lib/layers/walk';
import { saveModel } from '../lib/io/modelIO';
import { toStandardLayers } from '../lib/models/standardLayers';
import { loadFolderBackbone } from '../lib/training/folderBackbone';
import { buildTransferModel } from '../lib/training/transferModel';
import { tempDir } from './helpers/tempDir';

const SIZE = 96;
const tmp = tempDir('standard-layers-');
const CHILD = path.join(__dirname, 'helpers', 'plainTfjsChild.ts');
const TSX = path.join(__dirname, '..', 'node_modules', '.bin', 'tsx');

before(async () => {
  await initBackend({ quiet: true });
});

/** Four real photos (two cats, two dogs) of the mini set, 0..255, [4, SIZE, SIZE, 3]. */
async function photos(): Promise<tf.Tensor4D> {
  const root = assetPath('cats_and_dogs_mini', 'test');
  const chosen = (await Promise.all(['cats', 'dogs'].map((c) => listImages(path.join(root, c))))).flatMap((f) =>
    f.slice(0, 2),
  );
  const images = await Promise.all(chosen.map((f) => loadImage(f, { imageSize: [SIZE, SIZE] })));
  const batch = tf.stack(images) as tf.Tensor4D;
  tf.dispose(images);
  return batch;
}

/** A small ResNet-style base: conv → FrozenBatchNormalization → relu, twice, with a residual Add. */
function residualBase(): tf.LayersModel {
  const input = tf.input({ shape: [SIZE, SIZE, 3], name: 'base_input' });
  const conv = (x: tf.SymbolicTensor, name: string, strides = 1) =>
    tf.layers.conv2d({ filters: 8, kernelSize: 3, strides, padding: 'same', name }).apply(x) as tf.SymbolicTensor;
  const bn = (x: tf.SymbolicTensor, name: string) =>
    frozenBatchNormalization({ name, epsilon: 1.001e-5 }).apply(x) as tf.SymbolicTensor;
  const relu = (x: tf.SymbolicTensor) => tf.layers.reLU().apply(x) as tf.SymbolicTensor;
  const a = relu(bn(conv(input, 'conv1', 2), 'conv1_bn'));
  const b = bn(conv(a, 'conv2'), 'conv2_bn');
  const out = relu(tf.layers.add({ name: 'add' }).apply([a, b]) as tf.SymbolicTensor);
  const base = tf.model({ inputs: input, outputs: out, name: 'resnet_like' });
  // Statistics far from the initial 0 / 1, so that a BatchNormalization that ignored them would show.
  const rnd = tf.randomUniform([8], 0.5, 2, 'float32', 7);
  for (const name of ['conv1_bn', 'conv2_bn']) {
    const bnLayer = base.getLayer(name);
    bnLayer.setWeights([rnd.mul(1.5), rnd.sub(1), rnd.mul(40).sub(30), rnd.mul(300)]);
  }
  rnd.dispose();
  return base;
}

/** The class names of a saved model.json in a fresh tfjs process, its registered classes and its predictions. */
function inFreshProcess(
  dir: string,
  input: tf.Tensor,
): { classNames: string[]; registered: string[]; predictions: number[] } {
  const file = path.join(dir, 'input.f32');
  fs.writeFileSync(file, Buffer.from(input.dataSync().buffer));
  const out = execFileSync(TSX, [CHILD, dir, file, JSON.stringify(input.shape)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out.trim().split('\n').pop() as string);
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  assert.equal(a.length, b.length);
  return Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
};

/** Converts, compares here and in a fresh process; returns the two maximum differences. */
async function checkConversion(model: tf.LayersModel, name: string): Promise<{ here: number; fresh: number }> {
  const x = await photos();
  const converted = await toStandardLayers(model);
  const want = (model.predict(x) as tf.Tensor).dataSync();
  const got = (converted.predict(x) as tf.Tensor).dataSync();
  const dir = path.join(tmp, name);
  await saveModel(converted, dir);
  const fresh = inFreshProcess(dir, x);
  const unknown = fresh.classNames.filter((c) => !fresh.registered.includes(c));
  assert.deepEqual(unknown, [], `classes a plain tfjs does not know: ${unknown.join(', ')}`);
  const saved = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  assert.deepEqual(saved.userDefinedMetadata, { classNames: ['cats', 'dogs', 'other'] });
  converted.dispose();
  x.dispose();
  return { here: maxDiff(got, want), fresh: maxDiff(fresh.predictions, want) };
}

test("MobileNet α=0.25 transfer model ('tf' mode, shipped weights): same outputs as standard layers", async () => {
  const { base, info } = await loadFolderBackbone({}, [SIZE, SIZE], true);
  assert.equal(info.preprocess, 'tf');
  const model = buildTransferModel(base, { preprocess: 'tf', head: 'gap', dense: [], outputs: 3 });
  model.setUserDefinedMetadata({ classNames: ['cats', 'dogs', 'other'] });
  const { here, fresh } = await checkConversion(model, 'mobilenet');
  console.log(`mobilenet: max |converted - original| = ${here}, fresh process = ${fresh}`);
  assert.ok(here <= 1e-5, `in process: ${here}`);
  assert.ok(fresh <= 1e-5, `fresh process: ${fresh}`);
  model.dispose();
});

test("a ResNet-style model ('caffe' mode, FrozenBatchNormalization, augmentation): same outputs, nothing custom left", async () => {
  const model = buildTransferModel(residualBase(), {
    augmentation: defaultAugmentation({ seed: 3 }),
    preprocess: 'caffe',
    head: 'gap',
    dense: [16],
    outputs: 3,
  });
  model.setUserDefinedMetadata({ classNames: ['cats', 'dogs', 'other'] });
  const converted = await toStandardLayers(model);
  const top = converted.layers.map((l) => l.getClassName());
  assert.deepEqual(top, ['InputLayer', 'Conv2D', 'Model', 'GlobalAveragePooling2D', 'Dense', 'Dense']);
  const leaves = leafLayers(converted).map((l) => `${l.name}:${l.getClassName()}:${l.trainable}`);
  assert.ok(leaves.includes('conv1_bn:BatchNormalization:false'), leaves.join(', '));
  assert.ok(leaves.includes('preprocess_input:Conv2D:false'), leaves.join(', '));
  converted.dispose();
  const { here, fresh } = await checkConversion(model, 'resnet');
  console.log(`resnet-like: max |converted - original| = ${here}, fresh process = ${fresh}`);
  assert.ok(here <= 1e-5, `in process: ${here}`);
  assert.ok(fresh <= 1e-5, `fresh process: ${fresh}`);
  model.dispose();
});
