/**
 * Walks a model's saved topology (`model.toJSON`: functional models, Sequential models, and models nested in
 * them as one layer, like the base inside a transfer model) and adds each layer's ONNX nodes to an `OnnxGraph`
 * through the converter table. Weights come from the live layers, found by name in their container.
 */
import * as tf from '@tensorflow/tfjs';
import { converterFor } from './converters';
import { layerError } from './layerContext';
import type { OnnxGraph, Value } from './onnxGraph';

/** A model's or a layer's saved JSON (Keras's snake_case spelling). */
export interface LayerJson {
  class_name: string;
  name?: string;
  config: Record<string, unknown>;
  inbound_nodes?: unknown[][];
}
/** `[layerName, nodeIndex, tensorIndex, kwargs?]`: where a layer's input comes from. */
type NodeRef = [string, number, number, ...unknown[]];

/** Saved class names of models (a nested model is one layer of its parent). */
const MODEL_CLASSES = new Set(['Model', 'Functional', 'Sequential']);

/** Converts one layer (or a nested model) applied to `inputs`; returns its output. */
function emitLayer(g: OnnxGraph, container: tf.LayersModel, json: LayerJson, inputs: Value[], prefix: string): Value {
  const name = json.name ?? String(json.config.name);
  const path = `${prefix}${name}`;
  const layer = container.getLayer(name);
  if (MODEL_CLASSES.has(json.class_name)) {
    const outputs = emitModel(g, layer as unknown as tf.LayersModel, json, inputs, `${path}/`);
    if (outputs.length !== 1)
      throw layerError({ path, className: json.class_name }, 'nested models must have one output.');
    return outputs[0];
  }
  return converterFor(path, json.class_name)(
    { graph: g, path, className: json.class_name, config: json.config, layer },
    inputs,
  );
}

/** A Sequential model: its layers one after the other. */
function emitSequential(g: OnnxGraph, model: tf.LayersModel, layers: LayerJson[], inputs: Value[], prefix: string) {
  let x = inputs;
  for (const json of layers) if (json.class_name !== 'InputLayer') x = [emitLayer(g, model, json, x, prefix)];
  return x;
}

/**
 * Adds the nodes of `model` (its saved JSON `json`) applied to `inputs` (one per model input) to `g`; node and
 * constant names start with `prefix`. Returns the model's outputs. Layers are visited in the saved order, which
 * is topological; a layer applied several times in one model is converted once per application.
 */
export function emitModel(
  g: OnnxGraph,
  model: tf.LayersModel,
  json: LayerJson,
  inputs: Value[],
  prefix: string,
): Value[] {
  const config = json.config;
  if (json.class_name === 'Sequential') {
    const layers = (Array.isArray(config) ? config : config.layers) as LayerJson[];
    return emitSequential(g, model, layers, inputs, prefix);
  }
  const layers = config.layers as LayerJson[];
  const inputRefs = config.input_layers as NodeRef[];
  if (inputRefs.length !== inputs.length)
    throw new Error(
      `exportOnnx: model '${prefix || model.name}' takes ${inputRefs.length} inputs, given ${inputs.length}.`,
    );
  const produced = new Map<string, Value[]>();
  inputRefs.forEach((ref, i) => produced.set(ref[0], [inputs[i]]));
  const resolve = (ref: NodeRef, user: string): Value => {
    const outs = produced.get(ref[0]);
    // One application: its index in the saved JSON may count nodes of other models (a nested model's own).
    const value = outs && (outs.length === 1 ? outs[0] : outs[ref[1]]);
    if (!value || ref[2] !== 0)
      throw new Error(`exportOnnx: layer '${prefix}${user}' reads '${ref[0]}' (node ${ref[1]}) before it is computed.`);
    return value;
  };
  for (const layer of layers) {
    if (layer.class_name === 'InputLayer') continue;
    const name = layer.name ?? String(layer.config.name);
    const outs = (layer.inbound_nodes ?? []).map((node) =>
      emitLayer(
        g,
        model,
        layer,
        (node as NodeRef[]).map((ref) => resolve(ref, name)),
        prefix,
      ),
    );
    produced.set(name, outs);
  }
  return (config.output_layers as NodeRef[]).map((ref) => resolve(ref, 'output'));
}
