/**
 * Trains a classifier on any folder of images, any number of classes, with the lesson's pipeline:
 *
 *   npm run train -- <images-dir> [--method extract|augment|finetune] [--backbone MobileNet] [--alpha 0.25]
 *     [--weights imagenet|<file.h5>] [--image-size 192] [--epochs N] [--batch-size 32] [--seed 1337]
 *     [--validation-split 0.2] [--test-dir <dir>] [--class-weight balanced] [--out <dir>] [--overwrite]
 *
 * Layouts: `<dir>/<class>/*` (split with Keras's validation_split) or `<dir>/train|val|validation|test/<class>/*`.
 * Writes `<out>` (default build/models/<folder name>) whole or not at all: model.json + weights.bin, metrics.json,
 * report.html. Ctrl-C stops cleanly (exit 130, nothing written). The work is `trainOnFolder`
 * (lib/training/folderTraining.ts) and `saveFolderRun` (lib/ui/folderRunFiles.ts).
 */
import * as path from 'node:path';
import { parseCommandLine, runMain, runScript } from './cli';
import { initBackend } from '../lib/backend/select';
import { buildPath } from '../lib/core/paths';
import { InterruptedError, withInterruptCleanup } from '../lib/io/interrupt';
import { tableText } from '../lib/ui/display';
import { perClassRows } from '../lib/ui/folderReport';
import { checkOutputFolder, RUN_FILES, saveFolderRun } from '../lib/ui/folderRunFiles';
import { METHODS, type Method } from '../lib/training/folderMethods';
import { trainOnFolder, type FolderRun, type TrainOnFolderOptions } from '../lib/training/folderTraining';

const USAGE =
  'usage: npm run train -- <images-dir> [--method extract|augment|finetune] [--backbone MobileNet] [--alpha 0.25] ' +
  '[--weights imagenet|<file.h5>] [--image-size 192] [--epochs N] [--batch-size 32] [--seed 1337] [--validation-split 0.2] ' +
  '[--test-dir <dir>] [--class-weight balanced] [--out <dir>] [--overwrite] [--quiet]';

/** The parsed command line. */
export interface TrainArgs {
  dir: string;
  out: string;
  overwrite: boolean;
  options: TrainOnFolderOptions;
}

/** A number option, or undefined; anything else is an error naming the option. */
function num(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new Error(`--${name} ${v}: give a number.\n${USAGE}`);
  return n;
}

/** Parses `argv` (without node and the script path). */
export function parseTrainArgs(argv: string[]): TrainArgs {
  const s = { type: 'string' } as const;
  const { values: v, positionals: pos } = parseCommandLine(
    argv,
    {
      method: s,
      backbone: s,
      alpha: s,
      weights: s,
      'image-size': s,
      epochs: s,
      'batch-size': s,
      seed: s,
      'validation-split': s,
      'test-dir': s,
      'class-weight': s,
      out: s,
      overwrite: { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (v.help) throw new Error(USAGE);
  if (pos.length !== 1) throw new Error(`give one folder of images.\n${USAGE}`);
  if (v.method !== undefined && !(METHODS as readonly string[]).includes(v.method))
    throw new Error(`--method ${v.method}: use one of ${METHODS.join(', ')}.\n${USAGE}`);
  if (v['class-weight'] !== undefined && !['balanced', 'none'].includes(v['class-weight']))
    throw new Error(`--class-weight ${v['class-weight']}: use balanced or none.\n${USAGE}`);
  const dir = pos[0];
  const options: TrainOnFolderOptions = {
    method: v.method as Method | undefined,
    backbone: v.backbone,
    alpha: num('alpha', v.alpha),
    weights: v.weights,
    imageSize: num('image-size', v['image-size']),
    epochs: num('epochs', v.epochs),
    batchSize: num('batch-size', v['batch-size']),
    seed: num('seed', v.seed),
    validationSplit: num('validation-split', v['validation-split']),
    testDir: v['test-dir'],
    classWeight: v['class-weight'] as TrainOnFolderOptions['classWeight'],
    quiet: v.quiet,
  };
  const out = v.out ?? buildPath('models', path.basename(path.resolve(dir)));
  return { dir, out, overwrite: Boolean(v.overwrite), options };
}

/** Prints the per-class table, the skipped files and where the run was saved. */
function printSummary(run: FolderRun, out: string): void {
  const e = run.metrics.evaluation;
  const images = run.metrics.splits[e.split];
  console.log(
    tableText(perClassRows(run), {
      caption: `\n${e.split} accuracy ${e.accuracy.toFixed(3)}, loss ${e.loss.toFixed(3)} (${images} images)`,
    }),
  );
  if (run.metrics.skipped.length)
    console.log(`Skipped ${run.metrics.skipped.length} unreadable file(s) (listed in metrics.json and report.html).`);
  console.log(`Saved ${out}: ${RUN_FILES.join(', ')} (${run.metrics.seconds.toFixed(1)} s)`);
}

/** Trains, saves and prints the summary; returns the exit code (130 when interrupted). */
export async function main(argv: string[]): Promise<number> {
  // Our own listener: an interrupt then ends the work through its clean-up and this function returns 130.
  const keepAlive = () => undefined;
  process.on('SIGINT', keepAlive);
  process.on('SIGTERM', keepAlive);
  try {
    return await runScript('train', () => trainAndSave(argv), 'interrupted; nothing was written.');
  } finally {
    process.off('SIGINT', keepAlive);
    process.off('SIGTERM', keepAlive);
  }
}

/** The work of `main`: an interrupt, whatever error it caused, fails with the `InterruptedError`. */
async function trainAndSave(argv: string[]): Promise<void> {
  const args = parseTrainArgs(argv);
  checkOutputFolder(args.out, args.overwrite);
  await initBackend({ quiet: true });
  let signal: AbortSignal | undefined;
  try {
    await withInterruptCleanup(async (s) => {
      signal = s;
      const run = await trainOnFolder(args.dir, { ...args.options, signal: s });
      await saveFolderRun(run, args.out, { overwrite: args.overwrite, signal: s });
      printSummary(run, args.out);
    });
  } catch (err) {
    throw signal?.aborted && !(err instanceof InterruptedError) ? (signal.reason ?? err) : err;
  }
}

if (require.main === module) runMain('train', () => main(process.argv.slice(2)));
