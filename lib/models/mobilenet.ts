/**
 * MobileNet v1 as in keras.applications.mobilenet (layer names conv1, conv1_bn, conv_dw_1, conv_pw_1, ...,
 * conv_preds, predictions), with the frozen-aware BatchNormalization of layers/frozenBatchNorm.ts.
 * Preprocess inputs with `preprocessInput(x, MOBILENET.preprocess)` ('tf': x / 127.5 - 1).
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

/** The MobileNet v1 family table. */
export const MOBILENET: FamilyInfo = {
  family: 'mobilenet',
  preprocess: 'tf',
  defaultSize: 224,
  minSize: 32,
  fineTuneFrom: 'conv_dw_12',
  extraOptions: ['alpha', 'depthMultiplier', 'dropout'],
};

/** MobileNet v1 options: keras.applications arguments plus the width multiplier `alpha`. */
export interface MobileNetOptions extends ApplicationOptions {
  /** Width multiplier (default 1.0); ImageNet weights exist for 0.25, 0.5, 0.75 and 1.0. */
  alpha?: 0.25 | 0.5 | 0.75 | 1.0 | number;
  /** Depth multiplier of the depthwise convolutions (default 1; must be 1 with ImageNet weights). */
  depthMultiplier?: number;
  /** Dropout rate before the classifier (default 1e-3). */
  dropout?: number;
}

const IMAGENET_ALPHAS = [0.25, 0.5, 0.75, 1.0];
const IMAGENET_ROWS = [128, 160, 192, 224];

/** The Keras weight file of MobileNet v1 (Keras publishes no hash for these). */
export function mobilenetWeightsFile(alpha: number, rows: number, includeTop: boolean): KerasWeightsFile {
  const alphaText = ({ 1: '1_0', 0.75: '7_5', 0.5: '5_0', 0.25: '2_5' } as Record<number, string>)[alpha];
  if (!alphaText)
    throw new ArgumentError({
      en: `MobileNet: ImageNet weights exist for alpha 0.25, 0.5, 0.75 and 1.0 only. Received: alpha=${alpha}`,
      ko: `MobileNet: ImageNet 가중치는 alpha 0.25, 0.5, 0.75, 1.0 에만 있습니다. 받은 값: alpha=${alpha}`,
    });
  return { subdir: 'mobilenet', fileName: `mobilenet_${alphaText}_${rows}_tf${includeTop ? '' : '_no_top'}.h5` };
}

type S = tf.SymbolicTensor;
const bn = (name: string) => frozenBatchNormalization({ axis: -1, name });
const relu6 = (name: string) => reLU({ maxValue: 6, name });

/** Zero padding of one row at the bottom and one column at the right (before a 'valid' stride-2 convolution). */
const padBottomRight = (name: string) =>
  tf.layers.zeroPadding2d({
    padding: [
      [0, 1],
      [0, 1],
    ],
    name,
  });

/** Keras's `_conv_block`: the first 3x3 stride-2 convolution, BatchNormalization and relu6. */
function convBlock(x: S, filters: number, alpha: number): S {
  const f = Math.floor(filters * alpha);
  x = call(padBottomRight('conv1_pad'), x);
  x = call(
    tf.layers.conv2d({ filters: f, kernelSize: 3, padding: 'valid', useBias: false, strides: 2, name: 'conv1' }),
    x,
  );
  x = call(bn('conv1_bn'), x);
  return call(relu6('conv1_relu'), x);
}

/** Keras's `_depthwise_conv_block`: a 3x3 depthwise and a 1x1 pointwise convolution, each with BN and relu6. */
function depthwiseBlock(
  x: S,
  pointwiseFilters: number,
  alpha: number,
  depthMultiplier: number,
  stride: number,
  id: number,
): S {
  const f = Math.floor(pointwiseFilters * alpha);
  if (stride !== 1) x = call(padBottomRight(`conv_pad_${id}`), x);
  const depthwise = tf.layers.depthwiseConv2d({
    kernelSize: 3,
    padding: stride === 1 ? 'same' : 'valid',
    depthMultiplier,
    strides: stride,
    useBias: false,
    name: `conv_dw_${id}`,
  });
  x = call(depthwise, x);
  x = call(bn(`conv_dw_${id}_bn`), x);
  x = call(relu6(`conv_dw_${id}_relu`), x);
  const pointwise = tf.layers.conv2d({
    filters: f,
    kernelSize: 1,
    padding: 'same',
    useBias: false,
    strides: 1,
    name: `conv_pw_${id}`,
  });
  x = call(pointwise, x);
  x = call(bn(`conv_pw_${id}_bn`), x);
  return call(relu6(`conv_pw_${id}_relu`), x);
}

