/** Showing what augmentation does: run the layers in training mode on a batch (e.g. for an image grid). */
import * as tf from '@tensorflow/tfjs';

/**
 * Runs the augmentation layers in training mode on a batch and returns the augmented copy (a new tensor; the
 * input is not disposed).
 */
export function augmentBatch(layers: tf.layers.Layer[], images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    let x: tf.Tensor = images;
    for (const l of layers) x = l.apply(x, { training: true }) as tf.Tensor;
    return (x === images ? tf.clone(x) : x) as tf.Tensor4D;
  });
}
