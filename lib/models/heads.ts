/**
 * Classifier heads that sit on a convolutional feature map, and their parameter counts:
 * Flatten (every position x channel feeds the dense layer) versus GlobalAveragePooling2D / GlobalMaxPooling2D
 * (one number per channel).
 */
import * as tf from '@tensorflow/tfjs';
import { call } from '../layers/call';

/** How the feature map [h, w, c] becomes a vector: Flatten, GlobalAveragePooling2D or GlobalMaxPooling2D. */
export const HEAD_KINDS = ['flatten', 'gap', 'gmp'] as const;

/** How the feature map [h, w, c] becomes a vector. */
export type HeadKind = (typeof HEAD_KINDS)[number];

/** The hidden Dense layer widths of a head by default: the lesson's one Dense layer of 256 units. */
export const DEFAULT_HIDDEN: readonly number[] = [256];

/** A dense classifier head: the pooling/flatten step, optional hidden Dense layers, and the output layer. */
export interface HeadOptions {
  /** Hidden Dense layer widths (default `DEFAULT_HIDDEN`, [256]). */
  hidden?: readonly number[];
  /** Dropout rate after each hidden layer (default 0: none). */
  dropout?: number;
  /** Output units (default 1, for a binary sigmoid classifier). */
  outputs?: number;
  /** Output activation (default sigmoid for 1 output, softmax otherwise). */
  activation?: 'sigmoid' | 'softmax' | 'linear';
  /** Prefix for layer names (default 'head'). */
  name?: string;
}

/** The head's layers, in order (apply them to the feature map). */
export function classifierHead(kind: HeadKind, opts: HeadOptions = {}): tf.layers.Layer[] {
  const name = opts.name ?? 'head';
  const outputs = opts.outputs ?? 1;
  const layers: tf.layers.Layer[] = [
    kind === 'flatten'
      ? tf.layers.flatten({ name: `${name}_flatten` })
      : kind === 'gap'
        ? tf.layers.globalAveragePooling2d({ name: `${name}_gap` })
        : tf.layers.globalMaxPooling2d({ name: `${name}_gmp` }),
  ];
  (opts.hidden ?? DEFAULT_HIDDEN).forEach((units, i) => {
    layers.push(tf.layers.dense({ units, activation: 'relu', name: `${name}_dense${i + 1}` }));
    if (opts.dropout) layers.push(tf.layers.dropout({ rate: opts.dropout, name: `${name}_dropout${i + 1}` }));
  });
  layers.push(
    tf.layers.dense({
      units: outputs,
      activation: opts.activation ?? (outputs === 1 ? 'sigmoid' : 'softmax'),
      name: `${name}_output`,
    }),
  );
  return layers;
}

/** Applies layers in order to a symbolic tensor. */
export function applyLayers(x: tf.SymbolicTensor, layers: tf.layers.Layer[]): tf.SymbolicTensor {
  return layers.reduce((t, l) => call(l, t), x);
}

/** Length of the vector the head's first Dense layer sees for a feature map [h, w, c]. */
export function headInputSize(featureShape: [number, number, number], kind: HeadKind): number {
  const [h, w, c] = featureShape;
  return kind === 'flatten' ? h * w * c : c;
}

/** Parameters of the head computed by hand: sum over Dense layers of (inputs + 1) x units. */
export function headParamCount(featureShape: [number, number, number], kind: HeadKind, opts: HeadOptions = {}): number {
  const widths = [...(opts.hidden ?? DEFAULT_HIDDEN), opts.outputs ?? 1];
  let inputs = headInputSize(featureShape, kind);
  let total = 0;
  for (const units of widths) {
    total += (inputs + 1) * units;
    inputs = units;
  }
  return total;
}
