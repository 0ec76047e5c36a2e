/**
 * Lesson profiles: `full` runs the lesson as written (the real cats-and-dogs data from Google Drive, ImageNet
 * weights, the lesson's image size and epochs); `sample` runs the same code on a small generated dataset with
 * small sizes and few epochs, so that every notebook runs offline in minutes.
 *
 * `LESSON_PROFILE=full|sample` selects one. Unset (or `auto`), `full` is used when its data is present or can be
 * downloaded, otherwise `sample`, and the notebook says so in a visible banner.
 */
import { existsSync, promises as fs, readdirSync, statSync } from 'fs';
import * as path from 'path';
import { assetPath, projectRoot, weightsCacheDir } from '../core/paths';

/** The two profiles. */
export type ProfileName = 'full' | 'sample';

/** Everything a notebook needs to know about the run it is part of. */
export interface LessonProfile {
  name: ProfileName;
  /** Why this profile (forced, data present, download failed ...). */
  reason: string;
  /** Root of the dataset: has train/, validation/, test/ with cats/ and dogs/. */
  dataDir: string;
  /** Image size fed to the models, [height, width]. */
  imageSize: [number, number];
  batchSize: number;
  /** Epochs for each training step of the lesson. */
  epochs: { scratch: number; features: number; augmentation: number; fineTune: number };
  /** Learning rates (RMSprop) of the same steps: the lesson's in `full`, larger in `sample` (far fewer steps; 1e-3 saturated the head in about one run in three). */
  learningRates: { features: number; augmentation: number; fineTune: number };
  /** Backbone used by the transfer-learning notebooks and where its weights come from. */
  backbone: { name: 'vgg16' | 'mobilenet'; alpha?: number; weights: 'imagenet' | null; fineTuneFrom: string; note: string };
  /** The project root (for data/ and build/). */
  root: string;
}

export { projectRoot };

const FULL_SIZE: [number, number] = [150, 150];
const SAMPLE_SIZE: [number, number] = [96, 96];

function isCompleteDataset(dir: string): boolean {
  return ['train', 'validation', 'test'].every((split) =>
    ['cats', 'dogs'].every((cls) => {
      const p = path.join(dir, split, cls);
      return existsSync(p) && statSync(p).isDirectory() && readdirSync(p).length > 0;
    }),
  );
}

/** LESSON_BACKBONE for the full profile: 'vgg16' (the lesson's, default) or 'mobilenet' (faster on a CPU). */
function fullBackbone(): 'vgg16' | 'mobilenet' {
  const v = (process.env.LESSON_BACKBONE ?? 'vgg16').trim().toLowerCase();
  if (v === 'vgg16' || v === 'mobilenet') return v;
  throw new Error(`LESSON_BACKBONE=${process.env.LESSON_BACKBONE} is not a backbone: use vgg16 (the lesson's) or mobilenet.`);
}

function fullProfile(root: string, reason: string): LessonProfile {
  const backbone = fullBackbone();
  return {
    name: 'full', reason, root,
    dataDir: path.join(root, 'data', 'cats_and_dogs_small'),
    imageSize: FULL_SIZE, batchSize: 20,
    epochs: { scratch: 30, features: 30, augmentation: 30, fineTune: 30 },
    learningRates: { features: 2e-5, augmentation: 2e-5, fineTune: 1e-5 },
    backbone: {
      name: backbone,
      alpha: 1.0, weights: 'imagenet',
      fineTuneFrom: backbone === 'mobilenet' ? 'conv_dw_12' : 'block5_conv1',
      note: 'ImageNet weights downloaded from Keras\'s URLs into data/models',
    },
  };
}

function sampleProfile(root: string, reason: string): LessonProfile {
  return {
    name: 'sample', reason, root,
    dataDir: path.join(root, 'data', 'sample', 'cats_and_dogs_small'),
    imageSize: SAMPLE_SIZE, batchSize: 16,
    epochs: { scratch: 6, features: 12, augmentation: 8, fineTune: 4 },
    learningRates: { features: 1e-4, augmentation: 1e-4, fineTune: 2e-5 },
    backbone: {
      name: 'mobilenet', alpha: 0.25, weights: 'imagenet', fineTuneFrom: 'conv_dw_12',
      note: 'real Keras ImageNet weights of MobileNet α=0.25 (no top), shipped in lib/assets/keras-weights and placed in the weights cache',
    },
  };
}

/** Decides the profile without side effects (no download, no generation). */
export function resolveProfile(env: NodeJS.ProcessEnv = process.env): { name: ProfileName | 'auto'; profile?: LessonProfile } {
  const root = projectRoot();
  const wanted = (env.LESSON_PROFILE ?? 'auto').trim().toLowerCase();
  // LESSON_PROFILE_REASON: set by `npm run lesson`, which decides once for all notebooks and passes its reason on.
  const reason = (name: string) => env.LESSON_PROFILE_REASON ?? `forced by LESSON_PROFILE=${name}`;
  if (wanted === 'full') return { name: 'full', profile: fullProfile(root, reason('full')) };
  if (wanted === 'sample') return { name: 'sample', profile: sampleProfile(root, reason('sample')) };
  if (wanted !== 'auto' && wanted !== '') {
    throw new Error(`LESSON_PROFILE=${env.LESSON_PROFILE} is not a profile: use full, sample, or leave it unset (auto).`);
  }
  const full = fullProfile(root, 'the lesson\'s dataset is in data/cats_and_dogs_small');
  if (isCompleteDataset(full.dataDir)) return { name: 'full', profile: full };
  return { name: 'auto' };
}