/** MobileNet v1 options after Keras's defaults and checks, with the rows of the ImageNet weight file to load. */
export interface ResolvedMobileNetOptions extends ResolvedOptions {
  alpha: number;
  depthMultiplier: number;
  dropout: number;
  /** Input size of the ImageNet weight file (224 when the input is not one Keras publishes). */
  rows: number;
}

/** Resolves MobileNet v1 options as Keras does (once): input shape, and the weight file's rows. */
export function resolveMobileNetOptions(opts: MobileNetOptions = {}): ResolvedMobileNetOptions {
  const alpha = opts.alpha ?? 1.0;
  const depthMultiplier = opts.depthMultiplier ?? 1;
  const o = resolveCommonOptions('mobilenet', opts, MOBILENET);
  const { inputShape, rows } = mobileNetInputShape(o, opts.inputShape, IMAGENET_ROWS, MOBILENET.minSize);
  if (!(alpha > 0)) {
    throw new ArgumentError({
      en: `mobilenet: alpha must be positive. Received: alpha=${alpha}`,
      ko: `mobilenet: alpha는 양수여야 합니다. 받은 값: alpha=${alpha}`,
    });
  }
  if (o.weights === 'imagenet') {
    if (depthMultiplier !== 1) {
      throw new ArgumentError({
        en:
          'mobilenet: if imagenet weights are being loaded, depthMultiplier must be 1. ' +
          `Received: depthMultiplier=${depthMultiplier}`,
        ko: `mobilenet: imagenet 가중치를 불러오면 depthMultiplier는 1이어야 합니다. 받은 값: depthMultiplier=${depthMultiplier}`,
      });
    }
    if (!IMAGENET_ALPHAS.includes(alpha)) {
      throw new ArgumentError({
        en:
          'mobilenet: if imagenet weights are being loaded, alpha can be one of 0.25, 0.50, 0.75 or 1.0 only. ' +
          `Received: alpha=${alpha}`,
        ko: `mobilenet: imagenet 가중치를 불러오면 alpha는 0.25, 0.50, 0.75, 1.0 중 하나여야 합니다. 받은 값: alpha=${alpha}`,
      });
    }
  }
  return { ...o, alpha, depthMultiplier, inputShape, rows, dropout: opts.dropout ?? 1e-3 };
}

/** The layers of MobileNet v1 for resolved options, with random weights. */
function mobileNetLayers(o: ResolvedMobileNetOptions): tf.LayersModel {
  const input = imageInput(o.inputShape);
  let x = convBlock(input, 32, o.alpha);
  const plan: [number, number][] = [
    [64, 1],
    [128, 2],
    [128, 1],
    [256, 2],
    [256, 1],
    [512, 2],
    [512, 1],
    [512, 1],
    [512, 1],
    [512, 1],
    [512, 1],
    [1024, 2],
    [1024, 1],
  ];
  plan.forEach(([f, s], i) => {
    x = depthwiseBlock(x, f, o.alpha, o.depthMultiplier, s, i + 1);
  });
  if (o.includeTop) {
    const c = Math.floor(1024 * o.alpha);
    x = call(tf.layers.globalAveragePooling2d({ name: 'global_average_pooling2d' }), x);
    x = call(tf.layers.reshape({ targetShape: [1, 1, c], name: 'reshape_1' }), x);
    x = call(tf.layers.dropout({ rate: o.dropout, name: 'dropout' }), x);
    x = call(tf.layers.conv2d({ filters: o.classes, kernelSize: 1, padding: 'same', name: 'conv_preds' }), x);
    x = call(tf.layers.reshape({ targetShape: [o.classes], name: 'reshape_2' }), x);
    x = call(tf.layers.activation({ activation: o.classifierActivation, name: 'predictions' }), x);
  } else {
    x = applyPooling(x, o.pooling);
  }
  return tf.model({ inputs: input, outputs: x, name: `mobilenet_${o.alpha.toFixed(2)}_${o.rows}` });
}

/** Builds MobileNet v1 synchronously with random weights (`weights` is only checked, not loaded). */
export function buildMobileNet(opts: MobileNetOptions = {}): tf.LayersModel {
  return mobileNetLayers(resolveMobileNetOptions(opts));
}

/**
 * keras.applications.MobileNet: 4,253,864 parameters with top at alpha 1.0 (3,228,864 without); 475,544 / 218,544 at 0.25.
 *
 * @example
 * ```ts
 * import { mobilenet } from './lib/models/mobilenet';
 *
 * const convBase = await mobilenet({ alpha: 0.25, includeTop: false, inputShape: [160, 160, 3] });
 * console.log(convBase.countParams()); // 218,544
 * ```
 */
export async function mobilenet(opts: MobileNetOptions = {}): Promise<tf.LayersModel> {
  const o = resolveMobileNetOptions(opts);
  const file = o.weights === 'imagenet' ? mobilenetWeightsFile(o.alpha, o.rows, o.includeTop) : undefined;
  return loadApplicationWeights(mobileNetLayers(o), o, file);
}
