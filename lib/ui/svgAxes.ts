/**
 * The parts every static SVG chart shares (lib/ui/figureSvg.ts): the document with a font list that has Korean
 * fonts, nice tick values on linear and log axes, tick labels, axes with their titles, the title, and the legend.
 * Pure string building: no browser, no dependency.
 */
import { escapeHtml } from './display';

/** Fonts of every static chart: Korean fonts first (Linux, Windows, macOS), so that Korean text is never tofu. */
export const FONT_FAMILY =
  "'NanumGothic', 'Noto Sans CJK KR', 'Noto Sans KR', 'Malgun Gothic', 'Apple SD Gothic Neo', sans-serif";

/** plotly's default trace colours, in its order. */
export const TRACE_COLORS = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

/** The plot area of a chart, in pixels: left, right, top, bottom. */
export interface PlotBox {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** A number rounded for an SVG attribute (two decimals). */
export function px(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/** Text escaped for SVG (XML): the same five characters as HTML. */
export const svgText = escapeHtml;

/** About how wide `s` is at `size` px: Hangul and other wide characters count as one em, the rest as 0.6 em. */
export function textWidth(s: string, size: number): number {
  let w = 0;
  for (const ch of s) w += (ch.codePointAt(0) ?? 0) >= 0x1100 ? size : 0.6 * size;
  return w;
}

/** A "nice" tick step (1, 2 or 5 times a power of ten) that cuts `span` into about `target` parts. */
export function niceStep(span: number, target: number): number {
  const raw = span / Math.max(1, target);
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

/** Ticks every `step` from `start` inside [lo, hi]. */
export function stepTicks(lo: number, hi: number, step: number, start?: number): number[] {
  const first = start ?? Math.ceil(lo / step - 1e-9) * step;
  const out: number[] = [];
  for (let k = 0; out.length < 200; k++) {
    const v = Number((first + k * step).toPrecision(12));
    if (v > hi + step * 1e-9) break;
    if (v >= lo - step * 1e-9) out.push(v);
  }
  return out;
}

/** About `target` nice ticks inside [lo, hi]. */
export function linearTicks(lo: number, hi: number, target = 5): number[] {
  return stepTicks(lo, hi, niceStep(hi - lo, target));
}

/** Ticks of a log axis between 10^lo and 10^hi: 1, 2 and 5 of each decade (plotly's "D2"). */
export function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let k = Math.floor(lo); k <= Math.ceil(hi); k++)
    for (const m of [1, 2, 5]) {
      const e = k + Math.log10(m);
      if (e >= lo - 1e-9 && e <= hi + 1e-9) out.push(Number((m * 10 ** k).toPrecision(12)));
    }
  return out;
}

/** A tick label: 4 significant digits at most, thousands as k, millions as M, billions as G (as plotly writes them). */
export function formatTick(v: number): string {
  const short = (x: number) => String(Number(x.toPrecision(4)));
  const a = Math.abs(v);
  if (a >= 1e9) return `${short(v / 1e9)}G`;
  if (a >= 1e6) return `${short(v / 1e6)}M`;
  if (a >= 1e3) return `${short(v / 1e3)}k`;
  return short(v);
}

/** One `<text>` element. */
export function label(
  x: number,
  y: number,
  text: string,
  opts: { size?: number; anchor?: 'start' | 'middle' | 'end'; color?: string; bold?: boolean; rotate?: number } = {},
): string {
  const rot = opts.rotate ? ` transform="rotate(${opts.rotate} ${px(x)} ${px(y)})"` : '';
  const weight = opts.bold ? ' font-weight="bold"' : '';
  return (
    `<text x="${px(x)}" y="${px(y)}" font-size="${opts.size ?? 12}" text-anchor="${opts.anchor ?? 'start'}" ` +
    `fill="${opts.color ?? '#444'}"${weight}${rot}>${svgText(text)}</text>`
  );
}

/** The whole SVG document: white background, the Korean font list, `body` inside. */
export function svgDocument(width: number, height: number, body: string, title = ''): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="${FONT_FAMILY}" role="img"><title>${svgText(title)}</title>` +
    `<rect width="${width}" height="${height}" fill="white"/>${body}</svg>`
  );
}

/** The figure's title, left-aligned above the plot area (where plotly puts it). */
export function titleSvg(title: string, box: PlotBox): string {
  return title ? label(box.left, 26, title, { size: 16, color: '#222' }) : '';
}

/** Horizontal grid lines and y tick labels at `ticks` (mapped to pixels by `y`). */
export function yAxisSvg(ticks: number[], y: (v: number) => number, box: PlotBox, format = formatTick): string {
  return ticks
    .map((v) => {
      const yy = y(v);
      return (
        `<line x1="${px(box.left)}" x2="${px(box.right)}" y1="${px(yy)}" y2="${px(yy)}" stroke="#e5e5e5"/>` +
        label(box.left - 6, yy + 4, format(v), { anchor: 'end' })
      );
    })
    .join('');
}

/** x tick labels at pixel positions `x`, turned by 30 degrees when `rotate` (long category names). */
export function xLabelsSvg(labels: { x: number; text: string }[], box: PlotBox, rotate: boolean): string {
  return labels
    .map((l) =>
      rotate
        ? label(l.x, box.bottom + 14, l.text, { anchor: 'end', rotate: -30 })
        : label(l.x, box.bottom + 18, l.text, { anchor: 'middle' }),
    )
    .join('');
}

/** The axis lines and both axis titles (the y title turned upright along the left edge). */
export function axesSvg(box: PlotBox, xTitle: string, yTitle: string, xTitleY: number): string {
  const midX = (box.left + box.right) / 2;
  const midY = (box.top + box.bottom) / 2;
  return (
    `<line x1="${px(box.left)}" x2="${px(box.right)}" y1="${px(box.bottom)}" y2="${px(box.bottom)}" stroke="#888"/>` +
    `<line x1="${px(box.left)}" x2="${px(box.left)}" y1="${px(box.top)}" y2="${px(box.bottom)}" stroke="#888"/>` +
    (xTitle ? label(midX, xTitleY, xTitle, { size: 13, anchor: 'middle', color: '#333' }) : '') +
    (yTitle ? label(16, midY, yTitle, { size: 13, anchor: 'middle', color: '#333', rotate: -90 }) : '')
  );
}

/** One legend entry: a line (with its dash) or a filled square, then the name. */
export interface LegendItem {
  name: string;
  color: string;
  kind: 'line' | 'bar';
  dash?: string;
}

/** Width the legend needs right of the plot area (0 for fewer than two entries: plotly shows none either). */
export function legendWidth(items: LegendItem[]): number {
  return items.length < 2 ? 0 : 40 + Math.max(...items.map((i) => textWidth(i.name, 12)));
}

/** The legend, one entry per line, starting at (x, y). */
export function legendSvg(items: LegendItem[], x: number, y: number): string {
  if (items.length < 2) return '';
  return items
    .map((it, k) => {
      const yy = y + k * 20;
      const mark =
        it.kind === 'line'
          ? `<line x1="${px(x)}" x2="${px(x + 22)}" y1="${px(yy)}" y2="${px(yy)}" stroke="${it.color}" ` +
            `stroke-width="2"${it.dash ? ` stroke-dasharray="${it.dash}"` : ''}/>`
          : `<rect x="${px(x + 5)}" y="${px(yy - 6)}" width="12" height="12" fill="${it.color}"/>`;
      return mark + label(x + 28, yy + 4, it.name);
    })
    .join('');
}
