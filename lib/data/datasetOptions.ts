/**
 * The options of `imageDatasetFromDirectory` (Keras's `image_dataset_from_directory` arguments in camelCase): their
 * defaults, and Keras's rules checked once, before any file is read. A bad option is an `ArgumentError` naming the
 * option and the value received, in the reader's language.
 */
import { ArgumentError } from '../core/argumentError';
import type { ColorMode } from './decode';
import type { DirectoryDatasetConfig, LabelMode } from './directoryDataset';
import { RESIZE_METHODS, type ResizeMethod } from './resize';

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
export type ResolvedDatasetOptions = Omit<DirectoryDatasetConfig, 'classNames' | 'filePaths' | 'labels'> &
  Pick<ImageDatasetOptions, 'classNames' | 'validationSplit' | 'subset'>;

function checkSplit(
  split: number | undefined,
  subset: string | undefined,
  shuffle: boolean,
  seed: number | undefined,
): void {
  if (split !== undefined && !(split > 0 && split < 1))
    throw new ArgumentError({
      en: `imageDatasetFromDirectory: validationSplit must be between 0 and 1 (exclusive). Received: ${split}.`,
      ko: `imageDatasetFromDirectory: validationSplit는 0과 1 사이(양 끝 제외)여야 합니다. 받은 값: ${split}.`,
    });
  if (split !== undefined && !subset)
    throw new ArgumentError({
      en: `imageDatasetFromDirectory: validationSplit is set, so also pass subset: 'training' or 'validation'.`,
      ko: `imageDatasetFromDirectory: validationSplit를 주었으니 subset도 'training' 또는 'validation'으로 주세요.`,
    });
  if (subset && split === undefined) {
    throw new ArgumentError({
      en: `imageDatasetFromDirectory: subset '${subset}' needs validationSplit (e.g. 0.2).`,
      ko: `imageDatasetFromDirectory: subset '${subset}'을(를) 쓰려면 validationSplit(예: 0.2)도 주세요.`,
    });
  }
  if (subset && subset !== 'training' && subset !== 'validation')
    throw new ArgumentError({
      en: `imageDatasetFromDirectory: subset must be 'training' or 'validation'. Received: '${subset}'.`,
      ko: `imageDatasetFromDirectory: subset은 'training' 또는 'validation'이어야 합니다. 받은 값: '${subset}'.`,
    });
  if (split !== undefined && shuffle && seed === undefined) {
    throw new ArgumentError({
      en:
        'imageDatasetFromDirectory: validationSplit with shuffle needs a seed (the same for both subsets), so ' +
        'that training and validation files do not overlap.',
      ko:
        'imageDatasetFromDirectory: 섞으면서(shuffle) validationSplit로 나누려면 두 subset에 같은 seed를 주세요. ' +
        '그래야 학습 파일과 검증 파일이 겹치지 않습니다.',
    });
  }
}

/** Applies the defaults and checks every option once; errors name the option and the value received. */
export function resolveDatasetOptions(opts: ImageDatasetOptions): ResolvedDatasetOptions {
  const labelMode = opts.labelMode === undefined ? 'int' : opts.labelMode;
  if (labelMode !== null && !['int', 'binary', 'categorical'].includes(labelMode)) {
    throw new ArgumentError({
      en: `imageDatasetFromDirectory: labelMode must be 'int', 'binary', 'categorical' or null. Received: ${JSON.stringify(labelMode)}.`,
      ko: `imageDatasetFromDirectory: labelMode는 'int', 'binary', 'categorical', null 중 하나여야 합니다. 받은 값: ${JSON.stringify(labelMode)}.`,
    });
  }
  const colorMode = opts.colorMode ?? 'rgb';
  if (colorMode !== 'rgb' && colorMode !== 'grayscale')
    throw new ArgumentError({
      en: `imageDatasetFromDirectory: colorMode must be 'rgb' or 'grayscale'. Received: '${colorMode}'.`,
      ko: `imageDatasetFromDirectory: colorMode는 'rgb' 또는 'grayscale'이어야 합니다. 받은 값: '${colorMode}'.`,
    });
  const imageSize = opts.imageSize ?? [256, 256];
  if (imageSize.length !== 2 || !imageSize.every((v) => Number.isInteger(v) && v > 0)) {
    throw new ArgumentError({
      en: `imageDatasetFromDirectory: imageSize must be [height, width], two positive integers. Received: ${JSON.stringify(imageSize)}.`,
      ko: `imageDatasetFromDirectory: imageSize는 [높이, 너비], 양의 정수 두 개여야 합니다. 받은 값: ${JSON.stringify(imageSize)}.`,
    });
  }
  const batchSize = opts.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new ArgumentError({
      en: `imageDatasetFromDirectory: batchSize must be a positive integer. Received: ${batchSize}.`,
      ko: `imageDatasetFromDirectory: batchSize는 양의 정수여야 합니다. 받은 값: ${batchSize}.`,
    });
  const interpolation = opts.interpolation ?? 'bilinear';
  if (!RESIZE_METHODS.includes(interpolation))
    throw new ArgumentError({
      en: `imageDatasetFromDirectory: interpolation must be one of ${RESIZE_METHODS.join(', ')}. Received: '${interpolation}'.`,
      ko: `imageDatasetFromDirectory: interpolation은 ${RESIZE_METHODS.join(', ')} 중 하나여야 합니다. 받은 값: '${interpolation}'.`,
    });
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
