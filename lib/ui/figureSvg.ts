/**
 * A static SVG of the lesson's plotly figures (lib/ui/plot.ts), drawn without a browser: line charts (learning
 * curves, with their dotted boundary), bar charts (grouped, stacked, log axis, values on the bars) and heatmaps
 * (a confusion matrix with its numbers). Front ends that do not run the figure's script (an untrusted notebook,
 * GitHub, a preview, a PDF) show this image; see lib/ui/plot.ts.
 */
import type { Figure } from './plot';
import {
  axesSvg,
  formatTick,
  label,
  legendSvg,
  legendWidth,
  linearTicks,
  logTicks,
  px,
  stepTicks,
  svgDocument,
  textWidth,
  titleSvg,
  TRACE_COLORS,
  xLabelsSvg,
  yAxisSvg,
  type LegendItem,
  type PlotBox,
} from './svgAxes';
import {
  axisOf,
  categoryPlace,
  categoryRoom,
  DASHES,
  extent,
  layoutOf,
  linear,
  overlaysSvg,
  placeOn,
  plotBox,
  titleText,
  type Trace,
} from './svgLayout';

/** A line chart: every scatter trace as a line with markers, numeric x and y axes, the legend at the right. */
function lineSvg(fig: Figure, width: number, height: number): string {
  const traces = fig.data as Trace[];
  const [xa, ya] = [axisOf(fig, 'xaxis'), axisOf(fig, 'yaxis')];
  const nums = (k: 'x' | 'y') => traces.flatMap((t) => (t[k] ?? []).map(Number));
  const [xlo, xhi] = extent(nums('x'), 0.02);
  const [ylo, yhi] = ya.range ?? extent(nums('y'), 0.06);
  const items: LegendItem[] = traces.map((t, k) => ({
    name: t.name ?? '',
    color: TRACE_COLORS[k % TRACE_COLORS.length],
    kind: 'line',
    dash: DASHES[t.line?.dash ?? ''],
  }));
  const box = plotBox(width, height, legendWidth(items), 0);
  const [sx, sy] = [linear(xlo, xhi, box.left, box.right), linear(ylo, yhi, box.bottom, box.top)];
  const xTicks = xa.dtick ? stepTicks(xlo, xhi, xa.dtick, xa.tick0) : linearTicks(xlo, xhi, 6);
  const lines = traces.map((t, k) => {
    const pts = (t.x ?? []).map((xv, i) => [sx(Number(xv)), sy(Number(t.y?.[i]))]).filter((p) => p.every(isFinite));
    const c = items[k].color;
    const dash = items[k].dash ? ` stroke-dasharray="${items[k].dash}"` : '';
    const marks = pts.map(([a, b]) => `<circle cx="${px(a)}" cy="${px(b)}" r="3" fill="${c}"/>`).join('');
    const path = pts.map(([a, b]) => `${px(a)},${px(b)}`).join(' ');
    return `<polyline class="series" fill="none" stroke="${c}" stroke-width="2"${dash} points="${path}"/>${marks}`;
  });
  return (
    yAxisSvg(linearTicks(ylo, yhi), sy, box) +
    xLabelsSvg(
      xTicks.map((v) => ({ x: sx(v), text: formatTick(v) })),
      box,
      false,
    ) +
    axesSvg(box, xa.title, ya.title, height - 14) +
    lines.join('') +
    overlaysSvg(fig, placeOn(sx, box.left, box.right), placeOn(sy, box.bottom, box.top)) +
    legendSvg(items, box.right + 12, box.top + 8)
  );
}

/** The value axis of a bar chart: linear from 0 (or below), or log10 with 1-2-5 ticks. */
function barValueAxis(
  values: number[],
  log: boolean,
): { lo: number; hi: number; ticks: number[]; at: (v: number) => number } {
  if (log) {
    const pos = values.filter((v) => v > 0);
    const [lo, hi] = pos.length ? [Math.log10(Math.min(...pos)) - 0.15, Math.log10(Math.max(...pos)) + 0.15] : [0, 1];
    return { lo, hi, ticks: logTicks(lo, hi), at: (v) => (v > 0 ? Math.log10(v) : lo) };
  }
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values) * 1.06 || 1;
  return { lo, hi, ticks: linearTicks(lo, hi), at: (v) => v };
}

