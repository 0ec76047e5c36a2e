/**
 * The one module that touches private members of dependencies (tfjs's kernel registry and wasm module, the
 * BatchNormalization layer's weight lists, jsfive's object headers). Each such access is written here, behind a
 * version guard: `@tensorflow/*` is pinned exactly in package.json, and on any other tfjs-core version the guard
 * warns once and every accessor reports "unavailable", so callers fall back to stock behaviour instead of
 * breaking. Callers never reach into a private member themselves.
 */
import * as tf from '@tensorflow/tfjs';

/** The tfjs-core version the private accesses below were written and tested against. */
export const TESTED_TFJS_VERSION = '4.22.0';

let forcedVersion: string | undefined;
let warned = false;

/** The tfjs-core version in use (or the one forced by `simulateTfjsVersion`, for tests). */
export function tfjsCoreVersion(): string {
  return forcedVersion ?? tf.version_core;
}

/**
 * True when tfjs internals may be touched (the running tfjs-core is the tested one). Otherwise warns once, naming
 * both versions and what falls back, and returns false.
 */
export function internalsAvailable(): boolean {
  const v = tfjsCoreVersion();
  if (v === TESTED_TFJS_VERSION) return true;
  if (!warned) {
    warned = true;
    console.warn(
      `transfer-learning-ts: @tensorflow/tfjs-core ${v} is not the tested ${TESTED_TFJS_VERSION}; the project's wasm kernels, ` +
        'threads and other tfjs internals are switched off and stock tfjs runs (slower, some training ops may be missing). ' +
        `Install the pinned versions (npm ci) to get them back.`,
    );
  }
  return false;
}

/** For tests: pretend tfjs-core has version `v` (undefined restores the real one); resets the one-time warning. */
export function simulateTfjsVersion(v: string | undefined): void {
  forcedVersion = v;
  warned = false;
}

// --- BatchNormalization internals (layers/)

/** Names of the weights a BatchNormalization layer can learn (the rest, moving statistics, never train). */
const BN_LEARNABLE = /(^|\/)(gamma|beta)(_\d+)?$/;

/**
 * The weights a BatchNormalization layer could train (gamma, beta), whatever their current `trainable` flags:
 * tfjs keeps them in the private `_trainableWeights` list. Fallback (another tfjs version): the layer's weights
 * named gamma or beta, found through the public `weights` list.
 */
export function batchNormLearnableWeights(layer: tf.layers.Layer): tf.LayerVariable[] {
  if (internalsAvailable()) {
    const own = (layer as unknown as { _trainableWeights?: unknown })._trainableWeights;
    if (Array.isArray(own)) return own as tf.LayerVariable[];
  }
  return layer.weights.filter((w) => BN_LEARNABLE.test(w.originalName));
}

// --- jsfive internals (io/kerasHdf5)

/** The part of jsfive 0.4.2's private object header of a dataset that is used: its messages by type. */
interface JsfiveDataObjects {
  find_msg_type(type: number): { get(key: string): unknown }[];
}

let jsfiveWarned = false;

/** Warns once that jsfive's object headers are not readable, so every dataset goes through jsfive's reader. */
function jsfiveFallback(why: string): undefined {
  if (!jsfiveWarned) {
    jsfiveWarned = true;
    console.warn(`transfer-learning-ts: jsfive's object headers cannot be read (${why}); Keras weights are read with jsfive's ` +
      'element reader instead (slower, same values). Install the pinned jsfive version (npm ci) to get the fast path back.');
  }
  return undefined;
}

/**
 * The file offset of the first header message of type `msgType` of a jsfive dataset (jsfive keeps it in the
 * private `_dataobjects`), or undefined when the dataset has none. Fallback (another jsfive, a header it
 * describes differently): undefined, with one warning, and the caller reads the values with jsfive.
 */
export function jsfiveMessageOffset(dataset: unknown, msgType: number): number | undefined {
  const objects = (dataset as { _dataobjects?: Partial<JsfiveDataObjects> } | undefined)?._dataobjects;
  if (typeof objects?.find_msg_type !== 'function') return jsfiveFallback('no _dataobjects.find_msg_type');
  let messages: { get(key: string): unknown }[];
  try {
    messages = objects.find_msg_type(msgType);
  } catch (err) {
    return jsfiveFallback(`find_msg_type failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (messages.length === 0) return undefined;
  const at = typeof messages[0]?.get === 'function' ? messages[0].get('offset_to_message') : undefined;
  return typeof at === 'number' ? at : jsfiveFallback('a message without offset_to_message');
}
