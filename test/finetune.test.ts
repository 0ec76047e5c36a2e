import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { randomFlip } from '../lib/layers/randomFlip';
import { compileModel, recompileModel } from '../lib/training/compile';
import { freeze, lastBlockStart, setFineTuneStrategy, unfreeze, type FineTuneStrategy } from '../lib/training/finetune';
import { trainableSummary } from '../lib/training/trainableSummary';
import { buildTransferModel, type TransferModelOptions } from '../lib/training/transferModel';
import type { HeadKind } from '../lib/models/heads';
import { loadModel, saveModel } from '../lib/io/modelIO';
import { applicationInfo } from '../lib/models/applications';
import { tempDir } from './helpers/tempDir';

before(async () => {
  await tf.setBackend('cpu');
});

/** A VGG-like base with Keras layer names: block1_conv1, block1_pool, block2_conv1, block2_conv2, block2_pool. */
// Seeded initialisers: with unseeded ones a tiny ReLU base is sometimes all dead (zero gradients), which made
// the "this trains" assertions flaky.
const init = (seed: number) => ({
  kernelInitializer: tf.initializers.heNormal({ seed }),
  biasInitializer: tf.initializers.constant({ value: 0.01 }),
});
function tinyBase(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 3] });
  let x = tf.layers
    .conv2d({ filters: 2, kernelSize: 3, padding: 'same', activation: 'relu', name: 'block1_conv1', ...init(1) })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2, name: 'block1_pool' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', name: 'block2_conv1', ...init(2) })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', name: 'block2_conv2', ...init(3) })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2, name: 'block2_pool' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x, name: 'tiny_vgg' });
}
// parameters: block1_conv1 3*3*3*2+2 = 56; block2_conv1 3*3*2*3+3 = 57; block2_conv2 3*3*3*3+3 = 84
const BASE = { block1: 56, block2: 57 + 84 };
const HEAD = (2 * 2 * 3 + 1) * 8 + (8 + 1) * 1; // flatten(2x2x3) -> dense 8 -> dense 1

const data = () => ({
  xs: tf.randomUniform([8, 8, 8, 3], -1, 1, 'float32', 3),
  ys: tf.tensor2d([0, 1, 0, 1, 1, 0, 1, 0], [8, 1]),
});
const snapshot = (l: tf.layers.Layer) => l.getWeights().map((w) => Array.from(w.dataSync()));