/** One bar (or stacked segment), with its value written inside when it fits, else above when nothing sits on it. */
function barRect(
  x: number,
  w: number,
  y0: number,
  y1: number,
  color: string,
  text: string | undefined,
  onTop: boolean,
): string {
  const [top, h] = [Math.min(y0, y1), Math.abs(y1 - y0)];
  const rect = `<rect class="bar" x="${px(x)}" y="${px(top)}" width="${px(w)}" height="${px(h)}" fill="${color}"/>`;
  if (!text) return rect;
  const fits = h >= 18 && textWidth(text, 11) <= w - 2;
  if (fits) return rect + label(x + w / 2, top + h / 2 + 4, text, { size: 11, anchor: 'middle', color: 'white' });
  return onTop ? rect + label(x + w / 2, top - 4, text, { size: 11, anchor: 'middle' }) : rect;
}

/** A bar chart: categories on x, groups side by side (or stacked), the legend at the right. */
function barSvg(fig: Figure, width: number, height: number): string {
  const traces = fig.data as Trace[];
  const [xa, ya] = [axisOf(fig, 'xaxis'), axisOf(fig, 'yaxis')];
  const cats = (traces[0]?.x ?? []).map(String);
  const stacked = layoutOf(fig).barmode === 'stack';
  const vals = traces.map((t) => cats.map((_, i) => Number(t.y?.[i] ?? 0)));
  const sums = cats.map((_, i) => vals.reduce((s, v) => s + v[i], 0));
  const axis = barValueAxis(stacked ? [...sums, ...vals.flat()] : vals.flat(), ya.type === 'log');
  const items: LegendItem[] = traces.map((t, k) => ({ name: t.name ?? '', color: TRACE_COLORS[k % 10], kind: 'bar' }));
  const room = categoryRoom(cats, width, legendWidth(items));
  const box = plotBox(width, height, legendWidth(items), room.below);
  const sy = linear(axis.lo, axis.hi, box.bottom, box.top);
  const band = (box.right - box.left) / Math.max(1, cats.length);
  const barW = (band * 0.8) / (stacked ? 1 : Math.max(1, traces.length));
  const base = cats.map(() => 0);
  const bars = traces.flatMap((t, k) =>
    cats.map((_, i) => {
      const x = box.left + i * band + band * 0.1 + (stacked ? 0 : k * barW);
      const from = stacked ? base[i] : 0;
      const to = from + vals[k][i];
      if (stacked) base[i] = to;
      const y0 = from === 0 && ya.type === 'log' ? box.bottom : sy(axis.at(from));
      return barRect(x, barW, y0, sy(axis.at(to)), items[k].color, t.text?.[i], !stacked || k === traces.length - 1);
    }),
  );
  const xs = categoryPlace(cats, box.left, box.right);
  return (
    yAxisSvg(axis.ticks, (v) => sy(axis.at(v)), box) +
    bars.join('') +
    xLabelsSvg(
      cats.map((c) => ({ x: xs(c), text: c })),
      box,
      room.rotate,
    ) +
    axesSvg(box, xa.title, ya.title, height - 14) +
    legendSvg(items, box.right + 12, box.top + 8)
  );
}

