/**
 * CAM and Grad-CAM (lib/explain): the GAP identity Grad-CAM = ReLU(CAM) / (h*w) on MobileNet α=0.25 with its real
 * ImageNet top and real photos; gradients against central finite differences; logits, not probabilities, for
 * softmax and sigmoid heads; nested bases in transfer models; no tensor leaks; the overlay and `predict --cam`.
 * Every model check runs on the cpu backend and on the project's wasm backend (its training kernels).
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { initBackend } from '../lib/backend/select';
import { assetPath } from '../lib/core/paths';
import { loadImage } from '../lib/data/imageDataset';
import { classActivationMap } from '../lib/explain/cam';
import { viridis } from '../lib/explain/colormap';
import { normaliseMap, overlayHeatmap, overlayPng, resizeMap } from '../lib/explain/overlay';
import { gradCam, layerGradients } from '../lib/explain/gradCam';
import { defaultAugmentation } from '../lib/layers/augmentation';
import { preprocessInput } from '../lib/models/imagenet';
import { mobilenet } from '../lib/models/mobilenet';
import { buildTransferModel } from '../lib/training/transferModel';
import { tempDir } from './helpers/tempDir';

const BACKENDS = ['cpu', 'wasm'] as const;
type S = tf.SymbolicTensor;

before(async () => {
  await initBackend({ force: 'wasm', quiet: true }); // registers the wasm training kernels
});

const seed = (n: number) => ({
  kernelInitializer: tf.initializers.glorotUniform({ seed: n }),
  biasInitializer: tf.initializers.randomUniform({ minval: -0.3, maxval: 0.3, seed: n + 100 }),
});
const randomImage = (shape: number[], s: number): tf.Tensor => tf.randomUniform(shape, 0, 1, 'float32', s);
const flat = (m: number[][]) => m.flat();
const maxAbs = (xs: ArrayLike<number>) => Array.from(xs).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** max |a * factor - b| / max |b| (0 when both are all zeros). */
function relDiff(a: ArrayLike<number>, b: ArrayLike<number>, factor = 1): number {
  let err = 0;
  for (let i = 0; i < b.length; i++) err = Math.max(err, Math.abs(a[i] * factor - b[i]));
  const scale = maxAbs(b);
  return scale === 0 ? err : err / scale;
}

/** Runs `step` once, then `times` more: neither tensors nor the backend's buffers may grow. */
async function assertNoLeak(step: () => Promise<unknown>, times: number): Promise<void> {
  await step();
  const tensors = tf.memory().numTensors;
  const buffers = tf.backend().numDataIds();
  for (let i = 0; i < times; i++) await step();
  assert.equal(tf.memory().numTensors, tensors, 'tensors');
  assert.equal(tf.backend().numDataIds(), buffers, 'backend buffers');
}

/** A GAP head on one conv layer 'feat': conv -> GAP -> Dense (softmax or sigmoid, or linear + Activation). */
function gapModel(units: number, activation: 'softmax' | 'sigmoid', separate: boolean): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 3] });
  let x = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'feat', ...seed(1) })
    .apply(input) as S;
  x = tf.layers.globalAveragePooling2d({}).apply(x) as S;
  x = tf.layers.dense({ units, activation: separate ? 'linear' : activation, name: 'out', ...seed(2) }).apply(x) as S;
  if (separate) x = tf.layers.activation({ activation, name: 'prob' }).apply(x) as S;
  return tf.model({ inputs: input, outputs: x });
}

