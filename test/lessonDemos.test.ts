/**
 * The helpers notebooks 00-04 show through: a model's anatomy (sizes, blocks, layers and their inputs), the GAP,
 * VGG and ResNet demonstrations, the argument tables, the dataset counts, and the ImageNet classifier on the mini
 * set's photos (real predictions, class activation maps with logit = mean of the map + bias, no tensor leaks).
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { blockOf, groupLayers, layerRows, modelStats } from '../lib/models/anatomy';
import { imagenetClasses } from '../lib/models/imagenet';
import { buildResNet } from '../lib/models/resnet';
import { buildVgg } from '../lib/models/vgg';
import { loadShippedClassifier, type ImageNetClassifier } from '../lib/lesson/backbone';
import { samplePhotos } from '../lib/lesson/profileDatasets';
import { downloadCommand, LESSON_DATASET, MINI_DATASET_DIR } from '../lib/lesson/lessonDataset';
import { photoCounts, showDatasetSource } from '../lib/lesson/datasetView';
import { fullProfile, miniProfile } from '../lib/lesson/profile';
import { channelSweep, convStack } from '../lib/lesson/gapDemo';
import { camPhotos, petKind, predictPhotos, topClassMatches } from '../lib/lesson/imagenetPhotos';
import { callText } from '../lib/lesson/optionsDemo';
import { inputGradientNorms, maxChange, residualBlock, zeroResidualBranch } from '../lib/lesson/residualDemo';
import { kernelComparison } from '../lib/lesson/vggDemo';
import { buildTransferModel } from '../lib/training/transferModel';
import { shapeText } from '../lib/ui/modelTables';

before(async () => {
  await tf.setBackend('cpu');
});

describe('model anatomy', () => {
  test('VGG16 without top: sizes and blocks as Keras has them', () => {
    const vgg = buildVgg(16, { includeTop: false, weights: null, inputShape: [150, 150, 3] });
    assert.deepEqual(modelStats(vgg), { layers: 19, convLayers: 13, params: 14_714_688, outputShape: [4, 4, 512] });
    const groups = groupLayers(vgg);
    assert.deepEqual(
      groups.map((g) => g.name),
      ['block1', 'block2', 'block3', 'block4', 'block5'],
    );
    assert.deepEqual(
      groups.map((g) => g.convLayers),
      [2, 2, 3, 3, 3],
    );
    assert.deepEqual(
      groups.map((g) => g.filters),
      [64, 128, 256, 512, 512],
    );
    assert.equal(
      groups.reduce((s, g) => s + g.params, 0),
      14_714_688,
    );
    vgg.dispose();
  });

  test('ResNet50 stages: blocks, strides and projections by name', () => {
    const rn = buildResNet(50, { weights: null });
    const stages = groupLayers(rn).filter((g) => /^conv[2-5]$/.test(g.name));
    assert.deepEqual(
      stages.map((g) => g.blocks),
      [3, 4, 6, 3],
    );
    assert.deepEqual(
      stages.map((g) => g.strides),
      [
        [1, 1],
        [2, 2],
        [2, 2],
        [2, 2],
      ],
    );
    assert.ok(stages.every((g) => g.projection));
    assert.deepEqual(['conv2_block1_1_conv', 'avg_pool', 'fc1', 'block3_pool'].map(blockOf), [
      'conv2',
      'avg_pool',
      'fc1',
      'block3',
    ]);
    rn.dispose();
  });

  test('a base shared by two heads names its input once', () => {
    const base = convStack([8, 16], { inputShape: [32, 32, 3] });
    const a = buildTransferModel(base, { head: 'flatten', freezeBase: false });
    buildTransferModel(base, { head: 'gap', freezeBase: false });
    const row = layerRows(a).find((r) => r.name === base.name);
    assert.deepEqual(row?.inputs, ['image']);
    assert.deepEqual(row?.outputShape, [16, 16, 16]);
    assert.equal(shapeText([16, 16, 16]), '16x16x16');
  });
});

describe('lesson demonstrations', () => {
  test('convStack: 150x150 through five convolutions ends in 9x9x512', () => {
    const base = convStack([32, 64, 128, 256, 512]);
    assert.deepEqual(base.outputs[0].shape, [null, 9, 9, 512]);
    assert.equal(base.countParams(), 896 + 18_496 + 73_856 + 295_168 + 1_180_160);
    base.dispose();
  });

  test('channelSweep and kernelComparison count as the formulas do', () => {
    assert.deepEqual(channelSweep([16], 7), [
      { channels: 16, flatten: (49 * 16 + 1) * 256 + 257, gap: 17 * 256 + 257 },
    ]);
    for (const r of kernelComparison([8, 32])) {
      assert.equal(r.one5Counted, r.one5);
      assert.equal(r.two3Counted, r.two3);
    }
  });

  test('an identity block with F(x) = 0 passes a non-negative input through', async () => {
    const block = residualBlock([8, 8, 16], 4, { name: 'b' });
    const x = tf.randomUniform([2, 8, 8, 16], 0, 1, 'float32', 1);
    assert.ok((await maxChange(block, x)) > 0.01);
    const tensors = tf.memory().numTensors;
    zeroResidualBranch(block);
    assert.equal(tf.memory().numTensors, tensors, 'zeroResidualBranch leaves no tensor behind');
    assert.equal(await maxChange(block, x), 0);
    assert.throws(() => residualBlock([8, 8, 16], 8), /projection: true/);
    tf.dispose([x]);
    block.dispose();
  });

  test('input gradients vanish through plain sigmoid stacks, not through residual ones', async () => {
    const [shallow, deep] = await inputGradientNorms([2, 20]);
    assert.ok(deep.plain < 1e-3 * shallow.plain);
    assert.ok(deep.residual > 0.1 * shallow.residual);
  });

  test('the calls of the argument table read as a learner writes them', () => {
    assert.equal(
      callText('VGG16', { includeTop: false, inputShape: [150, 150, 3], pooling: 'avg' }),
      "vgg16({ includeTop: false, inputShape: [150, 150, 3], pooling: 'avg' })",
    );
    assert.equal(callText('ResNet50', {}), 'resnet50()');
  });

  test('the mini set holds 100/50/50 photos per class', async () => {
    const counts = await photoCounts(MINI_DATASET_DIR);
    assert.deepEqual(
      counts.map((c) => [c.split, c.counts.cats, c.counts.dogs, c.total]),
      [
        ['train', 100, 100, 200],
        ['validation', 50, 50, 100],
        ['test', 50, 50, 100],
      ],
    );
  });
});

describe('the shipped ImageNet classifier on the mini set', () => {
  let classifier: ImageNetClassifier;
  let photos: string[];
  before(async () => {
    classifier = await loadShippedClassifier();
    photos = await samplePhotos(MINI_DATASET_DIR, { perClass: 1 });
  });

  test('predictions: Keras class names, sorted, the tabby photo a cat', async () => {
    const preds = await predictPhotos(classifier, photos);
    const names = new Set(imagenetClasses().map(([, n]) => n));
    for (const p of preds) {
      assert.equal(p.predictions.length, 5);
      assert.ok(
        p.predictions.every((d, i) => names.has(d.className) && (i === 0 || d.score <= p.predictions[i - 1].score)),
      );
    }
    assert.deepEqual(
      preds.map((p) => p.label),
      ['cats', 'dogs'],
    );
    assert.equal(petKind(preds[0].predictions[0].classId), 'cat');
    assert.equal(topClassMatches(preds), 2);
  });

  test('CAM: a 7x7 map whose mean plus the bias is the logit; no tensors left', async () => {
    await camPhotos(classifier, photos.slice(0, 1));
    const before = tf.memory().numTensors;
    const cams = await camPhotos(classifier, photos);
    assert.equal(tf.memory().numTensors, before);
    for (const c of cams) {
      assert.equal(c.cam.map.length, 7);
      assert.equal(c.cam.map[0].length, 7);
      const mean = c.cam.map.flat().reduce((s, v) => s + v, 0) / 49;
      assert.ok(
        Math.abs(mean + c.bias - c.cam.score) < 1e-3 * Math.max(1, Math.abs(c.cam.score)),
        `${mean} + ${c.bias} = ${c.cam.score}`,
      );
      assert.equal(c.className, imagenetClasses()[c.cam.classIndex][1]);
      assert.ok(c.overlay.length > 1000 && !c.overlay.equals(c.photo));
    }
  });
});

describe('where the photos come from (notebook 01)', () => {
  const shown = (profile: Parameters<typeof showDatasetSource>[0]): string => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (s: string) => lines.push(s);
    try {
      showDatasetSource(profile);
    } finally {
      console.log = log;
    }
    return lines.join('\n');
  };

  test("mini: the shipped set and the command that fetches the lesson's; full: the Drive link", () => {
    const mini = shown(miniProfile('test'));
    assert.ok(mini.includes('mini 프로필') && mini.includes(downloadCommand()));
    const full = shown(fullProfile('test'));
    assert.ok(full.includes(LESSON_DATASET.url) && !full.includes(downloadCommand()));
  });
});
