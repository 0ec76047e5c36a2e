/**
 * Lesson profiles and the lesson layer: which profile runs and why (nothing downloaded behind the learner's back),
 * the profile's backbone with its preprocessing, and its datasets.
 */
import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { LESSON_DATASET, isLessonDataset, MINI_DATASET_DIR, downloadCommand } from '../lib/lesson/lessonDataset';
import { resolveProfile } from '../lib/lesson/profile';
import { loadBackbone } from '../lib/lesson/backbone';
import { lessonDatasets, samplePhotos } from '../lib/lesson/profileDatasets';
import { decodePredictions } from '../lib/models/imagenet';
import { lastLoadReport } from '../lib/models/weights';
import { loadImage } from '../lib/data/imageDataset';
import { tempDir } from './helpers/tempDir';

before(async () => {
  await tf.setBackend('cpu');
});

/** A project root with a fake lesson dataset (one tiny file per class and split), or only its zip. */
function rootWith(what: 'dataset' | 'zip' | 'nothing'): string {
  const root = tempDir('profile-');
  if (what === 'dataset') {
    for (const split of ['train', 'validation', 'test']) {
      for (const cls of ['cats', 'dogs']) {
        mkdirSync(path.join(root, 'data', 'cats_and_dogs_small', split, cls), { recursive: true });
        writeFileSync(path.join(root, 'data', 'cats_and_dogs_small', split, cls, 'x.jpg'), 'x');
      }
    }
  }
  if (what === 'zip') {
    mkdirSync(path.join(root, 'data'), { recursive: true });
    writeFileSync(path.join(root, 'data', 'cats_and_dogs_small.zip'), 'PK');
  }
  return root;
}

test('forced profiles: mini runs on the shipped photos and weights, full on the lesson data with VGG16', () => {
  const mini = resolveProfile({ LESSON_PROFILE: 'mini' });
  assert.equal(mini.name, 'mini');
  assert.equal(mini.dataDir, MINI_DATASET_DIR);
  assert.deepEqual(mini.imageSize, [192, 192]);
  assert.equal(mini.backbone.application, 'MobileNet');
  assert.equal(mini.backbone.alpha, 0.25);
  assert.ok(
    existsSync(mini.backbone.weights) && existsSync(mini.backbone.weightsWithTop),
    'the shipped weight files exist',
  );
  assert.ok(isLessonDataset(mini.dataDir), 'the mini set has train/validation/test with cats and dogs');
  const full = resolveProfile({ LESSON_PROFILE: 'full' });
  assert.equal(full.name, 'full');
  assert.equal(full.dataDir, LESSON_DATASET.dir);
  assert.deepEqual(full.imageSize, [150, 150]);
  assert.equal(full.backbone.application, 'VGG16');
  assert.equal(full.backbone.weights, 'imagenet');
  assert.equal(
    resolveProfile({ LESSON_PROFILE: 'full', LESSON_BACKBONE: 'mobilenet' }).backbone.application,
    'MobileNet',
  );
  assert.equal(
    resolveProfile({ LESSON_PROFILE: 'mini', LESSON_PROFILE_REASON: 'npm run lesson이 정함' }).reason,
    'npm run lesson이 정함',
  );
});

test('auto: full when the lesson dataset or its zip is in data/, mini otherwise, with the reason', () => {
  const saved = process.env.LESSON_ROOT;
  try {
    for (const [what, name, reason] of [
      ['dataset', 'full', /data\/cats_and_dogs_small/],
      ['zip', 'full', /zip/],
      ['nothing', 'mini', /data\/에 없어/],
    ] as const) {
      process.env.LESSON_ROOT = rootWith(what);
      const p = resolveProfile({});
      assert.equal(p.name, name, what);
      assert.match(p.reason, reason, what);
    }
  } finally {
    if (saved === undefined) delete process.env.LESSON_ROOT;
    else process.env.LESSON_ROOT = saved;
  }
  assert.match(
    downloadCommand(),
    /^npm run gdown -- 1nBE3N2cXQGwD8JaD0JZ2LmFD-n3D5hVU -O data\/cats_and_dogs_small\.zip$/,
  );
});