for (const backend of BACKENDS) {
  describe(`explain on ${backend}`, () => {
    before(async () => {
      assert.ok(await tf.setBackend(backend));
    });

    test('MobileNet α=0.25 with its ImageNet top: Grad-CAM = ReLU(CAM) / 49 on real photos, map by map', async () => {
      const model = await mobilenet({
        alpha: 0.25,
        includeTop: true,
        weights: assetPath('keras-weights', 'mobilenet_2_5_224_tf.h5'),
        quiet: true,
      });
      const dir = assetPath('cats_and_dogs_mini', 'test');
      const files = ['cats/cat.10150.jpg', 'cats/cat.10152.jpg', 'dogs/dog.10153.jpg'].map((f) => path.join(dir, f));
      const before = tf.memory().numTensors;
      for (const file of files) {
        const img = await loadImage(file, { imageSize: [224, 224] });
        const x = tf.tidy(() => preprocessInput(img, 'tf'));
        const probs = tf.tidy(() => (model.predict(x.expandDims(0)) as tf.Tensor).reshape([-1]));
        const p = await probs.data();
        const top = p.indexOf(Math.max(...p));
        for (const classIndex of [undefined, 281 /* tabby */]) {
          const cam = await classActivationMap(model, x, { classIndex });
          const grad = await gradCam(model, x, { classIndex });
          assert.equal(cam.classIndex, classIndex ?? top);
          assert.equal(grad.classIndex, classIndex ?? top);
          assert.equal(grad.layerName, 'conv_pw_13_relu');
          assert.equal(cam.layerName, 'conv_pw_13_relu');
          assert.deepEqual([grad.map.length, grad.map[0].length], [7, 7]);
          assert.ok(
            Math.abs(grad.probability - p[grad.classIndex]) < 1e-5,
            `probability ${grad.probability} vs ${p[grad.classIndex]}`,
          );
          assert.ok(Math.abs(cam.score - grad.score) < 1e-4 * Math.abs(cam.score) + 1e-5);
          const relu = flat(cam.map).map((v) => Math.max(0, v));
          const d = relDiff(flat(grad.map), relu, 49);
          assert.ok(d <= 1e-4, `${path.basename(file)} class ${grad.classIndex}: relative difference ${d}`);
          if (classIndex === undefined) assert.ok(maxAbs(relu) > 0, 'the top class has positive evidence somewhere');
        }
        tf.dispose([img, x, probs]);
      }
      assert.equal(tf.memory().numTensors, before);
      model.dispose();
    });

    test('Grad-CAM gradients match central finite differences on a small random convnet', async () => {
      const input = tf.input({ shape: [10, 10, 3] });
      const c1 = tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', name: 'c1', ...seed(11) });
      const c2 = tf.layers.conv2d({ filters: 5, kernelSize: 3, activation: 'tanh', name: 'c2', ...seed(12) });
      const pool = tf.layers.averagePooling2d({ poolSize: 2 });
      const flatten = tf.layers.flatten();
      const d1 = tf.layers.dense({ units: 6, activation: 'tanh', ...seed(13) });
      const out = tf.layers.dense({ units: 3, activation: 'softmax', ...seed(14) });
      const model = tf.model({
        inputs: input,
        outputs: [c1, c2, pool, flatten, d1, out].reduce((x: S, l) => l.apply(x) as S, input),
      });
      const x = randomImage([10, 10, 3], 5);
      const g = await layerGradients(model, x, { layerName: 'c1', classIndex: 2 });
      assert.deepEqual(g.shape, [8, 8, 4]);
      // the logit of class 2 as a function of c1's output, built here from the layers (not by lib/explain)
      const [w, b] = out.getWeights();
      const logit = (a: tf.Tensor) =>
        tf.tidy(() => {
          const h = d1.apply(flatten.apply(pool.apply(c2.apply(a)))) as tf.Tensor;
          return tf.add(tf.matMul(h as tf.Tensor2D, w as tf.Tensor2D), b).dataSync()[2];
        });
      const eps = 1e-2;
      let worst = 0;
      for (let i = 0; i < g.activations.length; i += 7) {
        const at = (delta: number) => {
          const a = Float32Array.from(g.activations);
          a[i] += delta;
          const t = tf.tensor4d(a, [1, 8, 8, 4]);
          const v = logit(t);
          t.dispose();
          return v;
        };
        const fd = (at(eps) - at(-eps)) / (2 * eps);
        worst = Math.max(worst, Math.abs(fd - g.gradients[i]));
      }
      assert.ok(
        worst <= 2e-3 * maxAbs(g.gradients),
        `worst |fd - grad| = ${worst}, max |grad| = ${maxAbs(g.gradients)}`,
      );
      assert.ok(maxAbs(g.gradients) > 1e-3, 'the gradients are not all zero');
      x.dispose();
    });

    test('softmax heads: gradients of the logit, not of the probability', async () => {
      for (const separate of [false, true]) {
        const model = gapModel(3, 'softmax', separate);
        const x = randomImage([8, 8, 3], 7);
        const W = await model.getLayer('out').getWeights()[0].data(); // [4, 3]
        const g = await layerGradients(model, x, { classIndex: 1 });
        assert.equal(g.layerName, 'feat');
        // d z_1 / d A(i,j,k) = W[k,1] / 64 at every position
        for (let p = 0; p < 64; p++)
          for (let k = 0; k < 4; k++) assert.ok(Math.abs(g.gradients[p * 4 + k] - W[k * 3 + 1] / 64) < 1e-6);
        // the probability's gradient is p_1 (W[k,1] - sum_j p_j W[k,j]) / 64: a different Grad-CAM map
        const probs = await (model.predict(x.expandDims(0)) as tf.Tensor).data();
        const probAlpha = [0, 1, 2, 3].map(
          (k) => (probs[1] * (W[k * 3 + 1] - [0, 1, 2].reduce((s, j) => s + probs[j] * W[k * 3 + j], 0))) / 64,
        );
        const logitMap = (await gradCam(model, x, { classIndex: 1 })).map.flat();
        const probMap = Array.from({ length: 64 }, (_, p) =>
          Math.max(
            0,
            probAlpha.reduce((s, a, k) => s + a * g.activations[p * 4 + k], 0),
          ),
        );
        const norm = (m: number[]) => m.map((v) => v / (maxAbs(m) || 1));
        assert.ok(
          relDiff(norm(probMap), norm(logitMap)) > 0.05,
          'differentiating the probability would give the same map: the test proves nothing',
        );
        assert.ok(Math.abs((await gradCam(model, x, { classIndex: 1 })).probability - probs[1]) < 1e-6);
        x.dispose();
      }
    });

    test('sigmoid heads: class 1 is the logit z, class 0 is -z; not the probability', async () => {
      for (const separate of [false, true]) {
        const model = gapModel(1, 'sigmoid', separate);
        const x = randomImage([8, 8, 3], 9);
        const W = await model.getLayer('out').getWeights()[0].data(); // [4, 1]
        const p = (await (model.predict(x.expandDims(0)) as tf.Tensor).data())[0];
        for (const classIndex of [0, 1]) {
          const g = await layerGradients(model, x, { classIndex });
          const sign = classIndex === 1 ? 1 : -1;
          for (let q = 0; q < 64 * 4; q++)
            assert.ok(Math.abs(g.gradients[q] - (sign * W[q % 4]) / 64) < 1e-6, 'd(±z)/dA, not p(1-p) times it');
          assert.ok(Math.abs(g.probability - (classIndex === 1 ? p : 1 - p)) < 1e-6);
        }
        const top = await gradCam(model, x);
        assert.equal(top.classIndex, p >= 0.5 ? 1 : 0);
        assert.ok(top.score >= 0);
        await assert.rejects(
          gradCam(model, x, { classIndex: 2 }),
          /classIndex 2 is out of range: the model has 2 classes/,
        );
        x.dispose();
      }
    });

    test('a nested base in a transfer model: default layer inside the base, CAM identity for both classes', async () => {
      const bin = tf.input({ shape: [12, 12, 3] });
      let b = tf.layers
        .conv2d({ filters: 4, kernelSize: 3, activation: 'relu', name: 'b_conv1', ...seed(21) })
        .apply(bin) as S;
      b = tf.layers
        .conv2d({ filters: 6, kernelSize: 3, strides: 2, activation: 'relu', name: 'b_conv2', ...seed(22) })
        .apply(b) as S;
      const base = tf.model({ inputs: bin, outputs: b, name: 'small_base' });
      const gap = buildTransferModel(base, {
        head: 'gap',
        dense: [],
        preprocess: 'tf',
        augmentation: defaultAugmentation({ seed: 1 }),
        name: 'gap_model',
      });
      const x = randomImage([12, 12, 3], 3).mul(255);
      for (const classIndex of [0, 1]) {
        const cam = await classActivationMap(gap, x, { classIndex });
        const grad = await gradCam(gap, x, { classIndex });
        assert.equal(grad.layerName, 'b_conv2');
        assert.deepEqual([grad.map.length, grad.map[0].length], [4, 4]);
        assert.ok(
          relDiff(
            grad.map.flat(),
            cam.map.flat().map((v) => Math.max(0, v)),
            16,
          ) <= 1e-4,
        );
      }
      const inner = await gradCam(gap, x, { layerName: 'b_conv1' });
      assert.deepEqual([inner.layerName, inner.map.length], ['b_conv1', 10]);
      assert.deepEqual((await gradCam(gap, x)).map, (await gradCam(gap, x)).map, 'augmentation is off: same map twice');
      // the lesson's head (Flatten -> Dense relu -> Dropout -> Dense sigmoid): gradients through the nested base's output
      const lesson = buildTransferModel(base, {
        head: 'flatten',
        dense: [8],
        dropout: 0.5,
        preprocess: 'tf',
        name: 'lesson_model',
      });
      const g = await layerGradients(lesson, x, { classIndex: 1 });
      assert.equal(g.layerName, 'b_conv2');
      const [flatten, dense, , output] = lesson.layers.slice(-4);
      const [w, bias] = output.getWeights();
      const expected = tf.tidy(() =>
        tf.grad((a: tf.Tensor) =>
          tf.add(tf.matMul(dense.apply(flatten.apply(a)) as tf.Tensor2D, w as tf.Tensor2D), bias).sum(),
        )(tf.tensor4d(g.activations, [1, 4, 4, 6])),
      );
      assert.ok(relDiff(g.gradients, await expected.data()) < 1e-5);
      expected.dispose();
      await assert.rejects(classActivationMap(lesson, x), /classActivationMap needs a head GAP -> Dense.*Use gradCam/);
      // keras.Sequential([base, GAP, Dense softmax]): the base's graph is the Sequential's own first part
      const seq = tf.sequential({
        layers: [
          base,
          tf.layers.globalAveragePooling2d({}),
          tf.layers.dense({ units: 3, activation: 'softmax', ...seed(23) }),
        ],
      });
      const [seqCam, seqGrad] = [await classActivationMap(seq, x), await gradCam(seq, x)];
      assert.deepEqual([seqGrad.layerName, seqGrad.classIndex], ['b_conv2', seqCam.classIndex]);
      assert.ok(
        relDiff(
          seqGrad.map.flat(),
          seqCam.map.flat().map((v) => Math.max(0, v)),
          16,
        ) <= 1e-4,
      );
      await assert.rejects(gradCam(lesson, x, { layerName: 'nope' }), /no layer named 'nope'/);
      await assert.rejects(gradCam(lesson, x, { layerName: 'head_dense1' }), /explain a layer with a 4D feature map/);
      x.dispose();
    });

    test('no tensor leaks over many images (CAM, Grad-CAM, overlay)', async () => {
      const model = gapModel(3, 'softmax', true);
      let i = 0;
      await assertNoLeak(async () => {
        const x = randomImage([8, 8, 3], i++);
        const photo = tf.tidy(() => x.mul(255)) as tf.Tensor3D;
        await classActivationMap(model, x);
        const g = await gradCam(model, x);
        await overlayPng(photo, g.map);
        tf.dispose([x, photo]);
      }, 25);
    });
  });
}

