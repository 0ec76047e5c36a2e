/**
 * keras.applications builders: parameter counts, layer names and output shapes as in Keras; Keras's argument
 * checks; preprocessInput, the ImageNetPreprocessing layer and decodePredictions; the family tables.
 */
import test, { before, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { FrozenBatchNormalization } from '../lib/layers/frozenBatchNorm';
import { leafLayers } from '../lib/layers/walk';
import { APPLICATIONS, applicationInfo } from '../lib/models/applications';
import { decodePredictions, imagenetClasses, preprocessInput } from '../lib/models/imagenet';
import { ImageNetPreprocessing } from '../lib/models/imageNetPreprocessing';
import { buildMobileNet, mobilenet, mobilenetWeightsFile } from '../lib/models/mobilenet';
import { buildMobileNetV2, makeDivisible, mobilenetV2, mobilenetV2WeightsFile } from '../lib/models/mobilenetV2';
import { buildResNet, resnet50, resnetWeightsFile } from '../lib/models/resnet';
import { buildVgg, vgg16, vgg19, vggWeightsFile } from '../lib/models/vgg';

before(async () => {
  await tf.setBackend('cpu');
});

/** The layers with weights, nested models included, in model order. */
const weightedLayers = (m: tf.LayersModel) => leafLayers(m).filter((l) => l.weights.length > 0);

// Parameter counts of keras.applications (Keras's model.summary / docs; MobileNetV2 0.35 and 1.4 checked
// against published summaries, the other alphas follow from _make_divisible arithmetic).
const PARAMS: [string, () => tf.LayersModel, number, (number | null)[]][] = [
  ['VGG16 top', () => buildVgg(16, { weights: null }), 138357544, [null, 1000]],
  ['VGG16 no top', () => buildVgg(16, { weights: null, includeTop: false }), 14714688, [null, 7, 7, 512]],
  ['VGG19 top', () => buildVgg(19, { weights: null }), 143667240, [null, 1000]],
  ['VGG19 no top', () => buildVgg(19, { weights: null, includeTop: false }), 20024384, [null, 7, 7, 512]],
  ['ResNet50 top', () => buildResNet(50, { weights: null }), 25636712, [null, 1000]],
  ['ResNet50 no top', () => buildResNet(50, { weights: null, includeTop: false }), 23587712, [null, 7, 7, 2048]],
  ['ResNet101 top', () => buildResNet(101, { weights: null }), 44707176, [null, 1000]],
  [
    'ResNet101 no top',
    () => buildResNet(101, { weights: null, includeTop: false, inputShape: [32, 32, 3] }),
    42658176,
    [null, 1, 1, 2048],
  ],
  ['ResNet152 top', () => buildResNet(152, { weights: null }), 60419944, [null, 1000]],
  [
    'ResNet152 no top',
    () => buildResNet(152, { weights: null, includeTop: false, inputShape: [32, 32, 3] }),
    58370944,
    [null, 1, 1, 2048],
  ],
  ['MobileNet 1.0 top', () => buildMobileNet({ weights: null }), 4253864, [null, 1000]],
  ['MobileNet 1.0 no top', () => buildMobileNet({ weights: null, includeTop: false }), 3228864, [null, 7, 7, 1024]],
  ['MobileNet 0.25 top', () => buildMobileNet({ weights: null, alpha: 0.25 }), 475544, [null, 1000]],
  [
    'MobileNet 0.25 no top',
    () => buildMobileNet({ weights: null, alpha: 0.25, includeTop: false }),
    218544,
    [null, 7, 7, 256],
  ],
  ['MobileNetV2 1.0 top', () => buildMobileNetV2({ weights: null }), 3538984, [null, 1000]],
  ['MobileNetV2 1.0 no top', () => buildMobileNetV2({ weights: null, includeTop: false }), 2257984, [null, 7, 7, 1280]],
  ['MobileNetV2 0.35 top', () => buildMobileNetV2({ weights: null, alpha: 0.35 }), 1691208, [null, 1000]],
  ['MobileNetV2 1.4 top', () => buildMobileNetV2({ weights: null, alpha: 1.4 }), 6156712, [null, 1000]],
];

describe('parameter counts and output shapes match keras.applications', () => {
  for (const [name, build, params, shape] of PARAMS) {
    test(name, () => {
      const m = build();
      assert.equal(m.countParams(), params);
      assert.deepEqual(m.outputs[0].shape, shape);
      m.dispose();
    });
  }
});

describe('layer names', () => {
  test('VGG16 / VGG19', () => {
    const m = buildVgg(16, { weights: null });
    assert.deepEqual(
      m.layers.map((l) => l.name),
      [
        'input_1',
        'block1_conv1',
        'block1_conv2',
        'block1_pool',
        'block2_conv1',
        'block2_conv2',
        'block2_pool',
        'block3_conv1',
        'block3_conv2',
        'block3_conv3',
        'block3_pool',
        'block4_conv1',
        'block4_conv2',
        'block4_conv3',
        'block4_pool',
        'block5_conv1',
        'block5_conv2',
        'block5_conv3',
        'block5_pool',
        'flatten',
        'fc1',
        'fc2',
        'predictions',
      ],
    );
    assert.equal(m.name, 'vgg16');
    m.dispose();
    const m19 = buildVgg(19, { weights: null, includeTop: false, inputShape: [32, 32, 3], pooling: 'avg' });
    assert.deepEqual(
      m19.layers.filter((l) => l.name.startsWith('block5')).map((l) => l.name),
      ['block5_conv1', 'block5_conv2', 'block5_conv3', 'block5_conv4', 'block5_pool'],
    );
    assert.deepEqual(m19.outputs[0].shape, [null, 512]);
    m19.dispose();
  });

  test('ResNet50: Keras v1 names, frozen-aware BN with epsilon 1.001e-5', () => {
    const m = buildResNet(50, { weights: null, includeTop: false, inputShape: [32, 32, 3], pooling: 'max' });
    const names = m.layers.map((l) => l.name);
    assert.deepEqual(names.slice(0, 8), [
      'input_1',
      'conv1_pad',
      'conv1_conv',
      'conv1_bn',
      'conv1_relu',
      'pool1_pad',
      'pool1_pool',
      'conv2_block1_1_conv',
    ]);
    for (const n of [
      'conv2_block1_0_conv',
      'conv2_block1_0_bn',
      'conv2_block1_add',
      'conv2_block1_out',
      'conv3_block4_out',
      'conv4_block6_3_bn',
      'conv5_block3_out',
      'max_pool',
    ]) {
      assert.ok(names.includes(n), n);
    }
    assert.equal(names.includes('conv2_block2_0_conv'), false, 'identity blocks have no shortcut conv');
    const bns = m.layers.filter((l) => l.getClassName() === 'FrozenBatchNormalization');
    assert.equal(bns.length, 53);
    assert.ok(
      bns.every((l) => l instanceof FrozenBatchNormalization && (l.getConfig().epsilon as number) === 1.001e-5),
    );
    assert.deepEqual(m.outputs[0].shape, [null, 2048]);
    assert.equal(m.name, 'resnet50');
    m.dispose();
  });

  test('MobileNet v1 0.25: the 54 weighted layers are the Keras file’s', () => {
    const m = buildMobileNet({ weights: null, alpha: 0.25, includeTop: false });
    const weighted = weightedLayers(m).map((l) => l.name);
    assert.equal(weighted.length, 54);
    assert.deepEqual(weighted.slice(0, 6), [
      'conv1',
      'conv1_bn',
      'conv_dw_1',
      'conv_dw_1_bn',
      'conv_pw_1',
      'conv_pw_1_bn',
    ]);
    assert.deepEqual(weighted.slice(-2), ['conv_pw_13', 'conv_pw_13_bn']);
    assert.equal(m.name, 'mobilenet_0.25_224');
    assert.equal(m.getLayer('conv_dw_1').getClassName(), 'DepthwiseConv2D');
    m.dispose();
    const top = buildMobileNet({ weights: null, alpha: 0.25, classes: 10 });
    assert.deepEqual(
      top.layers.slice(-3).map((l) => l.name),
      ['conv_preds', 'reshape_2', 'predictions'],
    );
    assert.deepEqual(top.outputs[0].shape, [null, 10]);
    top.dispose();
  });

  test('MobileNetV2: Keras names, residual adds, _make_divisible', () => {
    const m = buildMobileNetV2({ weights: null, includeTop: false, inputShape: [96, 96, 3] });
    const names = m.layers.map((l) => l.name);
    for (const n of [
      'Conv1',
      'bn_Conv1',
      'Conv1_relu',
      'expanded_conv_depthwise',
      'expanded_conv_project_BN',
      'block_1_expand',
      'block_1_pad',
      'block_2_add',
      'block_16_project',
      'Conv_1',
      'Conv_1_bn',
      'out_relu',
    ]) {
      assert.ok(names.includes(n), n);
    }
    assert.equal(names.includes('block_1_add'), false, 'a stride-2 block has no residual');
    assert.equal(names.filter((n) => n.endsWith('_add')).length, 10);
    assert.deepEqual(m.outputs[0].shape, [null, 3, 3, 1280]);
    m.dispose();
    assert.equal(makeDivisible(32 * 0.35), 16);
    assert.equal(makeDivisible(32), 32);
    assert.equal(makeDivisible(1280 * 1.4), 1792);
  });

  test('a built model saves and loads with the same predictions (custom layers registered)', async () => {
    const m = buildMobileNetV2({
      weights: null,
      alpha: 0.35,
      inputShape: [32, 32, 3],
      includeTop: false,
      pooling: 'avg',
    });
    let artifacts: tf.io.ModelArtifacts | undefined;
    await m.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
    assert.ok(loaded.getLayer('bn_Conv1') instanceof FrozenBatchNormalization);
    const x = tf.randomUniform([1, 32, 32, 3], -1, 1, 'float32', 1);
    const a = m.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    assert.ok(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] < 1e-5);
    tf.dispose([x, a, b]);
    m.dispose();
    loaded.dispose();
  });

  test('a forward pass keeps tensors flat', () => {
    const m = buildResNet(50, { weights: null, includeTop: false, inputShape: [32, 32, 3], pooling: 'avg' });
    const x = tf.randomUniform([2, 32, 32, 3], 0, 255);
    const run = () => tf.tidy(() => (m.predict(preprocessInput(x, 'caffe')) as tf.Tensor).shape);
    assert.deepEqual(run(), [2, 2048]);
    const n = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) run();
    assert.equal(tf.memory().numTensors, n);
    x.dispose();
    m.dispose();
  });
});

