/** More readers of an executed notebook's outputs for the checks: image grids and markdown. */
import { ExecutedNotebook } from './notebookOutputs';

const unescape = (s: string): string =>
  s
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** One image of a grid: its PNG bytes and its caption. */
export interface GridFigure {
  png: Buffer;
  caption: string;
}

/** The image grids shown by lib/ui/display.ts (`showImageGrid`), each as its figures in order. */
export function imageGrids(nb: ExecutedNotebook): GridFigure[][] {
  return nb.htmls().flatMap((html) =>
    html
      .split('<div class="tlts-grid"')
      .slice(1)
      .map((part) =>
        [
          ...part.matchAll(
            /<figure[^>]*><img src="data:image\/png;base64,([^"]*)"[^>]*\/>(?:<div[^>]*>([\s\S]*?)<\/div>)?<\/figure>/g,
          ),
        ].map((m) => ({
          png: Buffer.from(m[1], 'base64'),
          caption: unescape(m[2] ?? ''),
        })),
      ),
  );
}

/** All markdown cells' text, joined. */
export function markdownText(nb: ExecutedNotebook): string {
  return nb.cells
    .filter((c) => c.cell_type === 'markdown')
    .map((c) => (Array.isArray(c.source) ? c.source.join('') : c.source))
    .join('\n');
}
