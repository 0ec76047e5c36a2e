/**
 * The webgpu backend (Dawn in Node) against wasm on every lesson workload: the three backbones' forward passes,
 * the three training strategies, CAM and Grad-CAM, and `npm run predict`; no tensor leaks, no growth of GPU memory
 * over epochs. On a machine without a GPU it runs on Mesa's lavapipe (CI installs it); small inputs keep that quick.
 * Without any adapter the first test fails in CI (CI set) and the others are skipped with the reason elsewhere.
 */
import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { moveToBackend } from '../lib/backend/webgpu';
import { classActivationMap } from '../lib/explain/cam';
import { gradCam } from '../lib/explain/gradCam';
import { saveModel } from '../lib/io/modelIO';
import { defaultAugmentation } from '../lib/layers/augmentation';
import { flipImages } from '../lib/layers/flip';
import { rotationMatrix, transformImages, type TransformOptions } from '../lib/layers/transform';
import { mobilenet } from '../lib/models/mobilenet';
import { resnet50 } from '../lib/models/resnet';
import { SHIPPED_MOBILENET } from '../lib/models/shippedWeights';
import { vgg16 } from '../lib/models/vgg';
import { compileBinaryClassifier, compileModel } from '../lib/training/compile';
import { setFineTuneStrategy } from '../lib/training/finetune';
import { buildFeatureClassifier, buildTransferModel } from '../lib/training/transferModel';
import { tempDir } from './helpers/tempDir';
import {
  onBoth,
  relativeError,
  setWeightValues,
  startBoth,
  values,
  weightValues,
  webgpuMissing,
} from './helpers/webgpuCompare';

const root = path.resolve(__dirname, '..');
const missing = webgpuMissing();
const skip = missing !== undefined && !process.env.CI ? missing : false;
/** Forward passes: float32 sums in another order (GPU tiles vs XNNPACK), through 16 to 50 layers. */
const FORWARD_TOL = 1e-4;
/**
 * CAM and Grad-CAM: a weighted sum of feature maps with cancellation (and, for Grad-CAM, a backward pass), relative
 * to the map's largest value; measured 5e-6 to 1.2e-4 on lavapipe over runs (the random head differs run to run).
 */
const MAP_TOL = 1e-3;
/** Training: the same, carried through a few optimizer steps; measured 3e-6 to 9e-4 on lavapipe over runs. */
const TRAIN_TOL = 5e-3;

test('a WebGPU adapter is present (CI installs lavapipe; elsewhere the tests below say why they skip)', () => {
  if (missing && !process.env.CI) return;
  assert.equal(missing, undefined, missing);
});

let adapter = '';
before(async () => {
  if (!missing) adapter = await startBoth();
});

/** Deterministic values in [0, 255) (pixels) of `shape`. */
function pixels(shape: number[], seed: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    v[i] = (s / 2147483648) * 255;
  }
  return tf.tensor(v, shape);
}

/** `build` on the active backend, with the weights of its first build (on wasm) on the second (on webgpu). */
function sameWeights(build: () => Promise<tf.LayersModel>): () => Promise<tf.LayersModel> {
  let initial: Awaited<ReturnType<typeof weightValues>> | undefined;
  return async () => {
    const m = await build();
    if (initial) setWeightValues(m, initial);
    else initial = await weightValues(m);
    return m;
  };
}

/** One forward pass of a batch of 2 images through `build()`'s model. */
function forward(build: () => Promise<tf.LayersModel>, size: number) {
  const make = sameWeights(build);
  return async () => {
    const m = await make();
    const x = pixels([2, size, size, 3], 7);
    const y = tf.tidy(() => m.predict(tf.sub(tf.div(x, 127.5), 1)) as tf.Tensor);
    const out = await values([y]);
    tf.dispose([x, y]);
    m.dispose();
    return out;
  };
}

const FORWARD: [string, () => Promise<tf.LayersModel>, number][] = [
  ['VGG16', () => vgg16({ includeTop: false, weights: null, inputShape: [32, 32, 3] }), 32],
  ['ResNet50', () => resnet50({ includeTop: false, weights: null, inputShape: [32, 32, 3] }), 32],
  // MobileNet with its shipped ImageNet weights: with random ones its activations vanish (max about 1e-17).
  [
    'MobileNet',
    () => mobilenet({ alpha: 0.25, includeTop: false, weights: SHIPPED_MOBILENET.weights, inputShape: [64, 64, 3] }),
    64,
  ],
];

