/**
 * The profile's images as Keras datasets: train (shuffled with a seed), validation and test, at the profile's
 * image size and batch size, with binary labels (cats = 0, dogs = 1) — `image_dataset_from_directory` as the lesson
 * calls it.
 */
import * as path from 'node:path';
import { imageDatasetFromDirectory } from '../data/imageDataset';
import type { ImageDataset } from '../data/directoryDataset';
import { SPLITS } from './lessonDataset';
import type { LessonProfile } from './profile';

/** The three splits of the profile's dataset. */
export type LessonDatasets = Record<(typeof SPLITS)[number], ImageDataset>;

/** Opens train/validation/test of the profile's dataset (train shuffled with `seed`, the others in file order). */
export async function lessonDatasets(
  profile: LessonProfile,
  opts: { seed?: number; quiet?: boolean } = {},
): Promise<LessonDatasets> {
  const open = (split: (typeof SPLITS)[number]) =>
    imageDatasetFromDirectory(path.join(profile.dataDir, split), {
      imageSize: profile.imageSize,
      batchSize: profile.batchSize,
      labelMode: 'binary',
      shuffle: split === 'train',
      seed: opts.seed ?? 42,
      quiet: opts.quiet ?? true,
    });
  const [train, validation, test] = await Promise.all(SPLITS.map(open));
  return { train, validation, test };
}

/**
 * The first `perClass` photos of each class of a split (default 'test', 3 per class), in file order (for
 * predictions and CAM grids), from the profile's dataset or from the dataset folder `from`.
 */
export async function samplePhotos(
  from: LessonProfile | string,
  opts: { split?: string; perClass?: number } = {},
): Promise<string[]> {
  const dataDir = typeof from === 'string' ? from : from.dataDir;
  const ds = await imageDatasetFromDirectory(path.join(dataDir, opts.split ?? 'test'), { shuffle: false, quiet: true });
  const n = opts.perClass ?? 3;
  return ds.classNames.flatMap((_, c) => ds.filePaths.filter((_f, i) => ds.labels[i] === c).slice(0, n));
}
