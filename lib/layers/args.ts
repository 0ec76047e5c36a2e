/**
 * What the project's preprocessing and augmentation layers share: their constructor arguments, Keras-style
 * checks of choices and factors (messages name the layer, the key and the value), and the small call helpers.
 */
import * as tf from '@tensorflow/tfjs';

/** Layer arguments every layer here accepts (as in `tf.layers.*`). */
export interface BaseLayerArgs {
  name?: string;
  inputShape?: number[];
  batchInputShape?: (number | null)[];
}

/** A Keras factor: `f` means the range [-f, f]; `[lower, upper]` is used as given. */
export type Factor = number | [number, number];

/** The keyword arguments tfjs passes to `call` (`training` among them). */
export type Kwargs = Record<string, unknown>;

/** The `tf.layers.Layer` constructor arguments of a layer without weights that never trains. */
export function layerArgs(args: BaseLayerArgs | undefined) {
  return { name: args?.name, inputShape: args?.inputShape, batchInputShape: args?.batchInputShape, trainable: false };
}

/** A factor as its range [lower, upper]; a missing or invalid factor is an error naming the layer and key. */
export function factorRange(name: string, f: Factor | undefined, layer: string): [number, number] {
  if (f === undefined || f === null)
    throw new Error(`${layer}: ${name} is required (a number f for [-f, f], or [lower, upper]).`);
  const [lo, hi] = Array.isArray(f) ? f : [-Math.abs(f), Math.abs(f)];
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) {
    throw new Error(
      `${layer}: ${name}=${JSON.stringify(f)} is not a valid range: give a number or [lower, upper] with lower <= upper.`,
    );
  }
  return [lo, hi];
}

/**
 * One of `allowed` (Keras's snake_case spelling), or `dflt` when unset. Saved configs come back camel-cased by
 * tfjs ('horizontal_and_vertical' -> 'horizontalAndVertical'), so both spellings are accepted.
 */
export function checkChoice<T extends string>(
  layer: string,
  key: string,
  value: string | undefined,
  allowed: readonly T[],
  dflt: T,
): T {
  if (value === undefined || value === null) return dflt;
  const v = value.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  if (!(allowed as readonly string[]).includes(v)) {
    throw new Error(
      `${layer}: ${key}='${value}' is not supported: use one of ${allowed.map((a) => `'${a}'`).join(', ')}.`,
    );
  }
  return v as T;
}

/** True when tfjs calls the layer in training mode (`fit` passes `training: true`). */
export function isTraining(kwargs: Kwargs | undefined): boolean {
  return kwargs?.training === true;
}

/** The one input tensor of a single-input layer. */
export function oneTensor(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? inputs[0] : inputs;
}

/** Registers a layer class for `tf.loadLayersModel` under its `className`. */
export function registerLayer(cls: { className: string }): void {
  tf.serialization.registerClass(
    cls as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>,
  );
}
