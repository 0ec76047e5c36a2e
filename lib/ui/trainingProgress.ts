/**
 * The live training display: `liveProgress()` is a callback for `fit` that shows, during each epoch, a progress
 * line with the batch count and running loss (core/progress.ts) and, at its end, one Keras-style line with all
 * metrics and the time; with `figure`, learning curves in the notebook redrawn after every epoch. It reports
 * through lib/training/reporter.ts, so the callback also collects the history as plain numbers.
 */
import { isQuiet } from '../core/config';
import { say } from '../core/messages';
import { ProgressLine, type ProgressSink } from '../core/progress';
import { messageLanguage, type NotebookDisplay } from '../core/runtime';
import { historyRecord, joinHistories, metricLabel, type HistoryLike } from '../training/logs';
import {
  reportTo,
  type BatchReport,
  type EpochReport,
  type ReportingCallback,
  type TrainingPlan,
  type TrainingReporter,
} from '../training/reporter';
import { escapeHtml, newDisplayArea } from './display';
import { learningCurvesBundle } from './figures';
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
  /**
   * An earlier training this one continues (e.g. the classifier's, before fine-tuning): the figure shows its
   * epochs first, then this run's, with a dotted line between them labelled `continuesLabel`.
   */
  continues?: HistoryLike;
  /** The label of that line (default: '이어서 학습' / 'continued'). */
  continuesLabel?: string;
  /** Where the lines go (default: core/progress.ts's choice, stdout in a notebook). */
  sink?: ProgressSink;
  /**
   * One line redrawn in place through the whole training, then a compact summary (Keras's `verbose=2` lines for the
   * first epoch, every few epochs and the last) instead of a line per epoch: for a figure that shows every epoch.
   */
  summary?: boolean;
}

/** Number of epochs in a history (the longest metric). */
function historyLength(h: HistoryLike): number {
  return Math.max(0, ...Object.values(historyRecord(h)).map((v) => v.length));
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

/** `loss: 0.4321` (Keras) or `손실 0.4321` (notebook). */
function metricText(key: string, v: number): string {
  return `${metricLabel(key)}${messageLanguage() === 'ko' ? ' ' : ': '}${formatValue(v)}`;
}

/**
 * Keras-style epoch line, training metrics before validation ones: `Epoch 3/10 - 12.3s - loss: 0.4321 - acc: 0.8100
 * - val_loss: ...`; in a notebook, in Korean: `에포크 3/10 · 12.3초 · 손실 0.4321 · 정확도 0.8100 · 검증 손실 ...`.
 */
export function epochLine(
  epoch: number,
  epochs: number | undefined,
  seconds: number,
  logs: Record<string, number>,
): string {
  const entries = Object.entries(logs).filter(([k]) => k !== 'batch' && k !== 'size');
  const ordered = [...entries.filter(([k]) => !k.startsWith('val_')), ...entries.filter(([k]) => k.startsWith('val_'))];
  const ko = messageLanguage() === 'ko';
  const parts = ordered.map(([k, v]) => metricText(k, v));
  const time = ko ? `${seconds.toFixed(1)}초` : `${seconds.toFixed(1)}s`;
  return [epochLabel(epoch, epochs), time, ...parts].join(ko ? ' · ' : ' - ');
}

/** The 0-based epochs a summary of `epochs` epochs shows: all up to 8, else the first, every k-th and the last. */
export function summaryEpochs(epochs: number): number[] {
  if (epochs <= 8) return [...Array(epochs).keys()];
  const step = Math.ceil(epochs / 6);
  const picked = new Set([0, epochs - 1]);
  for (let e = step - 1; e < epochs; e += step) picked.add(e);
  return [...picked].sort((a, b) => a - b);
}

/** The reporter behind `liveProgress`: a progress line per epoch, optionally a redrawn learning-curve figure. */
export class LiveProgress implements TrainingReporter {
  readonly quiet: boolean;
  private line?: ProgressLine;
  private area?: NotebookDisplay;
  /** With `summary`: each epoch's line, kept for the summary printed when training ends. */
  private epochLines: string[] = [];

  constructor(private readonly opts: LiveProgressOptions = {}) {
    this.quiet = isQuiet(opts.quiet);
  }

  onTrainBegin(plan?: TrainingPlan): void {
    this.area = undefined;
    this.epochLines = [];
    if (this.opts.summary) {
      const label = say({ en: 'Training', ko: '학습' });
      this.line = new ProgressLine({ label, total: plan?.epochs, quiet: this.quiet, sink: this.opts.sink });
    }
    if (this.quiet || !this.opts.figure) return;
    // plotly.js goes into an output of its own (unless this cell already showed it): the area below is redrawn
    // without it every epoch.
    showPlotlyLoader();
    this.area = newDisplayArea();
    // Shown at once, so the figure sits above the epoch lines (the first epoch's end replaces it).
    const waiting = say({
      en: 'The learning curves appear here after the first epoch.',
      ko: '학습 곡선은 첫 에포크가 끝나면 여기에 그려집니다.',
    });
    this.area?.html(`<div class="tlts-curves-waiting" style="color:#666;font-size:13px">${escapeHtml(waiting)}</div>`);
  }

  onEpochBegin(epoch: number, plan: TrainingPlan): void {
    if (this.opts.summary) return;
    this.line = new ProgressLine({
      label: epochLabel(epoch, plan.epochs),
      total: plan.steps,
      quiet: this.quiet,
      sink: this.opts.sink,
    });
  }

  onBatchEnd(report: BatchReport): void {
    if (this.opts.summary) return;
    const loss = report.logs.loss;
    this.line?.update(report.batch + 1, { detail: loss === undefined ? undefined : metricText('loss', loss) });
  }

  onEpochEnd(report: EpochReport): void {
    const text = epochLine(report.epoch, report.epochs, report.seconds, report.logs);
    if (this.opts.summary) {
      this.epochLines.push(text);
      this.line?.update(report.epoch + 1, { detail: text, force: true });
    } else this.line?.finish(text);
    if (!this.area) return;
    const before = this.opts.continues;
    const history = before ? joinHistories(before, report.history) : report.history;
    const boundary = before
      ? { after: historyLength(before), label: this.opts.continuesLabel ?? say({ en: 'continued', ko: '이어서 학습' }) }
      : undefined;
    this.area.bundle(learningCurvesBundle(history, { title: this.opts.title, boundary }));
  }

  onTrainEnd(): void {
    if (!this.opts.summary) return;
    const n = this.epochLines.length;
    const shown = summaryEpochs(n);
    const note = say({
      en: `(${shown.length} of ${n} epochs; every epoch is in the figure)`,
      ko: `(에포크 ${n}개 가운데 ${shown.length}개; 모든 에포크는 그림에 있습니다)`,
    });
    this.line?.finish([...shown.map((e) => this.epochLines[e]), ...(shown.length < n ? [note] : [])].join('\n'));
  }
}

/**
 * A callback for `fit` that shows training as it goes (see `LiveProgress`); pass it in `callbacks` with
 * `verbose: 0`. Its `history` holds each epoch's logs as numbers.
 */
export function liveProgress(opts: LiveProgressOptions = {}): ReportingCallback {
  return reportTo(new LiveProgress(opts));
}