describe('overlay', () => {
  const gray = (w: number, h: number, v: number) => ({ width: w, height: h, data: new Uint8Array(w * h * 3).fill(v) });

  test("the photo's size; hot pixels take viridis(1), cold ones viridis(0), blended by opacity", () => {
    const out = overlayHeatmap(
      gray(30, 20, 100),
      [
        [0, 2],
        [-1, 2],
      ],
      { opacity: 0.4 },
    );
    assert.deepEqual([out.width, out.height, out.data.length], [30, 20, 30 * 20 * 3]);
    const pixel = (x: number, y: number) => Array.from(out.data.slice((y * 30 + x) * 3, (y * 30 + x) * 3 + 3));
    const blend = (t: number) => viridis(t).map((c) => Math.round(0.6 * 100 + 0.4 * c));
    assert.deepEqual(pixel(29, 0), blend(1));
    assert.deepEqual(pixel(0, 19), blend(0), 'negative values draw as 0');
    assert.ok(
      out.data.every((v) => v >= Math.min(...blend(0), ...blend(1)) - 1 && v <= Math.max(...blend(0), ...blend(1)) + 1),
    );
  });

  test('an all-zero map (and NaN) draws the photo under viridis(0), no NaN', () => {
    const zero = overlayHeatmap(gray(7, 5, 200), [
      [0, 0],
      [0, 0],
    ]);
    const expected = viridis(0).map((c) => Math.round(0.5 * 200 + 0.5 * c));
    for (let p = 0; p < 35; p++) assert.deepEqual(Array.from(zero.data.slice(p * 3, p * 3 + 3)), expected);
    assert.deepEqual(
      Array.from(
        normaliseMap([
          [NaN, 0],
          [Infinity, -3],
        ]),
      ),
      [0, 0, 0, 0],
    );
    assert.deepEqual(
      Array.from(
        normaliseMap([
          [1, 4],
          [NaN, 2],
        ]),
      ),
      [0.25, 1, 0, 0.5],
    );
    assert.throws(() => overlayHeatmap(gray(4, 4, 0), [[1]], { opacity: 2 }), /opacity 2/);
  });

  test('bilinear upsampling with half-pixel centres, as tf.image.resizeBilinear', async () => {
    const src = Float32Array.from([0, 1, 4, 2, 3, 9]);
    const ours = resizeMap(src, 2, 3, 5, 7);
    const ref = tf.tidy(() => tf.image.resizeBilinear(tf.tensor3d(src, [2, 3, 1]), [5, 7], false, true).dataSync());
    assert.ok(relDiff(ours, ref) < 1e-6);
    assert.deepEqual(Array.from(resizeMap(Float32Array.from([0, 1]), 1, 2, 1, 4)), [0, 0.25, 0.75, 1]);
  });

  test("overlayPng: a PNG of the photo's size holding the overlay's pixels; a tensor photo works", async () => {
    const photo = tf.tidy(() => tf.fill([9, 13, 3], 300).concat(tf.fill([3, 13, 3], -5), 0)) as tf.Tensor3D;
    const png = await overlayPng(photo, [[1, 0, 3]]);
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height, info.channels], [13, 12, 3]);
    assert.deepEqual(new Uint8Array(data), overlayHeatmap(photo, [[1, 0, 3]]).data);
    photo.dispose();
  });
});