describe("Keras's argument checks", () => {
  test('weights must be imagenet, null or an existing file', async () => {
    await assert.rejects(
      vgg16({ weights: 'no/such/file.h5' }),
      /`weights` argument should be either null .*no\/such\/file\.h5/,
    );
  });
  test('classes must be 1000 with ImageNet weights and a top', async () => {
    await assert.rejects(resnet50({ classes: 10 }), /classes` should be 1000. Received: classes=10/);
    const m = buildResNet(50, { weights: null, classes: 10, inputShape: [32, 32, 3], includeTop: false });
    m.dispose();
  });
  test('input shape: exact with top and ImageNet, 3 channels, at least 32 pixels', async () => {
    await assert.rejects(
      vgg19({ inputShape: [160, 160, 3] }),
      /inputShape should be \[224, 224, 3\]. Received: inputShape=\[160, 160, 3\]/,
    );
    await assert.rejects(vgg16({ includeTop: false, inputShape: [64, 64, 1] }), /must have 3 channels/);
    await assert.rejects(resnet50({ includeTop: false, inputShape: [31, 64, 3] }), /at least 32x32/);
    await assert.rejects(mobilenet({ includeTop: false, inputShape: [16, 16, 3] }), /at least 32x32/);
    await assert.rejects(vgg16({ includeTop: false, inputShape: [64, 64] as never }), /\[height, width, channels\]/);
    // Without ImageNet weights a top may take another size (as Keras), and 1 channel is allowed.
    const m = buildMobileNet({ weights: null, alpha: 0.25, inputShape: [64, 64, 1] });
    assert.deepEqual(m.inputs[0].shape, [null, 64, 64, 1]);
    m.dispose();
  });
  test('pooling only without top; classifierActivation softmax/null with pretrained weights', async () => {
    await assert.rejects(vgg16({ pooling: 'avg' }), /only applies without the top/);
    await assert.rejects(vgg16({ includeTop: false, pooling: 'sum' as never }), /pooling must be 'avg', 'max'/);
    await assert.rejects(vgg16({ classifierActivation: 'relu' }), /only null and 'softmax' activations/);
    const logits = buildMobileNet({ weights: null, alpha: 0.25, classifierActivation: null });
    assert.equal(logits.getLayer('predictions').getConfig().activation as string, 'linear');
    logits.dispose();
  });
  test('MobileNet alpha / depthMultiplier with ImageNet weights', async () => {
    await assert.rejects(mobilenet({ alpha: 0.3 }), /alpha can be one of 0.25, 0.50, 0.75 or 1.0 only/);
    await assert.rejects(mobilenet({ depthMultiplier: 2 }), /depthMultiplier must be 1/);
    await assert.rejects(mobilenetV2({ alpha: 0.6 }), /alpha must be one of 0.35, 0.50, 0.75, 1.0, 1.3 or 1.4/);
  });
});

describe('weight files (Keras names and hashes)', () => {
  test('file names', () => {
    assert.deepEqual(vggWeightsFile(16, false), {
      subdir: 'vgg16',
      fileName: 'vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5',
      hash: '6d6bbae143d832006294945121d1f1fc',
    });
    assert.equal(vggWeightsFile(19, true).fileName, 'vgg19_weights_tf_dim_ordering_tf_kernels.h5');
    assert.deepEqual(resnetWeightsFile(101, true), {
      subdir: 'resnet',
      fileName: 'resnet101_weights_tf_dim_ordering_tf_kernels.h5',
      hash: 'f1aeb4b969a6efcfb50fad2f0c20cfc5',
    });
    assert.equal(mobilenetWeightsFile(0.25, 224, false).fileName, 'mobilenet_2_5_224_tf_no_top.h5');
    assert.equal(mobilenetWeightsFile(1.0, 128, true).fileName, 'mobilenet_1_0_128_tf.h5');
    assert.equal(
      mobilenetV2WeightsFile(1.0, 224, false).fileName,
      'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5',
    );
    assert.equal(
      mobilenetV2WeightsFile(0.35, 96, true).fileName,
      'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96.h5',
    );
  });
  test('the applications table: Keras names, files and URLs of the options the builders resolve', () => {
    assert.deepEqual(Object.keys(APPLICATIONS), [
      'VGG16',
      'VGG19',
      'ResNet50',
      'ResNet101',
      'ResNet152',
      'MobileNet',
      'MobileNetV2',
    ]);
    const saved = process.env.KERAS_WEIGHTS_BASE_URL;
    delete process.env.KERAS_WEIGHTS_BASE_URL;
    assert.equal(
      APPLICATIONS.VGG16.weightsFile({ includeTop: false }).url,
      'https://storage.googleapis.com/tensorflow/keras-applications/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5',
    );
    process.env.KERAS_WEIGHTS_BASE_URL = 'http://127.0.0.1:9/mirror';
    assert.equal(
      APPLICATIONS.MobileNet.weightsFile().url,
      'http://127.0.0.1:9/mirror/mobilenet/mobilenet_1_0_224_tf.h5',
    );
    if (saved === undefined) delete process.env.KERAS_WEIGHTS_BASE_URL;
    else process.env.KERAS_WEIGHTS_BASE_URL = saved;
    // The file follows alpha, top and input size exactly as the builder resolves them (224 for other sizes).
    assert.equal(
      APPLICATIONS.MobileNet.weightsFile({ alpha: 0.25, includeTop: false, inputShape: [96, 96, 3] }).fileName,
      'mobilenet_2_5_224_tf_no_top.h5',
    );
    assert.equal(
      APPLICATIONS.MobileNetV2.weightsFile({ alpha: 0.35, inputShape: [96, 96, 3], includeTop: false }).fileName,
      'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5',
    );
    assert.equal(APPLICATIONS.ResNet101.weightsFile().hash, 'f1aeb4b969a6efcfb50fad2f0c20cfc5');
    assert.throws(
      () => APPLICATIONS.MobileNet.weightsFile({ alpha: 0.3 }),
      /alpha can be one of 0.25, 0.50, 0.75 or 1.0 only/,
    );
    assert.deepEqual(
      Object.values(APPLICATIONS).map((a) => a.preprocess),
      ['caffe', 'caffe', 'caffe', 'caffe', 'caffe', 'tf', 'tf'],
    );
  });

  test('applicationInfo: by name in any case, with the family table; unknown names list the known ones', () => {
    assert.equal(applicationInfo('mobilenet'), APPLICATIONS.MobileNet);
    assert.equal(applicationInfo(' VGG16 ').preprocess, 'caffe');
    assert.equal(applicationInfo('mobilenetv2').family, 'mobilenetV2');
    assert.equal(applicationInfo('MobileNet').fineTuneFrom, 'conv_dw_12');
    assert.equal(applicationInfo('vgg16').fineTuneFrom, 'block5_conv1');
    assert.throws(
      () => applicationInfo('inception'),
      /No application named 'inception': use one of VGG16, VGG19, ResNet50, .*MobileNetV2/,
    );
  });

  test("each family's fine-tuning layer exists in its model and starts its last stage", async () => {
    const small = { includeTop: false, weights: null, inputShape: [32, 32, 3] as [number, number, number] };
    for (const name of ['VGG19', 'ResNet50', 'MobileNet', 'MobileNetV2']) {
      const info = applicationInfo(name);
      const m = await info.build(small);
      const names = m.layers.map((l) => l.name);
      const from = names.indexOf(info.fineTuneFrom);
      assert.ok(from > 0, `${name}: ${info.fineTuneFrom} is a layer of ${m.name}`);
      const trainable = m.layers.slice(from).filter((l) => l.weights.length > 0).length;
      const all = m.layers.filter((l) => l.weights.length > 0).length;
      assert.ok(
        trainable > 0 && trainable < all / 2,
        `${name}: ${trainable} of ${all} weighted layers train from ${info.fineTuneFrom}`,
      );
      m.dispose();
    }
  });

  test('a builder rejects an option its family does not take (no silent ignore)', async () => {
    await assert.rejects(
      applicationInfo('vgg16').build({ weights: null, alpha: 0.25 }),
      /vgg16: got an unexpected option 'alpha'\. Its options are includeTop, weights/,
    );
    await assert.rejects(
      APPLICATIONS.MobileNetV2.build({ weights: null, depthMultiplier: 2 }),
      /mobilenetv2: got an unexpected option 'depthMultiplier'/,
    );
    const m = await applicationInfo('vgg16').build({
      weights: null,
      includeTop: false,
      inputShape: [32, 32, 3],
      alpha: undefined,
    });
    assert.equal(m.name, 'vgg16', 'an option left undefined is no option');
    m.dispose();
  });
});

describe('preprocessInput', () => {
  test("'caffe': RGB -> BGR minus the ImageNet mean, no scaling", () => {
    const x = tf.tensor4d([10, 20, 30, 255, 0, 128], [1, 1, 2, 3]);
    const y = preprocessInput(x, 'caffe');
    const got = Array.from(y.dataSync());
    const want = [30 - 103.939, 20 - 116.779, 10 - 123.68, 128 - 103.939, 0 - 116.779, 255 - 123.68];
    got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-4, `${i}: ${v} vs ${want[i]}`));
    assert.deepEqual(y.shape, x.shape);
    assert.equal(x.isDisposed, false);
    tf.dispose([x, y]);
  });
  test("'tf': x / 127.5 - 1, and no leaks", () => {
    const x = tf.tensor3d([0, 127.5, 255], [1, 1, 3]);
    const n = tf.memory().numTensors;
    const y = preprocessInput(x, 'tf');
    assert.equal(tf.memory().numTensors, n + 1);
    assert.deepEqual(Array.from(y.dataSync()), [-1, 0, 1]);
    tf.dispose([x, y]);
  });
  test('the ImageNetPreprocessing layer applies the mode, saves with it, and loads', async () => {
    const x = tf.tensor4d([0, 127.5, 255, 10, 20, 30], [1, 1, 2, 3]);
    const caffe = new ImageNetPreprocessing({ mode: 'caffe' }).apply(x) as tf.Tensor;
    const d = Array.from(caffe.dataSync());
    assert.ok(Math.abs(d[0] - (255 - 103.939)) < 1e-3 && Math.abs(d[2] - (0 - 123.68)) < 1e-3);
    const m = tf.sequential({ layers: [new ImageNetPreprocessing({ mode: 'tf', inputShape: [1, 2, 3] })] });
    let artifacts: tf.io.ModelArtifacts | undefined;
    await m.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
    assert.ok(loaded.layers[0] instanceof ImageNetPreprocessing);
    assert.equal((loaded.layers[0] as ImageNetPreprocessing).mode, 'tf');
    const y = loaded.predict(x) as tf.Tensor;
    assert.deepEqual(Array.from(y.dataSync()).slice(0, 3), [-1, 0, 1]);
    assert.throws(
      () => new ImageNetPreprocessing({ mode: 'torch' as never }),
      /mode='torch' is not supported: use one of 'caffe', 'tf'/,
    );
    tf.dispose([x, caffe, y]);
    m.dispose();
    loaded.dispose();
  });
  test('rejects images without 3 channels and unknown modes', () => {
    const g = tf.zeros([1, 4, 4, 1]);
    assert.throws(() => preprocessInput(g, 'tf'), /3 channels last.*\[1, 4, 4, 1\]/);
    const c = tf.zeros([1, 3]);
    assert.throws(() => preprocessInput(c, 'torch' as never), /mode must be 'caffe' or 'tf'/);
    tf.dispose([g, c]);
  });
});

describe('decodePredictions and the ImageNet class index', () => {
  test('the index: 1000 classes, unique WordNet ids in ascending order', () => {
    const classes = imagenetClasses();
    assert.equal(classes.length, 1000);
    assert.deepEqual(classes[0], ['n01440764', 'tench']);
    assert.deepEqual(classes[281], ['n02123045', 'tabby']);
    assert.deepEqual(classes[999], ['n15075141', 'toilet_tissue']);
    assert.equal(new Set(classes.map((c) => c[0])).size, 1000);
    for (let i = 1; i < 1000; i++) assert.ok(classes[i][0] > classes[i - 1][0], `wnid order at ${i}`);
    assert.ok(classes.every(([w, n]) => /^n\d{8}$/.test(w) && n.length > 0 && !n.includes(' ')));
  });
  test('top-k per row, best first, from a tensor or arrays', () => {
    const rows = [new Array(1000).fill(0), new Array(1000).fill(0)];
    rows[0][281] = 0.7;
    rows[0][285] = 0.2;
    rows[0][282] = 0.1;
    rows[1][0] = 0.9;
    rows[1][999] = 0.05;
    const t = tf.tensor2d(rows);
    const fromTensor = decodePredictions(t, 3);
    assert.equal(t.isDisposed, false);
    t.dispose();
    assert.deepEqual(
      fromTensor[0].map((p) => p.className),
      ['tabby', 'Egyptian_cat', 'tiger_cat'],
    );
    assert.equal(fromTensor[0][0].classId, 'n02123045');
    assert.ok(Math.abs(fromTensor[0][0].score - 0.7) < 1e-6);
    assert.deepEqual(
      fromTensor[1].slice(0, 2).map((p) => p.classId),
      ['n01440764', 'n15075141'],
    );
    const fromArrays = decodePredictions(rows);
    assert.equal(fromArrays[0].length, 5);
    assert.deepEqual(
      fromArrays[0].slice(0, 3).map((p) => p.className),
      ['tabby', 'Egyptian_cat', 'tiger_cat'],
    );
  });
  test('rejects anything but [N, 1000]', () => {
    const t = tf.zeros([2, 10]);
    assert.throws(
      () => decodePredictions(t),
      /expects a batch of predictions .*shape \[samples, 1000\].*Received array with shape: \[2, 10\]/,
    );
    const v = tf.zeros([1000]);
    assert.throws(() => decodePredictions(v), /Received array with shape: \[1000\]/);
    tf.dispose([t, v]);
    assert.throws(() => decodePredictions([[1, 2, 3]]), /\[1, 3\]/);
  });
});
