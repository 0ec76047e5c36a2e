/**
 * Plotly figures in tslab notebooks, with plotly.js-dist embedded in the output so they draw offline:
 * in JupyterLab and in the HTML that `jupyter nbconvert --to html` exports.
 * The library is embedded once per kernel session (with the first figure); later figures reuse it.
 */
import { readFileSync } from 'fs';
import { inNotebook } from '../core/runtime';
import { showHtml } from './display';

/** A plotly figure: traces and layout, as in plotly.js. */
export interface Figure {
  data: object[];
  layout?: Record<string, unknown>;
}

/** Options for rendering a figure. */
export interface FigureOptions {
  /** Height in pixels (default 360). */
  height?: number;
  /** Embed plotly.js in this output: true, false, or 'auto' (once per session; default). */
  includePlotly?: boolean | 'auto';
}

let plotlyEmbedded = false;
let counter = 0;

/** The plotly.js-dist library source (the browser bundle). */
export function plotlySource(): string {
  return readFileSync(require.resolve('plotly.js-dist'), 'utf8');
}

/** The `<script>` that loads plotly.js into the page. */
function plotlyScript(): string {
  return `<script type="text/javascript">${plotlySource()}</script>`;
}

/** Whether this output should carry plotly.js: always (true), never (false), or once per session ('auto'). */
function takeEmbed(include: boolean | 'auto'): boolean {
  if (include !== 'auto') return include;
  if (plotlyEmbedded) return false;
  plotlyEmbedded = true;
  return true;
}

/**
 * In a notebook, shows plotly.js in an output of its own unless this session already embedded it: for figures
 * drawn into an area that is redrawn (live progress), which must not carry the library themselves.
 */
export function showPlotlyLoader(): void {
  if (inNotebook() && takeEmbed('auto')) showHtml(plotlyScript());
}

/** The HTML (a div and scripts) that draws `fig`; embeds plotly.js when asked (see FigureOptions). */
export function figureHtml(fig: Figure, opts: FigureOptions = {}): string {
  const embed = takeEmbed(opts.includePlotly ?? 'auto');
  const id = `tlts-plot-${process.pid}-${Date.now().toString(36)}-${counter++}`;
  const height = opts.height ?? 360;
  // JSON inside a <script>: keep "</" from closing the tag early.
  const json = JSON.stringify({ data: fig.data, layout: { height, margin: { t: 40, r: 20, b: 50, l: 60 }, ...fig.layout } }).replace(/<\//g, '<\\/');
  const draw = `<script type="text/javascript">(function(){var f=${json};var el=document.getElementById('${id}');` +
    `if(window.Plotly){window.Plotly.newPlot(el,f.data,f.layout,{responsive:true,displaylogo:false});}` +
    `else{el.textContent='plotly.js is not loaded in this page: run the notebook again from the first cell.';}})();</script>`;
  return `${embed ? plotlyScript() : ''}<div id="${id}" class="tlts-plot" style="width:100%;height:${height}px"></div>${draw}`;
}

function describe(fig: Figure): string {
  const title = (fig.layout?.title as { text?: string } | string | undefined);
  const t = typeof title === 'string' ? title : title?.text ?? 'figure';
  return `[plot: ${t}; ${fig.data.length} trace(s)]`;
}

/** Shows a figure in the notebook (prints a one-line description elsewhere). */
export function showFigure(fig: Figure, opts: FigureOptions = {}): void {
  if (inNotebook()) showHtml(figureHtml(fig, opts));
  else console.log(describe(fig));
}

/** Line chart of named series (x defaults to 1..n, e.g. epochs). */
export function lineChart(series: { name: string; x?: number[]; y: number[]; dash?: 'solid' | 'dash' | 'dot' }[], opts: { title?: string; xTitle?: string; yTitle?: string } = {}): Figure {
  return {
    data: series.map((s) => ({
      type: 'scatter', mode: 'lines+markers', name: s.name,
      x: s.x ?? s.y.map((_, i) => i + 1), y: s.y, line: { dash: s.dash ?? 'solid' },
    })),
    layout: { title: { text: opts.title ?? '' }, xaxis: { title: { text: opts.xTitle ?? '' } }, yaxis: { title: { text: opts.yTitle ?? '' } } },
  };
}

/** Bar chart: one bar per label, optionally several named groups. */
export function barChart(labels: string[], groups: { name: string; values: number[] }[], opts: { title?: string; yTitle?: string; logY?: boolean; text?: boolean; stacked?: boolean } = {}): Figure {
  return {
    data: groups.map((g) => ({
      type: 'bar', name: g.name, x: labels, y: g.values,
      ...(opts.text ? { text: g.values.map((v) => v.toLocaleString('en-US')), textposition: 'auto' } : {}),
    })),
    layout: {
      title: { text: opts.title ?? '' }, barmode: opts.stacked ? 'stack' : 'group',
      yaxis: { title: { text: opts.yTitle ?? '' }, type: opts.logY ? 'log' : 'linear' },
    },
  };
}

/** Heatmap with cell annotations (e.g. a confusion matrix: rows y, columns x). */
export function heatmap(z: number[][], x: string[], y: string[], opts: { title?: string; xTitle?: string; yTitle?: string } = {}): Figure {
  const annotations = z.flatMap((row, i) => row.map((v, j) => ({ x: x[j], y: y[i], text: String(v), showarrow: false, font: { color: 'black' } })));
  return {
    data: [{ type: 'heatmap', z, x, y, colorscale: 'Blues', showscale: true }],
    layout: {
      title: { text: opts.title ?? '' }, annotations,
      xaxis: { title: { text: opts.xTitle ?? '' } }, yaxis: { title: { text: opts.yTitle ?? '' }, autorange: 'reversed' },
    },
  };
}
