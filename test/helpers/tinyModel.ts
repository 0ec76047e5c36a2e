/**
 * The smallest models the training tests need: one Dense unit on 2 inputs (trainable), and p = sigmoid(x) (outputs
 * computed by hand).
 */
import * as tf from '@tensorflow/tfjs';

/** A compiled `Dense(1)` on 2 inputs with a zero kernel (deterministic start), trained by SGD(0.05) on MSE. */
export function tinyModel(): tf.LayersModel {
  const m = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'zeros' })] });
  m.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError' });
  return m;
}

/** p = sigmoid(x): a compiled one-input binary "model" (kernel 1, bias 0) whose outputs can be computed by hand. */
export function sigmoidModel(): tf.LayersModel {
  const m = tf.sequential({
    layers: [
      tf.layers.dense({
        units: 1,
        inputShape: [1],
        activation: 'sigmoid',
        kernelInitializer: 'ones',
        biasInitializer: 'zeros',
      }),
    ],
  });
  m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return m;
}
