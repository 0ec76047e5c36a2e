/**
 * `call(layer, x)`: a layer applied to a symbolic tensor, typed. `layer.apply` returns `Tensor | Tensor[] |
 * SymbolicTensor | SymbolicTensor[]`; a model builder always feeds symbolic tensors to a one-output layer, so
 * this is the one place that says so (Keras writes `layer(x)`).
 */
import * as tf from '@tensorflow/tfjs';

/** Applies a one-output layer to a symbolic tensor (or a list of them, for merge layers such as Add). */
export function call(layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]): tf.SymbolicTensor {
  const y = layer.apply(x);
  if (Array.isArray(y) || !(y instanceof tf.SymbolicTensor))
    throw new Error(`call: layer '${layer.name}' did not return one symbolic tensor; apply it with layer.apply(x).`);
  return y;
}
