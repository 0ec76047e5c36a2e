/**
 * The lesson's pipeline on any folder of images, any number of classes, in one call:
 *
 *     const run = await trainOnFolder('photos/', { method: 'extract', epochs: 20 });
 *     run.metrics.evaluation.accuracy;   // on photos/test, else on the validation images
 *     run.model.predict(images);         // 0..255 RGB pixels in, class probabilities out
 *
 * The folder is read as data/folderLayout.ts says (`<dir>/<class>/*` split with Keras's seeded `validation_split`,
 * or `train/` + `val/`|`validation/` [+ `test/`]); unreadable files are left out and named; the model is trained by
 * one of the lesson's three methods (training/folderMethods.ts) and evaluated. Nothing is written here:
 * `npm run train` and notebook 09 save the run with lib/ui/trainingRun.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { ProgressLine, type ProgressSink } from '../core/progress';
import type { SkippedFile } from '../data/imageCheck';
import {
  confusionMatrix,
  evaluateModel,
  mostConfidentMistakes,
  perClassMetrics,
  type EvaluationResult,
  type Mistake,
} from './evaluate';
import { loadFolderBackbone, type BackboneChoice } from './folderBackbone';
import { loadFolderData, type FolderData } from './folderData';
import { METHODS, runMethod, type Method } from './folderMethods';

/** Options of `trainOnFolder` (the command line's, in camelCase). */
export interface TrainOnFolderOptions extends BackboneChoice {
  /** 'extract' (default), 'augment' or 'finetune'. */
  method?: Method;
  /** Height = width of the images fed to the model (default 192). */
  imageSize?: number;
  /** Epochs of the method's main stage (default 20 for 'extract', 8 for 'augment', 4 for 'finetune' after a 20-epoch head). */
  epochs?: number;
  /** Default 32. */
  batchSize?: number;
  /** Seed of the split, the shuffles and the augmentation (default 1337). */
  seed?: number;
  /** Fraction kept for validation when there is no validation folder (default 0.2, Keras's semantics). */
  validationSplit?: number;
  /** Another folder with the same classes to evaluate on. */
  testDir?: string;
  /** 'balanced': each class weighs total / (classes x its count) in the loss (default: none). */
  classWeight?: 'balanced' | 'none';
  /** Ctrl-C: stops between batches and throws the signal's reason. */
  signal?: AbortSignal;
  quiet?: boolean;
  sink?: ProgressSink;
}

