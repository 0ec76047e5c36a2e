/**
 * Training callbacks TF.js lacks, with Keras names and behaviour:
 * - `earlyStopping({ monitor, patience, minDelta, mode, restoreBestWeights })`: stops when the monitored value
 *   stops improving and (with `restoreBestWeights`) puts the best epoch's weights back at the end;
 * - `modelCheckpoint(path, { monitor, saveBestOnly, mode })`: saves the model (lib/io/modelIO.ts format).
 * Their notes (stopping, restoring, saving) are sentences in the reader's language (core/messages.ts); progress
 * and learning curves are not drawn here: see training/reporter.ts and lib/ui/trainingProgress.ts.
 * Metric names: tfjs logs `acc`/`val_acc` where Keras says `accuracy`/`val_accuracy`; both are accepted.
 */
import * as tf from '@tensorflow/tfjs';
import { isQuiet } from '../core/config';
import { say } from '../core/messages';
import { saveModel } from '../io/modelIO';
import { logNumbers, monitorValue, type Logs } from './logs';

/** 'min' or 'max' for a monitored quantity ('auto': max for accuracy-like names, min otherwise). */
export function resolveMode(monitor: string, mode: 'auto' | 'min' | 'max' = 'auto'): 'min' | 'max' {
  if (mode !== 'auto') return mode;
  return /acc|auc|precision|recall|f1/i.test(monitor) ? 'max' : 'min';
}

/** Tracks the best value of a monitored quantity. */
class Monitor {
  readonly mode: 'min' | 'max';
  best: number;
  private warned = false;
  constructor(
    readonly name: string,
    mode: 'auto' | 'min' | 'max',
    readonly minDelta = 0,
    private readonly owner = 'callback',
  ) {
    this.mode = resolveMode(name, mode);
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }
  /** The current value, or undefined (with a one-time warning) when the logs lack it. */
  read(logs: Record<string, number>): number | undefined {
    const v = monitorValue(logs, this.name);
    if (v === undefined && !this.warned) {
      this.warned = true;
      const available = Object.keys(logs).join(', ');
      console.warn(
        say({
          en:
            `${this.owner}: '${this.name}' is not in the training logs (available: ${available}); pass ` +
            `validationData or monitor another value.`,
          ko: `${this.owner}: 학습 로그에 없는 값입니다: '${this.name}' (있는 값: ${available}). validationData를 넘기거나 다른 값을 monitor로 지정하세요.`,
        }),
      );
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
    const v = this.monitor.read(await logNumbers(logs));
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
    const { name, best } = this.monitor;
    if (this.stoppedEpoch > 0 && this.verbose) {
      console.log(
        say({
          en: `Epoch ${this.stoppedEpoch + 1}: early stopping (${name} has not improved for ${this.patience} epoch(s))`,
          ko: `에포크 ${this.stoppedEpoch + 1}: 조기 종료 (${this.patience} 에포크 동안 나아지지 않은 값: ${name})`,
        }),
      );
    }
    if (this.restoreBestWeights && this.bestWeights) {
      this.model.setWeights(this.bestWeights);
      if (this.verbose) {
        console.log(
          say({
            en: `Restoring model weights from the end of the best epoch: ${this.bestEpoch + 1} (${name} = ${best.toFixed(4)}).`,
            ko: `가장 좋았던 에포크 ${this.bestEpoch + 1}의 가중치로 되돌립니다 (${name} = ${best.toFixed(4)}).`,
          }),
        );
      }
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
  return template.replace(
    /\{(\w+)(?::(0?)(\d*)(?:\.(\d+))?([df]))?\}/g,
    (m, key: string, zero: string, width: string, prec: string, kind: string) => {
      const v = key === 'epoch' ? epoch + 1 : monitorValue(logs, key);
      if (v === undefined) return m;
      let s = kind === 'f' ? v.toFixed(prec ? Number(prec) : 6) : kind === 'd' ? String(Math.round(v)) : String(v);
      if (width) s = s.padStart(Number(width), zero ? '0' : ' ');
      return s;
    },
  );
}

/** Keras's ModelCheckpoint: saves the model to a folder (model.json + weights.bin) after epochs. */
export class ModelCheckpoint extends tf.Callback {
  readonly monitor: Monitor;
  readonly saveBestOnly: boolean;
  private readonly verbose: boolean;
  /** Folders written so far. */
  readonly saved: string[] = [];

  constructor(
    readonly path: string,
    args: ModelCheckpointArgs = {},
  ) {
    super();
    if (!path)
      throw new Error('modelCheckpoint: give a folder path, e.g. "models/best" or "models/epoch-{epoch:02d}".');
    this.monitor = new Monitor(args.monitor ?? 'val_loss', args.mode ?? 'auto', 0, 'modelCheckpoint');
    this.saveBestOnly = args.saveBestOnly ?? false;
    this.verbose = args.verbose ?? !isQuiet();
  }

  override async onEpochEnd(epoch: number, logs?: Logs): Promise<void> {
    const nums = await logNumbers(logs);
    const target = formatCheckpointPath(this.path.replace(/^file:\/\//, ''), epoch, nums);
    if (this.saveBestOnly) {
      const v = this.monitor.read(nums);
      if (v === undefined || !this.monitor.improves(v)) return;
      const before = this.monitor.best;
      this.monitor.best = v;
      if (this.verbose) {
        console.log(
          say({
            en: `Epoch ${epoch + 1}: ${this.monitor.name} improved from ${before.toFixed(4)} to ${v.toFixed(4)}, saving model to ${target}`,
            ko: `에포크 ${epoch + 1}: ${this.monitor.name} ${before.toFixed(4)} → ${v.toFixed(4)}, 나아졌으므로 모델을 저장합니다: ${target}`,
          }),
        );
      }
    } else if (this.verbose) {
      console.log(
        say({
          en: `Epoch ${epoch + 1}: saving model to ${target}`,
          ko: `에포크 ${epoch + 1}: 모델을 ${target}에 저장합니다`,
        }),
      );
    }
    await saveModel(this.model, target);
    this.saved.push(target);
  }
}

/** `keras.callbacks.ModelCheckpoint`; `path` is a folder (placeholders such as `{epoch:02d}` allowed). */
export function modelCheckpoint(path: string, args: ModelCheckpointArgs = {}): ModelCheckpoint {
  return new ModelCheckpoint(path, args);
}
