/**
 * Rich output for notebooks: HTML tables and image grids shown through tslab's display (core/runtime.ts),
 * with a plain-text fallback when the code runs outside a notebook (scripts, tests).
 */
import * as tf from '@tensorflow/tfjs';
import { promises as fs } from 'node:fs';
import sharp from 'sharp';
import { notebookDisplay, type NotebookDisplay } from '../core/runtime';

/** A display area that each call overwrites (for live progress); undefined outside a notebook. */
export function newDisplayArea(): NotebookDisplay | undefined {
  return notebookDisplay({ updating: true });
}

/** Shows HTML in the notebook; outside a notebook prints `fallback` (or nothing). */
export function showHtml(html: string, fallback?: string): void {
  const display = notebookDisplay();
  if (display) display.html(html);
  else if (fallback !== undefined) console.log(fallback);
}

/**
 * Shows Markdown in the notebook (a sentence built from measured numbers reads like the lesson's own text);
 * outside a notebook prints it as it is.
 */
export function showMarkdown(markdown: string): void {
  const display = notebookDisplay();
  if (display) display.bundle({ 'text/markdown': markdown, 'text/plain': markdown });
  else console.log(markdown);
}

/** Escapes text for HTML. */
export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

function formatCell(v: unknown): string {
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return v.toLocaleString('en-US');
    return Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(4);
  }
  if (v === null || v === undefined) return '';
  return String(v);
}

/**
 * Text cells read from the left (Jupyter's own style right-aligns every cell; numbers keep their inline right
 * alignment), headers centred. The selector outranks JupyterLab's `:not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon
 * td`; a front end that drops <style> shows Jupyter's alignment instead.
 */
const TABLE_STYLE =
  '<style>table.tlts-table.tlts-table td{text-align:left}table.tlts-table.tlts-table th{text-align:center}</style>';

/** A table cell's text as HTML: code written in backticks (Markdown does not render in HTML tables) as `<code>`. */
function cellHtml(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

/** An HTML table from rows of objects (columns default to the keys of all rows, in order of appearance). */
export function tableHtml(
  rows: Record<string, unknown>[],
  opts: { caption?: string; columns?: string[] } = {},
): string {
  const columns = opts.columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const head = columns.map((c) => `<th>${cellHtml(c)}</th>`).join('');
  const body = rows
    .map(
      (r) =>
        `<tr>${columns
          .map((c) => {
            const v = r[c];
            const align = typeof v === 'number' ? ' style="text-align:right"' : '';
            return `<td${align}>${cellHtml(formatCell(v))}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('');
  const caption = opts.caption
    ? `<caption style="caption-side:top;text-align:left;font-weight:bold">${escapeHtml(opts.caption)}</caption>`
    : '';
  return `${TABLE_STYLE}<table class="tlts-table">${caption}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** A plain-text table (used outside notebooks and in logs). */
export function tableText(
  rows: Record<string, unknown>[],
  opts: { caption?: string; columns?: string[] } = {},
): string {
  const columns = opts.columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cells = rows.map((r) => columns.map((c) => formatCell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i])).join('  ');
  const out = [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)];
  return (opts.caption ? `${opts.caption}\n` : '') + out.join('\n');
}

/** Shows a table: HTML in a notebook, text elsewhere. */
export function showTable(rows: Record<string, unknown>[], opts: { caption?: string; columns?: string[] } = {}): void {
  showHtml(tableHtml(rows, opts), tableText(rows, opts));
}

/** An image for a grid: an RGB tensor [h,w,3] (0..255 or 0..1), encoded image bytes, or a file path. */
export type GridImage = tf.Tensor3D | Buffer | string;

/** An image as a PNG data URI, scaled to fit `size` x `size` pixels (for `<img src>`). */
export async function imageDataUri(image: GridImage, size: number): Promise<string> {
  let input: ReturnType<typeof sharp>;
  if (typeof image === 'string') {
    input = sharp(await fs.readFile(image));
  } else if (Buffer.isBuffer(image)) {
    input = sharp(image);
  } else {
    const [h, w, c] = image.shape;
    const max = (await image.max().data())[0];
    const scale = max <= 1.0001 ? 255 : 1;
    const bytes = tf.tidy(() => image.mul(scale).clipByValue(0, 255).round().toInt());
    const data = Uint8Array.from(await bytes.data());
    bytes.dispose();
    input = sharp(Buffer.from(data), { raw: { width: w, height: h, channels: c as 1 | 3 | 4 } });
  }
  const png = await input.resize(size, size, { fit: 'inside' }).png().toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** HTML for a grid of captioned images (thumbnails embedded as PNG data URIs). */
export async function imageGridHtml(
  items: { image: GridImage; caption?: string }[],
  opts: { columns?: number; size?: number } = {},
): Promise<string> {
  const size = opts.size ?? 128;
  const columns = opts.columns ?? Math.min(items.length, 8);
  const cells = await Promise.all(
    items.map(async (it) => {
      const uri = await imageDataUri(it.image, size);
      const cap = it.caption
        ? `<div style="font-size:11px;text-align:center;max-width:${size}px;overflow-wrap:anywhere">${escapeHtml(it.caption)}</div>`
        : '';
      return `<figure style="margin:2px"><img src="${uri}" style="width:${size}px;height:auto;image-rendering:auto"/>${cap}</figure>`;
    }),
  );
  return (
    `<div class="tlts-grid" ` +
    `style="display:grid;grid-template-columns:repeat(${columns},${size + 8}px);gap:4px">${cells.join('')}</div>`
  );
}

/** Shows a grid of captioned images in the notebook (prints the captions elsewhere). */
export async function showImageGrid(
  items: { image: GridImage; caption?: string }[],
  opts: { columns?: number; size?: number } = {},
): Promise<void> {
  showHtml(
    await imageGridHtml(items, opts),
    `[${items.length} images] ${items.map((i) => i.caption ?? '').join(', ')}`,
  );
}
