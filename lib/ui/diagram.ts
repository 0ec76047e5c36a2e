/**
 * Static diagrams (an architecture, a decision grid): boxes with centred lines of text, arrows, and the output
 * that shows them. A diagram is only an SVG (Korean fonts first, lib/ui/svgAxes.ts): it shows the same in a
 * trusted or untrusted notebook, on GitHub, in a preview and in a PDF, since nothing of it runs a script.
 */
import { notebookDisplay } from '../core/runtime';
import { label, px, svgDocument, svgText } from './svgAxes';

/** A box: its place and size in pixels, its lines of text (the first bold when `title`), its colours. */
export interface DiagramBox {
  x: number;
  y: number;
  width: number;
  height: number;
  lines: string[];
  fill?: string;
  stroke?: string;
  /** The first line bold. */
  title?: boolean;
  /** Font size of the lines (default 12). */
  size?: number;
  /** A class on the group (tests find boxes by it). */
  kind?: string;
}

/** One box: a rounded rectangle with its lines centred in it, in a `<g class="box ...">`. */
export function boxSvg(b: DiagramBox): string {
  const size = b.size ?? 12;
  const lead = size * 1.3;
  const top = b.y + b.height / 2 - ((b.lines.length - 1) * lead) / 2 + size * 0.35;
  const text = b.lines
    .map((l, i) =>
      label(b.x + b.width / 2, top + i * lead, l, { size, anchor: 'middle', color: '#222', bold: b.title && i === 0 }),
    )
    .join('');
  const rect =
    `<rect x="${px(b.x)}" y="${px(b.y)}" width="${px(b.width)}" height="${px(b.height)}" rx="5" ` +
    `fill="${b.fill ?? '#f4f6fa'}" stroke="${b.stroke ?? '#8a94a6'}"/>`;
  return `<g class="box${b.kind ? ` ${b.kind}` : ''}">${rect}${text}</g>`;
}

/** The arrowhead marker every `arrowSvg` uses (put once in the document). */
export const ARROW_DEFS =
  '<defs><marker id="tlts-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" ' +
  'markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>';

/** An arrow along the points (a polyline), the head at the last point. */
export function arrowSvg(
  points: [number, number][],
  opts: { color?: string; dash?: boolean; width?: number } = {},
): string {
  const pts = points.map(([a, b]) => `${px(a)},${px(b)}`).join(' ');
  const dash = opts.dash ? ' stroke-dasharray="6,4"' : '';
  return (
    `<polyline class="arrow" points="${pts}" fill="none" stroke="${opts.color ?? '#555'}" ` +
    `stroke-width="${opts.width ?? 1.5}"${dash} marker-end="url(#tlts-arrow)"/>`
  );
}

/** A diagram's SVG document: white background, Korean fonts, the arrow marker, then `body`. */
export function diagramDocument(width: number, height: number, body: string, title: string): string {
  const heading = title ? label(16, 26, title, { size: 16, color: '#222' }) : '';
  return svgDocument(width, height, ARROW_DEFS + heading + body, title);
}

/** A diagram's output: the SVG as an `<img>` in HTML (kept by Jupyter's sanitizer), as image/svg+xml, and its title. */
export function diagramBundle(svg: string, alt: string): Record<string, string> {
  const size = /width="(\d+)" height="(\d+)"/.exec(svg);
  const src = `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
  const dims = size ? ` width="${size[1]}" height="${size[2]}"` : '';
  const html =
    `<div class="tlts-diagram"><img class="tlts-diagram-image" alt="${svgText(alt)}"${dims} ` +
    `style="max-width:100%;height:auto" src="${src}"></div>`;
  return { 'text/html': html, 'image/svg+xml': svg, 'text/plain': `[diagram: ${alt}]` };
}

/** Shows a diagram in the notebook (its title, one line, elsewhere). */
export function showDiagram(svg: string, alt: string): void {
  const display = notebookDisplay();
  if (display) display.bundle(diagramBundle(svg, alt));
  else console.log(`[diagram: ${alt}]`);
}