test('a wrong LESSON_PROFILE or LESSON_BACKBONE is an error naming the value and the choices', () => {
  assert.throws(
    () => resolveProfile({ LESSON_PROFILE: 'sample' }),
    /LESSON_PROFILE=sample is not valid: use one of full, mini, auto/,
  );
  assert.throws(
    () => resolveProfile({ LESSON_PROFILE: 'full', LESSON_BACKBONE: 'resnet' }),
    /LESSON_BACKBONE=resnet is not valid: use one of vgg16, mobilenet/,
  );
});

test('the mini backbone: MobileNet α=0.25 at 192x192 with its shipped weights and tf preprocessing', async () => {
  const profile = resolveProfile({ LESSON_PROFILE: 'mini' });
  const b = await loadBackbone(profile);
  assert.deepEqual(b.convBase.inputs[0].shape, [null, 192, 192, 3]);
  assert.deepEqual(b.convBase.outputs[0].shape, [null, 6, 6, 256]);
  assert.equal(b.preprocessMode, 'tf');
  assert.equal(b.fineTuneFrom, 'conv_dw_12');
  assert.equal(lastLoadReport(b.convBase)?.paramsLoaded, 218_544, 'every weight of the file was loaded');
  const x = tf.fill([1, 2, 2, 3], 255) as tf.Tensor4D;
  assert.deepEqual(Array.from(b.preprocess(x).dataSync()).slice(0, 3), [1, 1, 1], "'tf' maps 255 to 1");
  b.convBase.dispose();
});

test('the mini backbone with its ImageNet top tells the shipped cat photos from the dog photos by ImageNet class', async () => {
  const profile = resolveProfile({ LESSON_PROFILE: 'mini' });
  const b = await loadBackbone(profile, { includeTop: true });
  assert.deepEqual(b.classifier.outputs[0].shape, [null, 1000]);
  // ImageNet classes 151-268 are dog breeds, 281-285 domestic cats.
  const mass = { cats: { cat: 0, dog: 0 }, dogs: { cat: 0, dog: 0 } };
  const photos = await samplePhotos(profile, { perClass: 8 });
  for (const file of photos) {
    const img = await loadImage(file, { imageSize: [224, 224] });
    const probs = tf.tidy(() =>
      (b.classifier.predict(b.preprocess(img.expandDims(0) as tf.Tensor4D)) as tf.Tensor).squeeze(),
    );
    const p = Array.from(await probs.data());
    const m = mass[file.includes(`${path.sep}cats${path.sep}`) ? 'cats' : 'dogs'];
    m.cat += p.slice(281, 286).reduce((a, v) => a + v, 0) / 8;
    m.dog += p.slice(151, 269).reduce((a, v) => a + v, 0) / 8;
    tf.dispose([img, probs]);
  }
  assert.ok(mass.dogs.dog > 0.6, `dog photos: mean probability of dog breeds ${mass.dogs.dog.toFixed(2)}`);
  assert.ok(
    mass.cats.cat > 3 * mass.dogs.cat,
    `cat classes: ${mass.cats.cat.toFixed(3)} on cats vs ${mass.dogs.cat.toFixed(3)} on dogs`,
  );
  assert.ok(decodePredictions(tf.oneHot([282], 1000).toFloat(), 1)[0][0].className === 'tiger_cat');
  b.classifier.dispose();
});

test('lessonDatasets opens the three splits of the mini set at the profile size with binary labels', async () => {
  const d = await lessonDatasets(resolveProfile({ LESSON_PROFILE: 'mini' }));
  assert.deepEqual([d.train.size, d.validation.size, d.test.size], [200, 100, 100]);
  assert.deepEqual(d.train.classNames, ['cats', 'dogs']);
  for await (const { xs, ys } of d.test) {
    assert.deepEqual(xs.shape, [20, 192, 192, 3]);
    assert.deepEqual(ys.shape, [20, 1]);
    tf.dispose([xs, ys]);
    break;
  }
});
