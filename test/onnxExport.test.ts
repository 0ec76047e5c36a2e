import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { onnx } from 'onnx-proto';
import { saveModel } from '../lib/io/modelIO';
import { defaultAugmentation } from '../lib/layers/augmentation';
import { frozenBatchNormalization } from '../lib/layers/frozenBatchNorm';
import { buildMobileNet, mobilenet } from '../lib/models/mobilenet';
import { buildMobileNetV2 } from '../lib/models/mobilenetV2';
import { buildResNet, type ResNetDepth } from '../lib/models/resnet';
import { loadSavedModel } from '../lib/models/savedModel';
import { SHIPPED_MOBILENET } from '../lib/models/shippedWeights';
import { buildVgg } from '../lib/models/vgg';
import { exportOnnx, ONNX_OPSET } from '../lib/onnx/exportOnnx';
import { toStandardLayers } from '../lib/models/standardLayers';
import { buildTransferModel } from '../lib/training/transferModel';
import { main as exportMain, parseExportArgs } from '../scripts/export';
import {
  photoBatch,
  randomizeWeights,
  relativeDifference,
  runOnnxFile,
  shippedMobileNet,
  tfjsOutput,
} from './helpers/onnxCompare';
import { tempDir } from './helpers/tempDir';

const TOLERANCE = 1e-4;
const dir = tempDir('onnx-export-');
let files = 0;

before(async () => {
  await tf.setBackend('cpu');
});

/** Exports `model`, runs the file with onnxruntime-node on `x`, and checks shape and numbers against TF.js. */
async function expectSameOutput(model: tf.LayersModel, x: tf.Tensor): Promise<number> {
  const file = path.join(dir, `model${++files}.onnx`);
  await exportOnnx(model, file);
  const ours = tfjsOutput(model, x);
  const theirs = await runOnnxFile(file, x);
  assert.deepEqual([...theirs.dims], ours.shape, `${model.name}: output shape`);
  const diff = relativeDifference(ours.data, theirs.data);
  assert.ok(diff <= TOLERANCE, `${model.name}: ONNX Runtime differs from TF.js by ${diff} (relative)`);
  console.log(`# ${model.name}: ONNX Runtime vs TF.js, largest relative difference ${diff.toExponential(2)}`);
  return diff;
}

/** Pixels in [-1, 1] for a bare base (its preprocessing is not inside). */
const scaled = (batch: tf.Tensor4D) => tf.tidy(() => batch.div(127.5).sub(1));

test('real MobileNet α=0.25 (shipped ImageNet weights) on real photos: with top, without top, as a transfer model', async () => {
  const photos224 = await photoBatch(4, 224);
  const top = await mobilenet({ alpha: 0.25, weights: SHIPPED_MOBILENET.weightsWithTop, quiet: true });
  await expectSameOutput(top, scaled(photos224));
  const photos = await photoBatch(6, 160);
  const base = await shippedMobileNet(160);
  await expectSameOutput(base, scaled(photos));
  const model = buildTransferModel(base, {
    augmentation: defaultAugmentation({ seed: 1 }),
    preprocess: 'tf',
    head: 'gap',
    dropout: 0.5,
    outputs: 2,
  });
  await expectSameOutput(model, photos);
});

/**
 * Each random-weight check. With top: 10 classes (a small top) and logits ('linear'): random deep nets saturate a
 * softmax to one-hot, which would compare nothing; the softmax is checked on the real MobileNet and MobileNetV2.
 */
const RANDOM_BUILDS: [string, () => tf.LayersModel][] = [
  [
    'VGG16 with top',
    () =>
      buildVgg(16, {
        weights: null,
        includeTop: true,
        inputShape: [32, 32, 3],
        classes: 10,
        classifierActivation: 'linear',
      }),
  ],
  ['VGG19 without top', () => buildVgg(19, { weights: null, includeTop: false, inputShape: [32, 32, 3] })],
  [
    'ResNet50 with top',
    () =>
      buildResNet(50, {
        weights: null,
        includeTop: true,
        inputShape: [32, 32, 3],
        classes: 10,
        classifierActivation: 'linear',
      }),
  ],
  ['ResNet101 without top', () => buildResNet(101, { weights: null, includeTop: false, inputShape: [32, 32, 3] })],
  [
    'ResNet152 without top, pooled',
    () =>
      buildResNet(152 as ResNetDepth, { weights: null, includeTop: false, pooling: 'avg', inputShape: [32, 32, 3] }),
  ],
];

for (const [i, [name, build]] of RANDOM_BUILDS.entries())
  test(`${name} (random weights, 32 px)`, async () => {
    const model = build();
    randomizeWeights(model, 100 * i);
    await expectSameOutput(model, tf.randomUniform([2, 32, 32, 3], -1, 1, 'float32', i));
  });

test('MobileNet (α=0.5, max pooling) and MobileNetV2 (α=0.35, with and without top), random weights', async () => {
  const x = tf.randomUniform([2, 48, 48, 3], -1, 1, 'float32', 3);
  const models = [
    buildMobileNet({ weights: null, includeTop: false, alpha: 0.5, pooling: 'max', inputShape: [48, 48, 3] }),
    buildMobileNetV2({ weights: null, includeTop: true, alpha: 0.35, inputShape: [48, 48, 3], classes: 5 }),
    buildMobileNetV2({ weights: null, includeTop: false, alpha: 0.35, inputShape: [48, 48, 3] }),
  ];
  for (const [i, model] of models.entries()) {
    randomizeWeights(model, 40 + i);
    await expectSameOutput(model, x);
  }
});

