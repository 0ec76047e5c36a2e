import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { defaultAugmentation } from '../lib/layers/augmentation';
import { RandomFlip, randomFlip } from '../lib/layers/randomFlip';
import { RandomRotation, randomRotation } from '../lib/layers/randomRotation';
import { RandomTranslation, randomTranslation } from '../lib/layers/randomTranslation';
import { RandomZoom, randomZoom } from '../lib/layers/randomZoom';
import { mapCoordinate } from '../lib/layers/transform';
import { loadModel, saveModel } from '../lib/io/modelIO';
import { augmentBatch } from '../lib/ui/augmentationPreview';
// Every module of the project that registers a layer class, for the registry test below.
import '../lib/layers/frozenBatchNorm';
import '../lib/models/imageNetPreprocessing';
import { tempDir } from './helpers/tempDir';

before(async () => {
  await tf.setBackend('cpu');
});

/** A [1, n, n, 1] image whose pixel (y, x) is y * n + x. */
function grid(n: number): tf.Tensor4D {
  return tf.tensor4d(
    Array.from({ length: n * n }, (_, i) => i),
    [1, n, n, 1],
  );
}

function pixels(t: tf.Tensor): number[][] {
  const [, h, w] = t.shape;
  const d = Array.from(t.dataSync());
  return Array.from({ length: h }, (_, y) => d.slice(y * w!, (y + 1) * w!));
}

function train(layer: tf.layers.Layer, x: tf.Tensor): tf.Tensor {
  return layer.apply(x, { training: true }) as tf.Tensor;
}

function assertClose(actual: number[][], expected: number[][], eps = 1e-4): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((row, y) =>
    row.forEach((v, x) => assert.ok(Math.abs(v - expected[y][x]) < eps, `(${y},${x}): ${v} vs ${expected[y][x]}`)),
  );
}

test('RandomFlip horizontal gives either the image or its mirror, both occur with a seed', () => {
  const n = 4;
  const x = tf.tile(grid(n), [16, 1, 1, 1]);
  const out = train(randomFlip({ mode: 'horizontal', seed: 1 }), x);
  const orig = pixels(grid(n));
  const mirror = orig.map((r) => [...r].reverse());
  let flipped = 0;
  for (let b = 0; b < 16; b++) {
    const img = pixels(out.slice([b, 0, 0, 0], [1, n, n, 1]));
    const isOrig = JSON.stringify(img) === JSON.stringify(orig);
    const isMirror = JSON.stringify(img) === JSON.stringify(mirror);
    assert.ok(isOrig || isMirror, `image ${b} is neither the original nor the mirror`);
    if (isMirror) flipped++;
  }
  assert.ok(flipped > 0 && flipped < 16, `flipped ${flipped} of 16`);
  tf.dispose([x, out]);
});

test('RandomFlip vertical flips rows', () => {
  const x = tf.tile(grid(3), [8, 1, 1, 1]);
  const out = train(new RandomFlip({ mode: 'vertical', seed: 5 }), x);
  const orig = pixels(grid(3));
  const upDown = [...orig].reverse();
  for (let b = 0; b < 8; b++) {
    const s = JSON.stringify(pixels(out.slice([b, 0, 0, 0], [1, 3, 3, 1])));
    assert.ok(s === JSON.stringify(orig) || s === JSON.stringify(upDown));
  }
  tf.dispose([x, out]);
});

test('RandomRotation by a quarter turn rotates 90° counter-clockwise', () => {
  const n = 5;
  for (const interpolation of ['bilinear', 'nearest'] as const) {
    const out = train(randomRotation({ factor: [0.25, 0.25], interpolation }), grid(n));
    const src = pixels(grid(n));
    const expected = src.map((row, y) => row.map((_, x) => src[x][n - 1 - y]));
    assertClose(pixels(out), expected);
    out.dispose();
  }
});