async function fetchFullData(root: string, quiet: boolean): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { gdown, LESSON_DATASET_ID } = require('../io/gdown') as typeof import('../io/gdown');
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { unzip } = require('../io/unzip') as typeof import('../io/unzip');
  const zip = path.join(root, 'data', 'cats_and_dogs_small.zip');
  if (!existsSync(zip)) await gdown(LESSON_DATASET_ID, { output: zip, quiet, retries: 1 });
  const dest = path.join(root, 'data', 'cats_and_dogs_small');
  await unzip(zip, dest, { quiet });
  if (!isCompleteDataset(dest)) throw new Error(`${zip} was extracted to ${dest} but it has no train/validation/test folders with cats/ and dogs/.`);
  return dest;
}

/** Places the bundled MobileNet α=0.25 Keras weights (lib/assets/keras-weights) in the weights cache (sample profile). */
async function seedSampleWeights(): Promise<void> {
  const file = 'mobilenet_2_5_224_tf_no_top.h5';
  const src = assetPath('keras-weights', file);
  const cacheDir = weightsCacheDir();
  const dest = path.join(cacheDir, file);
  if (existsSync(dest)) return;
  if (!existsSync(src)) throw new Error(`The sample profile needs ${src} (part of the repository): restore it with git checkout.`);
  await fs.mkdir(cacheDir, { recursive: true });
  await fs.copyFile(src, dest + '.tmp');
  await fs.rename(dest + '.tmp', dest);
}

/**
 * Resolves the profile and makes its data ready: in `full`, downloads and unzips the lesson's dataset when it is
 * missing; in `sample`, generates the small dataset (once) and places the bundled weights in the cache.
 * Shows a banner in the notebook saying which profile runs and why.
 */
export async function prepareLesson(opts: { quiet?: boolean; banner?: boolean } = {}): Promise<LessonProfile> {
  const quiet = opts.quiet ?? process.env.LESSON_QUIET === '1';
  const root = projectRoot();
  let { name, profile } = resolveProfile();
  if (name === 'full' && profile && !isCompleteDataset(profile.dataDir)) {
    await fetchFullData(root, quiet);
  }
  if (name === 'auto') {
    try {
      await fetchFullData(root, quiet);
      profile = fullProfile(root, 'the lesson\'s dataset was downloaded from Google Drive');
    } catch (err) {
      const why = (err instanceof Error ? err.message : String(err)).split('\n')[0];
      profile = sampleProfile(root, `the lesson's dataset is not in data/cats_and_dogs_small and could not be downloaded (${why})`);
    }
  }
  if (!profile) throw new Error('no profile resolved');
  if (profile.name === 'sample') {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { makeSampleDataset } = require('../data/sampleData') as typeof import('../data/sampleData');
    await makeSampleDataset(profile.dataDir, { quiet: true });
    await seedSampleWeights();
  }
  if (opts.banner ?? true) showProfileBanner(profile);
  return profile;
}

/** A one-paragraph description of the profile. */
export function describeProfile(p: LessonProfile): string {
  const rel = path.relative(p.root, p.dataDir);
  return `Lesson profile: ${p.name} — ${p.reason}. Data: ${rel}; images ${p.imageSize.join('x')}, batch ${p.batchSize}; ` +
    `backbone ${p.backbone.name}${p.backbone.alpha && p.backbone.name === 'mobilenet' ? ` α=${p.backbone.alpha}` : ''} (${p.backbone.note}).`;
}

/** Shows the profile banner (a coloured box in a notebook; a line elsewhere). */
export function showProfileBanner(p: LessonProfile): void {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { showHtml, escapeHtml } = require('../ui/display') as typeof import('../ui/display');
  const text = describeProfile(p);
  const sample = p.name === 'sample';
  const extra = sample
    ? '<br/><b>sample 프로필</b>: 원본 데이터 대신 생성한 작은 데이터셋과 작은 크기·적은 epoch로 실행합니다. 정확도 수치는 원본 강의의 수치와 비교할 수 없습니다. ' +
      '원본으로 실행하려면 <code>data/cats_and_dogs_small</code>을 준비하고 <code>LESSON_PROFILE=full</code>로 실행하세요.'
    : '';
  const color = sample ? '#fff4e5;border-left:6px solid #f0a030' : '#e8f4ea;border-left:6px solid #3a9a50';
  showHtml(`<div style="background:${color};padding:8px 12px;margin:4px 0">${escapeHtml(text)}${extra}</div>`, text);
}
