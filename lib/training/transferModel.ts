/**
 * The transfer model of the lesson, as in Keras: [augmentation] → [preprocessing] → frozen pretrained base →
 * new head (the lesson's head: Flatten → Dense 256 relu → Dropout 0.5 → Dense 1 sigmoid). Compile it with
 * training/compile.ts `compileModel`, change what trains with training/finetune.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { ArgumentError } from '../core/argumentError';
import { type PreprocessMode } from '../models/imagenet';
import { ImageNetPreprocessing } from '../models/imageNetPreprocessing';
import { call } from '../layers/call';
import { setTrainable } from '../layers/frozenBatchNorm';
import {
  applyLayers,
  classifierHead,
  DEFAULT_HIDDEN,
  HEAD_KINDS,
  type HeadKind,
  type HeadOptions,
} from '../models/heads';

/** Options of `buildTransferModel`. */
export interface TransferModelOptions {
  /** Augmentation layers applied first (active only in training), e.g. `defaultAugmentation()`. */
  augmentation?: tf.layers.Layer[];
  /** ImageNet preprocessing mode of the base ('caffe' for VGG16/ResNet, 'tf' for MobileNet) or a layer; none by default. */
  preprocess?: PreprocessMode | tf.layers.Layer | null;
  /** How the base's feature map becomes a vector: 'flatten' (default), 'gap' (global average) or 'gmp' (global max). */
  head?: HeadKind;
  /** Hidden Dense (relu) layer width(s); default `DEFAULT_HIDDEN` ([256]); [] for none. */
  dense?: number | number[];
  /** Dropout rate after each hidden Dense layer (default 0: none; the lesson uses 0.5). */
  dropout?: number;
  /** 1 = binary (sigmoid), n > 1 = n classes (softmax). Default 1. */
  outputs?: number;
  /** Output activation (default sigmoid for 1 output, softmax otherwise). */
  activation?: 'sigmoid' | 'softmax' | 'linear';
  /** Freeze the base (default true). */
  freezeBase?: boolean;
  /** Input shape [h, w, c] (default: the base's input shape). */
  inputShape?: [number, number, number];
  /** Model name (default 'transfer_model'). */
  name?: string;
}

/** The options checked, with their defaults filled in; errors name the option and the value received. */
function resolveOptions(base: tf.LayersModel, opts: TransferModelOptions) {
  const baseShape = base.inputs[0].shape.slice(1) as (number | null)[];
  const shape = opts.inputShape ?? baseShape;
  if (shape.some((d) => d === null || d === undefined)) {
    throw new ArgumentError({
      en:
        `buildTransferModel: the base '${base.name}' has input shape [${baseShape}] with unknown sizes; ` +
        'pass inputShape: [height, width, 3].',
      ko:
        `buildTransferModel: 베이스 '${base.name}'의 입력 크기 [${baseShape}]에 정해지지 않은 값이 있습니다. ` +
        'inputShape: [높이, 너비, 3]을 주세요.',
    });
  }
  const outputs = opts.outputs ?? 1;
  if (!Number.isInteger(outputs) || outputs < 1)
    throw new ArgumentError({
      en: `buildTransferModel: outputs must be 1 (binary) or the number of classes. Received: ${outputs}.`,
      ko: `buildTransferModel: outputs는 1(이진 분류) 또는 클래스 수여야 합니다. 받은 값: ${outputs}.`,
    });
  const dropout = opts.dropout ?? 0;
  if (!(dropout >= 0 && dropout < 1)) {
    throw new ArgumentError({
      en: `buildTransferModel: dropout must be in [0, 1). Received: ${dropout}.`,
      ko: `buildTransferModel: dropout은 0 이상 1 미만이어야 합니다. 받은 값: ${dropout}.`,
    });
  }
  const head = opts.head ?? 'flatten';
  if (!HEAD_KINDS.includes(head))
    throw new ArgumentError({
      en: `buildTransferModel: head must be one of ${HEAD_KINDS.map((k) => `'${k}'`).join(', ')}. Received: '${head}'.`,
      ko: `buildTransferModel: head는 ${HEAD_KINDS.map((k) => `'${k}'`).join(', ')} 중 하나여야 합니다. 받은 값: '${head}'.`,
    });
  const dense = opts.dense === undefined ? DEFAULT_HIDDEN : Array.isArray(opts.dense) ? opts.dense : [opts.dense];
  return { shape: shape as number[], outputs, dropout, head, dense };
}

/**
 * Builds base + head as one functional model; the base is nested as a single layer (like
 * `keras.Sequential([conv_base, ...])`), frozen by default. Compile it with `compileModel`.
 *
 * @example
 * ```ts
 * import { vgg16 } from './lib/models/vgg';
 * import { compileBinaryClassifier } from './lib/training/compile';
 * import { buildTransferModel } from './lib/training/transferModel';
 *
 * const convBase = await vgg16({ includeTop: false, inputShape: [180, 180, 3] });
 * const model = buildTransferModel(convBase, { preprocess: 'caffe', dense: 256, dropout: 0.5 });
 * compileBinaryClassifier(model, 1e-4);
 * ```
 */
export function buildTransferModel(base: tf.LayersModel, opts: TransferModelOptions = {}): tf.LayersModel {
  const { shape, outputs, dropout, head, dense } = resolveOptions(base, opts);
  const input = tf.input({ shape, name: 'image' });
  let x = applyLayers(input, opts.augmentation ?? []);
  if (opts.preprocess) {
    const pre =
      typeof opts.preprocess === 'string'
        ? new ImageNetPreprocessing({ mode: opts.preprocess, name: 'preprocess_input' })
        : opts.preprocess;
    x = call(pre, x);
  }
  if (opts.freezeBase ?? true) setTrainable(base, false);
  x = call(base, x);
  const out = applyLayers(x, classifierHead(head, { hidden: dense, dropout, outputs, activation: opts.activation }));
  return tf.model({ inputs: input, outputs: out, name: opts.name ?? 'transfer_model' });
}

/**
 * The head alone, as a model on features (fast feature extraction): input = the base's feature map
 * [h, w, c], then `classifierHead` (the lesson's: Flatten → Dense 256 relu → Dropout → Dense 1 sigmoid).
 * Compile it with `compileModel` and fit it on the features `extractFeatures` returned.
 */
export function buildFeatureClassifier(
  featureShape: number[],
  opts: HeadOptions & { head?: HeadKind } = {},
): tf.LayersModel {
  const { head, ...headOpts } = opts;
  const input = tf.input({ shape: featureShape, name: 'features' });
  const out = applyLayers(input, classifierHead(head ?? 'flatten', headOpts));
  return tf.model({ inputs: input, outputs: out, name: 'feature_classifier' });
}
