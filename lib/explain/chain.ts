/**
 * The model's output chain, read backwards: from the output layer to the input, following each layer's first
 * input, stepping into a nested model at its output and out of it at its input (a transfer model's base is
 * one layer: the chain goes through the base's own layers). Used to find the head (softmax, pooling, classifier)
 * and the last feature map before it.
 */
import * as tf from '@tensorflow/tfjs';
import { isContainer, isInputLayer, nodeInputs } from './graph';

/** One leaf layer on the chain and the output of it that the chain follows. */
export interface ChainStep {
  layer: tf.layers.Layer;
  output: tf.SymbolicTensor;
}

/** The leaf layers on the output chain of `model` (its first output), output first. */
export function outputChain(model: tf.LayersModel): ChainStep[] {
  const steps: ChainStep[] = [];
  const outer: tf.SymbolicTensor[] = []; // where the chain entered nested models, innermost last
  let st: tf.SymbolicTensor | undefined = model.outputs[0];
  while (st) {
    const layer: tf.layers.Layer = st.sourceLayer;
    if (isContainer(layer)) {
      outer.push(st);
      st = layer.outputs[st.tensorIndex];
    } else if (isInputLayer(layer)) {
      const entered = outer.pop();
      if (!entered) break;
      const container = entered.sourceLayer as tf.layers.Layer & tf.LayersModel;
      st = nodeInputs(container, entered.nodeIndex)[Math.max(0, container.inputs.indexOf(st))];
    } else {
      steps.push({ layer, output: st });
      st = nodeInputs(layer, st.nodeIndex)[0];
    }
  }
  return steps;
}

/** Layers that only reshape or pass values through at inference: skipped when reading a head. */
export const PASS_THROUGH = new Set([
  'Reshape',
  'Flatten',
  'Dropout',
  'SpatialDropout1D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
]);

/** Layers that turn a feature map into one vector: the start of a classifier head. */
const POOLING = new Set(['GlobalAveragePooling2D', 'GlobalMaxPooling2D', 'Flatten']);

const spatial = (shape: (number | null)[]): number => (shape[1] ?? 2) * (shape[2] ?? 2);

/**
 * The default Grad-CAM layer: the layer whose output feeds the head (the last global pooling or Flatten on the
 * output chain), else the last layer with a 4D output larger than 1x1. Throws when there is none.
 */
export function defaultFeatureLayer(model: tf.LayersModel): tf.layers.Layer {
  const steps = outputChain(model);
  const pool = steps.findIndex((s) => POOLING.has(s.layer.getClassName()));
  const fed = pool >= 0 ? steps[pool + 1] : undefined;
  if (fed && fed.output.shape.length === 4) return fed.layer;
  const last4d = steps.find((s) => s.output.shape.length === 4 && spatial(s.output.shape) > 1);
  if (last4d) return last4d.layer;
  throw new Error(
    `model '${model.name}' has no 4D feature map on its output chain; pass layerName (a convolutional layer's name).`,
  );
}
