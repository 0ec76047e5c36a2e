/**
 * The lesson's two datasets: the original `cats_and_dogs_small` (Google Drive, 2,000 train / 1,000 validation /
 * 1,000 test photos) and the mini set shipped with the library (`lib/assets/cats_and_dogs_mini`, 400 real photos
 * split the same way), plus the check that a folder holds such a dataset.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { assetPath, dataPath } from '../core/paths';

/** The lesson's dataset on Google Drive and where the lesson puts it. */
export const LESSON_DATASET = {
  /** The Drive file id of `cats_and_dogs_small.zip`. */
  id: '1nBE3N2cXQGwD8JaD0JZ2LmFD-n3D5hVU',
  /** The link the original lesson passes to `gdown`. */
  url: 'https://drive.google.com/uc?id=1nBE3N2cXQGwD8JaD0JZ2LmFD-n3D5hVU',
  /** Where the zip is saved (`data/cats_and_dogs_small.zip`, under the project root in force). */
  get zip(): string {
    return dataPath('cats_and_dogs_small.zip');
  },
  /** Where it is unzipped (`data/cats_and_dogs_small`). */
  get dir(): string {
    return dataPath('cats_and_dogs_small');
  },
};

/** The mini dataset shipped with the library: 100/50/50 real photos per class. */
export const MINI_DATASET_DIR = assetPath('cats_and_dogs_mini');

/** The splits and classes every lesson dataset has. */
export const SPLITS = ['train', 'validation', 'test'] as const;
/** The class folders, in Keras's (sorted) order: cats = 0, dogs = 1. */
export const CLASSES = ['cats', 'dogs'] as const;

/** True when `dir` has train/, validation/ and test/, each with non-empty cats/ and dogs/. */
export function isLessonDataset(dir: string): boolean {
  return SPLITS.every((split) =>
    CLASSES.every((cls) => {
      const p = path.join(dir, split, cls);
      return existsSync(p) && statSync(p).isDirectory() && readdirSync(p).some((f) => !f.startsWith('.'));
    }),
  );
}

/** The command a learner with Google Drive access runs to get the lesson's dataset (shown offline). */
export function downloadCommand(): string {
  return `npm run gdown -- ${LESSON_DATASET.id} -O data/cats_and_dogs_small.zip`;
}
