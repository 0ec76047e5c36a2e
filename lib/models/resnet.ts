/**
 * ResNet50/101/152 (v1) as in keras.applications.resnet: layer names conv1_pad, conv1_conv, conv1_bn, ...,
 * conv2_block1_0_conv, ..., avg_pool, predictions; BatchNormalization epsilon 1.001e-5, using the frozen-aware
 * BatchNormalization of layers/frozenBatchNorm.ts. Preprocess inputs with `preprocessInput(x, RESNET.preprocess)`.
 */
import * as tf from '@tensorflow/tfjs';
import { ArgumentError } from '../core/argumentError';
import { call } from '../layers/call';
import { frozenBatchNormalization } from '../layers/frozenBatchNorm';
import {
  ApplicationOptions,
  applyPooling,
  FamilyInfo,
  imageInput,
  KERAS_KERNEL_INIT,
  kerasDense,
  obtainInputShape,
  resolveCommonOptions,
  ResolvedOptions,
} from './common';
import { KerasWeightsFile } from './weightFiles';
import { loadApplicationWeights } from './weights';

/** The ResNet (v1) family table. */
export const RESNET: FamilyInfo = {
  family: 'resnet',
  preprocess: 'caffe',
  defaultSize: 224,
  minSize: 32,
  fineTuneFrom: 'conv5_block1_1_conv',
  extraOptions: [],
};

/** The ResNet depths keras.applications.resnet provides. */
export type ResNetDepth = 50 | 101 | 152;

const BLOCKS: Record<ResNetDepth, [number, number, number, number]> = {
  50: [3, 4, 6, 3],
  101: [3, 4, 23, 3],
  152: [3, 8, 36, 3],
};
const HASHES: Record<ResNetDepth, [string, string]> = {
  50: ['2cb95161c43110f7111970584f804107', '4d473c1dd8becc155b73f8504c6f6626'],
  101: ['f1aeb4b969a6efcfb50fad2f0c20cfc5', '88cf7a10940856eca736dc7b7e228a21'],
  152: ['100835be76be38e30d865e96f2aaae62', 'ee4c566cf9a93f14d82f913c2dc6dd0c'],
};

/** The Keras weight file of a ResNet with or without top. */
export function resnetWeightsFile(depth: ResNetDepth, includeTop: boolean): KerasWeightsFile {
  return {
    subdir: 'resnet',
    fileName: `resnet${depth}_weights_tf_dim_ordering_tf_kernels${includeTop ? '' : '_notop'}.h5`,
    hash: HASHES[depth][includeTop ? 0 : 1],
  };
}

type S = tf.SymbolicTensor;
const bn = (name: string) => frozenBatchNormalization({ axis: 3, epsilon: 1.001e-5, name });
const relu = (name: string) => tf.layers.activation({ activation: 'relu', name });
/** Zero padding of `p` rows and columns on every side. */
const pad = (name: string, p: number) =>
  tf.layers.zeroPadding2d({
    padding: [
      [p, p],
      [p, p],
    ],
    name,
  });
/** A Conv2D with Keras's default kernel initializer. */
const conv = (args: Parameters<typeof tf.layers.conv2d>[0]) =>
  tf.layers.conv2d({ kernelInitializer: KERAS_KERNEL_INIT, ...args });

/**
 * Keras's ResNet v1 bottleneck block (`block1`): 1x1 (stride) -> 3x3 -> 1x1 with 4 x filters, each convolution
 * followed by BatchNormalization, added to the shortcut, then relu. The shortcut is the input itself (an identity
 * block: the input must have 4 x filters channels and stride be 1) or, with `convShortcut`, a 1x1 convolution with
 * the same stride and its BatchNormalization (a projection block: it changes the channels and the size).
 */
export function bottleneckBlock(x: S, filters: number, stride: number, convShortcut: boolean, name: string): S {
  let shortcut = x;
  if (convShortcut) {
    shortcut = call(conv({ filters: 4 * filters, kernelSize: 1, strides: stride, name: `${name}_0_conv` }), x);
    shortcut = call(bn(`${name}_0_bn`), shortcut);
  }
  let y = call(conv({ filters, kernelSize: 1, strides: stride, name: `${name}_1_conv` }), x);
  y = call(bn(`${name}_1_bn`), y);
  y = call(relu(`${name}_1_relu`), y);
  y = call(conv({ filters, kernelSize: 3, padding: 'same', name: `${name}_2_conv` }), y);
  y = call(bn(`${name}_2_bn`), y);
  y = call(relu(`${name}_2_relu`), y);
  y = call(conv({ filters: 4 * filters, kernelSize: 1, name: `${name}_3_conv` }), y);
  y = call(bn(`${name}_3_bn`), y);
  y = call(tf.layers.add({ name: `${name}_add` }), [shortcut, y]);
  return call(relu(`${name}_out`), y);
}

