/**
 * What every keras.applications builder shares: the options, Keras's argument checks (with Keras's messages and
 * the fix added), the family table's shape, the input and the no-top pooling head. Builders resolve their
 * options once (`resolveCommonOptions` + the family's own checks) and hand the result to weight loading.
 */
import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArgumentError } from '../core/argumentError';
import { say } from '../core/messages';
import { displayPath } from '../core/paths';
import { call } from '../layers/call';
import type { PreprocessMode } from './imagenet';

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
  /** No download progress output and no warnings. */
  quiet?: boolean;
}

/** The option names every builder takes. */
const COMMON_KEYS: readonly (keyof ApplicationOptions)[] = [
  'includeTop',
  'weights',
  'inputShape',
  'pooling',
  'classes',
  'classifierActivation',
  'quiet',
];

/** The activation a Dense or Activation layer accepts. */
export type Activation = NonNullable<NonNullable<Parameters<typeof tf.layers.activation>[0]>['activation']>;

/** Options after defaults and checks: what a builder builds from and hands to weight loading. */
export interface ResolvedOptions {
  /** The builder's name in messages ('vgg16', 'mobilenet', ...). */
  name: string;
  includeTop: boolean;
  weights: 'imagenet' | null | string;
  inputShape: [number, number, number];
  pooling?: 'avg' | 'max';
  classes: number;
  classifierActivation: Activation;
  quiet: boolean;
}

/** keras.applications families in this project. */
export type Family = 'vgg' | 'resnet' | 'mobilenet' | 'mobilenetV2';

/** One family's facts, in one table: what its ImageNet weights expect and where fine-tuning starts. */
export interface FamilyInfo {
  family: Family;
  /** The `preprocessInput` mode its ImageNet weights expect. */
  preprocess: PreprocessMode;
  /** Default input size (height = width); the only one with a top and ImageNet weights. */
  defaultSize: number;
  /** Smallest input height / width. */
  minSize: number;
  /** First layer of the base's last stage: where 'top' fine-tuning starts by default (Keras's guides). */
  fineTuneFrom: string;
  /** Option names this family takes besides the common ones (MobileNet's `alpha` ...). */
  extraOptions: readonly string[];
}

/** Keras's "unexpected keyword argument": an option the builder does not take is an error, not ignored. */
function checkKnownKeys(name: string, opts: object, extra: readonly string[]): void {
  const known = [...COMMON_KEYS, ...extra] as string[];
  const unknown = Object.entries(opts)
    .filter(([k, v]) => v !== undefined && !known.includes(k))
    .map(([k]) => k);
  if (unknown.length) {
    const names = unknown.map((k) => `'${k}'`).join(', ');
    throw new ArgumentError({
      en: `${name}: got an unexpected option ${names}. Its options are ${known.join(', ')}.`,
      ko: `${name}: 받지 않는 옵션이 있습니다: ${names}. 받는 옵션: ${known.join(', ')}.`,
    });
  }
}

function checkWeights(name: string, weights: unknown): void {
  if (weights === null || weights === 'imagenet') return;
  if (typeof weights !== 'string' || !fs.existsSync(weights)) {
    const where = typeof weights === 'string' ? displayPath(path.resolve(weights)) : '';
    throw new ArgumentError({
      en:
        `${name}: the \`weights\` argument should be either null (random initialization), ` +
        `'imagenet' (pre-training on ImageNet), or the path to the weights file to be loaded. ` +
        `Received: weights=${JSON.stringify(weights)}` +
        (where ? ` (no file at ${where})` : ''),
      ko:
        `${name}: \`weights\`는 null (무작위 초기화), 'imagenet' (ImageNet으로 학습한 가중치), ` +
        `또는 가중치 파일의 경로여야 합니다. 받은 값: weights=${JSON.stringify(weights)}` +
        (where ? ` (${where}에 파일이 없습니다)` : ''),
    });
  }
}

