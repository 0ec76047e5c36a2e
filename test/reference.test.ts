/**
 * The shipped MobileNet α=0.25 against an independent reference: test/fixtures/mobilenet-reference.json, written
 * by scripts/reference_mobilenet.py (Keras's MobileNet in float64 NumPy from the same .h5 files, photos decoded
 * by PIL). Six photos of the mini set at their native 200x200, so that the odd 25x25 map before conv_dw_6 makes
 * Keras's ((0, 1), (0, 1)) padding differ from 'same' (a 6x6 last map, not 7x7): a padding, weight-loading or
 * preprocessing bug moves these numbers far beyond the float32 rounding the tolerances allow.
 */
import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadImage } from '../lib/data/imageDataset';
import { loadBackbone } from '../lib/lesson/backbone';
import { resolveProfile } from '../lib/lesson/profile';

/** One photo of the fixture. */
interface ReferencePhoto {
  path: string;
  height: number;
  width: number;
  pixelsSha256: string;
  featureMapSize: [number, number];
  top5: number[];
  probabilities: number[];
  features: number[];
}

const REPO = path.join(__dirname, '..');
const FIXTURE = path.join(__dirname, 'fixtures', 'mobilenet-reference.json');
const reference = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { photos: ReferencePhoto[] };

before(async () => {
  await tf.setBackend('cpu');
});

/** The largest |a[i] - b[i]|. */
function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Indices of the k largest values, largest first. */
function topK(values: ArrayLike<number>, k: number): number[] {
  return Array.from(values, (v, i) => [v, i])
    .sort((x, y) => y[0] - x[0])
    .slice(0, k)
    .map(([, i]) => i);
}

test('MobileNet α=0.25 with the shipped weights matches the NumPy reference on six photos at 200x200', async (t) => {
  const size = [reference.photos[0].height, reference.photos[0].width, 3] as [number, number, number];
  // The lesson's call for the base (the mini profile's shipped weights, its alpha and preprocessing); the classifier
  // through the same builder (loadBackbone's includeTop is 224x224 only), with the file that has the ImageNet top.
  const { backbone } = resolveProfile({ LESSON_PROFILE: 'mini' });
  const b = await loadBackbone({ backbone, imageSize: [size[0], size[1]] });
  const base = b.convBase;
  const classifier = await b.info.build({
    includeTop: true,
    weights: backbone.weightsWithTop,
    alpha: backbone.alpha,
    inputShape: size,
    quiet: true,
  });
  const tensorsBefore = tf.memory().numTensors;
  try {
    const lastMap = [null, ...reference.photos[0].featureMapSize, 256];
    assert.deepEqual(base.outputs[0].shape, lastMap, 'the last feature map (Keras: 6x6)');
    assert.deepEqual(classifier.getLayer('conv_pw_13_relu').outputShape, lastMap, 'the same map under the top');
    let worst = [0, 0, 0];
    for (const photo of reference.photos) {
      assert.deepEqual(
        [photo.height, photo.width],
        size.slice(0, 2),
        `${photo.path}: the fixture's photos share one size`,
      );
      const img = await loadImage(path.join(REPO, photo.path));
      const pixels = Uint8Array.from(img.dataSync());
      // The project's decoder (sharp) and PIL give identical pixels for these JPEGs (max difference 0).
      const sha = createHash('sha256').update(pixels).digest('hex');
      assert.equal(sha, photo.pixelsSha256, `${photo.path}: decoded pixels differ from PIL's`);
      const x = tf.tidy(() => b.preprocess(img.expandDims(0)));
      // Global average pooling of the base's map: Keras's pooling='avg'.
      const outputs = tf.tidy(() => [classifier.predict(x) as tf.Tensor, (base.predict(x) as tf.Tensor).mean([1, 2])]);
      const [probs, features] = outputs.map((o) => o.dataSync());
      tf.dispose([img, x, ...outputs]);
      assert.deepEqual(topK(probs, 5), photo.top5, `${photo.path}: top-5 ImageNet classes`);
      const dp = maxAbsDiff(probs, photo.probabilities);
      const dLog = maxAbsDiff(Array.from(probs, Math.log), photo.probabilities.map(Math.log));
      const relFeature = maxAbsDiff(features, photo.features) / Math.max(...photo.features.map(Math.abs));
      worst = worst.map((w, i) => Math.max(w, [dp, dLog, relFeature][i]));
      // Measured (cpu backend, float32 against float64): |Δp| up to 2.3e-6, |Δ log p| up to 2.8e-5 (over all 1000
      // classes, the smallest too), features up to 2.1e-6 of the largest feature. The bounds leave 4x-7x margin.
      assert.ok(dp < 1e-5, `${photo.path}: probabilities differ by up to ${dp.toExponential(2)}`);
      assert.ok(dLog < 2e-4, `${photo.path}: log-probabilities differ by up to ${dLog.toExponential(2)}`);
      assert.ok(relFeature < 1e-5, `${photo.path}: features differ by up to ${relFeature.toExponential(2)} (relative)`);
    }
    assert.equal(tf.memory().numTensors, tensorsBefore, 'no tensor leaked');
    const [p, logP, feature] = worst.map((w) => w.toExponential(2));
    t.diagnostic(`max |Δp| ${p}, max |Δ log p| ${logP}, max feature |Δ| / max feature ${feature}`);
  } finally {
    classifier.dispose();
    base.dispose();
  }
});
