/**
 * FrozenBatchNormalization: a frozen base (model.trainable = false, or layer.trainable = false) keeps its BN
 * statistics and outputs during fit while the head learns; an unfrozen one changes; the behaviour survives
 * save/load.
 */
import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { batchNormLearnableWeights, simulateTfjsVersion } from '../lib/core/internals';
import {
  FrozenBatchNormalization,
  frozenBatchNormalization,
  setBatchNormInference,
  setTrainable,
} from '../lib/layers/frozenBatchNorm';

before(async () => {
  await tf.setBackend('cpu');
});

/** A small ResNet-like base: conv, BN, relu, a residual block with BN, global pooling. */
function smallBase(seed: number): tf.LayersModel {
  const init = (s: number) => tf.initializers.glorotUniform({ seed: seed + s });
  const input = tf.input({ shape: [8, 8, 3], name: 'base_input' });
  let x = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: init(1), name: 'conv1' })
    .apply(input) as tf.SymbolicTensor;
  x = frozenBatchNormalization({ name: 'bn1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.activation({ activation: 'relu' }).apply(x) as tf.SymbolicTensor;
  let y = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: init(2), name: 'conv2' })
    .apply(x) as tf.SymbolicTensor;
  y = frozenBatchNormalization({ name: 'bn2', epsilon: 1.001e-5 }).apply(y) as tf.SymbolicTensor;
  x = tf.layers.add().apply([x, y]) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x, name: 'small_base' });
}

function withHead(base: tf.LayersModel): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 3] });
  const features = base.apply(input) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({
      units: 1,
      activation: 'sigmoid',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 9 }),
      name: 'head',
    })
    .apply(features) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  model.compile({ optimizer: tf.train.sgd(0.5), loss: 'binaryCrossentropy' });
  return model;
}

function data(): { xs: tf.Tensor; ys: tf.Tensor } {
  // Inputs far from the initial moving statistics (mean 0, variance 1) so that BN updates would show.
  const xs = tf.randomUniform([16, 8, 8, 3], 2, 6, 'float32', 3);
  const ys = tf.tensor2d(
    Array.from({ length: 16 }, (_, i) => i % 2),
    [16, 1],
  );
  return { xs, ys };
}

const snapshot = (vars: tf.LayerVariable[] | tf.Tensor[]) =>
  vars.map((v) => ('read' in v ? v.read() : v).dataSync().slice());
const bnStats = (m: tf.LayersModel) =>
  ['bn1', 'bn2'].flatMap((n) => {
    const l = m.getLayer(n) as unknown as { weights: tf.LayerVariable[] };
    return l.weights.filter((w) => /moving/.test(w.originalName));
  });
function maxDiff(a: ArrayLike<number>[], b: ArrayLike<number>[]): number {
  let m = 0;
  a.forEach((arr, i) => {
    for (let j = 0; j < arr.length; j++) m = Math.max(m, Math.abs(arr[j] - b[i][j]));
  });
  return m;
}

test('a frozen base (model.trainable = false) keeps BN statistics and outputs during fit; the head learns', async () => {
  const base = smallBase(1);
  base.trainable = false;
  const model = withHead(base);
  const { xs, ys } = data();
  const stats0 = snapshot(bnStats(base));
  const out0 = tf.tidy(() => (base.predict(xs) as tf.Tensor).dataSync().slice());
  const head0 = snapshot(model.getLayer('head').getWeights());
  const gammas0 = snapshot([(base.getLayer('bn1') as FrozenBatchNormalization).getWeights()[0]]);
  assert.ok((base.getLayer('bn1') as FrozenBatchNormalization).frozen);

  const n0 = tf.memory().numTensors;
  await model.fit(xs, ys, { epochs: 3, batchSize: 8, verbose: 0 });
  const n1 = tf.memory().numTensors;
  await model.fit(xs, ys, { epochs: 3, batchSize: 8, verbose: 0 });
  assert.equal(tf.memory().numTensors, n1, 'no tensor growth between fits');
  assert.ok(n1 - n0 < 20, `few tensors kept by fit (${n1 - n0})`);

  assert.equal(maxDiff(snapshot(bnStats(base)), stats0), 0, 'moving mean/variance unchanged');
  assert.equal(
    maxDiff(snapshot([(base.getLayer('bn1') as FrozenBatchNormalization).getWeights()[0]]), gammas0),
    0,
    'gamma unchanged',
  );
  const out1 = tf.tidy(() => (base.predict(xs) as tf.Tensor).dataSync().slice());
  assert.equal(maxDiff([out1], [out0]), 0, 'base outputs unchanged');
  assert.ok(maxDiff(snapshot(model.getLayer('head').getWeights()), head0) > 1e-4, 'head weights changed');
  tf.dispose([xs, ys]);
  model.dispose();
});

