/**
 * The ImageNet weights that ship with the library (`lib/assets/keras-weights/`): Keras's MobileNet α=0.25 files,
 * with and without the top. The offline default backbone of the lesson's mini profile and of `trainOnFolder`.
 */
import { assetPath } from '../core/paths';

/** A backbone whose weights ship in lib/assets: its Keras name, width and weight files (without / with the top). */
export interface ShippedBackbone {
  application: 'MobileNet';
  alpha: number;
  /** The Keras .h5 file without the top. */
  weights: string;
  /** The same weights with the ImageNet top. */
  weightsWithTop: string;
}

/** MobileNet α=0.25 with the Keras ImageNet weights shipped in lib/assets. */
export const SHIPPED_MOBILENET: ShippedBackbone = {
  application: 'MobileNet',
  alpha: 0.25,
  weights: assetPath('keras-weights', 'mobilenet_2_5_224_tf_no_top.h5'),
  weightsWithTop: assetPath('keras-weights', 'mobilenet_2_5_224_tf.h5'),
};
