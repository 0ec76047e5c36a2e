/**
 * `ImageNetPreprocessing`: keras.applications' `preprocess_input` as a layer, so a model takes RGB images in
 * 0..255 and preprocesses them itself (`buildTransferModel` puts it between augmentation and the base).
 */
import * as tf from '@tensorflow/tfjs';
import { BaseLayerArgs, checkChoice, layerArgs, oneTensor, registerLayer } from '../layers/args';
import { preprocessInput, type PreprocessMode } from './imagenet';

/** Arguments of `ImageNetPreprocessing`. */
export interface ImageNetPreprocessingArgs extends BaseLayerArgs {
  /** The mode the base's ImageNet weights expect: `applicationInfo(name).preprocess`. */
  mode: PreprocessMode;
}

/**
 * `keras.applications.*.preprocess_input` as a layer, for RGB images in 0..255 (always active):
 * `caffe` = RGB->BGR minus the ImageNet mean; `tf` = scale to [-1, 1] (./imagenet `preprocessInput`).
 */
export class ImageNetPreprocessing extends tf.layers.Layer {
  /** The name a saved model records for this layer (and tfjs registers it under). */
  static className = 'ImageNetPreprocessing';
  readonly mode: PreprocessMode;

  constructor(args: ImageNetPreprocessingArgs) {
    super(layerArgs(args));
    this.mode = checkChoice('ImageNetPreprocessing', 'mode', args?.mode, ['caffe', 'tf'] as const, 'caffe');
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return preprocessInput(oneTensor(inputs), this.mode);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), mode: this.mode };
  }
}
registerLayer(ImageNetPreprocessing);
