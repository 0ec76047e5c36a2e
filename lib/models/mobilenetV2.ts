/**
 * MobileNetV2 as in keras.applications.mobilenet_v2 (layer names Conv1, bn_Conv1, expanded_conv_depthwise,
 * block_1_expand, ..., Conv_1, out_relu, predictions), with the frozen-aware BatchNormalization of
 * layers/frozenBatchNorm.ts (epsilon 1e-3, momentum 0.999). Preprocess inputs with
 * `preprocessInput(x, MOBILENET_V2.preprocess)` ('tf').
 */
import * as tf from '@tensorflow/tfjs';
import { ArgumentError } from '../core/argumentError';
import { call } from '../layers/call';
import { frozenBatchNormalization } from '../layers/frozenBatchNorm';
import { reLU } from '../layers/reLU';
import {
  ApplicationOptions,
  applyPooling,
  FamilyInfo,
  imageInput,
  mobileNetInputShape,
  resolveCommonOptions,
  ResolvedOptions,
} from './common';
import { KerasWeightsFile } from './weightFiles';
import { loadApplicationWeights } from './weights';

/** The MobileNetV2 family table (fine-tuning from the last stride-2 block, as `conv_dw_12` in v1). */
export const MOBILENET_V2: FamilyInfo = {
  family: 'mobilenetV2',
  preprocess: 'tf',
  defaultSize: 224,
  minSize: 32,
  fineTuneFrom: 'block_13_expand',
  extraOptions: ['alpha'],
};

/** MobileNetV2 options: keras.applications arguments plus the width multiplier `alpha`. */
export interface MobileNetV2Options extends ApplicationOptions {
  /** Width multiplier (default 1.0); ImageNet weights exist for 0.35, 0.5, 0.75, 1.0, 1.3 and 1.4. */
  alpha?: 0.35 | 0.5 | 0.75 | 1.0 | 1.3 | 1.4 | number;
}

const IMAGENET_ALPHAS = [0.35, 0.5, 0.75, 1.0, 1.3, 1.4];
const IMAGENET_ROWS = [96, 128, 160, 192, 224];

/** The Keras weight file of MobileNetV2 (Keras publishes no hash for these). */
export function mobilenetV2WeightsFile(alpha: number, rows: number, includeTop: boolean): KerasWeightsFile {
  // Python's str(float(alpha)): 1 -> '1.0', 0.35 -> '0.35'.
  const a = Number.isInteger(alpha) ? alpha.toFixed(1) : String(alpha);
  return {
    subdir: 'mobilenet_v2',
    fileName: `mobilenet_v2_weights_tf_dim_ordering_tf_kernels_${a}_${rows}${includeTop ? '' : '_no_top'}.h5`,
  };
}

