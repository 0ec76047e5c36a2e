/**
 * VGG16 and VGG19 as in keras.applications (same layer names, shapes and parameter counts), with the Keras
 * ImageNet weights. Preprocess inputs with `preprocessInput(x, 'caffe')` from ./imagenet.
 */
import * as tf from '@tensorflow/tfjs';
import { ApplicationOptions, applyPooling, checkCommonOptions, imageInput, loadApplicationWeights, obtainInputShape } from './common';
import { KerasWeightsFile } from './kerasWeights';

const HASHES = {
  vgg16: { top: '64373286793e3c8b2b4e3219cbf3544b', noTop: '6d6bbae143d832006294945121d1f1fc' },
  vgg19: { top: 'cbe5617147190e668d6c5d5026f83318', noTop: '253f8cb515780f3b799900260a226db6' },
};

/** The Keras weight file of VGG16/VGG19 with or without top. */
export function vggWeightsFile(depth: 16 | 19, includeTop: boolean): KerasWeightsFile {
  const name = `vgg${depth}` as const;
  return {
    subdir: name,
    fileName: `${name}_weights_tf_dim_ordering_tf_kernels${includeTop ? '' : '_notop'}.h5`,
    hash: includeTop ? HASHES[name].top : HASHES[name].noTop,
  };
}

/** Builds VGG16/VGG19 synchronously with random weights (`weights` is only checked, not loaded). */
export function buildVgg(depth: 16 | 19, opts: ApplicationOptions = {}): tf.LayersModel {
  const name = `vgg${depth}`;
  const o = checkCommonOptions(name, opts);
  const inputShape = obtainInputShape(name, opts.inputShape, 224, 32, o.includeTop, o.weights);
  const convs = depth === 16 ? [2, 2, 3, 3, 3] : [2, 2, 4, 4, 4];
  const filters = [64, 128, 256, 512, 512];
  const input = imageInput(inputShape);
  let x: tf.SymbolicTensor = input;
  convs.forEach((n, b) => {
    for (let i = 1; i <= n; i++) {
      x = tf.layers.conv2d({ filters: filters[b], kernelSize: 3, activation: 'relu', padding: 'same', name: `block${b + 1}_conv${i}` }).apply(x) as tf.SymbolicTensor;
    }
    x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `block${b + 1}_pool` }).apply(x) as tf.SymbolicTensor;
  });
  if (o.includeTop) {
    x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.dense({ units: 4096, activation: 'relu', name: 'fc1' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.dense({ units: 4096, activation: 'relu', name: 'fc2' }).apply(x) as tf.SymbolicTensor;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    x = tf.layers.dense({ units: o.classes, activation: o.classifierActivation as any, name: 'predictions' }).apply(x) as tf.SymbolicTensor;
  } else {
    x = applyPooling(x, o.pooling);
  }
  return tf.model({ inputs: input, outputs: x, name });
}

/** keras.applications.VGG16: 138,357,544 parameters with top, 14,714,688 without. */
export async function vgg16(opts: ApplicationOptions = {}): Promise<tf.LayersModel> {
  const model = buildVgg(16, opts);
  const o = checkCommonOptions('vgg16', opts);
  return loadApplicationWeights(model, o.weights, vggWeightsFile(16, o.includeTop), o.quiet);
}

/** keras.applications.VGG19: 143,667,240 parameters with top, 20,024,384 without. */
export async function vgg19(opts: ApplicationOptions = {}): Promise<tf.LayersModel> {
  const model = buildVgg(19, opts);
  const o = checkCommonOptions('vgg19', opts);
  return loadApplicationWeights(model, o.weights, vggWeightsFile(19, o.includeTop), o.quiet);
}
