/**
 * How training tells the outside what happens during `fit`, without drawing anything: a `TrainingReporter`
 * receives numbers (epoch, batch, logs, seconds, the history so far) and `reportTo(reporter)` is the tfjs
 * callback that feeds it. lib/ui/trainingProgress.ts is one reporter (a progress line and live learning curves);
 * a script, a test or a log file can be another. The callback also collects the history as plain numbers.
 */
import * as tf from '@tensorflow/tfjs';
import { logNumbers, type Logs } from './logs';

/** What tfjs knows about the run before it starts (either may be unknown, e.g. for a dataset of unknown size). */
export interface TrainingPlan {
  /** Number of epochs of this `fit`. */
  epochs?: number;
  /** Batches per epoch. */
  steps?: number;
}

/** The end of one batch. */
export interface BatchReport extends TrainingPlan {
  /** 0-based epoch. */
  epoch: number;
  /** 0-based batch within the epoch. */
  batch: number;
  /** Seconds since the epoch began. */
  seconds: number;
  /** The batch's logs as numbers (loss and metrics of this batch). */
  logs: Record<string, number>;
}

/** The end of one epoch. */
export interface EpochReport extends TrainingPlan {
  /** 0-based epoch. */
  epoch: number;
  /** Seconds the epoch took. */
  seconds: number;
  /** The epoch's logs as numbers (loss, metrics, `val_*`). */
  logs: Record<string, number>;
  /** Every epoch's logs so far, this one included (`history.loss[epoch]` ...). */
  history: Readonly<Record<string, number[]>>;
}

/** Receives training events as numbers; every method is optional and may be async. */
export interface TrainingReporter {
  onTrainBegin?(plan: TrainingPlan): void | Promise<void>;
  onEpochBegin?(epoch: number, plan: TrainingPlan): void | Promise<void>;
  onBatchEnd?(report: BatchReport): void | Promise<void>;
  onEpochEnd?(report: EpochReport): void | Promise<void>;
  onTrainEnd?(history: Readonly<Record<string, number[]>>): void | Promise<void>;
}

/** The tfjs callback that turns `fit`'s events into numbers for a `TrainingReporter` and keeps the history. */
export class ReportingCallback extends tf.Callback {
  /** Each epoch's logs as numbers, collected as training goes (cleared when a new `fit` begins). */
  readonly history: Record<string, number[]> = {};
  /** Each epoch's wall time in seconds, in the same order (cleared with `history`). */
  readonly epochSeconds: number[] = [];
  private epochStart = Date.now();
  private epoch = 0;

  constructor(readonly reporter: TrainingReporter) {
    super();
  }

  /** Epochs and batches per epoch, from what tfjs passed to the callback. */
  plan(): TrainingPlan {
    const p = (this.params ?? {}) as { epochs?: number; steps?: number; samples?: number; batchSize?: number };
    const steps = p.steps ?? (p.samples && p.batchSize ? Math.ceil(p.samples / p.batchSize) : undefined);
    return { epochs: p.epochs, steps: steps || undefined };
  }

  override async onTrainBegin(): Promise<void> {
    for (const k of Object.keys(this.history)) delete this.history[k];
    this.epochSeconds.length = 0;
    await this.reporter.onTrainBegin?.(this.plan());
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    this.epoch = epoch;
    this.epochStart = Date.now();
    await this.reporter.onEpochBegin?.(epoch, this.plan());
  }

  override async onBatchEnd(batch: number, logs?: Logs): Promise<void> {
    if (!this.reporter.onBatchEnd) return;
    const seconds = (Date.now() - this.epochStart) / 1000;
    await this.reporter.onBatchEnd({ ...this.plan(), epoch: this.epoch, batch, seconds, logs: await logNumbers(logs) });
  }

  override async onEpochEnd(epoch: number, logs?: Logs): Promise<void> {
    const nums = await logNumbers(logs);
    for (const [k, v] of Object.entries(nums)) (this.history[k] ??= []).push(v);
    const seconds = (Date.now() - this.epochStart) / 1000;
    this.epochSeconds.push(seconds);
    await this.reporter.onEpochEnd?.({ ...this.plan(), epoch, seconds, logs: nums, history: this.history });
  }

  override async onTrainEnd(): Promise<void> {
    await this.reporter.onTrainEnd?.(this.history);
  }
}

/** A callback for `fit`'s `callbacks` that reports to `reporter` (see `TrainingReporter`). */
export function reportTo(reporter: TrainingReporter): ReportingCallback {
  return new ReportingCallback(reporter);
}
