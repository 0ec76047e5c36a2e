/**
 * The profile's convolutional base with its preprocessing, built in one call for notebooks 02 and 04-07 (and 08
 * through gradCamViews.ts; 00 takes the shipped classifier, `loadShippedClassifier`):
 *
 *     const { convBase, preprocess } = await loadBackbone(lesson.profile);
 *
 * The keras.applications facts (preprocessing mode, default fine-tuning layer) come from the family table in
 * lib/models/applications.ts; the weights from the profile (Keras's ImageNet files, or the shipped MobileNet α=0.25).
 */
import * as tf from '@tensorflow/tfjs';
import { applicationInfo, type ApplicationInfo } from '../models/applications';
import { preprocessInput, type PreprocessMode } from '../models/imagenet';
import { SHIPPED_BACKBONE, type LessonProfile } from './profile';

/** Options of `loadBackbone`. */
export interface LessonBackboneOptions {
  /** With the ImageNet classifier on top (default false): then the input is the family's default size (224). */
  includeTop?: boolean;
  /** Input shape without the top (default: the profile's image size, 3 channels). */
  inputShape?: [number, number, number];
}

/** What goes with a built model of the profile: its preprocessing and family facts. */
export interface BackboneFacts {
  /** Keras's `preprocess_input` for this family, on 0..255 images (a new tensor). */
  preprocess: (x: tf.Tensor4D) => tf.Tensor4D;
  /** The preprocessing mode ('caffe' for VGG16, 'tf' for MobileNet). */
  preprocessMode: PreprocessMode;
  /** The first layer of the base's last stage: where fine-tuning starts ('block5_conv1', 'conv_dw_12'). */
  fineTuneFrom: string;
  /** The application's table entry (name, family, default size ...). */
  info: ApplicationInfo;
  /** The input shape the model was built for. */
  inputShape: [number, number, number];
}

/** The profile's convolutional base (no top) and what goes with it. */
export interface Backbone extends BackboneFacts {
  /** The convolutional base: the layers up to the last feature map. */
  convBase: tf.LayersModel;
}

/** The profile's whole ImageNet classifier (`includeTop: true`) and what goes with it. */
export interface ImageNetClassifier extends BackboneFacts {
  /** The whole model: the convolutional base and its ImageNet top (1,000 classes). */
  classifier: tf.LayersModel;
}

/**
 * Builds the profile's backbone (see the file comment): the convolutional base, or with `includeTop: true` the
 * whole ImageNet classifier. Weights: the profile's, with or without the top.
 */
export async function loadBackbone(
  profile: Pick<LessonProfile, 'backbone' | 'imageSize'>,
  opts?: LessonBackboneOptions & { includeTop?: false },
): Promise<Backbone>;
export async function loadBackbone(
  profile: Pick<LessonProfile, 'backbone' | 'imageSize'>,
  opts: LessonBackboneOptions & { includeTop: true },
): Promise<ImageNetClassifier>;
export async function loadBackbone(
  profile: Pick<LessonProfile, 'backbone' | 'imageSize'>,
  opts: LessonBackboneOptions = {},
): Promise<Backbone | ImageNetClassifier> {
  const spec = profile.backbone;
  const info = applicationInfo(spec.application);
  const includeTop = opts.includeTop ?? false;
  const inputShape: [number, number, number] = includeTop
    ? [info.defaultSize, info.defaultSize, 3]
    : (opts.inputShape ?? [profile.imageSize[0], profile.imageSize[1], 3]);
  const weights = includeTop ? spec.weightsWithTop : spec.weights;
  const alpha = info.extraOptions.includes('alpha') ? spec.alpha : undefined;
  const model = await info.build({ includeTop, weights, inputShape, alpha });
  const mode = info.preprocess;
  return {
    ...(includeTop ? { classifier: model } : { convBase: model }),
    preprocess: (x) => preprocessInput(x, mode),
    preprocessMode: mode,
    fineTuneFrom: info.fineTuneFrom,
    info,
    inputShape,
  };
}

/**
 * The shipped MobileNet α=0.25 with its ImageNet top (224x224), whatever the profile: its head is global average
 * pooling and one linear layer, the head a class activation map needs (VGG16's Flatten head has no such map).
 */
export function loadShippedClassifier(): Promise<ImageNetClassifier> {
  return loadBackbone({ backbone: SHIPPED_BACKBONE, imageSize: [224, 224] }, { includeTop: true });
}