/** Keras's `_make_divisible`: rounds channels to a multiple of `divisor`, never below 90% of `v`. */
export function makeDivisible(v: number, divisor = 8, minValue = divisor): number {
  let n = Math.max(minValue, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (n < 0.9 * v) n += divisor;
  return n;
}

type S = tf.SymbolicTensor;
const bn = (name: string) => frozenBatchNormalization({ axis: -1, epsilon: 1e-3, momentum: 0.999, name });
const relu6 = (name: string) => reLU({ maxValue: 6, name });

/** Keras's `correct_pad` for a kernel of 3: pad so that a 'valid' stride-2 conv matches TF's 'same'. */
function correctPad(x: S): [[number, number], [number, number]] {
  const [h, w] = [x.shape[1], x.shape[2]];
  const adjust = [h == null ? 1 : 1 - (h % 2), w == null ? 1 : 1 - (w % 2)];
  return [
    [1 - adjust[0], 1],
    [1 - adjust[1], 1],
  ];
}

/** Keras's `_inverted_res_block`: 1x1 expansion, 3x3 depthwise, 1x1 projection, added to the input when shapes allow. */
function invertedResBlock(
  inputs: S,
  expansion: number,
  stride: number,
  alpha: number,
  filters: number,
  blockId: number,
): S {
  const inChannels = inputs.shape[inputs.shape.length - 1] as number;
  const pointwiseFilters = makeDivisible(Math.floor(filters * alpha), 8);
  let x = inputs;
  let prefix = `block_${blockId}_`;
  if (blockId) {
    const expand = tf.layers.conv2d({
      filters: expansion * inChannels,
      kernelSize: 1,
      padding: 'same',
      useBias: false,
      name: `${prefix}expand`,
    });
    x = call(expand, x);
    x = call(bn(`${prefix}expand_BN`), x);
    x = call(relu6(`${prefix}expand_relu`), x);
  } else {
    prefix = 'expanded_conv_';
  }
  if (stride === 2) x = call(tf.layers.zeroPadding2d({ padding: correctPad(x), name: `${prefix}pad` }), x);
  const depthwise = tf.layers.depthwiseConv2d({
    kernelSize: 3,
    strides: stride,
    useBias: false,
    padding: stride === 1 ? 'same' : 'valid',
    name: `${prefix}depthwise`,
  });
  x = call(depthwise, x);
  x = call(bn(`${prefix}depthwise_BN`), x);
  x = call(relu6(`${prefix}depthwise_relu`), x);
  const project = tf.layers.conv2d({
    filters: pointwiseFilters,
    kernelSize: 1,
    padding: 'same',
    useBias: false,
    name: `${prefix}project`,
  });
  x = call(project, x);
  x = call(bn(`${prefix}project_BN`), x);
  if (inChannels === pointwiseFilters && stride === 1)
    return call(tf.layers.add({ name: `${prefix}add` }), [inputs, x]);
  return x;
}

/** MobileNetV2 options after Keras's defaults and checks, with the rows of the ImageNet weight file to load. */
export interface ResolvedMobileNetV2Options extends ResolvedOptions {
  alpha: number;
  /** Input size of the ImageNet weight file (224 when the input is not one Keras publishes). */
  rows: number;
}

/** Resolves MobileNetV2 options as Keras does (once): input shape, and the weight file's rows. */
export function resolveMobileNetV2Options(opts: MobileNetV2Options = {}): ResolvedMobileNetV2Options {
  const alpha = opts.alpha ?? 1.0;
  const o = resolveCommonOptions('mobilenetv2', opts, MOBILENET_V2);
  const { inputShape, rows } = mobileNetInputShape(o, opts.inputShape, IMAGENET_ROWS, MOBILENET_V2.minSize);
  if (!(alpha > 0)) {
    throw new ArgumentError({
      en: `mobilenetv2: alpha must be positive. Received: alpha=${alpha}`,
      ko: `mobilenetv2: alpha는 양수여야 합니다. 받은 값: alpha=${alpha}`,
    });
  }
  if (o.weights === 'imagenet' && !IMAGENET_ALPHAS.includes(alpha)) {
    throw new ArgumentError({
      en:
        'mobilenetv2: if imagenet weights are being loaded, alpha must be one of 0.35, 0.50, 0.75, 1.0, 1.3 or 1.4 only. ' +
        `Received: alpha=${alpha}`,
      ko:
        'mobilenetv2: imagenet 가중치를 불러오면 alpha는 0.35, 0.50, 0.75, 1.0, 1.3, 1.4 중 하나여야 합니다. ' +
        `받은 값: alpha=${alpha}`,
    });
  }
  return { ...o, alpha, inputShape, rows };
}

/** The layers of MobileNetV2 for resolved options, with random weights. */
function mobileNetV2Layers(o: ResolvedMobileNetV2Options): tf.LayersModel {
  const { alpha } = o;
  const input = imageInput(o.inputShape);
  const first = makeDivisible(32 * alpha, 8);
  let x = call(
    tf.layers.conv2d({ filters: first, kernelSize: 3, strides: 2, padding: 'same', useBias: false, name: 'Conv1' }),
    input,
  );
  x = call(bn('bn_Conv1'), x);
  x = call(relu6('Conv1_relu'), x);
  const plan: [number, number, number][] = [
    // filters, stride, expansion
    [16, 1, 1],
    [24, 2, 6],
    [24, 1, 6],
    [32, 2, 6],
    [32, 1, 6],
    [32, 1, 6],
    [64, 2, 6],
    [64, 1, 6],
    [64, 1, 6],
    [64, 1, 6],
    [96, 1, 6],
    [96, 1, 6],
    [96, 1, 6],
    [160, 2, 6],
    [160, 1, 6],
    [160, 1, 6],
    [320, 1, 6],
  ];
  plan.forEach(([f, s, e], id) => {
    x = invertedResBlock(x, e, s, alpha, f, id);
  });
  const last = alpha > 1.0 ? makeDivisible(1280 * alpha, 8) : 1280;
  x = call(tf.layers.conv2d({ filters: last, kernelSize: 1, useBias: false, name: 'Conv_1' }), x);
  x = call(bn('Conv_1_bn'), x);
  x = call(relu6('out_relu'), x);
  if (o.includeTop) {
    x = call(tf.layers.globalAveragePooling2d({ name: 'global_average_pooling2d' }), x);
    x = call(tf.layers.dense({ units: o.classes, activation: o.classifierActivation, name: 'predictions' }), x);
  } else {
    x = applyPooling(x, o.pooling);
  }
  return tf.model({ inputs: input, outputs: x, name: `mobilenetv2_${alpha.toFixed(2)}_${o.rows}` });
}

/** Builds MobileNetV2 synchronously with random weights (`weights` is only checked, not loaded). */
export function buildMobileNetV2(opts: MobileNetV2Options = {}): tf.LayersModel {
  return mobileNetV2Layers(resolveMobileNetV2Options(opts));
}

/**
 * keras.applications.MobileNetV2: 3,538,984 parameters with top at alpha 1.0, 2,257,984 without.
 *
 * @example
 * ```ts
 * import { mobilenetV2 } from './lib/models/mobilenetV2';
 *
 * const convBase = await mobilenetV2({ includeTop: false, inputShape: [160, 160, 3], pooling: 'avg' });
 * convBase.summary();
 * ```
 */
export async function mobilenetV2(opts: MobileNetV2Options = {}): Promise<tf.LayersModel> {
  const o = resolveMobileNetV2Options(opts);
  const file = o.weights === 'imagenet' ? mobilenetV2WeightsFile(o.alpha, o.rows, o.includeTop) : undefined;
  return loadApplicationWeights(mobileNetV2Layers(o), o, file);
}
