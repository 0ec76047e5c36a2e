/**
 * Training callbacks TF.js lacks, with Keras names and behaviour:
 * - `earlyStopping({ monitor, patience, minDelta, mode, restoreBestWeights })`: stops when the monitored value
 *   stops improving and (with `restoreBestWeights`) puts the best epoch's weights back at the end;
 * - `modelCheckpoint(path, { monitor, saveBestOnly, mode })`: saves the model (lib/modelIO.ts format);
 * - `progress({ figure, quiet })`: one updating line per epoch (loss/metrics/time), optionally a live
 *   learning-curve figure in the notebook; silent with `quiet` or `LESSON_QUIET=1`.
 * Metric names: tfjs logs `acc`/`val_acc` where Keras says `accuracy`/`val_accuracy`; both are accepted.
 */
import * as tf from '@tensorflow/tfjs';
import { saveModel } from '../io/modelIO';
import { learningCurveFigures } from './evaluate';
import { figureHtml } from '../ui/plot';

type Logs = Record<string, number | tf.Tensor | undefined>;

/** Logs with tensors read out as numbers. */
async function numbers(logs?: Logs): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(logs ?? {})) {
    if (typeof v === 'number') out[k] = v;
    else if (v instanceof tf.Tensor) out[k] = (await v.data())[0] as number;
  }
  return out;
}

/** The value of `monitor` in the logs, accepting Keras (`val_accuracy`) and tfjs (`val_acc`) names. */
export function monitorValue(logs: Record<string, number>, monitor: string): number | undefined {
  if (logs[monitor] !== undefined) return logs[monitor];
  const alt = monitor.replace(/accuracy$/, 'acc') !== monitor ? monitor.replace(/accuracy$/, 'acc') : monitor.replace(/acc$/, 'accuracy');
  return logs[alt];
}

/** 'min' or 'max' for a monitored quantity ('auto': max for accuracy-like names, min otherwise). */
export function resolveMode(monitor: string, mode: 'auto' | 'min' | 'max' = 'auto'): 'min' | 'max' {
  if (mode !== 'auto') return mode;
  return /acc|auc|precision|recall|f1/i.test(monitor) ? 'max' : 'min';
}

function isQuiet(quiet?: boolean): boolean {
  if (quiet !== undefined) return quiet;
  const v = process.env.LESSON_QUIET;
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/** Tracks the best value of a monitored quantity. */
class Monitor {
  readonly mode: 'min' | 'max';
  best: number;
  private warned = false;
  constructor(readonly name: string, mode: 'auto' | 'min' | 'max', readonly minDelta = 0, private readonly owner = 'callback') {
    this.mode = resolveMode(name, mode);
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }
  /** The current value, or undefined (with a one-time warning) when the logs lack it. */
  read(logs: Record<string, number>): number | undefined {
    const v = monitorValue(logs, this.name);
    if (v === undefined && !this.warned) {
      this.warned = true;
      console.warn(`${this.owner}: '${this.name}' is not in the training logs (available: ${Object.keys(logs).join(', ')}); pass validationData or monitor another value.`);
    }
    return v;
  }
  improves(v: number): boolean {
    return this.mode === 'min' ? v < this.best - Math.abs(this.minDelta) : v > this.best + Math.abs(this.minDelta);
  }
}

/** Arguments of `earlyStopping` (Keras `EarlyStopping`). */
export interface EarlyStoppingArgs {
  /** Quantity to watch (default 'val_loss'). */
  monitor?: string;
  /** Epochs without improvement before stopping (default 0). */
  patience?: number;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  mode?: 'auto' | 'min' | 'max';
  /** Put back the weights of the best epoch when training ends (default false, as in Keras). */
  restoreBestWeights?: boolean;
  /** A value the quantity must beat to count as an improvement at all. */
  baseline?: number;
  /** Print a line when stopping / restoring (default true unless LESSON_QUIET=1). */
  verbose?: boolean;
}

/** Keras's EarlyStopping, including `restoreBestWeights` (which tfjs's `tf.callbacks.earlyStopping` lacks). */
export class EarlyStopping extends tf.Callback {
  readonly monitor: Monitor;
  readonly patience: number;
  readonly restoreBestWeights: boolean;
  readonly baseline?: number;
  private readonly verbose: boolean;
  wait = 0;
  /** Epoch (0-based) at which training stopped, or 0. */
  stoppedEpoch = 0;
  /** Epoch (0-based) with the best monitored value, or -1. */
  bestEpoch = -1;
  private bestWeights?: tf.Tensor[];

  constructor(args: EarlyStoppingArgs = {}) {
    super();
    this.monitor = new Monitor(args.monitor ?? 'val_loss', args.mode ?? 'auto', args.minDelta ?? 0, 'earlyStopping');
    this.patience = args.patience ?? 0;
    this.restoreBestWeights = args.restoreBestWeights ?? false;
    this.baseline = args.baseline;
    this.verbose = args.verbose ?? !isQuiet();
  }

  /** The best monitored value so far. */
  get best(): number {
    return this.monitor.best;
  }

  override async onTrainBegin(): Promise<void> {
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.bestEpoch = -1;
    this.monitor.best = this.baseline ?? (this.monitor.mode === 'min' ? Infinity : -Infinity);
    this.disposeSnapshot();
  }

  override async onEpochEnd(epoch: number, logs?: Logs): Promise<void> {
    const v = this.monitor.read(await numbers(logs));
    if (v === undefined) return;
    this.wait++;
    if (this.monitor.improves(v)) {
      this.monitor.best = v;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.restoreBestWeights) {
        this.disposeSnapshot();
        this.bestWeights = tf.tidy(() => this.model.getWeights().map((w) => tf.keep(w.clone())));
      }
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      this.model.stopTraining = true;
    }
  }

  override async onTrainEnd(): Promise<void> {
    if (this.stoppedEpoch > 0 && this.verbose) console.log(`Epoch ${this.stoppedEpoch + 1}: early stopping (${this.monitor.name} has not improved for ${this.patience} epoch(s))`);
    if (this.restoreBestWeights && this.bestWeights) {
      this.model.setWeights(this.bestWeights);
      if (this.verbose) console.log(`Restoring model weights from the end of the best epoch: ${this.bestEpoch + 1} (${this.monitor.name} = ${this.monitor.best.toFixed(4)}).`);
    }
    this.disposeSnapshot();
  }

  private disposeSnapshot(): void {
    if (this.bestWeights) tf.dispose(this.bestWeights);
    this.bestWeights = undefined;
  }
}