describe('predict --cam', () => {
  test("writes one overlay PNG per image, the photo's size, for a saved transfer model", async () => {
    await tf.setBackend('wasm');
    const { parsePredictArgs, predictImages } = await import('../scripts/predict');
    const { saveModel } = await import('../lib/io/modelIO');
    const dir = tempDir('explain-test-');
    const bin = tf.input({ shape: [16, 16, 3] });
    const b = tf.layers
      .conv2d({ filters: 4, kernelSize: 3, strides: 2, activation: 'relu', name: 'b_conv', ...seed(31) })
      .apply(bin) as S;
    const model = buildTransferModel(tf.model({ inputs: bin, outputs: b }), {
      head: 'flatten',
      dense: [4],
      preprocess: 'tf',
      augmentation: defaultAugmentation(),
    });
    await saveModel(model, path.join(dir, 'model'));
    const cats = assetPath('cats_and_dogs_mini', 'test', 'cats');
    const images = [
      path.join(cats, 'cat.10150.jpg'),
      path.join(cats, 'cat.10151.jpg'),
      path.join(cats, 'cat.10150.jpg'),
    ];
    const lines: string[] = [];
    const preds = await predictImages(
      parsePredictArgs([path.join(dir, 'model'), ...images, '--cam', path.join(dir, 'cam')]),
      { out: (l) => lines.push(l) },
    );
    assert.deepEqual(fs.readdirSync(path.join(dir, 'cam')).sort(), [
      'cat.10150_cam.png',
      'cat.10150_cam_2.png',
      'cat.10151_cam.png',
    ]);
    for (const [i, p] of preds.entries()) {
      assert.ok(p.camPath && fs.existsSync(p.camPath));
      const [meta, photo] = await Promise.all([sharp(p.camPath).metadata(), sharp(images[i]).metadata()]);
      assert.deepEqual([meta.format, meta.width, meta.height], ['png', photo.width, photo.height]);
      assert.ok(lines[i].endsWith(`\t${p.camPath}`));
    }
    assert.equal(parsePredictArgs(['m', 'a.jpg']).cam, undefined);
    assert.throws(() => parsePredictArgs(['m', 'a.jpg', '--cam']), /argument missing|--cam/);
    assert.throws(
      () => parsePredictArgs(['m', 'a.jpg', '--bogus']),
      /Unknown option '--bogus'[\s\S]*usage: npm run predict/,
    );
  });
});