test("the lesson's heads (flatten / gap / gmp, Dense, Dropout) on a nested base with 'caffe' and 'tf' preprocessing", async () => {
  const photos = await photoBatch(4, 64);
  for (const [head, preprocess] of [
    ['flatten', 'caffe'],
    ['gap', 'tf'],
    ['gmp', 'caffe'],
  ] as const) {
    const base = buildMobileNet({ weights: null, includeTop: false, alpha: 0.25, inputShape: [64, 64, 3] });
    const model = buildTransferModel(base, {
      augmentation: defaultAugmentation(),
      preprocess,
      head,
      dense: [16, 8],
      dropout: 0.5,
    });
    randomizeWeights(model, 5);
    await expectSameOutput(model, photos);
  }
});

test('FrozenBatchNormalization and BatchNormalization after Dense; a saved model (saveModel / loadSavedModel)', async () => {
  const input = tf.input({ shape: [8, 8, 3] });
  let x = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: 'same', strides: 2 })
    .apply(input) as tf.SymbolicTensor;
  x = frozenBatchNormalization({ epsilon: 1e-3 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 5 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ center: false }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({
    inputs: input,
    outputs: tf.layers.activation({ activation: 'tanh' }).apply(x) as tf.SymbolicTensor,
  });
  randomizeWeights(model, 11);
  const folder = path.join(dir, 'saved');
  await saveModel(model, folder);
  const loaded = await loadSavedModel(folder);
  await expectSameOutput(loaded, tf.randomUniform([3, 8, 8, 3], -1, 1, 'float32', 2));
});

test('the file is self-contained: opset, NHWC float input, class names and preprocessing in metadata_props', async () => {
  const base = buildMobileNet({ weights: null, includeTop: false, alpha: 0.25, inputShape: [32, 32, 3] });
  const model = buildTransferModel(base, { preprocess: 'tf', head: 'gap', outputs: 3 });
  model.setUserDefinedMetadata({ classNames: ['daisy', 'rose', 'tulip'] });
  const file = await exportOnnx(model, path.join(dir, 'meta.onnx'));
  const proto = onnx.ModelProto.decode(fs.readFileSync(file));
  assert.equal(Number(proto.opsetImport![0].version), ONNX_OPSET);
  const meta = Object.fromEntries(proto.metadataProps!.map((p) => [p.key, p.value]));
  assert.deepEqual(JSON.parse(meta.class_names), ['daisy', 'rose', 'tulip']);
  assert.deepEqual(JSON.parse(meta.preprocessing), [
    { layer: 'preprocess_input', class: 'ImageNetPreprocessing', mode: 'tf' },
  ]);
  const dims = proto.graph!.input![0].type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue));
  assert.deepEqual(dims, ['batch', 32, 32, 3]);
  assert.equal(proto.graph!.input![0].name, 'image');
  assert.equal(proto.graph!.initializer!.length > 0, true);
});

test('a layer with no ONNX form: an error naming the layer, its class and what is supported; nothing written', async () => {
  const input = tf.input({ shape: [4, 4, 3] });
  const up = tf.layers.upSampling2d({ size: [2, 2], name: 'my_upsampling' }).apply(input) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: up });
  const file = path.join(dir, 'unsupported', 'model.onnx');
  await assert.rejects(exportOnnx(model, file), (err: Error) => {
    assert.match(err.message, /'my_upsampling' \(class UpSampling2D\)/);
    assert.match(err.message, /Supported layers: .*Conv2D.*DepthwiseConv2D/);
    return true;
  });
  assert.equal(fs.existsSync(path.dirname(file)) ? fs.readdirSync(path.dirname(file)).length : 0, 0);
});

test('npm run export: a model saved the way `npm run train` saves it (standard layers) exports and runs', async () => {
  const base = buildMobileNet({ weights: null, includeTop: false, alpha: 0.25, inputShape: [40, 40, 3] });
  const model = buildTransferModel(base, {
    augmentation: defaultAugmentation(),
    preprocess: 'caffe',
    head: 'gap',
    outputs: 3,
  });
  randomizeWeights(model, 9);
  const standard = await toStandardLayers(model);
  const folder = path.join(dir, 'trained');
  await saveModel(standard, folder);
  await exportMain([folder]);
  const x = await photoBatch(2, 40);
  const theirs = await runOnnxFile(path.join(folder, 'model.onnx'), x);
  const diff = relativeDifference(tfjsOutput(model, x).data, theirs.data);
  assert.ok(diff <= TOLERANCE, `exported file differs from the trained model by ${diff}`);
  const out = path.join(dir, 'elsewhere', 'm.onnx');
  assert.deepEqual(parseExportArgs([folder, '--out', out]), { modelDir: folder, out });
  assert.throws(() => parseExportArgs([]), /give one model folder.*\nusage: npm run export/s);
});

test('npm run export: a folder without weights or without model.json is a clear error, nothing written', async () => {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
  const folder = path.join(dir, 'no-weights');
  await saveModel(model, folder);
  fs.rmSync(path.join(folder, 'weights.bin'));
  await assert.rejects(exportMain([folder]), /has model.json but not its weights file (\.\/)?weights.bin/);
  await assert.rejects(
    exportMain([path.join(dir, 'missing')]),
    /has no model.json: pass a folder written by saveModel/,
  );
  assert.equal(fs.existsSync(path.join(folder, 'model.onnx')), false);
});