test('an unfrozen base updates BN statistics and its outputs change', async () => {
  const base = smallBase(1);
  const model = withHead(base);
  const { xs, ys } = data();
  const stats0 = snapshot(bnStats(base));
  const out0 = tf.tidy(() => (base.predict(xs) as tf.Tensor).dataSync().slice());
  assert.equal((base.getLayer('bn1') as FrozenBatchNormalization).frozen, false);
  await model.fit(xs, ys, { epochs: 3, batchSize: 8, verbose: 0 });
  assert.ok(maxDiff(snapshot(bnStats(base)), stats0) > 1e-3, 'moving statistics moved');
  const out1 = tf.tidy(() => (base.predict(xs) as tf.Tensor).dataSync().slice());
  assert.ok(maxDiff([out1], [out0]) > 1e-4, 'base outputs changed');
  tf.dispose([xs, ys]);
  model.dispose();
});

test('a single frozen BN layer (layer.trainable = false) keeps its statistics while the rest trains', async () => {
  const base = smallBase(2);
  base.getLayer('bn2').trainable = false;
  const model = withHead(base);
  const { xs, ys } = data();
  const bn2 = base
    .getLayer('bn2')
    .getWeights()
    .map((w) => w.dataSync().slice());
  const bn1 = base
    .getLayer('bn1')
    .getWeights()
    .map((w) => w.dataSync().slice());
  const conv1 = base
    .getLayer('conv1')
    .getWeights()
    .map((w) => w.dataSync().slice());
  await model.fit(xs, ys, { epochs: 2, batchSize: 8, verbose: 0 });
  assert.equal(
    maxDiff(
      base
        .getLayer('bn2')
        .getWeights()
        .map((w) => w.dataSync().slice()),
      bn2,
    ),
    0,
    'frozen bn2 unchanged',
  );
  assert.ok(
    maxDiff(
      base
        .getLayer('bn1')
        .getWeights()
        .map((w) => w.dataSync().slice()),
      bn1,
    ) > 1e-4,
    'bn1 learned',
  );
  assert.ok(
    maxDiff(
      base
        .getLayer('conv1')
        .getWeights()
        .map((w) => w.dataSync().slice()),
      conv1,
    ) > 1e-5,
    'conv1 learned',
  );
  tf.dispose([xs, ys]);
  model.dispose();
});

test('inference matches tfjs BatchNormalization with the same weights', () => {
  const fbn = frozenBatchNormalization({ epsilon: 1e-3 });
  const plain = tf.layers.batchNormalization({ epsilon: 1e-3 });
  const x = tf.randomNormal([2, 3, 3, 4], 0, 1, 'float32', 5);
  fbn.apply(x);
  plain.apply(x);
  const ws = [
    tf.randomUniform([4], 0.5, 2, 'float32', 1),
    tf.randomUniform([4], -1, 1, 'float32', 2),
    tf.randomUniform([4], -1, 1, 'float32', 3),
    tf.randomUniform([4], 0.5, 2, 'float32', 4),
  ];
  fbn.setWeights(ws);
  plain.setWeights(ws);
  const a = fbn.apply(x, { training: false }) as tf.Tensor;
  const b = plain.apply(x, { training: false }) as tf.Tensor;
  assert.ok(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] < 1e-6);
  // In training mode an unfrozen layer normalises with the batch statistics, as tfjs's.
  const c = fbn.apply(x, { training: true }) as tf.Tensor;
  const d = plain.apply(x, { training: true }) as tf.Tensor;
  assert.ok(tf.max(tf.abs(tf.sub(c, d))).dataSync()[0] < 1e-5);
  fbn.trainable = false;
  const stats = fbn.getWeights().map((w) => w.dataSync().slice());
  const e = fbn.apply(x, { training: true }) as tf.Tensor;
  const f = fbn.apply(x, { training: false }) as tf.Tensor;
  assert.ok(tf.max(tf.abs(tf.sub(e, f))).dataSync()[0] < 1e-6, 'frozen: training=true acts as inference');
  assert.ok(tf.max(tf.abs(tf.sub(e, c))).dataSync()[0] > 1e-3, 'and differs from batch normalisation');
  assert.deepEqual(
    fbn.getWeights().map((w) => w.dataSync().slice()),
    stats,
    'frozen: no statistics update',
  );
  tf.dispose([x, a, b, c, d, e, f, ...ws]);
});