/** The colour at `t` (0..1) of a plotly colour scale ([fraction, '#rrggbb'] stops). */
export function colorAt(scale: [number, string][], t: number): string {
  const rgb = (h: string) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
  const v = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  const k = Math.max(
    1,
    scale.findIndex(([f]) => f >= v),
  );
  const [[f0, c0], [f1, c1]] = [scale[k - 1], scale[Math.min(k, scale.length - 1)]];
  const w = f1 > f0 ? (v - f0) / (f1 - f0) : 0;
  const [a, b] = [rgb(c0), rgb(c1)];
  return `#${a
    .map((x, i) =>
      Math.round(x + w * (b[i] - x))
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

/** The colour bar right of a heatmap: the scale from min (bottom) to max (top), with a few ticks. */
function colorBarSvg(scale: [number, string][], min: number, max: number, box: PlotBox): string {
  const x = box.right + 16;
  const stops = scale.map(([f, c]) => `<stop offset="${f}" stop-color="${c}"/>`).join('');
  const sy = linear(min, max, box.bottom, box.top);
  const ticks = linearTicks(min, max, 4).map((v) => label(x + 20, sy(v) + 4, formatTick(v), { size: 11 }));
  return (
    `<defs><linearGradient id="tlts-colorbar" x1="0" y1="1" x2="0" y2="0">${stops}</linearGradient></defs>` +
    `<rect x="${x}" y="${px(box.top)}" width="14" height="${px(box.bottom - box.top)}" fill="url(#tlts-colorbar)"/>` +
    ticks.join('')
  );
}

/** A heatmap: one coloured cell per value (rows y, columns x; the first row on top when y is reversed), with its number. */
function heatmapSvg(fig: Figure, width: number, height: number): string {
  const t = fig.data[0] as Trace;
  const [xa, ya] = [axisOf(fig, 'xaxis'), axisOf(fig, 'yaxis')];
  const z = t.z ?? [];
  const [xc, yc] = [(t.x ?? []).map(String), (t.y ?? []).map(String)];
  const flat = z.flat();
  const [min, max] = [Math.min(...flat), Math.max(...flat)];
  const scale = t.colorscale ?? [
    [0, '#f7fbff'],
    [1, '#08306b'],
  ];
  const room = categoryRoom(xc, width, 70);
  const box = plotBox(width, height, 70, room.below);
  const reversed = ya.autorange === 'reversed';
  const rowsTop = reversed ? yc : [...yc].reverse();
  const [cw, ch] = [(box.right - box.left) / Math.max(1, xc.length), (box.bottom - box.top) / Math.max(1, yc.length)];
  const cells = z.flatMap((row, i) =>
    row.map((v, j) => {
      const fill = colorAt(scale, (v - min) / (max - min || 1));
      const yy = box.top + rowsTop.indexOf(yc[i]) * ch;
      return `<rect class="cell" x="${px(box.left + j * cw)}" y="${px(yy)}" width="${px(cw)}" height="${px(ch)}" fill="${fill}"/>`;
    }),
  );
  const [xs, ys] = [categoryPlace(xc, box.left, box.right), categoryPlace(rowsTop, box.top, box.bottom)];
  const yLabels = yc.map((c) => label(box.left - 6, ys(c) + 4, c, { anchor: 'end' })).join('');
  return (
    cells.join('') +
    xLabelsSvg(
      xc.map((c) => ({ x: xs(c), text: c })),
      box,
      room.rotate,
    ) +
    yLabels +
    axesSvg(box, xa.title, ya.title, height - 14) +
    overlaysSvg(fig, placeOn(xs, box.left, box.right), placeOn(ys, box.bottom, box.top)) +
    colorBarSvg(scale, min, max, box)
  );
}

/** Size of a static figure: width (default 720) and height (default the figure's, else 360). */
export interface FigureSvgOptions {
  width?: number;
  height?: number;
}

/** The SVG document of a line chart, bar chart or heatmap of lib/ui/plot.ts (chosen by its first trace's type). */
export function figureSvg(fig: Figure, opts: FigureSvgOptions = {}): string {
  const width = opts.width ?? 720;
  const height = opts.height ?? (typeof fig.layout?.height === 'number' ? fig.layout.height : 360);
  const type = (fig.data[0] as Trace | undefined)?.type;
  const draw = type === 'heatmap' ? heatmapSvg : type === 'bar' ? barSvg : lineSvg;
  const title = titleText(layoutOf(fig).title);
  const box = plotBox(width, height, 0, 0);
  return svgDocument(width, height, titleSvg(title, box) + draw(fig, width, height), title);
}

/** Several SVG documents side by side in one (e.g. the accuracy and loss curves of one training). */
export function svgSideBySide(svgs: { svg: string; width: number; height: number }[]): string {
  const width = svgs.reduce((s, v) => s + v.width, 0);
  const height = Math.max(0, ...svgs.map((v) => v.height));
  let x = 0;
  const inner = svgs.map((v) => {
    const placed = v.svg.replace(/^<svg /, `<svg x="${x}" y="0" `);
    x += v.width;
    return placed;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${inner.join('')}</svg>`;
}