function checkPooling(name: string, pooling: unknown, includeTop: boolean): void {
  if (pooling !== undefined && pooling !== 'avg' && pooling !== 'max') {
    throw new ArgumentError({
      en: `${name}: pooling must be 'avg', 'max' or undefined. Received: pooling=${JSON.stringify(pooling)}`,
      ko: `${name}: pooling은 'avg', 'max' 또는 undefined 여야 합니다. 받은 값: pooling=${JSON.stringify(pooling)}`,
    });
  }
  if (pooling !== undefined && includeTop) {
    throw new ArgumentError({
      en: `${name}: pooling='${pooling}' only applies without the top (includeTop: false); the top has its own pooling.`,
      ko: `${name}: pooling='${pooling}'은 분류기를 뺄 때(includeTop: false)만 씁니다. 분류기에는 자기 풀링이 있습니다.`,
    });
  }
}

/** Keras's `weights` / `classes` / `pooling` / `classifier_activation` checks shared by all builders. */
export function resolveCommonOptions(
  name: string,
  opts: ApplicationOptions,
  family: Pick<FamilyInfo, 'extraOptions'>,
): Omit<ResolvedOptions, 'inputShape'> {
  checkKnownKeys(name, opts, family.extraOptions);
  const includeTop = opts.includeTop ?? true;
  const weights = opts.weights === undefined ? 'imagenet' : opts.weights;
  const classes = opts.classes ?? 1000;
  checkWeights(name, weights);
  if (!Number.isInteger(classes) || classes < 1) {
    throw new ArgumentError({
      en: `${name}: classes must be a positive integer. Received: classes=${classes}`,
      ko: `${name}: classes는 양의 정수여야 합니다. 받은 값: classes=${classes}`,
    });
  }
  if (weights === 'imagenet' && includeTop && classes !== 1000) {
    throw new ArgumentError({
      en:
        `${name}: if using \`weights='imagenet'\` with \`includeTop=true\`, \`classes\` should be 1000. ` +
        `Received: classes=${classes}`,
      ko:
        `${name}: \`weights='imagenet'\`에 \`includeTop=true\`이면 \`classes\`는 1000이어야 합니다 ` +
        `(ImageNet 분류기). 받은 값: classes=${classes}`,
    });
  }
  checkPooling(name, opts.pooling, includeTop);
  const act =
    opts.classifierActivation === undefined
      ? 'softmax'
      : opts.classifierActivation === null
        ? 'linear'
        : opts.classifierActivation;
  if (weights !== null && includeTop && act !== 'softmax' && opts.classifierActivation !== null) {
    const received = `classifierActivation=${JSON.stringify(opts.classifierActivation)}`;
    throw new ArgumentError({
      en:
        `${name}: only null and 'softmax' activations are allowed for \`classifierActivation\` ` +
        `when using pretrained weights with includeTop=true. Received: ${received}`,
      ko:
        `${name}: 학습된 가중치에 includeTop=true이면 \`classifierActivation\`은 null 또는 'softmax'만 ` +
        `쓸 수 있습니다. 받은 값: ${received}`,
    });
  }
  return {
    name,
    includeTop,
    weights,
    pooling: opts.pooling,
    classes,
    classifierActivation: act as Activation,
    quiet: opts.quiet ?? false,
  };
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
    const received = `inputShape=${JSON.stringify(inputShape)}`;
    throw new ArgumentError({
      en: `${name}: inputShape must be [height, width, channels] of positive integers. Received: ${received}`,
      ko: `${name}: inputShape은 양의 정수 [높이, 너비, 채널]이어야 합니다. 받은 값: ${received}`,
    });
  }
  if (weights === 'imagenet' && requireFlatten && !tf.util.arraysEqual(inputShape, defaultShape)) {
    const [want, got] = [defaultShape.join(', '), inputShape.join(', ')];
    throw new ArgumentError({
      en:
        `${name}: when setting includeTop=true and loading 'imagenet' weights, inputShape should be [${want}]. ` +
        `Received: inputShape=[${got}]`,
      ko: `${name}: includeTop=true로 'imagenet' 가중치를 불러오면 inputShape은 [${want}]이어야 합니다. 받은 값: inputShape=[${got}]`,
    });
  }
  if (weights === 'imagenet' && inputShape[2] !== 3) {
    throw new ArgumentError({
      en: `${name}: the input must have 3 channels. Received: inputShape=[${inputShape.join(', ')}]`,
      ko: `${name}: 'imagenet' 가중치의 입력은 채널이 3개(RGB)여야 합니다. 받은 값: inputShape=[${inputShape.join(', ')}]`,
    });
  }
  if (inputShape[0] < minSize || inputShape[1] < minSize) {
    throw new ArgumentError({
      en: `${name}: input size must be at least ${minSize}x${minSize}. Received: inputShape=[${inputShape.join(', ')}]`,
      ko: `${name}: 입력 크기는 ${minSize}x${minSize} 이상이어야 합니다. 받은 값: inputShape=[${inputShape.join(', ')}]`,
    });
  }
  return [...inputShape] as [number, number, number];
}

