/**
 * The keras.applications of this project by name, each with its family's table (preprocessing mode, default
 * size, default fine-tuning layer) and the ImageNet weight file its builder would load. The one place the
 * lesson, the notebooks and the docs read these facts from:
 *
 *     const info = applicationInfo('MobileNet');            // case-insensitive: 'mobilenet' works too
 *     const base = await info.build({ includeTop: false, inputShape: [96, 96, 3], alpha: 0.25 });
 *     buildTransferModel(base, { preprocess: info.preprocess });
 *     setFineTuneStrategy(model, base, 'top', { from: info.fineTuneFrom });
 */
import * as tf from '@tensorflow/tfjs';
import { ArgumentError } from '../core/argumentError';
import { FamilyInfo, ResolvedOptions } from './common';
import { MOBILENET, mobilenet, MobileNetOptions, mobilenetWeightsFile, resolveMobileNetOptions } from './mobilenet';
import { MOBILENET_V2, mobilenetV2, mobilenetV2WeightsFile, resolveMobileNetV2Options } from './mobilenetV2';
import { resnet101, resnet152, resnet50, RESNET, ResNetDepth, resnetWeightsFile, resolveResNetOptions } from './resnet';
import { resolveVggOptions, VGG, vgg16, vgg19, VggDepth, vggWeightsFile } from './vgg';
import { KerasWeightsFile, kerasWeightsUrl } from './weightFiles';

/**
 * The options any builder of the table accepts: MobileNet's are the widest (a family rejects options it does not
 * take, e.g. VGG's `alpha`).
 */
export type BackboneOptions = MobileNetOptions;

/** One application: its Keras name, its family's table, its builder and its ImageNet weight file. */
export interface ApplicationInfo extends FamilyInfo {
  /** Keras's name, e.g. 'VGG16', 'MobileNet'. */
  name: ApplicationName;
  /** Builds the model (async: 'imagenet' weights may download). */
  build(opts?: BackboneOptions): Promise<tf.LayersModel>;
  /**
   * The ImageNet weight file the builder loads for `opts` (default: with top, 224, alpha 1.0) and its URL. Options
   * are checked as the builder checks them: options Keras publishes no file for (MobileNet alpha 0.3) throw.
   */
  weightsFile(opts?: BackboneOptions): KerasWeightsFile & { url: string };
}

/** The applications' Keras names. */
export type ApplicationName = 'VGG16' | 'VGG19' | 'ResNet50' | 'ResNet101' | 'ResNet152' | 'MobileNet' | 'MobileNetV2';

/** An entry: the family table, the builder, and the weight file of the options as the builder resolves them. */
function entry<R extends ResolvedOptions>(
  name: ApplicationName,
  family: FamilyInfo,
  build: (opts?: BackboneOptions) => Promise<tf.LayersModel>,
  resolve: (opts: BackboneOptions) => R,
  file: (o: R) => KerasWeightsFile,
): ApplicationInfo {
  return {
    ...family,
    name,
    build,
    weightsFile: (opts = {}) => {
      const f = file(resolve({ ...opts, weights: 'imagenet', quiet: true }));
      return { ...f, url: kerasWeightsUrl(f) };
    },
  };
}

const vgg = (depth: VggDepth) => (opts: BackboneOptions) => resolveVggOptions(depth, opts);
const resnet = (depth: ResNetDepth) => (opts: BackboneOptions) => resolveResNetOptions(depth, opts);

/** The available applications by Keras name. */
export const APPLICATIONS: Readonly<Record<ApplicationName, ApplicationInfo>> = {
  VGG16: entry('VGG16', VGG, vgg16, vgg(16), (o) => vggWeightsFile(16, o.includeTop)),
  VGG19: entry('VGG19', VGG, vgg19, vgg(19), (o) => vggWeightsFile(19, o.includeTop)),
  ResNet50: entry('ResNet50', RESNET, resnet50, resnet(50), (o) => resnetWeightsFile(50, o.includeTop)),
  ResNet101: entry('ResNet101', RESNET, resnet101, resnet(101), (o) => resnetWeightsFile(101, o.includeTop)),
  ResNet152: entry('ResNet152', RESNET, resnet152, resnet(152), (o) => resnetWeightsFile(152, o.includeTop)),
  MobileNet: entry('MobileNet', MOBILENET, mobilenet, resolveMobileNetOptions, (o) =>
    mobilenetWeightsFile(o.alpha, o.rows, o.includeTop),
  ),
  MobileNetV2: entry('MobileNetV2', MOBILENET_V2, mobilenetV2, resolveMobileNetV2Options, (o) =>
    mobilenetV2WeightsFile(o.alpha, o.rows, o.includeTop),
  ),
};

/** An application by name, case-insensitively ('VGG16', 'vgg16', 'mobilenetv2'); an unknown name lists the known ones. */
export function applicationInfo(name: string): ApplicationInfo {
  const key = (Object.keys(APPLICATIONS) as ApplicationName[]).find(
    (k) => k.toLowerCase() === String(name).trim().toLowerCase(),
  );
  if (!key) {
    const names = Object.keys(APPLICATIONS).join(', ');
    throw new ArgumentError({
      en: `No application named '${name}': use one of ${names}.`,
      ko: `'${name}' 이라는 모델은 없습니다. 다음 중 하나를 쓰세요: ${names}.`,
    });
  }
  return APPLICATIONS[key];
}