test('RandomZoom out by 2 samples every other pixel, reflect fills the border', () => {
  const n = 5;
  // zoom = 1 + 1 = 2: x_in = 2x - 2 -> [-2, 0, 2, 4, 6] -> reflect -> [1, 0, 2, 4, 3]
  const map = [1, 0, 2, 4, 3];
  const src = pixels(grid(n));
  const expected = map.map((yy) => map.map((xx) => src[yy][xx]));
  const out = train(randomZoom({ heightFactor: [1, 1] }), grid(n));
  assertClose(pixels(out), expected);
  // constant fill puts fillValue outside the source image
  const out2 = train(randomZoom({ heightFactor: [1, 1], fillMode: 'constant', fillValue: -1 }), grid(n));
  const cmap = [-1, 0, 2, 4, -1];
  assertClose(
    pixels(out2),
    cmap.map((yy) => cmap.map((xx) => (yy < 0 || xx < 0 ? -1 : src[yy][xx]))),
  );
  // zoom in by 2 (factor -0.5) around the centre: x_in = 0.5x + 1
  const out3 = train(randomZoom({ heightFactor: [-0.5, -0.5], widthFactor: [-0.5, -0.5] }), grid(n));
  const at = (v: number) => 0.5 * v + 1;
  const bil = (y: number, x: number) => y * n + x; // the grid is linear in y and x, so bilinear is exact
  assertClose(
    pixels(out3),
    src.map((row, y) => row.map((_, x) => bil(at(y), at(x)))),
  );
  tf.dispose([out, out2, out3]);
});

test('RandomTranslation shifts down by a quarter of the height with constant fill', () => {
  const n = 4;
  const src = pixels(grid(n));
  const out = train(
    randomTranslation({ heightFactor: [0.25, 0.25], widthFactor: [0, 0], fillMode: 'constant', fillValue: 7 }),
    grid(n),
  );
  assertClose(
    pixels(out),
    src.map((row, y) => row.map((_, x) => (y === 0 ? 7 : src[y - 1][x]))),
  );
  const out2 = train(
    randomTranslation({ heightFactor: [0, 0], widthFactor: [-0.25, -0.25], fillMode: 'wrap' }),
    grid(n),
  );
  assertClose(
    pixels(out2),
    src.map((row) => row.map((_, x) => row[(x + 1) % n])),
  );
  const out3 = train(
    randomTranslation({ heightFactor: [0, 0], widthFactor: [0.25, 0.25], fillMode: 'nearest' }),
    grid(n),
  );
  assertClose(
    pixels(out3),
    src.map((row) => row.map((_, x) => row[Math.max(0, x - 1)])),
  );
  tf.dispose([out, out2, out3]);
});

test('mapCoordinate follows TensorFlow fill modes', () => {
  assert.equal(mapCoordinate(-1, 4, 'reflect'), 0);
  assert.equal(mapCoordinate(4, 4, 'reflect'), 3);
  assert.equal(mapCoordinate(-2, 4, 'nearest'), 0);
  assert.equal(mapCoordinate(5, 4, 'wrap'), 1);
  assert.equal(mapCoordinate(-1, 4, 'constant'), -1);
});

test('random layers are the identity at inference', () => {
  const x = tf.randomUniform([2, 6, 6, 3], 0, 255);
  for (const layer of [
    randomFlip(),
    randomRotation({ factor: 0.2 }),
    randomZoom({ heightFactor: 0.3 }),
    randomTranslation({ heightFactor: 0.2, widthFactor: 0.2 }),
  ]) {
    const y = layer.apply(x) as tf.Tensor;
    assert.deepEqual(Array.from(y.dataSync()), Array.from(x.dataSync()));
    const y2 = layer.apply(x, { training: false }) as tf.Tensor;
    assert.deepEqual(Array.from(y2.dataSync()), Array.from(x.dataSync()));
  }
  x.dispose();
});

test('a seed makes the sequence of transforms reproducible', () => {
  const x = tf.randomUniform([3, 8, 8, 1], 0, 1, 'float32', 7) as tf.Tensor4D;
  const run = (seed: number) => {
    const layers = [
      randomFlip({ seed }),
      randomRotation({ factor: 0.2, seed }),
      randomZoom({ heightFactor: 0.3, seed }),
    ];
    return [0, 1, 2].map(() => {
      const y = augmentBatch(layers, x);
      const d = Array.from(y.dataSync());
      y.dispose();
      return d;
    });
  };
  const a = run(11);
  const b = run(11);
  const c = run(12);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.notDeepEqual(a[0], a[1], 'successive calls draw new transforms');
  x.dispose();
});

