/**
 * Classifies images with a saved model from the command line:
 *
 *   npm run predict -- <model-dir | model.onnx> <image...> [--classes cats,dogs] [--size 150 | --size 150x200] [--threshold 0.5]
 *     [--cam <out-dir>] [--top 3] [--engine auto|tfjs|onnxruntime]
 *
 * Loads the model with lib/io/modelIO.ts, reads and resizes each image with `loadImage` (pixels 0..255, as the
 * lesson's models expect: their preprocessing is inside the model), and prints path, class and probability.
 * The input size comes from the model's input shape unless `--size` is given; class names from `--classes`,
 * else from the model's `userDefinedMetadata.classNames`, else class indices. With `--cam <out-dir>`, also writes
 * one Grad-CAM overlay PNG per image (lib/explain: the predicted class, on the last feature map, over the photo at
 * its own size) and prints its path as a fourth column. A model of more than 2 classes (e.g. from `npm run train`)
 * also gets a last column with its `--top` (default 3) classes and their probabilities. The forward pass runs on
 * `--engine` (default `LESSON_ENGINE`, else auto: ONNX Runtime on a CPU backend; Grad-CAM always on TF.js). A
 * `.onnx` file (`npm run export`) instead of the folder runs on ONNX Runtime alone, class names from its metadata.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCommandLine, runMain, runScript } from './cli';
import * as tf from '@tensorflow/tfjs';
import { backendSummary, initBackend } from '../lib/backend/select';
import { writeFileAtomic } from '../lib/core/atomicFile';
import { loadImage } from '../lib/data/imageDataset';
import { parseImageSize } from '../lib/data/imageSize';
import { gradCam } from '../lib/explain/gradCam';
import { overlayPng } from '../lib/explain/overlay';
import { overlayPaths } from '../lib/explain/overlayNames';
import { loadSavedModel } from '../lib/models/savedModel';
import { binaryClass } from '../lib/training/evaluate';
import { modelRunner, requestedEngine, type EngineName } from '../lib/onnx/engine';
import { releaseOnnxSession } from '../lib/onnx/modelSession';
import { openOnnxFile } from '../lib/onnx/onnxFile';

/** Parsed command line of the predict script. */
export interface PredictArgs {
  modelDir: string;
  images: string[];
  classes?: string[];
  size?: [number, number];
  threshold: number;
  /** Folder for one Grad-CAM overlay PNG per image (`--cam`); none when undefined. */
  cam?: string;
  /** How many classes to list with their probabilities for a model of more than 2 classes (`--top`, default 3). */
  top?: number;
  /** What runs the model (`--engine`): auto (default, or LESSON_ENGINE), tfjs or onnxruntime (lib/onnx/engine.ts). */
  engine?: EngineName;
}

const USAGE =
  'usage: npm run predict -- <model-dir | model.onnx> <image...> [--classes cats,dogs] [--size 150 | --size 150x200] ' +
  '[--threshold 0.5] [--cam <out-dir>] [--top 3] [--engine auto|tfjs|onnxruntime]';

