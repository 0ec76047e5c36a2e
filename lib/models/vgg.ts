/**
 * VGG16 and VGG19 as in keras.applications (same layer names, shapes and parameter counts), with the Keras
 * ImageNet weights. Preprocess inputs with `preprocessInput(x, VGG.preprocess)` ('caffe').
 */
import * as tf from '@tensorflow/tfjs';
import { ArgumentError } from '../core/argumentError';
import { call } from '../layers/call';
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

/** The VGG family table. */
export const VGG: FamilyInfo = {
  family: 'vgg',
  preprocess: 'caffe',
  defaultSize: 224,
  minSize: 32,
  fineTuneFrom: 'block5_conv1',
  extraOptions: [],
};

/** The VGG depths keras.applications provides. */
export type VggDepth = 16 | 19;

const WEIGHTS: Record<VggDepth, { top: string; noTop: string }> = {
  16: { top: '64373286793e3c8b2b4e3219cbf3544b', noTop: '6d6bbae143d832006294945121d1f1fc' },
  19: { top: 'cbe5617147190e668d6c5d5026f83318', noTop: '253f8cb515780f3b799900260a226db6' },
};
/** The Keras weight file of VGG16/VGG19 with or without top. */
export function vggWeightsFile(depth: VggDepth, includeTop: boolean): KerasWeightsFile {
  const name = `vgg${depth}`;
  return {
    subdir: name,
    fileName: `${name}_weights_tf_dim_ordering_tf_kernels${includeTop ? '' : '_notop'}.h5`,
    hash: includeTop ? WEIGHTS[depth].top : WEIGHTS[depth].noTop,
  };
}

/** VGG options with Keras's defaults and checks applied (once). */
export function resolveVggOptions(depth: VggDepth, opts: ApplicationOptions = {}): ResolvedOptions {
  if (!(depth in WEIGHTS)) {
    throw new ArgumentError({
      en: `VGG depth must be 16 or 19. Received: ${depth}`,
      ko: `VGG 깊이는 16 또는 19 여야 합니다. 받은 값: ${depth}`,
    });
  }
  const o = resolveCommonOptions(`vgg${depth}`, opts, VGG);
  return {
    ...o,
    inputShape: obtainInputShape(o.name, opts.inputShape, VGG.defaultSize, VGG.minSize, o.includeTop, o.weights),
  };
}

type S = tf.SymbolicTensor;

/** A 3x3 convolution with relu and 'same' padding, as every convolution of VGG. */
const conv3x3 = (filters: number, name: string) =>
  tf.layers.conv2d({
    filters,
    kernelSize: 3,
    activation: 'relu',
    padding: 'same',
    kernelInitializer: KERAS_KERNEL_INIT,
    name,
  });

/** One VGG block: `convs` 3x3 convolutions (`block{block}_conv1`, ...), then 2x2 max pooling (`block{block}_pool`). */
function convBlock(x: S, block: number, convs: number, filters: number): S {
  for (let i = 1; i <= convs; i++) x = call(conv3x3(filters, `block${block}_conv${i}`), x);
  return call(tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `block${block}_pool` }), x);
}

/** VGG16's five blocks (configuration D of the paper): 2, 2, 3, 3, 3 convolutions. */
function vgg16Blocks(input: S): S {
  let x = convBlock(input, 1, 2, 64);
  x = convBlock(x, 2, 2, 128);
  x = convBlock(x, 3, 3, 256);
  x = convBlock(x, 4, 3, 512);
  return convBlock(x, 5, 3, 512);
}

/** VGG19's five blocks (configuration E of the paper): 2, 2, 4, 4, 4 convolutions. */
function vgg19Blocks(input: S): S {
  let x = convBlock(input, 1, 2, 64);
  x = convBlock(x, 2, 2, 128);
  x = convBlock(x, 3, 4, 256);
  x = convBlock(x, 4, 4, 512);
  return convBlock(x, 5, 4, 512);
}

const BLOCKS: Record<VggDepth, (input: S) => S> = { 16: vgg16Blocks, 19: vgg19Blocks };

/** The layers of a VGG for resolved options, with random weights. */
function vggLayers(depth: VggDepth, o: ResolvedOptions): tf.LayersModel {
  const input = imageInput(o.inputShape);
  let x = BLOCKS[depth](input);
  if (o.includeTop) {
    x = call(tf.layers.flatten({ name: 'flatten' }), x);
    x = call(kerasDense(4096, 'relu', 'fc1'), x);
    x = call(kerasDense(4096, 'relu', 'fc2'), x);
    x = call(kerasDense(o.classes, o.classifierActivation, 'predictions'), x);
  } else {
    x = applyPooling(x, o.pooling);
  }
  return tf.model({ inputs: input, outputs: x, name: o.name });
}

/** Builds VGG16/VGG19 synchronously with random weights (`weights` is only checked, not loaded). */
export function buildVgg(depth: VggDepth, opts: ApplicationOptions = {}): tf.LayersModel {
  return vggLayers(depth, resolveVggOptions(depth, opts));
}

async function vgg(depth: VggDepth, opts: ApplicationOptions): Promise<tf.LayersModel> {
  const o = resolveVggOptions(depth, opts);
  return loadApplicationWeights(vggLayers(depth, o), o, vggWeightsFile(depth, o.includeTop));
}

/**
 * keras.applications.VGG16: 138,357,544 parameters with top, 14,714,688 without.
 *
 * @example
 * ```ts
 * import { vgg16 } from './lib/models/vgg';
 *
 * const convBase = await vgg16({ weights: 'imagenet', includeTop: false, inputShape: [180, 180, 3] });
 * convBase.summary();
 * ```
 */
export async function vgg16(opts: ApplicationOptions = {}): Promise<tf.LayersModel> {
  return vgg(16, opts);
}

/** keras.applications.VGG19: 143,667,240 parameters with top, 20,024,384 without. */
export async function vgg19(opts: ApplicationOptions = {}): Promise<tf.LayersModel> {
  return vgg(19, opts);
}
