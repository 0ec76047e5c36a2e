/**
 * Images side by side under column titles: one row per photo, one column per view of it (the photo, what one
 * model looked at, what another looked at), each image with its caption. Used for the Grad-CAM comparisons.
 */
import { escapeHtml, showHtml, imageDataUri, type GridImage } from './display';

/** One image of the grid and the line under it. */
export interface SideBySideCell {
  image: GridImage;
  caption?: string;
}

/** Options of `showSideBySide`. */
export interface SideBySideOptions {
  /** Image size in pixels (default 160). */
  size?: number;
  /** A line above the grid. */
  caption?: string;
  /** A smaller line below it (e.g. how long it took). */
  note?: string;
}

/** The grid's HTML: a table with a header row of `titles` and one row of cells per entry of `rows`. */
export async function sideBySideHtml(
  titles: string[],
  rows: SideBySideCell[][],
  opts: SideBySideOptions = {},
): Promise<string> {
  const size = opts.size ?? 160;
  const cell = async (c: SideBySideCell) => {
    const img = `<img src="${await imageDataUri(c.image, size)}" style="width:${size}px;height:auto"/>`;
    const cap = c.caption
      ? `<div style="font-size:12px;max-width:${size}px;overflow-wrap:anywhere">${escapeHtml(c.caption)}</div>`
      : '';
    return `<td style="vertical-align:top;text-align:center;padding:3px">${img}${cap}</td>`;
  };
  const body = await Promise.all(rows.map(async (r) => `<tr>${(await Promise.all(r.map(cell))).join('')}</tr>`));
  const head = titles.map((t) => `<th style="text-align:center;max-width:${size}px">${escapeHtml(t)}</th>`).join('');
  const caption = opts.caption
    ? `<caption style="caption-side:top;text-align:left;font-weight:bold">${escapeHtml(opts.caption)}</caption>`
    : '';
  const note = opts.note
    ? `<div class="tlts-side-note" style="font-size:12px;color:#555">${escapeHtml(opts.note)}</div>`
    : '';
  return `<table class="tlts-side-by-side">${caption}<thead><tr>${head}</tr></thead><tbody>${body.join('')}</tbody></table>${note}`;
}

/** Shows the grid in a notebook (prints the titles and captions elsewhere). */
export async function showSideBySide(
  titles: string[],
  rows: SideBySideCell[][],
  opts: SideBySideOptions = {},
): Promise<void> {
  const text = [
    opts.caption,
    titles.join(' | '),
    ...rows.map((r) => r.map((c) => c.caption ?? '').join(' | ')),
    opts.note,
  ];
  showHtml(await sideBySideHtml(titles, rows, opts), text.filter((l) => l !== undefined).join('\n'));
}