/** `keras.callbacks.EarlyStopping`. */
export function earlyStopping(args: EarlyStoppingArgs = {}): EarlyStopping {
  return new EarlyStopping(args);
}

/** Arguments of `modelCheckpoint` (Keras `ModelCheckpoint`). */
export interface ModelCheckpointArgs {
  /** Quantity to watch for `saveBestOnly` (default 'val_loss'). */
  monitor?: string;
  /** Save only when the monitored value improves (default false: every epoch). */
  saveBestOnly?: boolean;
  mode?: 'auto' | 'min' | 'max';
  /** Print a line when saving (default true unless LESSON_QUIET=1). */
  verbose?: boolean;
}

/** Formats a checkpoint path: `{epoch}` / `{epoch:02d}` (1-based) and `{val_loss:.4f}`-style fields. */
export function formatCheckpointPath(template: string, epoch: number, logs: Record<string, number>): string {
  return template.replace(/\{(\w+)(?::(0?)(\d*)(?:\.(\d+))?([df]))?\}/g, (m, key: string, zero: string, width: string, prec: string, kind: string) => {
    const v = key === 'epoch' ? epoch + 1 : monitorValue(logs, key);
    if (v === undefined) return m;
    let s = kind === 'f' ? v.toFixed(prec ? Number(prec) : 6) : kind === 'd' ? String(Math.round(v)) : String(v);
    if (width) s = s.padStart(Number(width), zero ? '0' : ' ');
    return s;
  });
}

/** Keras's ModelCheckpoint: saves the model to a folder (model.json + weights.bin) after epochs. */
export class ModelCheckpoint extends tf.Callback {
  readonly monitor: Monitor;
  readonly saveBestOnly: boolean;
  private readonly verbose: boolean;
  /** Folders written so far. */
  readonly saved: string[] = [];

  constructor(readonly path: string, args: ModelCheckpointArgs = {}) {
    super();
    if (!path) throw new Error('modelCheckpoint: give a folder path, e.g. "models/best" or "models/epoch-{epoch:02d}".');
    this.monitor = new Monitor(args.monitor ?? 'val_loss', args.mode ?? 'auto', 0, 'modelCheckpoint');
    this.saveBestOnly = args.saveBestOnly ?? false;
    this.verbose = args.verbose ?? !isQuiet();
  }