/**
 * The input shape of a MobileNet (v1 or v2) and the rows of the ImageNet weight file to load: Keras uses the
 * input size as default size when it is square and one of `imagenetRows`, otherwise 224 (with a warning
 * when ImageNet weights are loaded).
 */
export function mobileNetInputShape(
  o: Omit<ResolvedOptions, 'inputShape'>,
  inputShape: [number, number, number] | undefined,
  imagenetRows: readonly number[],
  minSize: number,
): { inputShape: [number, number, number]; rows: number } {
  const s = inputShape;
  const defaultSize = s && s[0] === s[1] && imagenetRows.includes(s[0]) ? s[0] : 224;
  const shape = obtainInputShape(o.name, s, defaultSize, minSize, o.includeTop, o.weights);
  let rows = shape[0];
  if (o.weights === 'imagenet' && (shape[0] !== shape[1] || !imagenetRows.includes(rows))) {
    if (!o.quiet) {
      const sizes = imagenetRows.join(', ');
      console.warn(
        say({
          en:
            `${o.name}: inputShape is non-square or its rows are not in [${sizes}]; ` +
            `the weights for input shape (224, 224) are loaded.`,
          ko: `${o.name}: inputShape이 정사각형이 아니거나 크기가 [${sizes}] 중 하나가 아니므로 (224, 224) 입력용 가중치를 불러옵니다.`,
        }),
      );
    }
    rows = 224;
  }
  return { inputShape: shape, rows };
}

/** The no-top pooling head: GlobalAveragePooling2D / GlobalMaxPooling2D, or the 4D feature map. */
export function applyPooling(
  x: tf.SymbolicTensor,
  pooling: 'avg' | 'max' | undefined,
  names?: { avg?: string; max?: string },
): tf.SymbolicTensor {
  if (pooling === 'avg')
    return call(tf.layers.globalAveragePooling2d({ name: names?.avg ?? 'global_average_pooling2d' }), x);
  if (pooling === 'max') return call(tf.layers.globalMaxPooling2d({ name: names?.max ?? 'global_max_pooling2d' }), x);
  return x;
}

/**
 * Keras's default kernel initializer for Conv2D and Dense (glorot_uniform). TF.js defaults to glorotNormal, a
 * truncated normal about three times slower to draw: building VGG16 with its top (`weights: null`) takes seconds
 * longer, for random weights that no one sees.
 */
export const KERAS_KERNEL_INIT = 'glorotUniform';

/** Keras's `layers.Dense(units, activation=..., name=...)`, with Keras's kernel initializer. */
export function kerasDense(units: number, activation: Activation, name: string): tf.layers.Layer {
  return tf.layers.dense({ units, activation, kernelInitializer: KERAS_KERNEL_INIT, name });
}

/** The Keras input layer ('input_1'). */
export function imageInput(shape: [number, number, number]): tf.SymbolicTensor {
  return tf.input({ shape, name: 'input_1' });
}
