/**
 * What a layer converter gets (`LayerContext`: the graph, the layer's saved config and the live layer for its
 * weights) and the helpers every converter shares: reading weights, checking a config value, naming the layer in
 * an error.
 */
import * as tf from '@tensorflow/tfjs';
import type { OnnxGraph, Value } from './onnxGraph';

/** A layer's saved config (Keras's snake_case keys, as `model.toJSON` writes them). */
export type LayerConfig = Record<string, unknown>;

/** One layer being converted. */
export interface LayerContext {
  graph: OnnxGraph;
  /** The layer's path in the model ("transfer_model/mobilenet/conv1"): names its ONNX nodes and errors. */
  path: string;
  className: string;
  config: LayerConfig;
  /** The live layer (its weights). */
  layer: tf.layers.Layer;
}

/** A converter: the layer applied to its input values, as ONNX nodes; returns the output value. */
export type Converter = (ctx: LayerContext, inputs: Value[]) => Value;

/** The error for a layer (or a setting of it) the exporter cannot express. */
export function layerError(ctx: Pick<LayerContext, 'path' | 'className'>, what: string): Error {
  return new Error(`exportOnnx: layer '${ctx.path}' (class ${ctx.className}): ${what}`);
}

/** The layer's one input (an error names the layer when it has several). */
export function single(ctx: LayerContext, inputs: Value[]): Value {
  if (inputs.length !== 1) throw layerError(ctx, `expected one input, got ${inputs.length}.`);
  return inputs[0];
}

/** Fails unless config[key] is one of `allowed` (absent counts as `allowed[0]`'s default when `absentOk`). */
export function expectConfig(ctx: LayerContext, key: string, allowed: unknown[], absentOk = true): void {
  const value = ctx.config[key];
  if (value === undefined && absentOk) return;
  if (!allowed.some((a) => JSON.stringify(a) === JSON.stringify(value)))
    throw layerError(
      ctx,
      `${key}=${JSON.stringify(value)} has no ONNX form here (supported: ${JSON.stringify(allowed)}).`,
    );
}

/** The layer's weights by the last part of their names ('kernel', 'bias', 'gamma', 'moving_mean' ...). */
export function weightsByName(ctx: LayerContext): Map<string, tf.Tensor> {
  const values = ctx.layer.getWeights();
  const out = new Map<string, tf.Tensor>();
  ctx.layer.weights.forEach((w, i) => {
    const short = (w.originalName ?? w.name).split('/').pop()!.replace(/_\d+$/, '');
    out.set(short, values[i]);
  });
  return out;
}

/** A weight of the layer, by its short name; an error names the layer when it is missing. */
export function weight(ctx: LayerContext, weights: Map<string, tf.Tensor>, short: string): tf.Tensor {
  const w = weights.get(short);
  if (!w) throw layerError(ctx, `has no weight '${short}' (weights: ${[...weights.keys()].join(', ') || 'none'}).`);
  return w;
}

/** `t` transposed by `perm` (or as is), as a float32 constant of the graph; returns its name. */
export function constant(ctx: LayerContext, t: tf.Tensor, suffix: string, perm?: number[], shape?: number[]): string {
  const moved = tf.tidy(() => {
    const m = perm ? tf.transpose(t, perm) : t.clone();
    return shape ? m.reshape(shape) : m;
  });
  const data = moved.dataSync() as Float32Array;
  moved.dispose();
  const dims = shape ?? (perm ? perm.map((p) => t.shape[p]) : t.shape);
  return ctx.graph.floats(`${ctx.path}/${suffix}`, data, dims);
}

/** The `[h, w]` pair of a config value given as a number or a pair. */
export function pair(value: unknown): [number, number] {
  if (typeof value === 'number') return [value, value];
  const [a, b] = value as number[];
  return [a, b ?? a];
}