test('buildTransferModel: augmentation -> preprocessing -> frozen base -> Flatten/Dense/Dropout/Dense sigmoid', () => {
  const base = tinyBase();
  const model = buildTransferModel(base, {
    augmentation: [randomFlip({ mode: 'horizontal' })],
    preprocess: 'tf',
    dense: 8,
    dropout: 0.5,
  });
  const classes = model.layers.map((l) => l.getClassName());
  assert.deepEqual(classes, [
    'InputLayer',
    'RandomFlip',
    'ImageNetPreprocessing',
    'Model',
    'Flatten',
    'Dense',
    'Dropout',
    'Dense',
  ]);
  assert.deepEqual(model.outputs[0].shape, [null, 1]);
  const s = trainableSummary(model);
  assert.equal(s.trainableParams, HEAD);
  assert.equal(s.nonTrainableParams, BASE.block1 + BASE.block2);
  assert.equal(s.totalParams, model.countParams());
  assert.equal(s.trainableWeights, 4);
  assert.equal(s.rows.find((r) => r.layer === 'tiny_vgg/block2_conv1')?.trainable, 'no');
  const nested = s.rows.filter((r) => r.layer.startsWith('tiny_vgg/') && r.params > 0).map((r) => r.layer);
  assert.deepEqual(
    nested,
    ['tiny_vgg/block1_conv1', 'tiny_vgg/block2_conv1', 'tiny_vgg/block2_conv2'],
    'nested layers prefixed, in model order',
  );
  assert.deepEqual(
    s.rows.slice(-4).map((r) => [r.layer, r.trainable]),
    [
      ['head_flatten', '-'],
      ['head_dense1', 'yes'],
      ['head_dropout1', '-'],
      ['head_output', 'yes'],
    ],
  );
  const softmax = buildTransferModel(tinyBase(), { head: 'gap', dense: [], outputs: 3 });
  assert.deepEqual(softmax.outputs[0].shape, [null, 3]);
  assert.equal(trainableSummary(softmax).trainableParams, (3 + 1) * 3);
  const refused: [TransferModelOptions, RegExp][] = [
    [{ dropout: 1.5 }, /^ArgumentError: buildTransferModel: dropout must be in \[0, 1\)\. Received: 1\.5\.$/],
    [{ dropout: 1 }, /Received: 1\.$/],
    [{ dropout: -0.1 }, /Received: -0\.1\.$/],
    [{ dropout: NaN }, /Received: NaN\.$/],
    [
      { outputs: 0 },
      /^ArgumentError: buildTransferModel: outputs must be 1 \(binary\) or the number of classes\. Received: 0\.$/,
    ],
    [{ outputs: 2.5 }, /Received: 2\.5\.$/],
    [
      { head: 'avg' as HeadKind },
      /^ArgumentError: buildTransferModel: head must be one of 'flatten', .*\. Received: 'avg'\.$/,
    ],
  ];
  for (const [opts, message] of refused) assert.throws(() => buildTransferModel(tinyBase(), opts), message);
  assert.doesNotThrow(() => buildTransferModel(tinyBase(), { dropout: 0, outputs: 1 }).dispose(), 'the bounds 0 and 1');
  const free = tf.sequential({
    layers: [tf.layers.conv2d({ filters: 2, kernelSize: 3, inputShape: [null, null, 3] })],
  });
  assert.throws(
    () => buildTransferModel(free),
    /^ArgumentError: buildTransferModel: the base '.*' has input shape \[,,3\] with unknown sizes; pass inputShape: \[height, width, 3\]\.$/,
  );
  assert.deepEqual(buildTransferModel(free, { inputShape: [8, 8, 3], dense: [] }).inputs[0].shape, [null, 8, 8, 3]);
});

