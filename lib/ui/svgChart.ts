/**
 * A small line chart as inline SVG: for pages that must open offline without a plotting library (the training
 * report). One chart, several named series over epochs, axes with a few ticks, a legend.
 */
import { escapeHtml } from './display';

/** One line: its name and its values (index = epoch - 1). */
export interface Series {
  name: string;
  values: number[];
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];

/** The SVG markup of `series` over epochs 1..n, titled `title`, with y from the data's range (or `yRange`). */
export function svgLineChart(
  title: string,
  series: Series[],
  opts: { yRange?: [number, number]; width?: number } = {},
): string {
  const W = opts.width ?? 420;
  const H = 260;
  const pad = { l: 48, r: 12, t: 28, b: 52 };
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  const n = Math.max(1, ...series.map((s) => s.values.length));
  const [lo, top] = opts.yRange ?? [Math.min(...all, 0), Math.max(...all, 1e-9)];
  const hi = top > lo ? top : lo + 1;
  const x = (i: number) => pad.l + (n === 1 ? 0 : (i / (n - 1)) * (W - pad.l - pad.r));
  const y = (v: number) => pad.t + (1 - (v - lo) / (hi - lo)) * (H - pad.t - pad.b);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => lo + f * (hi - lo));
  const grid = ticks
    .map(
      (v) =>
        `<line x1="${pad.l}" x2="${W - pad.r}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${pad.l - 4}" ` +
        `y="${y(v) + 4}" text-anchor="end" font-size="10">${v.toFixed(2)}</text>`,
    )
    .join('');
  const lines = series
    .map((s, k) => {
      const pts = s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
      const c = COLORS[k % COLORS.length];
      const legend =
        `<rect x="${pad.l + k * 130}" y="${H - 18}" width="10" height="10" fill="${c}"/><text ` +
        `x="${pad.l + 14 + k * 130}" y="${H - 9}" font-size="11">${escapeHtml(s.name)}</text>`;
      return `<polyline fill="none" stroke="${c}" stroke-width="2" points="${pts}"/>${legend}`;
    })
    .join('');
  const xLabel = `<text x="${W / 2}" y="${H - 26}" text-anchor="middle" font-size="10">1 … ${n}</text>`;
  const head = `<text x="${W / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${escapeHtml(title)}</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" role="img">${head}${grid}${lines}${xLabel}</svg>`;
}
