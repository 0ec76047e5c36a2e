/**
 * What CAM and Grad-CAM share: the explained layer (by name, anywhere in the model, or the default feature map),
 * one forward pass that keeps that layer's output and the logits, and the result type (plain numbers).
 */
import * as tf from '@tensorflow/tfjs';
import { findLayer } from '../layers/walk';
import { defaultFeatureLayer } from './chain';
import { LayerHook, runModel } from './graph';
import { ClassChoice, chooseClass, logitHooks, OutputHead, outputHead } from './scores';

/** A class map: the raw map at the explained layer's resolution, and what it explains. */
export interface ClassMap extends ClassChoice {
  /** The map, `height` rows of `width` numbers (no upsampling, no normalisation). */
  map: number[][];
  /** The layer whose output the map is computed on (the last layer, for a nested model). */
  layerName: string;
}

/** One image as a batch of one: [h, w, c] or [1, h, w, c] (preprocessed as the model expects). */
function asBatch(image: tf.Tensor): tf.Tensor4D {
  if (image.rank === 3) return tf.expandDims(image, 0) as tf.Tensor4D;
  if (image.rank === 4 && image.shape[0] === 1) return tf.clone(image) as tf.Tensor4D;
  throw new Error(
    `expected one image [height, width, channels] or [1, height, width, channels]; got shape [${image.shape}].`,
  );
}

/** The layer named `layerName` (nested models searched), else the default feature map; checked to be 4D. */
export function explainedLayer(model: tf.LayersModel, layerName?: string): tf.layers.Layer {
  let layer: tf.layers.Layer;
  if (layerName === undefined) layer = defaultFeatureLayer(model);
  else {
    const place = findLayer(model, layerName);
    if (!place)
      throw new Error(
        `model '${model.name}' has no layer named '${layerName}' (nested models searched); see model.summary() for names.`,
      );
    layer = place.layer;
  }
  const out = layer.getOutputAt(0);
  const shape = (Array.isArray(out) ? out[0] : out).shape;
  if (shape.length !== 4)
    throw new Error(
      `layer '${layer.name}' outputs shape [${shape}]; explain a layer with a 4D feature map [batch, height, width, channels].`,
    );
  return layer;
}

/** A hook that records a layer's output (one call only) into `into.value`. */
function captureHook(layer: tf.layers.Layer, into: { value?: tf.Tensor }): LayerHook {
  return (compute) => {
    if (into.value) throw new Error(`layer '${layer.name}' runs more than once in this model; explain another layer.`);
    const out = compute();
    if (Array.isArray(out)) throw new Error(`layer '${layer.name}' has several outputs; explain a layer with one.`);
    into.value = out;
    return out;
  };
}

/** One forward pass (call inside `tf.tidy`): `layer`'s output and the logits of `head`. */
function forwardWithFeatures(
  model: tf.LayersModel,
  x: tf.Tensor4D,
  head: OutputHead,
  layer: tf.layers.Layer,
): { features: tf.Tensor4D; logits: tf.Tensor } {
  const into: { value?: tf.Tensor } = {};
  const hooks = logitHooks(head);
  hooks.set(layer, captureHook(layer, into));
  const [logits] = runModel(model, x, hooks);
  if (!into.value)
    throw new Error(`layer '${layer.name}' did not run: it is not on the path from the input to the output.`);
  return { features: into.value as tf.Tensor4D, logits };
}

/** What `explainForward` hands on: the image batch, the output head, the layer's output and the chosen class. */
export interface Forward {
  x: tf.Tensor4D;
  head: OutputHead;
  features: tf.Tensor4D;
  choice: ClassChoice;
  /** Disposes `t` with the rest when `explainForward` returns. */
  keep(t: tf.Tensor): void;
}

/**
 * The start both explainers share: one forward pass keeping `layer`'s output and the logits, the class chosen
 * (`classIndex`, else the top class); runs `use`, then disposes every tensor made here.
 */
export async function explainForward<T>(
  model: tf.LayersModel,
  image: tf.Tensor,
  layer: tf.layers.Layer,
  classIndex: number | undefined,
  use: (f: Forward) => Promise<T>,
): Promise<T> {
  const head = outputHead(model);
  const x = asBatch(image);
  const kept: tf.Tensor[] = [x];
  try {
    const { features, logits } = tf.tidy(() => forwardWithFeatures(model, x, head, layer));
    kept.push(features, logits);
    const choice = chooseClass(await logits.data(), head, classIndex);
    return await use({ x, head, features, choice, keep: (t) => void kept.push(t) });
  } finally {
    tf.dispose(kept);
  }
}

/** `values` (row-major, `height` x `width`) as rows of plain numbers. */
export function toRows(values: ArrayLike<number>, height: number, width: number): number[][] {
  return Array.from({ length: height }, (_, i) => Array.from({ length: width }, (_, j) => values[i * width + j]));
}
