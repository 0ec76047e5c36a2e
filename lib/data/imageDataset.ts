/**
 * Images on disk as tensors, as Keras does: `imageDatasetFromDirectory` (Keras `image_dataset_from_directory`)
 * and `loadImage` (one file).
 *
 * Same file discovery as Keras (./files), same shuffle and split: the file list is shuffled with numpy's
 * `RandomState(seed).shuffle` (core/random's MT19937), so for the same folder and seed the training/validation
 * split is the one Keras makes. Images are decoded by ./decode and resized like `tf.image.resize` (./resize);
 * batches stream from disk (./directoryDataset).
 */
import * as tf from '@tensorflow/tfjs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { say } from '../core/messages';
import { MersenneTwister } from '../core/random';
import { decodeImageFile } from './decode';
import { DirectoryDataset } from './directoryDataset';
import { IMAGE_EXTENSIONS, listClassFolders, listImages } from './files';
import { resolveDatasetOptions, type ImageDatasetOptions, type ResolvedDatasetOptions } from './datasetOptions';
import { ResizeMethod, resizeInto } from './resize';

export type { ImageDatasetOptions } from './datasetOptions';

async function checkFolder(dir: string): Promise<void> {
  let stat;
  try {
    stat = await fsp.stat(dir);
  } catch (err) {
    throw new Error(`Image folder ${dir} does not exist. Download and extract the dataset first, or check the path.`, {
      cause: err,
    });
  }
  if (!stat.isDirectory())
    throw new Error(`${dir} is not a folder: pass the folder that holds one sub-folder per class.`);
}

/** The classes to use: `classNames` (checked against the sub-folders) or every sub-folder, sorted. */
async function resolveClasses(dir: string, o: ResolvedDatasetOptions): Promise<string[]> {
  const subdirs = await listClassFolders(dir);
  if (o.classNames) {
    const missing = o.classNames.filter((c) => !subdirs.includes(c));
    if (missing.length) {
      throw new Error(
        `classNames ${JSON.stringify(missing)} are not sub-folders of ${dir}; its sub-folders ` +
          `are ${JSON.stringify(subdirs)}.`,
      );
    }
  }
  const classNames = o.classNames ? [...o.classNames] : subdirs;
  if (o.labelMode === 'binary' && classNames.length !== 2) {
    throw new Error(
      `labelMode 'binary' needs exactly 2 classes, but ${dir} has ${classNames.length}: ` +
        `${JSON.stringify(classNames)}. Use 'int' or 'categorical'.`,
    );
  }
  return classNames;
}

/** Warns about a class folder without images: it still takes a label (Keras does the same), silently shifting the others. */
function warnEmptyClass(folder: string, className: string, label: number): void {
  console.warn(
    say({
      en:
        `Class folder ${folder} has no images (${IMAGE_EXTENSIONS.join(', ')}): class '${className}' still takes label ${label}, ` +
        'so the labels of the classes after it are shifted by one. Add its images, remove the folder, or ' +
        'choose the classes with classNames.',
      ko:
        `클래스 폴더 ${folder}에 이미지(${IMAGE_EXTENSIONS.join(', ')})가 없습니다. 클래스 '${className}'도 레이블 ${label}을 차지하므로 ` +
        '그 뒤 클래스들의 레이블이 하나씩 밀립니다. 이미지를 넣거나, 폴더를 지우거나, classNames로 쓸 클래스를 고르세요.',
    }),
  );
}

/** Every image file and its class index, class by class; an empty class folder is warned about, by name. */
async function listLabelledImages(
  dir: string,
  classNames: string[],
): Promise<{ filePaths: string[]; labels: number[] }> {
  const filePaths: string[] = [];
  const labels: number[] = [];
  for (let c = 0; c < classNames.length; c++) {
    const folder = path.join(dir, classNames[c]);
    const files = await listImages(folder);
    if (files.length === 0) warnEmptyClass(folder, classNames[c], c);
    filePaths.push(...files);
    labels.push(...files.map(() => c));
  }
  return { filePaths, labels };
}

/** Keras's split: the last `floor(split * n)` files of the shuffled list are the validation subset. */
function takeSubset<T>(items: T[], split: number, subset: 'training' | 'validation'): T[] {
  const cut = items.length - Math.floor(split * items.length);
  return subset === 'training' ? items.slice(0, cut) : items.slice(cut);
}

/**
 * Lists the images of `dir` (one sub-folder per class) like Keras `image_dataset_from_directory` and returns a
 * dataset streaming decoded, resized batches. Prints "Found N files belonging to C classes." unless quiet.
 *
 * @example
 * ```ts
 * import { dataPath } from './lib/core/paths';
 * import { imageDatasetFromDirectory } from './lib/data/imageDataset';
 *
 * const trainDataset = await imageDatasetFromDirectory(dataPath('cats_and_dogs_small', 'train'), {
 *   imageSize: [180, 180],
 *   batchSize: 32,
 * });
 * for await (const { xs, ys } of trainDataset) {
 *   console.log(xs.shape, ys.shape); // [32, 180, 180, 3] [32]
 *   break;
 * }
 * ```
 */
export async function imageDatasetFromDirectory(
  dir: string,
  opts: ImageDatasetOptions = {},
): Promise<DirectoryDataset> {
  const o = resolveDatasetOptions(opts);
  await checkFolder(dir);
  const classNames = o.labelMode === null ? [] : await resolveClasses(dir, o);
  let { filePaths, labels } =
    o.labelMode === null
      ? { filePaths: await listImages(dir), labels: [] as number[] }
      : await listLabelledImages(dir, classNames);
  const classes = o.labelMode === null ? '' : ` belonging to ${classNames.length} classes`;
  if (filePaths.length === 0) {
    throw new Error(
      `No images found in ${dir}${o.labelMode === null ? '' : ' (one sub-folder per class)'}. ` +
        `Allowed formats: ${IMAGE_EXTENSIONS.join(', ')}.`,
    );
  }
  if (!o.quiet) console.log(`Found ${filePaths.length} files${classes}.`);
  if (o.shuffle) {
    new MersenneTwister(o.seed).shuffle(filePaths);
    if (o.labelMode !== null) new MersenneTwister(o.seed).shuffle(labels);
  }
  if (o.labelMode === null) labels = filePaths.map(() => 0);
  if (o.validationSplit !== undefined && o.subset) {
    const total = filePaths.length;
    filePaths = takeSubset(filePaths, o.validationSplit, o.subset);
    labels = takeSubset(labels, o.validationSplit, o.subset);
    if (!o.quiet) console.log(`Using ${filePaths.length} files for ${o.subset}.`);
    if (filePaths.length === 0)
      throw new Error(`validationSplit ${o.validationSplit} leaves no files for ${o.subset} (of ${total}).`);
  }
  return new DirectoryDataset({ ...o, classNames, filePaths, labels });
}

/**
 * Loads one image as a float32 0..255 RGB tensor [h, w, 3], resized (like Keras) when `imageSize` is given; with
 * `autoOrient`, turned as its EXIF orientation says.
 */
export async function loadImage(
  file: string,
  opts: { imageSize?: [number, number]; interpolation?: ResizeMethod; autoOrient?: boolean } = {},
): Promise<tf.Tensor3D> {
  const img = await decodeImageFile(file, 'rgb', { autoOrient: opts.autoOrient });
  const [h, w] = opts.imageSize ?? [img.height, img.width];
  const out = new Float32Array(h * w * 3);
  resizeInto(img, [h, w], opts.interpolation ?? 'bilinear', out);
  return tf.tensor3d(out, [h, w, 3], 'float32');
}
