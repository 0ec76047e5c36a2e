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