test("tfjs's own Rescaling stays registered: importing the project's layers replaces no tfjs class", () => {
  const registered = tf.serialization.SerializationMap.getMap().classNameMap;
  const own = (layer: tf.layers.Layer) => layer.constructor;
  assert.equal(registered.Rescaling?.[0], own(tf.layers.rescaling({ scale: 1 })), "the registry's Rescaling is tfjs's");
  assert.equal(registered.BatchNormalization?.[0], own(tf.layers.batchNormalization({})));
  const x = tf.tensor4d([0, 127.5, 255, 10, 20, 30], [1, 1, 2, 3]);
  const y = tf.layers.rescaling({ scale: 1 / 127.5, offset: -1 }).apply(x) as tf.Tensor;
  assert.deepEqual(
    Array.from(y.dataSync()).map((v) => Math.round(v * 1e4) / 1e4),
    [-1, 0, 1, -0.9216, -0.8431, -0.7647],
  );
  tf.dispose([x, y]);
});

test('a bad fill mode is named', () => {
  assert.throws(() => randomRotation({ factor: 0.1, fillMode: 'mirror' as never }), /fill_mode='mirror'/);
});

test('no tensor leaks over many augmentation calls', () => {
  const x = tf.randomUniform([4, 16, 16, 3], 0, 255) as tf.Tensor4D;
  const layers = [
    ...defaultAugmentation({ seed: 1 }),
    randomTranslation({ heightFactor: 0.1, widthFactor: 0.1, seed: 2 }),
  ];
  augmentBatch(layers, x).dispose();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 30; i++) augmentBatch(layers, x).dispose();
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});

test('a model with augmentation layers trains, saves and loads with Keras config keys', async () => {
  const model = tf.sequential({
    layers: [
      randomFlip({ mode: 'horizontal', seed: 1, inputShape: [8, 8, 3] }),
      randomRotation({ factor: 0.1, fillMode: 'nearest', seed: 2 }),
      randomZoom({ heightFactor: [-0.2, 0.2], widthFactor: 0.1, seed: 3 }),
      randomTranslation({ heightFactor: 0.1, widthFactor: 0.1, seed: 4 }),
      tf.layers.rescaling({ scale: 1 / 255 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  model.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
  const xs = tf.randomUniform([6, 8, 8, 3], 0, 255);
  const ys = tf.tensor2d([0, 1, 0, 1, 0, 1], [6, 1]);
  const h = await model.fit(xs, ys, { epochs: 2, batchSize: 3, verbose: 0 });
  assert.equal(h.history.loss.length, 2);
  const dir = tempDir('aug-');
  await saveModel(model, dir);
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  const topo = json.modelTopology.model_config ?? json.modelTopology;
  const layers = topo.config.layers;
  assert.deepEqual(
    layers.slice(0, 5).map((l: { class_name: string }) => l.class_name),
    ['RandomFlip', 'RandomRotation', 'RandomZoom', 'RandomTranslation', 'Rescaling'],
  );
  assert.equal(layers[0].config.mode, 'horizontal');
  assert.equal(layers[1].config.fill_mode, 'nearest');
  assert.deepEqual(layers[2].config.height_factor, [-0.2, 0.2]);
  const loaded = await loadModel(dir);
  assert.ok(loaded.layers[0] instanceof RandomFlip);
  assert.equal((loaded.layers[0] as RandomFlip).mode, 'horizontal');
  assert.ok(loaded.layers[2] instanceof RandomZoom);
  assert.equal((loaded.layers[3] as RandomTranslation).seed, 4);
  const p1 = model.predict(xs) as tf.Tensor;
  const p2 = loaded.predict(xs) as tf.Tensor;
  assert.deepEqual(Array.from(p1.dataSync()), Array.from(p2.dataSync()));
  tf.dispose([xs, ys, p1, p2]);
});

test('RandomRotation rejects a bad factor', () => {
  assert.throws(() => new RandomRotation({ factor: [0.3, 0.1] }), /not a valid range/);
  assert.throws(() => new RandomZoom({ heightFactor: [-2, 0] }), />= -1/);
});
