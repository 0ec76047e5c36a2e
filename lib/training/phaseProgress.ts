/**
 * One progress bar per training phase in a terminal or a log (core/progress.ts), as a `TrainingReporter`: the bar
 * counts batches over all epochs and shows images per second, the time left, the epoch and its last losses.
 * Also stops `fit` when the run is aborted (Ctrl-C), between two batches.
 */
import * as tf from '@tensorflow/tfjs';
import { say } from '../core/messages';
import { ProgressLine, type ProgressSink } from '../core/progress';
import { metricLabel } from './logs';
import { ReportingCallback, type TrainingReporter } from './reporter';

/** Options of `phaseProgress`. */
export interface PhaseProgressOptions {
  /** The phase's name on its bar ('train head', 'fine-tune'). */
  label: string;
  /** Images per batch (for images per second). */
  batchSize: number;
  /** Batches per epoch when `fit` does not know them (`fitDataset`), for the bar's total and the epoch count. */
  steps?: number;
  quiet?: boolean;
  sink?: ProgressSink;
  /** When aborted, training stops after the current batch. */
  signal?: AbortSignal;
}

/**
 * `loss 0.31 acc 0.90 val_loss 0.40 val_acc 0.86` from an epoch's logs, training metrics first (in a notebook:
 * `손실 0.31 정확도 0.90 검증 손실 0.40 검증 정확도 0.86`).
 */
export function logsText(logs: Record<string, number>): string {
  const short = (k: string) => k.replace('accuracy', 'acc');
  const entries = Object.entries(logs).filter(([, v]) => Number.isFinite(v));
  const ordered = [...entries.filter(([k]) => !k.startsWith('val_')), ...entries.filter(([k]) => k.startsWith('val_'))];
  return ordered.map(([k, v]) => `${metricLabel(short(k))} ${v.toFixed(3)}`).join(' ');
}

/** How often (ms) an abortable `fit` lets the event loop deliver signals. */
const YIELD_MS = 50;

/** The reporter: one `ProgressLine` for the whole `fit`. */
class PhaseReporter implements TrainingReporter {
  private line?: ProgressLine;
  private epochLogs = '';
  private lastYield = Date.now();
  model?: tf.LayersModel;

  constructor(private readonly o: PhaseProgressOptions) {}

  onTrainBegin(plan: { epochs?: number; steps?: number }): void {
    const steps = plan.steps ?? this.o.steps;
    const total = plan.epochs && steps ? plan.epochs * steps : undefined;
    const unit = say({ en: 'images', ko: '장' });
    this.line = new ProgressLine({
      label: this.o.label,
      total,
      quiet: this.o.quiet,
      sink: this.o.sink,
      rate: { unit, per: this.o.batchSize },
    });
  }

  async onBatchEnd(r: { epoch: number; batch: number; epochs?: number; steps?: number }): Promise<void> {
    if (this.o.signal && Date.now() - this.lastYield >= YIELD_MS) {
      // fit on tensors in memory never leaves the microtask queue, so a Ctrl-C would wait for its end: let the
      // event loop turn (and deliver the signal) now and then.
      await new Promise((resolve) => setImmediate(resolve));
      this.lastYield = Date.now();
    }
    if (this.o.signal?.aborted && this.model) this.model.stopTraining = true;
    const done = r.epoch * (r.steps ?? this.o.steps ?? 0) + r.batch + 1;
    const epoch = say({
      en: `epoch ${r.epoch + 1}/${r.epochs ?? '?'}`,
      ko: `에포크 ${r.epoch + 1}/${r.epochs ?? '?'}`,
    });
    this.line?.update(done, { detail: `${epoch}${this.epochLogs ? ` (${this.epochLogs})` : ''}` });
  }

  onEpochEnd(r: { logs: Record<string, number> }): void {
    this.epochLogs = logsText(r.logs);
  }

  onTrainEnd(): void {
    this.line?.finish(`${this.o.label}: ${this.epochLogs} (${this.line.seconds().toFixed(1)} s)`);
  }
}

/** A `fit` callback drawing one progress bar for the phase; pass the model so that an abort can stop it. */
export function phaseProgress(model: tf.LayersModel, opts: PhaseProgressOptions): ReportingCallback {
  const reporter = new PhaseReporter(opts);
  reporter.model = model;
  return new ReportingCallback(reporter);
}
