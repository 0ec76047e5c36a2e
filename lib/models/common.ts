/**
 * What every keras.applications builder shares: the options, Keras's argument checks (with Keras-like
 * messages), the no-top pooling head, and loading the weights ('imagenet' downloads the Keras file, a string
 * is a local Keras .h5 file).
 */
import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fetchKerasWeights, KerasWeightsFile, loadKerasWeights, LoadReport } from './kerasWeights';

/** The options of every builder (keras.applications arguments, camelCase). */
export interface ApplicationOptions {
  /** Include the classifier on top (default true). */
  includeTop?: boolean;
  /** 'imagenet' (default: download Keras's file), null (random initialisation), or the path of a Keras .h5 file. */
  weights?: 'imagenet' | null | string;
  /** Input shape [height, width, 3] (default [224, 224, 3]; with a top and ImageNet weights it must be exactly that). */
  inputShape?: [number, number, number];
  /** Without top: 'avg' or 'max' global pooling of the last feature map (default: none, a 4D output). */
  pooling?: 'avg' | 'max' | undefined;
  /** Number of classes of the top (default 1000; must be 1000 with ImageNet weights). */
  classes?: number;
  /** Activation of the top: 'softmax' (default), or null / 'linear' for logits. */
  classifierActivation?: 'softmax' | 'linear' | null | string;
  /** No download progress output. */
  quiet?: boolean;
}

/** Options after defaults and checks. */
export interface ResolvedOptions {
  includeTop: boolean;
  weights: 'imagenet' | null | string;
  inputShape: [number, number, number];
  pooling?: 'avg' | 'max';
  classes: number;
  classifierActivation: string;
  quiet: boolean;
}

/** Keras's `weights` / `classes` / `classifier_activation` checks shared by all builders. */
export function checkCommonOptions(name: string, opts: ApplicationOptions): Omit<ResolvedOptions, 'inputShape'> {
  const includeTop = opts.includeTop ?? true;
  const weights = opts.weights === undefined ? 'imagenet' : opts.weights;
  const classes = opts.classes ?? 1000;
  if (weights !== null && weights !== 'imagenet') {
    if (typeof weights !== 'string' || !fs.existsSync(weights)) {
      throw new Error(
        `${name}: the \`weights\` argument should be either null (random initialization), 'imagenet' (pre-training on ImageNet), ` +
          `or the path to the weights file to be loaded. Received: weights=${JSON.stringify(weights)}` +
          (typeof weights === 'string' ? ` (no file at ${path.resolve(weights)})` : ''),
      );
    }
  }
  if (!Number.isInteger(classes) || classes < 1) throw new Error(`${name}: classes must be a positive integer. Received: classes=${classes}`);
  if (weights === 'imagenet' && includeTop && classes !== 1000) {
    throw new Error(`${name}: if using \`weights='imagenet'\` with \`includeTop=true\`, \`classes\` should be 1000. Received: classes=${classes}`);
  }
  if (opts.pooling !== undefined && opts.pooling !== 'avg' && opts.pooling !== 'max') {
    throw new Error(`${name}: pooling must be 'avg', 'max' or undefined. Received: pooling=${JSON.stringify(opts.pooling)}`);
  }
  if (opts.pooling !== undefined && includeTop) {
    throw new Error(`${name}: pooling='${opts.pooling}' only applies without the top (includeTop: false); the top has its own pooling.`);
  }
  const act = opts.classifierActivation === undefined ? 'softmax' : opts.classifierActivation === null ? 'linear' : opts.classifierActivation;
  if (weights !== null && includeTop && act !== 'softmax' && opts.classifierActivation !== null) {
    throw new Error(
      `${name}: only null and 'softmax' activations are allowed for \`classifierActivation\` when using pretrained weights with includeTop=true. ` +
        `Received: classifierActivation=${JSON.stringify(opts.classifierActivation)}`,
    );
  }
  return { includeTop, weights, pooling: opts.pooling, classes, classifierActivation: act, quiet: opts.quiet ?? false };
}

/**
 * Keras's `obtain_input_shape`: the default shape, exact with a top and ImageNet weights, at least `minSize`
 * pixels, 3 channels with ImageNet weights.
 */
