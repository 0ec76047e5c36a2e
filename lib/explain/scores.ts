/**
 * The class scores that CAM and Grad-CAM explain: the model's output BEFORE its final softmax / sigmoid (the
 * logits). The final activation is found on the output chain: a separate `Activation` / `Softmax` layer (its
 * input is the logits), or a Dense / Conv2D layer with activation 'softmax' / 'sigmoid' (its linear part is
 * recomputed from its own kernel and bias). A model whose last layer is linear is its own score.
 *
 * Classes of a sigmoid output with one unit (a binary classifier): class 1 is the positive class, its score
 * the logit z; class 0 is the negative class, its score -z (the log-odds of class 0). The top class is 1
 * when z > 0 (probability > 0.5, the rule of Keras's binary accuracy and of `evaluateModel`).
 */
import * as tf from '@tensorflow/tfjs';
import { outputChain, PASS_THROUGH } from './chain';
import { LayerHook } from './graph';

/** The final activation of a model. */
export type OutputActivation = 'softmax' | 'sigmoid' | 'linear';

/** What a model's output is made of: its final activation and how to compute the logits instead. */
export interface OutputHead {
  activation: OutputActivation;
  /** The layer holding the final activation (or the model's last layer when it is linear). */
  layer: tf.layers.Layer;
  /** Replaces `layer`'s output by the logits (undefined when the output already is the logits). */
  hook?: LayerHook;
  /** Number of classes: the output units, or 2 for a one-unit sigmoid. */
  numClasses: number;
}

type LayerConfig = {
  activation?: string;
  axis?: number | number[];
  strides?: number | number[];
  padding?: string;
  dilationRate?: number | number[];
  dataFormat?: string;
};
const configOf = (layer: tf.layers.Layer) => layer.getConfig() as LayerConfig;

/** A layer's weight tensor whose name ends in `suffix` ('kernel' / 'bias'). */
export function layerWeight(layer: tf.layers.Layer, suffix: 'kernel' | 'bias'): tf.Tensor | undefined {
  const own = (name: string) =>
    name
      .split('/')
      .pop()
      ?.replace(/(_\d+)?(:\d+)?$/, '');
  return layer.weights.find((w) => own(w.originalName ?? w.name) === suffix)?.read();
}

/** The linear part (no activation) of a Dense or Conv2D layer applied to `x`. */
function linearPart(layer: tf.layers.Layer, x: tf.Tensor): tf.Tensor {
  const kernel = layerWeight(layer, 'kernel');
  const bias = layerWeight(layer, 'bias');
  if (!kernel) throw new Error(`layer '${layer.name}' has no kernel.`);
  let y: tf.Tensor;
  if (layer.getClassName() === 'Dense') {
    const [inputs, units] = kernel.shape as [number, number];
    y = tf.matMul(x.reshape([-1, inputs]), kernel as tf.Tensor2D).reshape([...x.shape.slice(0, -1), units]);
  } else {
    const c = configOf(layer);
    if (c.dataFormat === 'channelsFirst')
      throw new Error(`layer '${layer.name}': channelsFirst convolutions are not supported; use channelsLast.`);
    const pad = c.padding === 'same' ? 'same' : 'valid';
    y = tf.conv2d(
      x as tf.Tensor4D,
      kernel as tf.Tensor4D,
      c.strides as [number, number],
      pad,
      'NHWC',
      c.dilationRate as [number, number],
    );
  }
  return bias ? tf.add(y, bias) : y;
}

/** Finds the final activation of `model` and how to get the logits (see the file's comment). */
export function outputHead(model: tf.LayersModel): OutputHead {
  if (model.outputs.length !== 1)
    throw new Error(`model '${model.name}' has ${model.outputs.length} outputs; explain a model with one.`);
  const last = outputChain(model).find((s) => !PASS_THROUGH.has(s.layer.getClassName()));
  if (!last) throw new Error(`model '${model.name}' has no layers.`);
  const units = last.output.shape[last.output.shape.length - 1] ?? 0;
  const numClasses = (n: number, act: OutputActivation) => (act === 'sigmoid' && n === 1 ? 2 : n);
  const cls = last.layer.getClassName();
  const act = cls === 'Softmax' ? 'softmax' : (configOf(last.layer).activation ?? 'linear');
  if (act !== 'softmax' && act !== 'sigmoid') {
    if (act !== 'linear')
      throw new Error(
        `model '${model.name}' ends in '${last.layer.name}' with activation '${act}'; explain a model that ` +
          `ends in softmax, sigmoid or a linear layer.`,
      );
    return { activation: 'linear', layer: last.layer, numClasses: units };
  }
  let hook: LayerHook;
  if (cls === 'Activation' || cls === 'Softmax') hook = (_compute, inputs) => inputs()[0];
  else if (cls === 'Dense' || cls === 'Conv2D') hook = (_compute, inputs) => linearPart(last.layer, inputs()[0]);
  else
    throw new Error(
      `model '${model.name}' ends in a ${cls} layer ('${last.layer.name}') with a ${act}; put the activation in its own Activation layer.`,
    );
  return { activation: act, layer: last.layer, hook, numClasses: numClasses(units, act) };
}

/** The hooks that make `runModel` return the logits of `head` instead of the probabilities. */
export function logitHooks(head: OutputHead): Map<tf.layers.Layer, LayerHook> {
  return new Map(head.hook ? [[head.layer, head.hook]] : []);
}

/** The scalar score of `classIndex` from the logits `z` (one image): z[c], or ±z for a one-unit sigmoid. */
export function classScore(z: tf.Tensor, head: OutputHead, classIndex: number): tf.Scalar {
  const flat = z.reshape([-1]);
  if (head.activation === 'sigmoid' && flat.size === 1)
    return (classIndex === 1 ? flat.sum() : flat.sum().neg()) as tf.Scalar;
  return flat.slice(classIndex, 1).sum() as tf.Scalar;
}

/** The explained class, its score (logit) and its probability (the model's output for it). */
export interface ClassChoice {
  classIndex: number;
  score: number;
  probability: number;
}

/** Chooses the class to explain from the logits `z` (read values): `classIndex`, else the top class. */
export function chooseClass(z: ArrayLike<number>, head: OutputHead, classIndex?: number): ClassChoice {
  const logits = Array.from(z);
  const binary = head.activation === 'sigmoid' && logits.length === 1;
  const n = binary ? 2 : logits.length;
  const c = classIndex ?? (binary ? (logits[0] > 0 ? 1 : 0) : logits.indexOf(Math.max(...logits)));
  if (!Number.isInteger(c) || c < 0 || c >= n)
    throw new Error(`classIndex ${classIndex} is out of range: the model has ${n} classes (0..${n - 1}).`);
  const score = binary ? (c === 1 ? logits[0] : -logits[0]) : logits[c];
  const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
  if (head.activation === 'sigmoid') return { classIndex: c, score, probability: sigmoid(score) };
  if (head.activation === 'linear') return { classIndex: c, score, probability: score };
  const max = Math.max(...logits);
  const sum = logits.reduce((s, v) => s + Math.exp(v - max), 0);
  return { classIndex: c, score, probability: Math.exp(score - max) / sum };
}