test('training with a frozen base changes only the head', async () => {
  const base = tinyBase();
  const model = buildTransferModel(base, { dense: 8 });
  compileModel(model, { optimizer: tf.train.adam(0.05), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const before = snapshot(base);
  const headBefore = snapshot(model.layers[model.layers.length - 1]);
  const { xs, ys } = data();
  await model.fit(xs, ys, { epochs: 2, batchSize: 4, verbose: 0 });
  assert.deepEqual(snapshot(base), before);
  assert.notDeepEqual(snapshot(model.layers[model.layers.length - 1]), headBefore);
  tf.dispose([xs, ys]);
});

test(
  "setFineTuneStrategy 'top' trains the last block (after an automatic recompile), 'all' everything, " +
    "'classifier' the head",
  async () => {
    const base = tinyBase();
    assert.equal(lastBlockStart(base), 'block2_conv1');
    const model = buildTransferModel(base, { dense: 8 });
    compileModel(model, { optimizer: tf.train.rmsprop(0.01), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const { xs, ys } = data();
    await model.fit(xs, ys, { epochs: 1, batchSize: 4, verbose: 0 });

    const top = setFineTuneStrategy(model, base, 'top', { learningRate: 1e-3 });
    assert.equal(top.trainableParams, HEAD + BASE.block2);
    assert.equal(top.nonTrainableParams, BASE.block1);
    assert.equal((model.optimizer as unknown as { learningRate: number }).learningRate, 1e-3);
    const b1 = snapshot(base.getLayer('block1_conv1'));
    const b2 = snapshot(base.getLayer('block2_conv2'));
    await model.fit(xs, ys, { epochs: 2, batchSize: 4, verbose: 0 });
    assert.deepEqual(snapshot(base.getLayer('block1_conv1')), b1, 'block1 stays frozen');
    assert.notDeepEqual(snapshot(base.getLayer('block2_conv2')), b2, 'block2 trains: the model was recompiled');

    const all = setFineTuneStrategy(model, base, 'all');
    assert.equal(all.trainableParams, model.countParams());
    assert.equal(all.nonTrainableParams, 0);
    await model.fit(xs, ys, { epochs: 1, batchSize: 4, verbose: 0 });

    const cls = setFineTuneStrategy(model, base, 'classifier');
    assert.equal(cls.trainableParams, HEAD);
    const b2again = snapshot(base.getLayer('block2_conv2'));
    await model.fit(xs, ys, { epochs: 1, batchSize: 4, verbose: 0 });
    assert.deepEqual(snapshot(base.getLayer('block2_conv2')), b2again);

    const fromConv2 = setFineTuneStrategy(model, base, 'top', { from: 'block2_conv2' });
    assert.equal(fromConv2.trainableParams, HEAD + 84);
    tf.dispose([xs, ys]);
  },
);

test('freeze/unfreeze with recompile; clear errors', () => {
  const base = tinyBase();
  const model = buildTransferModel(base, { dense: 8, freezeBase: false });
  assert.equal(trainableSummary(model).trainableParams, model.countParams());
  assert.throws(() => freeze(base, model), /was never compiled: call compileModel/);
  model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' }); // plain compile is picked up too
  freeze(base, model);
  assert.equal(model.trainableWeights.length, 4);
  unfreeze(model, { from: 'block2_conv2', recompile: model });
  assert.equal(trainableSummary(model).trainableParams, HEAD + 84);
  assert.throws(() => unfreeze(model, { from: 'block9_conv1' }), /no layer named 'block9_conv1'.*block2_conv2/);
  assert.throws(() => setFineTuneStrategy(model, tinyBase(), 'all'), /is not part of model/);
  assert.throws(
    () => setFineTuneStrategy(model, base, 'some' as FineTuneStrategy),
    /^ArgumentError: setFineTuneStrategy: strategy must be 'classifier', 'top' or 'all'\. Received: 'some'\.$/,
  );
  assert.throws(
    () => recompileModel(tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] })),
    /never compiled/,
  );
});

test('a transfer model saves and loads with its frozen state and custom layers', async () => {
  const base = tinyBase();
  const model = buildTransferModel(base, {
    augmentation: [randomFlip({ mode: 'horizontal', seed: 1 })],
    preprocess: 'caffe',
    dense: 8,
  });
  setFineTuneStrategy(model, base, 'top', { compile: { optimizer: 'adam', loss: 'binaryCrossentropy' } });
  const dir = tempDir('ft-');
  await saveModel(model, dir);
  const loaded = await loadModel(dir);
  const a = trainableSummary(model);
  const b = trainableSummary(loaded);
  assert.equal(b.trainableParams, a.trainableParams);
  assert.deepEqual(
    b.rows.map((r) => r.trainable),
    a.rows.map((r) => r.trainable),
  );
  const x = tf.randomUniform([2, 8, 8, 3], 0, 255);
  const p1 = model.predict(x) as tf.Tensor;
  const p2 = loaded.predict(x) as tf.Tensor;
  assert.deepEqual(Array.from(p1.dataSync()), Array.from(p2.dataSync()));
  tf.dispose([x, p1, p2]);
});

test(
  "setFineTuneStrategy 'top' without `from` starts at each family's fineTuneFrom (MobileNet, MobileNetV2, " +
    'ResNet50, VGG16)',
  async () => {
    for (const name of ['MobileNet', 'MobileNetV2', 'ResNet50', 'VGG16']) {
      const info = applicationInfo(name);
      const alpha = info.extraOptions.includes('alpha') ? 0.25 : undefined;
      const base = await info.build({ includeTop: false, weights: null, inputShape: [32, 32, 3], alpha, quiet: true });
      assert.equal(lastBlockStart(base), info.fineTuneFrom, name);
      const model = buildTransferModel(base, { head: 'gap', dense: [], outputs: 3 });
      compileModel(model, { optimizer: 'adam', loss: 'categoricalCrossentropy' });
      const summary = setFineTuneStrategy(model, base, 'top', { learningRate: 1e-5 });
      const names = base.layers.map((l) => l.name);
      const from = names.indexOf(info.fineTuneFrom);
      const trainable = base.layers.filter((l) => l.trainable && l.weights.length > 0).map((l) => l.name);
      assert.ok(trainable.length > 0, `${name}: some base layers train`);
      assert.ok(
        trainable.every((n) => names.indexOf(n) >= from),
        `${name}: only layers from ${info.fineTuneFrom} train`,
      );
      assert.ok(summary.trainableParams < model.countParams() && summary.nonTrainableParams > 0, name);
    }
  },
);
