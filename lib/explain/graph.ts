/**
 * Runs a model's layer graph by hand, pulling each value from the output back, so that one layer's output can
 * be read (captured) or replaced (overridden) wherever it sits, nested models included: a transfer model holds
 * its base as one layer, and a Grad-CAM layer may sit inside it. Values are computed lazily: when a layer's
 * output is replaced, nothing before it runs (the gradient pass of Grad-CAM runs only the head).
 * Layers run in inference mode (`apply` without `training`), as `model.predict` runs them.
 */
import * as tf from '@tensorflow/tfjs';
import { innerLayers } from '../layers/walk';

/**
 * Replaces how one layer computes its output: `compute()` runs the layer as usual, `inputs()` gives the values
 * of its inputs (computed on first call). Return the layer's output (or outputs, for a multi-output layer).
 */
export type LayerHook = (compute: () => tf.Tensor | tf.Tensor[], inputs: () => tf.Tensor[]) => tf.Tensor | tf.Tensor[];

/** A nested model used as a layer (tfjs `LayersModel` / `Sequential`), with its own inputs and outputs. */
export function isContainer(layer: tf.layers.Layer): layer is tf.layers.Layer & tf.LayersModel {
  return innerLayers(layer) !== undefined && Array.isArray((layer as unknown as tf.LayersModel).outputs);
}

/** The layer an input tensor of a graph comes from (tfjs's `InputLayer`). */
export function isInputLayer(layer: tf.layers.Layer): boolean {
  return layer.getClassName() === 'InputLayer';
}

/** The symbolic inputs of `layer`'s call number `nodeIndex`, always as a list. */
export function nodeInputs(layer: tf.layers.Layer, nodeIndex: number): tf.SymbolicTensor[] {
  const inputs = layer.getInputAt(nodeIndex);
  return Array.isArray(inputs) ? inputs : [inputs];
}

/** The values of one graph (a model, or a nested model inside one call): its bound inputs and computed nodes. */
interface Scope {
  inputs: Map<tf.SymbolicTensor, () => tf.Tensor>;
  nodes: Map<string, tf.Tensor | tf.Tensor[]>;
}

const pick = (out: tf.Tensor | tf.Tensor[], index: number): tf.Tensor => (Array.isArray(out) ? out[index] : out);

/** Memoises a thunk (a nested model's input is computed at most once, and only if pulled). */
function once(f: () => tf.Tensor): () => tf.Tensor {
  let value: tf.Tensor | undefined;
  return () => (value ??= f());
}

/** Evaluates graphs with `hooks` applied; create one per evaluation (it memoises values). */
class GraphRun {
  constructor(private readonly hooks: ReadonlyMap<tf.layers.Layer, LayerHook>) {}

  /** The value of the symbolic tensor `st` in `scope`. */
  value(st: tf.SymbolicTensor, scope: Scope): tf.Tensor {
    const bound = scope.inputs.get(st);
    if (bound) return bound();
    const layer = st.sourceLayer;
    const key = `${layer.id}:${st.nodeIndex}`;
    let out = scope.nodes.get(key);
    if (out === undefined) {
      out = this.node(layer, st.nodeIndex, scope);
      scope.nodes.set(key, out);
    }
    return pick(out, st.tensorIndex);
  }

  /** Runs `model`'s graph with its inputs bound to `inputs` (lazy); returns its outputs. */
  graph(model: tf.LayersModel, inputs: (() => tf.Tensor)[]): tf.Tensor[] {
    if (inputs.length !== model.inputs.length) {
      throw new Error(`model '${model.name}' takes ${model.inputs.length} input(s); got ${inputs.length}.`);
    }
    const scope: Scope = { inputs: new Map(model.inputs.map((st, i) => [st, once(inputs[i])])), nodes: new Map() };
    return model.outputs.map((st) => this.value(st, scope));
  }

  private node(layer: tf.layers.Layer, nodeIndex: number, scope: Scope): tf.Tensor | tf.Tensor[] {
    if (isInputLayer(layer)) throw new Error(`input '${layer.name}' has no value: is it an input of this model?`);
    let inputValues: tf.Tensor[] | undefined;
    const inputs = (): tf.Tensor[] => (inputValues ??= nodeInputs(layer, nodeIndex).map((st) => this.value(st, scope)));
    const compute = (): tf.Tensor | tf.Tensor[] => {
      if (isContainer(layer))
        return this.graph(
          layer,
          nodeInputs(layer, nodeIndex).map((st) => () => this.value(st, scope)),
        );
      const xs = inputs();
      return layer.apply(xs.length === 1 ? xs[0] : xs, {}) as tf.Tensor | tf.Tensor[];
    };
    const hook = this.hooks.get(layer);
    return hook ? hook(compute, inputs) : compute();
  }
}

/**
 * Runs `model` on `input` (one tensor, or one per model input) with `hooks` replacing how the given layers
 * (anywhere inside the model, nested models included) compute their outputs; returns the model's outputs.
 * Call it inside `tf.tidy`: intermediate values are not disposed here.
 */
export function runModel(
  model: tf.LayersModel,
  input: tf.Tensor | tf.Tensor[],
  hooks: ReadonlyMap<tf.layers.Layer, LayerHook> = new Map(),
): tf.Tensor[] {
  const inputs = Array.isArray(input) ? input : [input];
  return new GraphRun(hooks).graph(
    model,
    inputs.map((t) => () => t),
  );
}