test('saved and loaded models keep the class and the frozen state (setTrainable)', async () => {
  const base = smallBase(3);
  setTrainable(base, false);
  assert.equal(base.getLayer('bn1').trainable, false);
  let artifacts: tf.io.ModelArtifacts | undefined;
  await base.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  assert.match(JSON.stringify(artifacts!.modelTopology), /"class_name":"FrozenBatchNormalization"/);
  const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
  const bn = loaded.getLayer('bn1');
  assert.ok(bn instanceof FrozenBatchNormalization);
  assert.equal((bn as FrozenBatchNormalization).frozen, true);
  const model = withHead(loaded);
  const { xs, ys } = data();
  const stats0 = snapshot(bnStats(loaded));
  await model.fit(xs, ys, { epochs: 2, batchSize: 8, verbose: 0 });
  assert.equal(maxDiff(snapshot(bnStats(loaded)), stats0), 0);
  tf.dispose([xs, ys]);
  model.dispose();
  base.dispose();
});

test('setBatchNormInference: a trainable base keeps its BN statistics (Keras training=False) but still learns', async () => {
  const base = smallBase(4);
  assert.equal(setBatchNormInference(base, true), 2);
  const model = withHead(base);
  const { xs, ys } = data();
  const stats0 = snapshot(bnStats(base));
  const gamma0 = base.getLayer('bn1').getWeights()[0].dataSync().slice();
  const conv0 = base.getLayer('conv1').getWeights()[0].dataSync().slice();
  await model.fit(xs, ys, { epochs: 2, batchSize: 8, verbose: 0 });
  assert.equal(maxDiff(snapshot(bnStats(base)), stats0), 0, 'statistics unchanged');
  assert.ok(maxDiff([base.getLayer('bn1').getWeights()[0].dataSync()], [gamma0]) > 1e-5, 'gamma learned');
  assert.ok(maxDiff([base.getLayer('conv1').getWeights()[0].dataSync()], [conv0]) > 1e-5, 'conv learned');
  // Saved with the model.
  assert.equal(base.getLayer('bn2').getConfig().inference, true);
  const copy = new FrozenBatchNormalization(base.getLayer('bn2').getConfig() as never); // what fromConfig does
  assert.equal(copy.inference, true);
  tf.dispose([xs, ys]);
  model.dispose();
});

test('on an untested tfjs version the frozen state is read through public weights (one warning), with the same result', async () => {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...a: unknown[]) => void warnings.push(a.join(' '));
  try {
    simulateTfjsVersion('4.0.0');
    const base = smallBase(5);
    const bn1 = base.getLayer('bn1') as FrozenBatchNormalization;
    assert.deepEqual(
      batchNormLearnableWeights(bn1).map((w) => w.originalName.split('/').pop()),
      ['gamma', 'beta'],
    );
    assert.equal(bn1.frozen, false);
    base.trainable = false; // marks gamma/beta non-trainable, the layer's own flag stays true
    assert.equal(bn1.trainable, true);
    assert.equal(bn1.frozen, true, 'frozen through its model, seen without private members');
    const model = withHead(base);
    const { xs, ys } = data();
    const stats0 = snapshot(bnStats(base));
    await model.fit(xs, ys, { epochs: 1, batchSize: 8, verbose: 0 });
    assert.equal(maxDiff(snapshot(bnStats(base)), stats0), 0, 'statistics unchanged under the fallback');
    assert.equal(warnings.filter((w) => /4\.0\.0 is not the tested/.test(w)).length, 1, warnings.join('\n'));
    tf.dispose([xs, ys]);
    model.dispose();
  } finally {
    simulateTfjsVersion(undefined);
    console.warn = warn;
  }
});
