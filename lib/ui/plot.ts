/**
 * Plotly figures in tslab notebooks that draw offline wherever the notebook is shown: live, after save + reload,
 * after a kernel restart and the re-run of any one cell, in the HTML that `jupyter nbconvert --to html` exports.
 * plotly.js travels in the outputs (once per executed cell); each figure is also a static SVG (lib/ui/figureSvg.ts),
 * inside its HTML and beside it in the same output, for front ends that do not run the figure's script (an untrusted
 * notebook, GitHub, a preview, a PDF): see lib/ui/plotlyEmbed.ts. The chart builders below return plain plotly
 * figures.
 */
import { randomBytes } from 'node:crypto';
import { inNotebook, messageLanguage, notebookDisplay } from '../core/runtime';
import { showHtml } from './display';
import { figureSvg } from './figureSvg';
import { figureMarkup, plotlyLibraryHtml, takePlotlyForThisCell, type StaticImage } from './plotlyEmbed';

/** A plotly figure: traces and layout, as in plotly.js. */
export interface Figure {
  data: object[];
  layout?: Record<string, unknown>;
}

/** Options for rendering a figure. */
export interface FigureOptions {
  /** Height in pixels (default 360). */
  height?: number;
  /** Width of the static image in pixels (default 720; the interactive figure takes the output's width). */
  width?: number;
  /**
   * Embed plotly.js in this output: true, false, or 'auto' (default: in the first figure of each executed cell,
   * in every figure outside a notebook).
   */
  includePlotly?: boolean | 'auto';
}

/** plotly's config for every figure: no logo, and a short modebar that leaves room for titles. */
const PLOT_CONFIG = {
  responsive: true,
  displaylogo: false,
  modeBarButtonsToRemove: ['select2d', 'lasso2d', 'zoomIn2d', 'zoomOut2d', 'autoScale2d'],
};

let counter = 0;
const pageKey = randomBytes(4).toString('hex');

/**
 * In a notebook, shows plotly.js in an output of its own unless the executing cell already carries it: for
 * figures drawn into an area that is redrawn (live progress), which do not carry the library themselves.
 */
export function showPlotlyLoader(): void {
  if (inNotebook() && takePlotlyForThisCell()) showHtml(plotlyLibraryHtml());
}

/** The layout every figure starts from: margins, and titles at the left, clear of plotly's modebar (right). */
function baseLayout(height: number): Record<string, unknown> {
  return { height, margin: { t: 50, r: 20, b: 50, l: 60 } };
}

/** A figure's title left-aligned above its plot area (plotly's modebar sits at the top right). */
function leftTitle(text: string | undefined): Record<string, unknown> {
  return { text: text ?? '', x: 0, xref: 'paper', xanchor: 'left' };
}

/** The static image of `fig` at the size of `opts` (default 720 x 360). */
export function figureImage(fig: Figure, opts: FigureOptions = {}): StaticImage {
  const [width, height] = [opts.width ?? 720, opts.height ?? 360];
  const title = fig.layout?.title as { text?: string } | undefined;
  return { svg: figureSvg(fig, { width, height }), width, height, alt: title?.text ?? '' };
}

/** The HTML (the static image, a div and scripts) that draws `fig`; embeds plotly.js when asked (see FigureOptions). */
export function figureHtml(fig: Figure, opts: FigureOptions = {}, image = figureImage(fig, opts)): string {
  const include = opts.includePlotly ?? 'auto';
  const embed = include === 'auto' ? takePlotlyForThisCell() : include;
  const id = `tlts-plot-${pageKey}-${Date.now().toString(36)}-${counter++}`;
  const height = opts.height ?? 360;
  // In a notebook the toolbar speaks Korean (plotlyEmbed registers the locale).
  const config = messageLanguage() === 'ko' ? { ...PLOT_CONFIG, locale: 'ko' } : PLOT_CONFIG;
  const spec = { data: fig.data, layout: { ...baseLayout(height), ...fig.layout }, config };
  return `${embed ? plotlyLibraryHtml() : ''}${figureMarkup(id, spec, height, image)}`;
}

/** A one-line description of a figure (its text/plain). */
export function describeFigure(fig: Figure): string {
  const title = fig.layout?.title as { text?: string } | string | undefined;
  const t = typeof title === 'string' ? title : (title?.text ?? 'figure');
  return `[plot: ${t}; ${fig.data.length} trace(s)]`;
}

/**
 * A figure's output: its HTML (interactive where scripts run, the static image where they do not) and the same
 * image as `image/svg+xml` for front ends that show no HTML (a PDF export); Jupyter's front ends rank HTML first.
 */
export function figureBundle(fig: Figure, opts: FigureOptions = {}): Record<string, string> {
  const image = figureImage(fig, opts);
  return { 'text/html': figureHtml(fig, opts, image), 'image/svg+xml': image.svg, 'text/plain': describeFigure(fig) };
}

