/**
 * The convolutional base `trainOnFolder` builds on: any keras.applications builder of lib/models/applications.ts,
 * with Keras's ImageNet weights (`'imagenet'`: Keras's own cache, else downloaded into the project's) or a Keras
 * `.h5` file; by default, and offline, the MobileNet α=0.25 whose weights ship with the library.
 */
import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import { say } from '../core/messages';
import { applicationInfo, type ApplicationInfo } from '../models/applications';
import { SHIPPED_MOBILENET } from '../models/shippedWeights';

/** Which base: a Keras application name, MobileNet's width, and the weights. */
export interface BackboneChoice {
  /** A keras.applications name ('MobileNet', 'MobileNetV2', 'VGG16', 'ResNet50' ...); default 'MobileNet'. */
  backbone?: string;
  /** Width multiplier of the MobileNets (default 0.25 for MobileNet, 1.0 for MobileNetV2). */
  alpha?: number;
  /** 'imagenet' or the path of a Keras `.h5` file; default: the shipped file for MobileNet α=0.25, else 'imagenet'. */
  weights?: string;
}

/** A built base and what a report says about it. */
export interface FolderBackbone {
  base: tf.LayersModel;
  info: ApplicationInfo;
  alpha?: number;
  /** 'shipped', 'imagenet' or the .h5 path. */
  weights: string;
  /** One sentence for the run's output: which base, which weights, and why. */
  note: string;
}

/** The weights to load: the shipped file where it fits and none was asked for. */
function resolveWeights(info: ApplicationInfo, alpha: number | undefined, weights?: string): string {
  if (weights !== undefined && weights !== 'imagenet' && !fs.existsSync(weights)) {
    throw new Error(`--weights ${weights}: no such file. Pass 'imagenet' or the path of a Keras .h5 weight file.`);
  }
  if (weights !== undefined) return weights;
  return info.name === SHIPPED_MOBILENET.application && alpha === SHIPPED_MOBILENET.alpha ? 'shipped' : 'imagenet';
}

/** Builds the base without its top for `imageSize` (see the file comment). */
export async function loadFolderBackbone(
  choice: BackboneChoice,
  imageSize: [number, number],
  quiet?: boolean,
): Promise<FolderBackbone> {
  const info = applicationInfo(choice.backbone ?? 'MobileNet');
  const takesAlpha = info.extraOptions.includes('alpha');
  if (choice.alpha !== undefined && !takesAlpha)
    throw new Error(`--alpha applies to the MobileNets only, not ${info.name}.`);
  const alpha = takesAlpha ? (choice.alpha ?? (info.name === 'MobileNet' ? SHIPPED_MOBILENET.alpha : 1.0)) : undefined;
  const weights = resolveWeights(info, alpha, choice.weights);
  const file = weights === 'shipped' ? SHIPPED_MOBILENET.weights : weights;
  const base = await info.build({
    includeTop: false,
    weights: file,
    inputShape: [imageSize[0], imageSize[1], 3],
    alpha,
    quiet,
  });
  const name = `${info.name}${alpha === undefined ? '' : ` α=${alpha}`}`;
  const note =
    weights === 'shipped'
      ? say({
          en:
            `Backbone: ${name} with the ImageNet weights shipped in lib/assets ` +
            '(the offline default; --backbone and --weights imagenet choose another).',
          ko: `백본: ${name}, lib/assets에 함께 배포되는 ImageNet 가중치 (오프라인 기본값; 다른 백본은 옵션 backbone, weights: 'imagenet'으로 고릅니다).`,
        })
      : say({ en: `Backbone: ${name} with weights ${weights}.`, ko: `백본: ${name}, 가중치 ${weights}.` });
  return { base, info, alpha, weights, note };
}