export function obtainInputShape(
  name: string,
  inputShape: [number, number, number] | undefined,
  defaultSize: number,
  minSize: number,
  requireFlatten: boolean,
  weights: string | null,
): [number, number, number] {
  const channels = inputShape && inputShape.length === 3 ? inputShape[2] : 3;
  const defaultShape: [number, number, number] = [defaultSize, defaultSize, weights === 'imagenet' ? 3 : channels];
  if (inputShape === undefined) return defaultShape;
  if (!Array.isArray(inputShape) || inputShape.length !== 3 || inputShape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new Error(`${name}: inputShape must be [height, width, channels] of positive integers. Received: inputShape=${JSON.stringify(inputShape)}`);
  }
  if (weights === 'imagenet' && requireFlatten && !tf.util.arraysEqual(inputShape, defaultShape)) {
    throw new Error(`${name}: when setting includeTop=true and loading 'imagenet' weights, inputShape should be [${defaultShape.join(', ')}]. Received: inputShape=[${inputShape.join(', ')}]`);
  }
  if (weights === 'imagenet' && inputShape[2] !== 3) {
    throw new Error(`${name}: the input must have 3 channels. Received: inputShape=[${inputShape.join(', ')}]`);
  }
  if (inputShape[0] < minSize || inputShape[1] < minSize) {
    throw new Error(`${name}: input size must be at least ${minSize}x${minSize}. Received: inputShape=[${inputShape.join(', ')}]`);
  }
  return [...inputShape] as [number, number, number];
}

/**
 * The input shape of a MobileNet (v1 or v2) and the size of the ImageNet weight file to load: Keras uses the
 * input size as default size when it is square and one of `imagenetRows`, otherwise 224 (with a warning
 * when ImageNet weights are loaded).
 */
export function mobileNetInputShape(
  name: string,
  inputShape: [number, number, number] | undefined,
  imagenetRows: number[],
  o: Pick<ResolvedOptions, 'includeTop' | 'weights' | 'quiet'>,
): { inputShape: [number, number, number]; rows: number } {
  const s = inputShape;
  const defaultSize = s && s[0] === s[1] && imagenetRows.includes(s[0]) ? s[0] : 224;
  const shape = obtainInputShape(name, s, defaultSize, 32, o.includeTop, o.weights);
  let rows = shape[0];
  if (o.weights === 'imagenet' && (shape[0] !== shape[1] || !imagenetRows.includes(rows))) {
    if (!o.quiet) console.warn(`${name}: inputShape is non-square or its rows are not in [${imagenetRows.join(', ')}]; the weights for input shape (224, 224) are loaded.`);
    rows = 224;
  }
  return { inputShape: shape, rows };
}

/** The no-top pooling head: GlobalAveragePooling2D / GlobalMaxPooling2D, or the 4D feature map. */
export function applyPooling(x: tf.SymbolicTensor, pooling: 'avg' | 'max' | undefined, names?: { avg?: string; max?: string }): tf.SymbolicTensor {
  if (pooling === 'avg') return tf.layers.globalAveragePooling2d({ name: names?.avg ?? 'global_average_pooling2d' }).apply(x) as tf.SymbolicTensor;
  if (pooling === 'max') return tf.layers.globalMaxPooling2d({ name: names?.max ?? 'global_max_pooling2d' }).apply(x) as tf.SymbolicTensor;
  return x;
}

/** The Keras input layer ('input_1'). */
export function imageInput(shape: [number, number, number]): tf.SymbolicTensor {
  return tf.input({ shape, name: 'input_1' });
}

/** Report of the last weight load per model (for notebooks: `lastLoadReport(model)`). */
const reports = new WeakMap<tf.LayersModel, LoadReport>();

/** What the builder's weight load did for `model`, if it loaded weights. */
export function lastLoadReport(model: tf.LayersModel): LoadReport | undefined {
  return reports.get(model);
}

/** Loads 'imagenet' (downloading `file`) or a local .h5 path into `model`; null leaves it initialised. */
export async function loadApplicationWeights(
  model: tf.LayersModel,
  weights: 'imagenet' | null | string,
  file: KerasWeightsFile | undefined,
  quiet = false,
): Promise<tf.LayersModel> {
  if (weights === null) return model;
  let h5: string;
  if (weights === 'imagenet') {
    if (!file) throw new Error(`${model.name}: no ImageNet weights are published for this configuration; use weights: null or a local file.`);
    h5 = await fetchKerasWeights(file, { quiet });
  } else {
    h5 = weights;
  }
  reports.set(model, await loadKerasWeights(model, h5));
  return model;
}
