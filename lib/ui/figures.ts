/**
 * The training figures of the lesson, with Korean titles and axes: learning curves (training vs validation
 * accuracy and loss per epoch) and the confusion matrix. Builders are pure (they return plotly figures from
 * numbers that lib/training/ computes); the `show*` functions draw them with lib/ui/plot.ts.
 */
import { historyRecord, type HistoryLike } from '../training/logs';
import { escapeHtml } from './display';
import { figureHtml, heatmap, lineChart, showFigure, type Figure } from './plot';

/** Options of the learning-curve figures. */
export interface CurveOptions {
  /** Put in front of each figure's title (e.g. the experiment's name). */
  title?: string;
  /** Number of the first epoch on the x axis (default 1). */
  firstEpoch?: number;
}

/** Learning curves: accuracy and loss, training vs validation, per epoch (two figures). */
export function learningCurveFigures(history: HistoryLike, opts: CurveOptions = {}): { accuracy: Figure; loss: Figure } {
  const h = historyRecord(history);
  const start = opts.firstEpoch ?? 1;
  const x = (ys: number[]) => ys.map((_, i) => i + start);
  const series = (train: string, val: string) => [
    ...(h[train] ? [{ name: '학습', x: x(h[train]), y: h[train] }] : []),
    ...(h[val] ? [{ name: '검증', x: x(h[val]), y: h[val], dash: 'dash' as const }] : []),
  ];
  const prefix = opts.title ? `${opts.title}: ` : '';
  return {
    accuracy: lineChart(series('accuracy', 'val_accuracy'), { title: `${prefix}학습·검증 정확도`, xTitle: '에포크', yTitle: '정확도', integerX: true }),
    loss: lineChart(series('loss', 'val_loss'), { title: `${prefix}학습·검증 손실`, xTitle: '에포크', yTitle: '손실', integerX: true }),
  };
}

/** Shows both learning-curve figures (a one-line description each outside a notebook). */
export function showLearningCurves(history: HistoryLike, opts: CurveOptions = {}): void {
  const f = learningCurveFigures(history, opts);
  showFigure(f.accuracy);
  showFigure(f.loss);
}

/**
 * HTML of both learning-curve figures side by side, for a display area redrawn each epoch (live progress): the
 * title goes above the pair (the figures keep their short titles, clear of plotly's modebar), and the figures do
 * not carry plotly.js (lib/ui/trainingProgress.ts shows it once, in an output of its own).
 */
export function learningCurvesHtml(history: HistoryLike, opts: CurveOptions = {}): string {
  const f = learningCurveFigures(history, { firstEpoch: opts.firstEpoch });
  const heading = opts.title ? `<div class="tlts-curves-title" style="font-weight:bold;margin:4px 0">${escapeHtml(opts.title)}</div>` : '';
  const cell = (fig: Figure) => `<div style="flex:1;min-width:320px">${figureHtml(fig, { includePlotly: false, height: 300 })}</div>`;
  return `${heading}<div style="display:flex;flex-wrap:wrap;gap:8px">${cell(f.accuracy)}${cell(f.loss)}</div>`;
}

/** Confusion matrix as a heatmap figure (rows: true class, columns: predicted). */
export function confusionMatrixFigure(cm: number[][], classNames?: string[], opts: { title?: string } = {}): Figure {
  const names = cm.map((_, k) => classNames?.[k] ?? String(k));
  return heatmap(cm, names, names, { title: opts.title ?? '혼동 행렬', xTitle: '예측한 클래스', yTitle: '실제 클래스' });
}
