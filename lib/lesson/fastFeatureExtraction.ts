/**
 * Fast feature extraction for the lesson (notebook 05): the profile's base runs once over train, validation and
 * test, and the features are cached as `.npy` files under `data/features/<profile>-<base>-<size>/<split>/`, so a
 * second run loads them. Each split keeps its file paths and class names, so the test features can be evaluated
 * like a dataset (`evaluateModel(classifier, featureBatches(feats.test))`) and its mistakes shown as photos.
 */
import { displaySplitName } from '../core/displayNames';
import type * as tf from '@tensorflow/tfjs';
import { say } from '../core/messages';
import { dataPath } from '../core/paths';
import type { EvalBatches } from '../training/evaluate';
import { extractFeatures, type ExtractResult } from '../training/features';
import { showTable } from '../ui/display';
import type { Backbone } from './backbone';
import type { LessonDatasets } from './profileDatasets';
import { SPLITS } from './lessonDataset';
import type { LessonProfile } from './profile';

/** One split's features, with the photos they came from. The tensors belong to the caller. */
export interface FeatureSplit extends ExtractResult {
  filePaths: string[];
  classNames: string[];
}

/** The three splits' features. */
export type LessonFeatures = Record<(typeof SPLITS)[number], FeatureSplit>;

/** The cache folder of one split's features (`data/features/mini-mobilenet_0.25_192-192/train`). */
export function featureCacheDir(profile: LessonProfile, backbone: Backbone, split: string): string {
  return dataPath('features', `${profile.name}-${backbone.convBase.name}-${profile.imageSize[0]}`, split);
}

/** Runs the base over the three splits once (or loads the cached features). */
export async function lessonFeatures(
  profile: LessonProfile,
  backbone: Backbone,
  data: LessonDatasets,
): Promise<LessonFeatures> {
  const out: Partial<LessonFeatures> = {};
  for (const split of SPLITS) {
    const ds = data[split];
    const r = await extractFeatures(backbone.convBase, ds, {
      preprocess: backbone.preprocess,
      preprocessName: backbone.preprocessMode,
      cache: featureCacheDir(profile, backbone, split),
      label: displaySplitName(split),
    });
    out[split] = { ...r, filePaths: ds.filePaths, classNames: ds.classNames };
  }
  return { train: out.train!, validation: out.validation!, test: out.test! };
}

/** A split's features as one batch for `evaluateModel` (with its file paths; pass `disposeBatches: false`). */
export function featureBatches(split: FeatureSplit): EvalBatches {
  const batch: { xs: tf.Tensor; ys: tf.Tensor } = { xs: split.features, ys: split.labels };
  return Object.assign([batch], { filePaths: split.filePaths, classNames: split.classNames });
}

/** Shows, per split, the images, the feature shape, whether they were computed or loaded, and the seconds. */
export function showFeatureTable(feats: LessonFeatures): void {
  const source = (f: FeatureSplit) =>
    f.fromCache ? say({ en: 'cache (.npy)', ko: '캐시 (.npy)' }) : say({ en: 'computed', ko: '계산함' });
  const rows = SPLITS.map((split) => ({
    [say({ en: 'split', ko: '데이터' })]: displaySplitName(split),
    [say({ en: 'images', ko: '이미지 수' })]: feats[split].features.shape[0],
    [say({ en: 'features per image', ko: '이미지당 특성 맵' })]: feats[split].features.shape.slice(1).join(' × '),
    [say({ en: 'source', ko: '출처' })]: source(feats[split]),
    [say({ en: 'seconds', ko: '초' })]: feats[split].seconds.toFixed(1),
  }));
  showTable(rows, { caption: say({ en: 'Features extracted once', ko: '한 번만 뽑은 특성' }) });
}
