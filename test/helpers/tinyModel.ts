/** The smallest trainable model the training tests need: one Dense unit on 2 inputs, zero kernel, SGD on MSE. */
import * as tf from '@tensorflow/tfjs';

/** A compiled `Dense(1)` on 2 inputs with a zero kernel (deterministic start), trained by SGD(0.05) on MSE. */
export function tinyModel(): tf.LayersModel {
  const m = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'zeros' })] });
  m.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError' });
  return m;
}