  override async onEpochEnd(epoch: number, logs?: Logs): Promise<void> {
    const nums = await numbers(logs);
    const target = formatCheckpointPath(this.path.replace(/^file:\/\//, ''), epoch, nums);
    if (this.saveBestOnly) {
      const v = this.monitor.read(nums);
      if (v === undefined || !this.monitor.improves(v)) return;
      const before = this.monitor.best;
      this.monitor.best = v;
      if (this.verbose) console.log(`Epoch ${epoch + 1}: ${this.monitor.name} improved from ${before.toFixed(4)} to ${v.toFixed(4)}, saving model to ${target}`);
    } else if (this.verbose) console.log(`Epoch ${epoch + 1}: saving model to ${target}`);
    await saveModel(this.model, target);
    this.saved.push(target);
  }
}

/** `keras.callbacks.ModelCheckpoint`; `path` is a folder (placeholders such as `{epoch:02d}` allowed). */
export function modelCheckpoint(path: string, args: ModelCheckpointArgs = {}): ModelCheckpoint {
  return new ModelCheckpoint(path, args);
}

/** Keras-style epoch line: `Epoch 3/10 - 12.3s - loss: 0.4321 - acc: 0.8100 - val_loss: ... - val_acc: ...`. */
export function epochLine(epoch: number, epochs: number | undefined, seconds: number, logs: Record<string, number>): string {
  const parts = Object.entries(logs)
    .filter(([k]) => k !== 'batch' && k !== 'size')
    .map(([k, v]) => `${k}: ${Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-4) ? v.toExponential(3) : v.toFixed(4)}`);
  return [`Epoch ${epoch + 1}${epochs ? `/${epochs}` : ''}`, `${seconds.toFixed(1)}s`, ...parts].join(' - ');
}

/** Options of `progress`. */
export interface ProgressArgs {
  /** Print nothing (default: `LESSON_QUIET=1`). */
  quiet?: boolean;
  /** Show learning curves in the notebook, redrawn after every epoch (default false). */
  figure?: boolean;
  /** Title for the figure. */
  title?: string;
  /** Output stream (default process.stdout). */
  stream?: { write(s: string): unknown; isTTY?: boolean };
}

/**
 * Progress display: during an epoch a '\r'-updated line with the batch count and running loss; at its end one
 * Keras-style line with all metrics and the time. With `figure`, notebook learning curves update each epoch.
 * The `history` field collects the epoch logs (numbers) as they come.
 */
export class Progress extends tf.Callback {
  readonly quiet: boolean;
  readonly history: Record<string, number[]> = {};
  private readonly stream: { write(s: string): unknown; isTTY?: boolean };
  private readonly figure: boolean;
  private epochStart = 0;
  private lastDraw = 0;
  private area?: { html(s: string): void };

  constructor(private readonly args: ProgressArgs = {}) {
    super();
    this.quiet = isQuiet(args.quiet);
    this.stream = args.stream ?? process.stdout;
    this.figure = args.figure ?? false;
  }

  private get epochs(): number | undefined {
    return (this.params as { epochs?: number } | undefined)?.epochs;
  }

  private get steps(): number | undefined {
    const p = (this.params ?? {}) as { steps?: number; samples?: number; batchSize?: number };
    if (p.steps) return p.steps;
    if (p.samples && p.batchSize) return Math.ceil(p.samples / p.batchSize);
    return undefined;
  }

  override async onTrainBegin(): Promise<void> {
    for (const k of Object.keys(this.history)) delete this.history[k];
    if (this.quiet || !this.figure) return;
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const display = require('../ui/display') as typeof import('../ui/display');
      if (!display.inNotebook()) return;
      // Embed plotly.js in a static output once, so the redrawn area can leave it out (and nbconvert keeps it).
      const boot = figureHtml({ data: [] }, { height: 1 });
      if (boot.length > 100_000) display.showHtml(boot);
      this.area = display.newDisplayArea();
    } catch {
      this.area = undefined;
    }
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    this.currentEpoch = epoch;
    this.epochStart = Date.now();
    this.lastDraw = 0;
  }

  override async onBatchEnd(batch: number, logs?: Logs): Promise<void> {
    if (this.quiet) return;
    const now = Date.now();
    if (now - this.lastDraw < 250) return;
    this.lastDraw = now;
    const nums = await numbers(logs);
    const steps = this.steps;
    const done = batch + 1;
    const bar = steps ? ` [${'='.repeat(Math.round((20 * done) / steps)).padEnd(20, '.')}] ${done}/${steps}` : ` batch ${done}`;
    const loss = nums.loss !== undefined ? ` - loss: ${nums.loss.toFixed(4)}` : '';
    this.stream.write(`\rEpoch ${(this.currentEpoch ?? 0) + 1}${this.epochs ? `/${this.epochs}` : ''}${bar}${loss} - ${((now - this.epochStart) / 1000).toFixed(1)}s`);
  }

  private currentEpoch?: number;

  override async onEpochEnd(epoch: number, logs?: Logs): Promise<void> {
    const nums = await numbers(logs);
    for (const [k, v] of Object.entries(nums)) (this.history[k] ??= []).push(v);
    if (this.quiet) return;
    const line = epochLine(epoch, this.epochs, (Date.now() - this.epochStart) / 1000, nums);
    this.stream.write(`\r${line}${' '.repeat(10)}\n`);
    if (this.area) {
      const f = learningCurveFigures(this.history, { title: this.args.title });
      this.area.html(
        `<div style="display:flex;flex-wrap:wrap"><div style="flex:1;min-width:320px">${figureHtml(f.accuracy, { includePlotly: false, height: 300 })}</div>` +
          `<div style="flex:1;min-width:320px">${figureHtml(f.loss, { includePlotly: false, height: 300 })}</div></div>`,
      );
    }
  }
}

/** A progress display callback (see `Progress`); pass it in `callbacks` with `verbose: 0`. */
export function progress(args: ProgressArgs = {}): Progress {
  return new Progress(args);
}
