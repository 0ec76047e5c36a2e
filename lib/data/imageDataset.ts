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
import { ColorMode, decodeImageFile } from './decode';
import { DirectoryDataset, DirectoryDatasetConfig, LabelMode } from './directoryDataset';
import { IMAGE_EXTENSIONS, listClassFolders, listImages } from './files';
import { RESIZE_METHODS, ResizeMethod, resizeInto } from './resize';

/** Options of `imageDatasetFromDirectory` (Keras names in camelCase). */
export interface ImageDatasetOptions {
  /** Default 'int'. */
  labelMode?: LabelMode;
  /** Class folders to use, in this order; default: all sub-folders, sorted. */
  classNames?: string[];
  /** Default 'rgb' (3 channels); 'grayscale' gives 1 channel. */
  colorMode?: ColorMode;
  /** [height, width], default [256, 256]. */
  imageSize?: [number, number];
  /** Default 32. */
  batchSize?: number;
  /** Default true: shuffled once with `seed` (as Keras), reshuffled at every new iteration (deterministic given `seed`). */
  shuffle?: boolean;
  /** Seed of the shuffles; required with `shuffle` and `validationSplit`. */
  seed?: number;
  /** Fraction of files kept for validation (0 < x < 1); needs `subset`. */
  validationSplit?: number;
  subset?: 'training' | 'validation';
  /** Default 'bilinear' (half-pixel centres, no antialias, as Keras). */
  interpolation?: ResizeMethod;
  /** Default 'error': an undecodable image stops the iteration with an error naming it; 'skip' leaves it out. */
  onBadImage?: 'error' | 'skip';
  /** Do not print "Found N files belonging to C classes." (warnings, such as an empty class folder, still show). */
  quiet?: boolean;
}

/** The options with defaults, checked (Keras's rules), as the dataset uses them. */
type ResolvedDatasetOptions = Omit<DirectoryDatasetConfig, 'classNames' | 'filePaths' | 'labels'> &
  Pick<ImageDatasetOptions, 'classNames' | 'validationSplit' | 'subset'>;

function checkSplit(
  split: number | undefined,
  subset: string | undefined,
  shuffle: boolean,
  seed: number | undefined,
): void {
  if (split !== undefined && !(split > 0 && split < 1))
    throw new Error(`validationSplit must be between 0 and 1 ` + `(exclusive), got ${split}.`);
  if (split !== undefined && !subset)
    throw new Error(`validationSplit is set: also pass subset: 'training' or 'validation'.`);
  if (subset && split === undefined) throw new Error(`subset '${subset}' needs validationSplit (e.g. 0.2).`);
  if (subset && subset !== 'training' && subset !== 'validation')
    throw new Error(`subset must be 'training' or ` + `'validation', got '${subset}'.`);
  if (split !== undefined && shuffle && seed === undefined) {
    throw new Error(
      'validationSplit with shuffle needs a seed (the same for both subsets), so that training ' +
        'and validation files do not overlap.',
    );
  }
}

/** Applies the defaults and checks every option once; errors name the option and the value received. */
function resolveDatasetOptions(opts: ImageDatasetOptions): ResolvedDatasetOptions {
  const labelMode = opts.labelMode === undefined ? 'int' : opts.labelMode;
  if (labelMode !== null && !['int', 'binary', 'categorical'].includes(labelMode)) {
    throw new Error(`labelMode must be 'int', 'binary', 'categorical' or null, got ${JSON.stringify(labelMode)}.`);
  }
  const colorMode = opts.colorMode ?? 'rgb';
  if (colorMode !== 'rgb' && colorMode !== 'grayscale')
    throw new Error(`colorMode must be 'rgb' or 'grayscale', got '${colorMode}'.`);
  const imageSize = opts.imageSize ?? [256, 256];
  if (imageSize.length !== 2 || !imageSize.every((v) => Number.isInteger(v) && v > 0)) {
    throw new Error(`imageSize must be [height, width] with positive integers, got ${JSON.stringify(imageSize)}.`);
  }
  const batchSize = opts.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`batchSize must be a positive integer, got ${batchSize}.`);
  const interpolation = opts.interpolation ?? 'bilinear';
  if (!RESIZE_METHODS.includes(interpolation))
    throw new Error(`interpolation must be one of ` + `${RESIZE_METHODS.join(', ')}, got '${interpolation}'.`);
  const shuffle = opts.shuffle ?? true;
  checkSplit(opts.validationSplit, opts.subset, shuffle, opts.seed);
  return {
    labelMode,
    colorMode,
    imageSize: [imageSize[0], imageSize[1]],
    batchSize,
    interpolation,
    shuffle,
    seed: opts.seed ?? Math.floor(Math.random() * 1e6),
    onBadImage: opts.onBadImage ?? 'error',
    quiet: opts.quiet ?? false,
    classNames: opts.classNames,
    validationSplit: opts.validationSplit,
    subset: opts.subset,
  };
}

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