/** A per-class row of the evaluation. */
export interface ClassRow {
  class: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** What `metrics.json` holds (see the README's schema). */
export interface FolderMetrics {
  classes: string[];
  splits: { train: number; validation: number; test?: number };
  method: Method;
  backbone: string;
  alpha?: number;
  weights: string;
  imageSize: [number, number];
  layout: 'classes' | 'splits';
  seed: number;
  evaluation: {
    split: 'test' | 'validation';
    accuracy: number;
    loss: number;
    /** rows = true class, columns = predicted class, in `classes` order. */
    confusionMatrix: number[][];
    perClass: ClassRow[];
  };
  history: Record<string, number[]>;
  skipped: SkippedFile[];
  warnings: string[];
  seconds: number;
}

/** A finished run: the model (with class names in its metadata), its metrics and what a report shows. */
export interface FolderRun {
  model: tf.LayersModel;
  metrics: FolderMetrics;
  evaluation: EvaluationResult;
  mistakes: Mistake[];
  data: FolderData;
  /** Which backbone and weights, in a sentence. */
  note: string;
}

const DEFAULT_EPOCHS: Record<Method, number> = { extract: 20, augment: 8, finetune: 4 };

/** Checks the numeric options; errors name the option and the value. */
function resolve(o: TrainOnFolderOptions) {
  const method = o.method ?? 'extract';
  if (!METHODS.includes(method)) throw new Error(`method '${method}' is not one of ${METHODS.join(', ')}.`);
  const int = (name: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be an integer >= ${min}, got ${v}.`);
    return v;
  };
  const split = o.validationSplit ?? 0.2;
  if (!(split > 0 && split < 1)) throw new Error(`validationSplit must be between 0 and 1 (exclusive), got ${split}.`);
  if (o.classWeight && !['balanced', 'none'].includes(o.classWeight))
    throw new Error(`classWeight must be 'balanced' or 'none', got '${o.classWeight}'.`);
  const size = int('imageSize', o.imageSize ?? 192, 32);
  return {
    method,
    imageSize: [size, size] as [number, number],
    epochs: int('epochs', o.epochs ?? DEFAULT_EPOCHS[method], 1),
    batchSize: int('batchSize', o.batchSize ?? 32, 1),
    seed: int('seed', o.seed ?? 1337, 0),
    split,
  };
}

/** Keras's 'balanced' weights: n / (classes x count of the class). */
export function balancedClassWeights(counts: number[]): Record<number, number> {
  const n = counts.reduce((a, b) => a + b, 0);
  return Object.fromEntries(counts.map((c, k) => [k, n / (counts.length * c)]));
}

/** The evaluation part of the metrics. */
function evaluationMetrics(result: EvaluationResult, split: 'test' | 'validation', classes: string[]) {
  const cm = confusionMatrix(result.labels, result.predictions, classes.length);
  return {
    split,
    accuracy: result.accuracy,
    loss: result.loss,
    confusionMatrix: cm,
    perClass: perClassMetrics(cm, classes),
  };
}

/**
 * Trains a classifier on the images of `dir` (see the file comment) and evaluates it on the test images (when
 * there are any) or the validation images. Returns the model, whose `userDefinedMetadata.classNames` are the
 * class folder names in Keras's (sorted) order, and its metrics.
 *
 * ```ts
 * import { trainOnFolder } from './lib/training/folderTraining';
 *
 * // photos/<class>/*.jpg, 20 % of each class held out for validation (Keras's validation_split)
 * const run = await trainOnFolder('photos', { method: 'extract', epochs: 20 });
 * console.log(run.metrics.classes, run.metrics.evaluation.accuracy);
 * run.model.dispose();
 * ```
 */
export async function trainOnFolder(dir: string, opts: TrainOnFolderOptions = {}): Promise<FolderRun> {
  const started = Date.now();
  const o = resolve(opts);
  const common = { signal: opts.signal, quiet: opts.quiet, sink: opts.sink };
  const data = await loadFolderData(dir, {
    ...common,
    imageSize: o.imageSize,
    batchSize: o.batchSize,
    seed: o.seed,
    validationSplit: o.split,
    testDir: opts.testDir,
  });
  const backbone = await loadFolderBackbone(opts, o.imageSize, opts.quiet);
  new ProgressLine({ label: '', quiet: opts.quiet, sink: opts.sink }).log(backbone.note);
  const classWeight = opts.classWeight === 'balanced' ? balancedClassWeights(data.counts.train) : undefined;
  const ctx = {
    ...common,
    data,
    backbone,
    epochs: o.epochs,
    headEpochs: DEFAULT_EPOCHS.extract,
    batchSize: o.batchSize,
    seed: o.seed,
    classWeight,
  };
  const { model, history } = await runMethod(o.method, ctx);
  model.setUserDefinedMetadata({ classNames: data.classes });
  const split = data.test ? 'test' : 'validation';
  const evaluation = await evaluateModel(model, data.test ?? data.validation, { classNames: data.classes });
  const metrics: FolderMetrics = {
    classes: data.classes,
    splits: {
      train: data.train.size,
      validation: data.validation.size,
      ...(data.test ? { test: data.test.size } : {}),
    },
    method: o.method,
    backbone: backbone.info.name,
    ...(backbone.alpha === undefined ? {} : { alpha: backbone.alpha }),
    weights: backbone.weights,
    imageSize: o.imageSize,
    layout: data.layout.kind,
    seed: o.seed,
    evaluation: evaluationMetrics(evaluation, split, data.classes),
    history,
    skipped: data.skipped,
    warnings: data.warnings,
    seconds: (Date.now() - started) / 1000,
  };
  return { model, metrics, evaluation, mistakes: mostConfidentMistakes(evaluation, 8), data, note: backbone.note };
}
