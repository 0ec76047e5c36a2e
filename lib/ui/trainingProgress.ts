/**
 * The live training display: `liveProgress()` is a callback for `fit` that shows, during each epoch, a progress
 * line with the batch count and running loss (core/progress.ts) and, at its end, one Keras-style line with all
 * metrics and the time; with `figure`, learning curves in the notebook redrawn after every epoch. It reports
 * through lib/training/reporter.ts, so the callback also collects the history as plain numbers.
 */
import { isQuiet } from '../core/config';
import { say } from '../core/messages';
import { ProgressLine, type ProgressSink } from '../core/progress';
import type { NotebookDisplay } from '../core/runtime';
import { reportTo, type BatchReport, type EpochReport, type ReportingCallback, type TrainingPlan, type TrainingReporter } from '../training/reporter';
import { newDisplayArea } from './display';
import { learningCurvesHtml } from './figures';
import { showPlotlyLoader } from './plot';

/** Options of `liveProgress`. */
export interface LiveProgressOptions {
  /** Print nothing (default: `LESSON_QUIET`). */
  quiet?: boolean;
  /**
   * Show learning curves in the notebook, redrawn after every epoch (default false). After training the area stays
   * as the final figure (every epoch, in the saved notebook too): no need to draw the curves again.
   */
  figure?: boolean;
  /** Put in front of the figure's titles. */
  title?: string;
  /** Where the lines go (default: core/progress.ts's choice, stdout in a notebook). */
  sink?: ProgressSink;
}

/** "Epoch 3/10" ("에포크 3/10" in a notebook) for a 0-based epoch. */
function epochLabel(epoch: number, epochs: number | undefined): string {
  const counts = `${epoch + 1}${epochs ? `/${epochs}` : ''}`;
  return say({ en: `Epoch ${counts}`, ko: `에포크 ${counts}` });
}

/** A log value as Keras prints it: 4 decimals, or exponent notation for very large / very small values. */
function formatValue(v: number): string {
  return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-4) ? v.toExponential(3) : v.toFixed(4);
}

/** Keras-style epoch line: `Epoch 3/10 - 12.3s - loss: 0.4321 - acc: 0.8100 - val_loss: ... - val_acc: ...`. */
export function epochLine(epoch: number, epochs: number | undefined, seconds: number, logs: Record<string, number>): string {
  const parts = Object.entries(logs)
    .filter(([k]) => k !== 'batch' && k !== 'size')
    .map(([k, v]) => `${k}: ${formatValue(v)}`);
  return [epochLabel(epoch, epochs), `${seconds.toFixed(1)}s`, ...parts].join(' - ');
}

/** The reporter behind `liveProgress`: a progress line per epoch, optionally a redrawn learning-curve figure. */
export class LiveProgress implements TrainingReporter {
  readonly quiet: boolean;
  private line?: ProgressLine;
  private area?: NotebookDisplay;

  constructor(private readonly opts: LiveProgressOptions = {}) {
    this.quiet = isQuiet(opts.quiet);
  }

  onTrainBegin(): void {
    this.area = undefined;
    if (this.quiet || !this.opts.figure) return;
    // plotly.js goes into an output of its own (unless this cell already showed it): the area below is redrawn
    // without it every epoch.
    showPlotlyLoader();
    this.area = newDisplayArea();
  }

  onEpochBegin(epoch: number, plan: TrainingPlan): void {
    this.line = new ProgressLine({ label: epochLabel(epoch, plan.epochs), total: plan.steps, quiet: this.quiet, sink: this.opts.sink });
  }

  onBatchEnd(report: BatchReport): void {
    const loss = report.logs.loss;
    this.line?.update(report.batch + 1, { detail: loss === undefined ? undefined : `loss: ${formatValue(loss)}` });
  }

  onEpochEnd(report: EpochReport): void {
    this.line?.finish(epochLine(report.epoch, report.epochs, report.seconds, report.logs));
    this.area?.html(learningCurvesHtml(report.history, { title: this.opts.title }));
  }
}

/**
 * A callback for `fit` that shows training as it goes (see `LiveProgress`); pass it in `callbacks` with
 * `verbose: 0`. Its `history` holds each epoch's logs as numbers.
 */
export function liveProgress(opts: LiveProgressOptions = {}): ReportingCallback {
  return reportTo(new LiveProgress(opts));
}