/** Shows a figure in the notebook (prints a one-line description elsewhere). */
export function showFigure(fig: Figure, opts: FigureOptions = {}): void {
  const display = notebookDisplay();
  if (display) display.bundle(figureBundle(fig, opts));
  else console.log(describeFigure(fig));
}

/** Options of `lineChart`. */
export interface LineChartOptions {
  title?: string;
  xTitle?: string;
  yTitle?: string;
  /** x values are whole numbers (epochs): ticks on whole numbers only, at most about 10 of them. */
  integerX?: boolean;
}

/** Ticks on whole numbers from the smallest x, about 10 at most (no "1.5 epochs"). */
function integerTicks(xs: number[]): Record<string, unknown> {
  if (xs.length === 0) return {};
  const [min, max] = [Math.min(...xs), Math.max(...xs)];
  return { tickmode: 'linear', tick0: min, dtick: Math.max(1, Math.ceil((max - min) / 10)) };
}

/** Line chart of named series (x defaults to 1..n, e.g. epochs). */
export function lineChart(
  series: { name: string; x?: number[]; y: number[]; dash?: 'solid' | 'dash' | 'dot' }[],
  opts: LineChartOptions = {},
): Figure {
  const data = series.map((s) => ({
    type: 'scatter',
    mode: 'lines+markers',
    name: s.name,
    x: s.x ?? s.y.map((_, i) => i + 1),
    y: s.y,
    line: { dash: s.dash ?? 'solid' },
  }));
  const ticks = opts.integerX ? integerTicks(data.flatMap((d) => d.x)) : {};
  return {
    data,
    layout: {
      title: leftTitle(opts.title),
      xaxis: { title: { text: opts.xTitle ?? '' }, ...ticks },
      yaxis: { title: { text: opts.yTitle ?? '' } },
    },
  };
}

/** Bar chart: one bar per label (a categorical x axis), optionally several named groups. */
export function barChart(
  labels: string[],
  groups: { name: string; values: number[] }[],
  opts: { title?: string; xTitle?: string; yTitle?: string; logY?: boolean; text?: boolean; stacked?: boolean } = {},
): Figure {
  return {
    data: groups.map((g) => ({
      type: 'bar',
      name: g.name,
      x: labels,
      y: g.values,
      ...(opts.text ? { text: g.values.map((v) => v.toLocaleString('en-US')), textposition: 'auto' } : {}),
    })),
    layout: {
      title: leftTitle(opts.title),
      barmode: opts.stacked ? 'stack' : 'group',
      // Labels are categories, even when they read as numbers ("16", "32", ...): evenly spaced, in the given order.
      xaxis: { type: 'category', title: { text: opts.xTitle ?? '' } },
      // On a log axis, label 1, 2 and 5 of each decade only (plotly labels every digit of a short range).
      yaxis: { title: { text: opts.yTitle ?? '' }, ...(opts.logY ? { type: 'log', dtick: 'D2' } : { type: 'linear' }) },
    },
  };
}

/** A pale-to-dark blue scale (matplotlib's "Blues"): small values pale, large values dark. plotly's own "Blues" runs dark to pale. */
export const PALE_TO_DARK_BLUES: [number, string][] = [
  [0, '#f7fbff'],
  [0.125, '#deebf7'],
  [0.25, '#c6dbef'],
  [0.375, '#9ecae1'],
  [0.5, '#6baed6'],
  [0.625, '#4292c6'],
  [0.75, '#2171b5'],
  [0.875, '#08519c'],
  [1, '#08306b'],
];

/** Text colour readable on a cell of the pale-to-dark scale: white on the darker half, black on the paler one. */
export function cellTextColor(v: number, min: number, max: number): 'white' | 'black' {
  return max > min && (v - min) / (max - min) > 0.5 ? 'white' : 'black';
}

/**
 * Heatmap with cell annotations (e.g. a confusion matrix: rows y, columns x): large values dark blue with white
 * text, small values pale with black text; both axes are categories (class names such as "0", "1" included).
 */
export function heatmap(
  z: number[][],
  x: string[],
  y: string[],
  opts: { title?: string; xTitle?: string; yTitle?: string } = {},
): Figure {
  const flat = z.flat();
  const [min, max] = [Math.min(...flat), Math.max(...flat)];
  const annotations = z.flatMap((row, i) =>
    row.map((v, j) => ({
      x: x[j],
      y: y[i],
      text: String(v),
      showarrow: false,
      font: { color: cellTextColor(v, min, max), size: 14 },
    })),
  );
  return {
    data: [{ type: 'heatmap', z, x, y, colorscale: PALE_TO_DARK_BLUES, showscale: true }],
    layout: {
      title: leftTitle(opts.title),
      annotations,
      // automargin + standoff: class names longer than 'cats' (e.g. 'dandelion') keep clear of the axis title.
      xaxis: { title: { text: opts.xTitle ?? '', standoff: 10 }, type: 'category', automargin: true },
      yaxis: {
        title: { text: opts.yTitle ?? '', standoff: 10 },
        type: 'category',
        autorange: 'reversed',
        automargin: true,
      },
    },
  };
}
