/**
 * Reading a plotly figure for the static charts of lib/ui/figureSvg.ts: its traces, axes and title, the plot area
 * and how data values, categories and 'paper' fractions map to pixels, and its overlays (dotted lines, notes).
 */
import type { Figure } from './plot';
import { label, px, textWidth, type PlotBox } from './svgAxes';

/** The parts of a plotly trace that the static charts read. */
export interface Trace {
  type?: string;
  name?: string;
  x?: unknown[];
  y?: unknown[];
  z?: number[][];
  text?: string[];
  line?: { dash?: string };
  colorscale?: [number, string][];
}

/** The parts of a plotly axis that the static charts read. */
export interface Axis {
  title: string;
  type?: string;
  range?: [number, number];
  tick0?: number;
  dtick?: number;
  autorange?: unknown;
}

/** Maps a data value (or category, or a fraction of the plot area with ref 'paper') to a pixel. */
export type Place = (v: unknown, ref?: string) => number;

/** The figure's layout ({} when it has none). */
export const layoutOf = (fig: Figure): Record<string, unknown> => fig.layout ?? {};
/** The text of a plotly title (a string or `{ text }`). */
export const titleText = (t: unknown): string => (typeof t === 'string' ? t : ((t as { text?: string })?.text ?? ''));

/** The x or y axis of the figure's layout, as the static charts read it. */
export function axisOf(fig: Figure, key: 'xaxis' | 'yaxis'): Axis {
  const a = (layoutOf(fig)[key] ?? {}) as Record<string, unknown>;
  return {
    title: titleText(a.title),
    type: a.type as string | undefined,
    range: a.range as [number, number] | undefined,
    tick0: a.tick0 as number | undefined,
    dtick: typeof a.dtick === 'number' ? a.dtick : undefined,
    autorange: a.autorange,
  };
}

/** [min, max] of the finite values, widened by `pad` of the span on each side (by 1 when all are equal). */
export function extent(values: number[], pad: number): [number, number] {
  const v = values.filter(Number.isFinite);
  if (v.length === 0) return [0, 1];
  const [lo, hi] = [Math.min(...v), Math.max(...v)];
  const span = hi - lo || Math.abs(hi) || 1;
  return [lo - pad * span, hi + pad * span];
}

/** A linear map from the data range [d0, d1] to the pixels [p0, p1]. */
export const linear = (d0: number, d1: number, p0: number, p1: number) => (v: unknown) =>
  p0 + ((Number(v) - d0) / (d1 - d0 || 1)) * (p1 - p0);

/** A place on an axis: 'paper' fractions of the plot area, or the axis's own values through `data`. */
export function placeOn(data: (v: unknown) => number, from: number, to: number): Place {
  return (v, ref) => (ref === 'paper' ? from + Number(v) * (to - from) : data(v));
}

/** Categories, evenly spaced, each at the middle of its band. */
export function categoryPlace(cats: string[], from: number, to: number): (v: unknown) => number {
  const band = (to - from) / Math.max(1, cats.length);
  return (v) => from + (cats.indexOf(String(v)) + 0.5) * band;
}

export const DASHES: Record<string, string> = { dash: '6,4', dot: '2,3' };

/** The plot area, leaving room for the legend (right) and for turned x labels (below). */
export function plotBox(width: number, height: number, right: number, below: number): PlotBox {
  return { left: 78, right: width - 16 - right, top: 46, bottom: height - 52 - below };
}

/** Room for category labels: rotated when the widest does not fit its band. */
export function categoryRoom(cats: string[], width: number, right: number): { rotate: boolean; below: number } {
  const widest = Math.max(0, ...cats.map((c) => textWidth(c, 12)));
  const rotate = widest > (width - 94 - right) / Math.max(1, cats.length) - 4;
  return { rotate, below: rotate ? Math.min(90, widest * 0.5) : 0 };
}

/** Dotted lines (shapes of type line) and text notes (annotations) of the layout. */
export function overlaysSvg(fig: Figure, x: Place, y: Place): string {
  const l = layoutOf(fig);
  const shapes = ((l.shapes ?? []) as Record<string, unknown>[]).filter((s) => s.type === 'line');
  const lines = shapes.map((s) => {
    const st = (s.line ?? {}) as { color?: string; dash?: string; width?: number };
    const [xr, yr] = [s.xref as string, s.yref as string];
    const dash = st.dash && DASHES[st.dash] ? ` stroke-dasharray="${DASHES[st.dash]}"` : '';
    return (
      `<line x1="${px(x(s.x0, xr))}" x2="${px(x(s.x1, xr))}" y1="${px(y(s.y0, yr))}" y2="${px(y(s.y1, yr))}" ` +
      `stroke="${st.color ?? '#444'}" stroke-width="${st.width ?? 1}"${dash}/>`
    );
  });
  const notes = ((l.annotations ?? []) as Record<string, unknown>[]).map((a) => {
    const font = (a.font ?? {}) as { color?: string; size?: number };
    const size = font.size ?? 12;
    const dy = a.yanchor === 'bottom' ? -4 : size * 0.35;
    const yy = y(a.y, a.yref as string) + dy;
    return label(x(a.x, a.xref as string), yy, String(a.text ?? ''), { size, anchor: 'middle', color: font.color });
  });
  return lines.join('') + notes.join('');
}
