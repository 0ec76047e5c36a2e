/**
 * The training figures of the lesson, with Korean titles and axes: learning curves (training vs validation
 * accuracy and loss per epoch) and the confusion matrix. Builders are pure (they return plotly figures from
 * numbers that lib/training/ computes); the `show*` functions draw them with lib/ui/plot.ts.
 */
import { displayClassName } from '../core/displayNames';
import { historyRecord, type HistoryLike } from '../training/logs';
import { escapeHtml } from './display';
import { svgSideBySide } from './figureSvg';
import { describeFigure, figureHtml, figureImage, heatmap, lineChart, showFigure, type Figure } from './plot';

/** Options of the learning-curve figures. */
export interface CurveOptions {
  /** Put in front of each figure's title (e.g. the experiment's name). */
  title?: string;
  /** Number of the first epoch on the x axis (default 1). */
  firstEpoch?: number;
  /** A dotted vertical line after epoch `after` (e.g. where fine-tuning began), labelled `label`. */
  boundary?: { after: number; label: string };
}

/** `fig` with a dotted vertical line between epochs `after` and `after + 1`, labelled at the top. */
function withBoundary(fig: Figure, boundary: { after: number; label: string } | undefined): Figure {
  if (!boundary) return fig;
  const x = boundary.after + 0.5;
  const line = {
    type: 'line',
    xref: 'x',
    yref: 'paper',
    x0: x,
    x1: x,
    y0: 0,
    y1: 1,
    line: { dash: 'dot', color: '#888', width: 1.5 },
  };
  const note = {
    x,
    xref: 'x',
    yref: 'paper',
    y: 1,
    yanchor: 'bottom',
    text: boundary.label,
    showarrow: false,
    font: { size: 11, color: '#555' },
  };
  return { ...fig, layout: { ...fig.layout, shapes: [line], annotations: [note] } };
}

/** Learning curves: accuracy and loss, training vs validation, per epoch (two figures). */
export function learningCurveFigures(
  history: HistoryLike,
  opts: CurveOptions = {},
): { accuracy: Figure; loss: Figure } {
  const h = historyRecord(history);
  const start = opts.firstEpoch ?? 1;
  const x = (ys: number[]) => ys.map((_, i) => i + start);
  const series = (train: string, val: string) => [
    ...(h[train] ? [{ name: '학습', x: x(h[train]), y: h[train] }] : []),
    ...(h[val] ? [{ name: '검증', x: x(h[val]), y: h[val], dash: 'dash' as const }] : []),
  ];
  const prefix = opts.title ? `${opts.title}: ` : '';
  const chart = (train: string, val: string, what: string) =>
    withBoundary(
      lineChart(series(train, val), {
        title: `${prefix}학습·검증 ${what}`,
        xTitle: '에포크',
        yTitle: what,
        integerX: true,
      }),
      opts.boundary,
    );
  return { accuracy: chart('accuracy', 'val_accuracy', '정확도'), loss: chart('loss', 'val_loss', '손실') };
}

/** Shows both learning-curve figures (a one-line description each outside a notebook). */
export function showLearningCurves(history: HistoryLike, opts: CurveOptions = {}): void {
  const f = learningCurveFigures(history, opts);
  showFigure(f.accuracy);
  showFigure(f.loss);
}

/**
 * The output of both learning-curve figures side by side, for a display area redrawn each epoch (live progress):
 * HTML with the title above the pair (the figures keep their short titles, clear of plotly's modebar), the figures
 * not carrying plotly.js (lib/ui/trainingProgress.ts shows it once, in an output of its own); beside it both
 * static images in one `image/svg+xml` (see `figureBundle` in lib/ui/plot.ts).
 */
export function learningCurvesBundle(history: HistoryLike, opts: CurveOptions = {}): Record<string, string> {
  const f = learningCurveFigures(history, { firstEpoch: opts.firstEpoch, boundary: opts.boundary });
  const heading = opts.title
    ? `<div class="tlts-curves-title" style="font-weight:bold;margin:4px 0">${escapeHtml(opts.title)}</div>`
    : '';
  const size = { includePlotly: false, width: 480, height: 300 } as const;
  const images = [figureImage(f.accuracy, size), figureImage(f.loss, size)];
  const cell = (fig: Figure, k: number) =>
    `<div style="flex:1;min-width:320px">${figureHtml(fig, size, images[k])}</div>`;
  const html = `${heading}<div style="display:flex;flex-wrap:wrap;gap:8px">${cell(f.accuracy, 0)}${cell(f.loss, 1)}</div>`;
  return {
    'text/html': html,
    'image/svg+xml': svgSideBySide(images),
    'text/plain': `${opts.title ?? ''} ${describeFigure(f.accuracy)} ${describeFigure(f.loss)}`.trim(),
  };
}

/** Confusion matrix as a heatmap figure (rows: true class, columns: predicted). */
export function confusionMatrixFigure(cm: number[][], classNames?: string[], opts: { title?: string } = {}): Figure {
  const names = cm.map((_, k) => (classNames?.[k] === undefined ? String(k) : displayClassName(classNames[k])));
  return heatmap(cm, names, names, {
    title: opts.title ?? '혼동 행렬',
    xTitle: '예측한 클래스',
    yTitle: '실제 클래스',
  });
}