for (const [name, build, size] of FORWARD) {
  test(
    `${name} forward pass: webgpu equals wasm within ${FORWARD_TOL} (relative to max |wasm|)`,
    { skip },
    async () => {
      const { errors, wasm } = await onBoth(forward(build, size));
      console.log(`# ${name} forward on ${adapter}: relative error ${errors[0].toExponential(2)}`);
      assert.ok(
        wasm[0].some((v) => v !== 0),
        'the features are not all zero',
      );
      assert.ok(errors[0] <= FORWARD_TOL, `${name}: ${errors[0]}`);
    },
  );
}

/**
 * Plain SGD for the comparisons: RMSprop (the lesson's) divides each gradient by its running root mean square, so a
 * gradient near zero that differs between backends only in float noise still moves the weight by about
 * lr / sqrt(1 - rho), in either direction; SGD keeps a difference in the weights proportional to one in the gradients.
 */
function compileSgd(model: tf.LayersModel): void {
  compileModel(model, { optimizer: tf.train.sgd(1e-2), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
}

/** Labels 0/1 for `n` samples, half each. */
const labels = (n: number) => tf.tensor2d(Array.from({ length: n }, (_, i) => [i % 2]));

/** Trains `model` (built and compiled by the caller) on xs/ys; returns the losses and the final weights. */
async function fitAndRead(
  model: tf.LayersModel,
  xs: tf.Tensor,
  ys: tf.Tensor,
  epochs: number,
): Promise<Float32Array[]> {
  const h = await model.fit(xs, ys, { epochs, batchSize: 4, shuffle: false, verbose: 0 });
  const losses = Float32Array.from(h.history.loss as number[]);
  const weights = (await weightValues(model)).map((w) => w.v);
  return [losses, ...weights];
}

test(`training, features + head: losses and weights on webgpu equal wasm within ${TRAIN_TOL}`, { skip }, async () => {
  const base = sameWeights(() => vgg16({ includeTop: false, weights: null, inputShape: [32, 32, 3] }));
  const head = sameWeights(async () => buildFeatureClassifier([1, 1, 512], { hidden: [8], dropout: 0 }));
  const { errors } = await onBoth(async () => {
    const b = await base();
    const x = pixels([8, 32, 32, 3], 3);
    const features = tf.tidy(() => b.predict(tf.sub(tf.div(x, 127.5), 1)) as tf.Tensor);
    const m = await head();
    compileSgd(m);
    const ys = labels(8);
    const out = await fitAndRead(m, features, ys, 3);
    tf.dispose([x, features, ys]);
    m.optimizer.dispose();
    m.dispose();
    b.dispose();
    return out;
  });
  console.log(`# features + head on ${adapter}: max relative error ${Math.max(...errors).toExponential(2)}`);
  for (const [i, e] of errors.entries()) assert.ok(e <= TRAIN_TOL, `output ${i} (0: losses, then weights): ${e}`);
});

test(
  `training, frozen base + augmentation: losses and weights on webgpu equal wasm within ${TRAIN_TOL}`,
  { skip },
  async () => {
    const build = sameWeights(async () => {
      const b = await vgg16({ includeTop: false, weights: null, inputShape: [32, 32, 3] });
      return buildTransferModel(b, { augmentation: defaultAugmentation({ seed: 5 }), preprocess: 'caffe', dense: 8 });
    });
    const { errors } = await onBoth(async () => {
      const m = await build();
      compileBinaryClassifier(m, 1e-3);
      const [xs, ys] = [pixels([8, 32, 32, 3], 11), labels(8)];
      const out = await fitAndRead(m, xs, ys, 2);
      tf.dispose([xs, ys]);
      m.optimizer.dispose();
      m.dispose();
      return out;
    });
    console.log(
      `# frozen base + augmentation on ${adapter}: max relative error ${Math.max(...errors).toExponential(2)}`,
    );
    for (const [i, e] of errors.entries()) assert.ok(e <= TRAIN_TOL, `output ${i} (0: losses, then weights): ${e}`);
  },
);

/** MobileNet α=0.25 (FrozenBatchNormalization) with a GAP head of `outputs` units, on `size` px. */
async function mobilenetModel(size: number, outputs: number): Promise<{ model: tf.LayersModel; base: tf.LayersModel }> {
  const base = await mobilenet({
    alpha: 0.25,
    includeTop: false,
    weights: SHIPPED_MOBILENET.weights,
    inputShape: [size, size, 3],
  });
  const activation = outputs === 1 ? 'sigmoid' : 'softmax';
  return { model: buildTransferModel(base, { preprocess: 'tf', head: 'gap', dense: [], outputs, activation }), base };
}

test(
  `training, fine-tuning (MobileNet from conv_dw_12, frozen BatchNorm): webgpu equals wasm within ${TRAIN_TOL}`,
  { skip },
  async () => {
    let initial: Awaited<ReturnType<typeof weightValues>> | undefined;
    const { errors } = await onBoth(async () => {
      const { model, base } = await mobilenetModel(64, 1);
      if (initial) setWeightValues(model, initial);
      else initial = await weightValues(model);
      compileBinaryClassifier(model, 1e-3);
      setFineTuneStrategy(model, base, 'top', { learningRate: 1e-4 });
      const [xs, ys] = [pixels([8, 64, 64, 3], 13), labels(8)];
      const out = await fitAndRead(model, xs, ys, 2);
      tf.dispose([xs, ys]);
      model.optimizer.dispose();
      model.dispose();
      return out;
    });
    console.log(`# fine-tuning on ${adapter}: max relative error ${Math.max(...errors).toExponential(2)}`);
    for (const [i, e] of errors.entries()) assert.ok(e <= TRAIN_TOL, `output ${i} (0: losses, then weights): ${e}`);
  },
);

test(`CAM and Grad-CAM: the maps on webgpu equal wasm within ${MAP_TOL}`, { skip }, async () => {
  let initial: Awaited<ReturnType<typeof weightValues>> | undefined;
  const { errors } = await onBoth(async () => {
    const { model } = await mobilenetModel(64, 3);
    if (initial) setWeightValues(model, initial);
    else initial = await weightValues(model);
    const img = pixels([64, 64, 3], 17);
    const cam = await classActivationMap(model, img, { classIndex: 1 });
    const grad = await gradCam(model, img, { classIndex: 1 });
    img.dispose();
    model.dispose();
    return [Float32Array.from(cam.map.flat()), Float32Array.from(grad.map.flat())];
  });
  console.log(`# CAM / Grad-CAM on ${adapter}: relative errors ${errors.map((e) => e.toExponential(2)).join(' / ')}`);
  assert.ok(errors[0] <= MAP_TOL, `CAM: ${errors[0]}`);
  assert.ok(errors[1] <= MAP_TOL, `Grad-CAM: ${errors[1]}`);
});

test('no tensor leaks and no growth of GPU memory over epochs on webgpu', { skip }, async () => {
  await tf.setBackend('webgpu');
  const { model, base } = await mobilenetModel(32, 1);
  compileBinaryClassifier(model, 1e-3);
  setFineTuneStrategy(model, base, 'top', { learningRate: 1e-4 });
  const [xs, ys] = [pixels([8, 32, 32, 3], 19), labels(8)];
  const after: { tensors: number; bytes: number; allocated: number }[] = [];
  for (let epoch = 0; epoch < 4; epoch++) {
    await model.fit(xs, ys, { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 });
    const m = tf.memory() as tf.MemoryInfo & { numBytesInGPU: number; numBytesAllocatedInGPU: number };
    after.push({ tensors: m.numTensors, bytes: m.numBytesInGPU, allocated: m.numBytesAllocatedInGPU });
  }
  console.log(`# memory after each epoch: ${JSON.stringify(after)}`);
  // The first epoch creates the optimizer's slots; from the second on, nothing may grow.
  for (const a of after.slice(2)) {
    assert.equal(a.tensors, after[1].tensors, 'tensors');
    assert.equal(a.bytes, after[1].bytes, 'bytes of live tensors on the GPU');
    assert.ok(a.allocated <= after[1].allocated, `GPU buffers allocated: ${a.allocated} > ${after[1].allocated}`);
  }
  tf.dispose([xs, ys]);
  model.optimizer.dispose();
  model.dispose();
  await tf.setBackend('wasm');
});

test(
  'npm run predict (with --cam) on webgpu: the same classes and probabilities as wasm, and it names the adapter',
  { skip },
  async () => {
    const dir = tempDir('webgpu-predict');
    await tf.setBackend('wasm');
    const { model } = await mobilenetModel(64, 3);
    // A random head gives three near-equal probabilities (a tie decided by float noise): scale it up.
    const dense = model.layers[model.layers.length - 1];
    const [kernel, bias] = dense.getWeights();
    const scaled = tf.mul(kernel, 300);
    dense.setWeights([scaled, bias]);
    scaled.dispose();
    await saveModel(model, path.join(dir, 'model'));
    model.dispose();
    const flowers = path.join(root, 'lib', 'assets', 'flowers_mini');
    const photos = ['daisy', 'rose'].map((c) => path.join(flowers, c, fs.readdirSync(path.join(flowers, c)).sort()[0]));
    const run = (backend: string) =>
      spawnSync(
        process.execPath,
        ['--import', 'tsx', 'scripts/predict.ts', path.join(dir, 'model'), ...photos, '--cam', path.join(dir, backend)],
        { cwd: root, encoding: 'utf8', timeout: 300_000, env: { ...process.env, TFJS_BACKEND: backend } },
      );
    const [wasm, gpu] = [run('wasm'), run('webgpu')];
    assert.equal(wasm.status, 0, wasm.stderr);
    assert.equal(gpu.status, 0, gpu.stderr);
    assert.match(gpu.stderr, new RegExp(`backend: webgpu on ${adapter.replace(/[()]/g, '\\$&')}`));
    const rows = (out: string) =>
      out
        .trim()
        .split('\n')
        .map((l) => l.split('\t'));
    const [a, b] = [rows(wasm.stdout), rows(gpu.stdout)];
    assert.equal(b.length, 2);
    for (const [i, r] of a.entries()) {
      assert.equal(b[i][1], r[1], `class of ${r[0]}: ${gpu.stdout} vs ${wasm.stdout}`);
      assert.ok(Math.abs(Number(b[i][2]) - Number(r[2])) <= 1e-4, `probability of ${r[0]}: ${b[i][2]} vs ${r[2]}`);
      assert.match(b[i][3], /\.png$/, 'a Grad-CAM overlay was written');
    }
  },
);

test(
  'augmentation on webgpu (tfjs Transform kernel, reverse + select) equals the JavaScript resampling on wasm',
  { skip },
  async () => {
    const cases: TransformOptions[] = [
      { fillMode: 'reflect', interpolation: 'bilinear' },
      { fillMode: 'constant', interpolation: 'bilinear', fillValue: 7 },
      { fillMode: 'nearest', interpolation: 'nearest' },
      { fillMode: 'wrap', interpolation: 'bilinear' },
    ];
    const transforms = [...rotationMatrix(0.4, 9, 11), ...rotationMatrix(-1.2, 9, 11)];
    const { errors, wasm } = await onBoth(async () => {
      const x = pixels([2, 9, 11, 3], 23) as tf.Tensor4D;
      const outs = [...cases.map((o) => transformImages(x, transforms, o)), flipImages(x, [true, false], [true, true])];
      const v = await values(outs);
      tf.dispose([x, ...outs]);
      return v;
    });
    console.log(`# augmentation on ${adapter}: relative errors ${errors.map((e) => e.toExponential(2)).join(' ')}`);
    for (const [i, e] of errors.entries()) assert.ok(e <= 1e-5, `case ${i}: ${e}`);
    assert.ok(relativeError(wasm[0], wasm[1]) > 0.01, 'the fill modes differ (the cases test something)');
  },
);

test(
  'a webgpu tensor moves to wasm with moveToBackend; tfjs own (synchronous) move says what to do',
  { skip },
  async () => {
    await tf.setBackend('webgpu');
    const t = tf.tidy(() => tf.matMul(tf.ones([16, 16]), tf.fill([16, 16], 2)));
    const unread = tf.tidy(() => tf.matMul(tf.ones([16, 16]), tf.fill([16, 16], 3)));
    const moved = await moveToBackend(t, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.deepEqual(Array.from(await moved.data()).slice(0, 3), [32, 32, 32]);
    // An op on wasm with an unread webgpu tensor: tfjs moves it with a synchronous read, which Node cannot do.
    assert.throws(() => tf.add(unread, 1), /synchronous read .*moveToBackend\(t, name\)/);
    tf.dispose([t, unread, moved]);
  },
);
