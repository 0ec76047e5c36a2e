/**
 * keras.applications for TF.js: the builders, their ImageNet pre/post-processing, and a small registry
 * (`APPLICATIONS`) for notebooks that pick a model by name.
 */
import * as tf from '@tensorflow/tfjs';
import { ApplicationOptions } from './common';
import { PreprocessMode } from './imagenet';
import { KerasWeightsFile, kerasWeightsUrl } from './kerasWeights';
import { mobilenet, mobilenetWeightsFile } from './mobilenet';
import { mobilenetV2, mobilenetV2WeightsFile } from './mobilenetV2';
import { resnet101, resnet152, resnet50, resnetWeightsFile } from './resnet';
import { vgg16, vgg19, vggWeightsFile } from './vgg';

export * from './common';
export * from './imagenet';
export * from './kerasWeights';
export * from './mobilenet';
export * from './mobilenetV2';
export * from './resnet';
export * from './vgg';

/** One entry of `APPLICATIONS`. */
export interface ApplicationInfo {
  /** Builds the model (async: 'imagenet' weights may download). */
  build: (opts?: ApplicationOptions) => Promise<tf.LayersModel>;
  family: 'vgg' | 'resnet' | 'mobilenet' | 'mobilenetV2';
  /** Default (and with-top ImageNet) input size. */
  defaultSize: number;
  /** The `preprocessInput` mode the weights expect. */
  preprocess: PreprocessMode;
  /** The Keras ImageNet weight file (default alpha for MobileNets) and its URL. */
  weights: (includeTop: boolean) => KerasWeightsFile & { url: string };
}

const withUrl = (f: KerasWeightsFile) => ({ ...f, url: kerasWeightsUrl(f) });

/** The available applications by Keras-style name. */
export const APPLICATIONS: Record<'VGG16' | 'VGG19' | 'ResNet50' | 'ResNet101' | 'ResNet152' | 'MobileNet' | 'MobileNetV2', ApplicationInfo> = {
  VGG16: { build: vgg16, family: 'vgg', defaultSize: 224, preprocess: 'caffe', weights: (t) => withUrl(vggWeightsFile(16, t)) },
  VGG19: { build: vgg19, family: 'vgg', defaultSize: 224, preprocess: 'caffe', weights: (t) => withUrl(vggWeightsFile(19, t)) },
  ResNet50: { build: resnet50, family: 'resnet', defaultSize: 224, preprocess: 'caffe', weights: (t) => withUrl(resnetWeightsFile(50, t)) },
  ResNet101: { build: resnet101, family: 'resnet', defaultSize: 224, preprocess: 'caffe', weights: (t) => withUrl(resnetWeightsFile(101, t)) },
  ResNet152: { build: resnet152, family: 'resnet', defaultSize: 224, preprocess: 'caffe', weights: (t) => withUrl(resnetWeightsFile(152, t)) },
  MobileNet: { build: mobilenet, family: 'mobilenet', defaultSize: 224, preprocess: 'tf', weights: (t) => withUrl(mobilenetWeightsFile(1.0, 224, t)) },
  MobileNetV2: { build: mobilenetV2, family: 'mobilenetV2', defaultSize: 224, preprocess: 'tf', weights: (t) => withUrl(mobilenetV2WeightsFile(1.0, 224, t)) },
};