function stack1(x: S, filters: number, blocks: number, stride1: number, name: string): S {
  x = bottleneckBlock(x, filters, stride1, true, `${name}_block1`);
  for (let i = 2; i <= blocks; i++) x = bottleneckBlock(x, filters, 1, false, `${name}_block${i}`);
  return x;
}

/** ResNet options with Keras's defaults and checks applied (once). */
export function resolveResNetOptions(depth: ResNetDepth, opts: ApplicationOptions = {}): ResolvedOptions {
  if (!(depth in BLOCKS)) {
    throw new ArgumentError({
      en: `ResNet depth must be 50, 101 or 152. Received: ${depth}`,
      ko: `ResNet 깊이는 50, 101 또는 152 여야 합니다. 받은 값: ${depth}`,
    });
  }
  const o = resolveCommonOptions(`resnet${depth}`, opts, RESNET);
  return {
    ...o,
    inputShape: obtainInputShape(o.name, opts.inputShape, RESNET.defaultSize, RESNET.minSize, o.includeTop, o.weights),
  };
}

/** The layers of a ResNet for resolved options, with random weights. */
function resnetLayers(depth: ResNetDepth, o: ResolvedOptions): tf.LayersModel {
  const input = imageInput(o.inputShape);
  let x = call(pad('conv1_pad', 3), input);
  x = call(conv({ filters: 64, kernelSize: 7, strides: 2, useBias: true, name: 'conv1_conv' }), x);
  x = call(bn('conv1_bn'), x);
  x = call(relu('conv1_relu'), x);
  x = call(pad('pool1_pad', 1), x);
  x = call(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, name: 'pool1_pool' }), x);
  const [b2, b3, b4, b5] = BLOCKS[depth];
  x = stack1(x, 64, b2, 1, 'conv2');
  x = stack1(x, 128, b3, 2, 'conv3');
  x = stack1(x, 256, b4, 2, 'conv4');
  x = stack1(x, 512, b5, 2, 'conv5');
  // Keras names ResNet's pooling layers avg_pool / max_pool, with or without the top.
  x = applyPooling(x, o.includeTop ? 'avg' : o.pooling, { avg: 'avg_pool', max: 'max_pool' });
  if (o.includeTop) x = call(kerasDense(o.classes, o.classifierActivation, 'predictions'), x);
  return tf.model({ inputs: input, outputs: x, name: o.name });
}

/** Builds a ResNet synchronously with random weights (`weights` is only checked, not loaded). */
export function buildResNet(depth: ResNetDepth, opts: ApplicationOptions = {}): tf.LayersModel {
  return resnetLayers(depth, resolveResNetOptions(depth, opts));
}

async function resnet(depth: ResNetDepth, opts: ApplicationOptions): Promise<tf.LayersModel> {
  const o = resolveResNetOptions(depth, opts);
  return loadApplicationWeights(resnetLayers(depth, o), o, resnetWeightsFile(depth, o.includeTop));
}

/**
 * keras.applications.ResNet50: 25,636,712 parameters with top, 23,587,712 without.
 *
 * @example
 * ```ts
 * import { resnet50 } from './lib/models/resnet';
 *
 * const convBase = await resnet50({ includeTop: false, inputShape: [180, 180, 3], pooling: 'avg' });
 * console.log(convBase.outputs[0].shape); // [null, 2048]
 * ```
 */
export async function resnet50(opts: ApplicationOptions = {}): Promise<tf.LayersModel> {
  return resnet(50, opts);
}
/** keras.applications.ResNet101: 44,707,176 parameters with top, 42,658,176 without. */
export async function resnet101(opts: ApplicationOptions = {}): Promise<tf.LayersModel> {
  return resnet(101, opts);
}
/** keras.applications.ResNet152: 60,419,944 parameters with top, 58,370,944 without. */
export async function resnet152(opts: ApplicationOptions = {}): Promise<tf.LayersModel> {
  return resnet(152, opts);
}