/** Parses `argv` (without node and the script path). */
export function parsePredictArgs(argv: string[]): PredictArgs {
  const { values: v, positionals: pos } = parseCommandLine(
    argv,
    {
      classes: { type: 'string' },
      size: { type: 'string' },
      threshold: { type: 'string' },
      cam: { type: 'string' },
      top: { type: 'string' },
      engine: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (v.help) throw new Error(USAGE);
  const classes = v.classes
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const size = v.size === undefined ? undefined : parseImageSize(v.size);
  const threshold = v.threshold === undefined ? 0.5 : Number(v.threshold);
  if (!(threshold > 0 && threshold < 1)) throw new Error(`--threshold must be between 0 and 1.`);
  if (v.cam === '') throw new Error(`--cam needs a folder for the overlays.\n${USAGE}`);
  if (pos.length < 2) throw new Error(`give a model folder and at least one image.\n${USAGE}`);
  const top = v.top === undefined ? undefined : Number(v.top);
  if (top !== undefined && !(Number.isInteger(top) && top >= 1))
    throw new Error(`--top ${v.top}: give a whole number >= 1.`);
  const engine = v.engine === undefined ? {} : { engine: requestedEngine(v.engine) };
  return { modelDir: pos[0], images: pos.slice(1), classes, size, threshold, cam: v.cam, top, ...engine };
}

/** One prediction. */
export interface Prediction {
  path: string;
  classIndex: number;
  className: string;
  probability: number;
  /** The Grad-CAM overlay written for this image (with `--cam`). */
  camPath?: string;
  /** For more than 2 classes: the `top` most probable classes, most probable first. */
  top?: { className: string; probability: number }[];
}

/** The `k` most probable classes of `p`, most probable first. */
export function topClasses(
  p: number[],
  names: (i: number) => string,
  k: number,
): { className: string; probability: number }[] {
  return p
    .map((probability, i) => ({ className: names(i), probability }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, k);
}

/**
 * Writes the Grad-CAM overlay of `classIndex` for one image (`input` as the model takes it; disposed here) over
 * the photo at its own size, to `out` (from `overlayPaths`: unique, never an input); returns the path.
 */
async function writeCamOverlay(
  model: tf.LayersModel,
  file: string,
  input: tf.Tensor3D,
  classIndex: number,
  out: string,
): Promise<string> {
  const cam = await gradCam(model, input, { classIndex }).finally(() => input.dispose());
  const photo = await loadImage(file);
  try {
    return await writeFileAtomic(out, await overlayPng(photo, cam.map));
  } finally {
    photo.dispose();
  }
}

/** Loads the model and classifies the images; returns the predictions (and prints them unless `quiet`). */
export async function predictImages(
  args: PredictArgs,
  opts: { quiet?: boolean; out?: (line: string) => void } = {},
): Promise<Prediction[]> {
  const out = opts.out ?? ((l: string) => console.log(l));
  const source = await openModel(args);
  try {
    return await classify(args, source, out, opts.quiet);
  } finally {
    await source.close();
  }
}

/** What predicts: a saved TF.js model (on `--engine`) or an ONNX file (ONNX Runtime), with its shape and classes. */
interface ModelSource {
  shape: (number | null)[];
  classes?: string[];
  run(x: tf.Tensor): Promise<tf.Tensor>;
  /** The TF.js model (for Grad-CAM); none for an ONNX file. */
  model?: tf.LayersModel;
  close(): Promise<void>;
}

/** Opens `args.modelDir`: a folder written by saveModel / `npm run train`, or a `.onnx` file (`npm run export`). */
async function openModel(args: PredictArgs): Promise<ModelSource> {
  if (args.modelDir.toLowerCase().endsWith('.onnx')) {
    if (args.cam)
      throw new Error(`--cam needs the model folder (Grad-CAM runs on TF.js), not the ONNX file ${args.modelDir}.`);
    const f = await openOnnxFile(args.modelDir);
    return { shape: f.inputShape, classes: f.classNames, run: f.run, close: f.close };
  }
  if (!fs.existsSync(args.modelDir))
    throw new Error(`model folder ${args.modelDir} does not exist (save one with saveModel(model, dir)).`);
  const jsonPath = fs.statSync(args.modelDir).isDirectory() ? path.join(args.modelDir, 'model.json') : args.modelDir;
  if (!fs.existsSync(jsonPath))
    throw new Error(`${args.modelDir} has no model.json: is it a folder written by saveModel?`);
  const model = await loadSavedModel(args.modelDir);
  let classes: string[] | undefined;
  try {
    const meta = JSON.parse(fs.readFileSync(jsonPath, 'utf8')).userDefinedMetadata;
    if (Array.isArray(meta?.classNames)) classes = meta.classNames;
  } catch {
    /* no metadata */
  }
  const runner = await modelRunner(model, args.engine);
  const close = async () => {
    await releaseOnnxSession(model);
    model.dispose();
  };
  return { shape: model.inputs[0].shape, classes, run: (x) => runner.run(x), model, close };
}

/** Classifies `args.images` with `source`; prints one line per image unless `quiet`. */
async function classify(
  args: PredictArgs,
  source: ModelSource,
  out: (line: string) => void,
  quiet?: boolean,
): Promise<Prediction[]> {
  const shape = source.shape;
  if (shape.length !== 4)
    throw new Error(`the model's input shape is [${shape}]; an image model takes [batch, height, width, channels].`);
  const size = args.size ?? (shape[1] && shape[2] ? ([shape[1], shape[2]] as [number, number]) : undefined);
  if (!size) throw new Error(`the model accepts any image size; pass --size (e.g. --size 150).`);
  const classes = args.classes ?? source.classes;
  const results: Prediction[] = [];
  const camPaths = args.cam ? overlayPaths(args.images, args.cam) : [];
  for (const [i, file] of args.images.entries()) {
    if (!fs.existsSync(file)) throw new Error(`image ${file} does not exist.`);
    let img: tf.Tensor3D;
    try {
      img = await loadImage(file, { imageSize: size });
    } catch (err) {
      throw new Error(`cannot read image ${file}: ${(err as Error).message}`, { cause: err });
    }
    const batch = tf.expandDims(img, 0);
    const probs = await source.run(batch).finally(() => batch.dispose());
    const p = Array.from(await probs.data());
    tf.dispose(args.cam ? probs : [img, probs]);
    let classIndex: number;
    let probability: number;
    if (p.length === 1) {
      classIndex = binaryClass(p[0], args.threshold);
      probability = classIndex === 1 ? p[0] : 1 - p[0];
    } else {
      classIndex = p.indexOf(Math.max(...p));
      probability = p[classIndex];
    }
    const numClasses = p.length === 1 ? 2 : p.length;
    if (classes && classes.length !== numClasses)
      throw new Error(`--classes has ${classes.length} names but the model predicts ${numClasses} classes.`);
    const className = classes?.[classIndex] ?? String(classIndex);
    const camPath =
      source.model && args.cam ? await writeCamOverlay(source.model, file, img, classIndex, camPaths[i]) : undefined;
    const top = p.length > 2 ? topClasses(p, (i) => classes?.[i] ?? String(i), args.top ?? 3) : undefined;
    results.push({
      path: file,
      classIndex,
      className,
      probability,
      ...(camPath ? { camPath } : {}),
      ...(top ? { top } : {}),
    });
    const topText = top ? `\t${top.map((t) => `${t.className} ${t.probability.toFixed(4)}`).join(', ')}` : '';
    if (!quiet) out(`${file}\t${className}\t${probability.toFixed(4)}${camPath ? `\t${camPath}` : ''}${topText}`);
  }
  return results;
}

/** The command-line entry point; returns the exit code. */
export function main(argv: string[]): Promise<number> {
  return runScript('predict', async () => {
    const args = parsePredictArgs(argv);
    // Which backend (and GPU adapter) ran, on stderr: stdout stays one line per image.
    console.error(`backend: ${backendSummary(await initBackend({ quiet: true }))}`);
    await predictImages(args);
  });
}

if (require.main === module) runMain('predict', () => main(process.argv.slice(2)));