test('Grad-CAM on a Flatten head (the lesson own): channel weights are the spatial mean of the gradients', async () => {
  // With a Flatten -> Dense head, d score / d A at (position p, channel k) is the Dense kernel's row p*c + k, so
  // Grad-CAM's alpha_k is that row's mean over positions; per-position weights would give another map.
  await tf.setBackend('cpu');
  const input = tf.input({ shape: [6, 6, 3] });
  const feat = tf.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu', name: 'feat', ...seed(21) });
  const a = feat.apply(input) as S;
  const dense = tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'out', ...seed(22) });
  const model = tf.model({ inputs: input, outputs: dense.apply(tf.layers.flatten().apply(a) as S) as S });
  const image = randomImage([6, 6, 3], 23);
  const activations = tf.tidy(() => tf.model({ inputs: input, outputs: a }).predict(image.expandDims(0)) as tf.Tensor);
  const [h, w, c] = activations.shape.slice(1);
  const A = await activations.data();
  const W = await dense.getWeights()[0].data(); // [h * w * c, 1], Flatten's order: row-major over (h, w, c)
  const alpha = Array.from({ length: c }, (_, k) => {
    let sum = 0;
    for (let p = 0; p < h * w; p++) sum += W[p * c + k];
    return sum / (h * w);
  });
  const weighted = Array.from({ length: h * w }, (_, p) => alpha.reduce((s, ak, k) => s + ak * A[p * c + k], 0));
  for (const classIndex of [1, 0]) {
    const grad = await gradCam(model, image, { classIndex });
    assert.equal(grad.layerName, 'feat');
    // Class 1's score is the logit z; class 0's is -z (scores.ts), so its weights change sign.
    const sign = classIndex === 1 ? 1 : -1;
    const want = weighted.map((v) => Math.max(0, sign * v));
    assert.ok(maxAbs(want) > 0, 'the map is not all zeros, so the comparison means something');
    const d = relDiff(flat(grad.map), want);
    assert.ok(d <= 1e-5, `class ${classIndex}: relative difference ${d}`);
  }
  tf.dispose([image, activations]);
  model.dispose();
});
