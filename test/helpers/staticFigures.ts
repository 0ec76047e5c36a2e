/**
 * The check run on every executed notebook (test/notebooks.test.ts): each output that carries a plotly figure also
 * carries its static image (image/svg+xml beside the HTML, and the same image inside the HTML for front ends that run
 * no scripts), of a sane size; the exported HTML carries plotly.js once.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'fs';
import type { ExecutedNotebook } from './notebookOutputs';

/** Bounds of a static figure's SVG, in bytes: a chart with its axes and texts, never a blank or runaway image. */
export const SVG_BYTES = { min: 1_000, max: 500_000 };

/** The marker of the embedded plotly.js (lib/ui/plotlyEmbed.ts) in an HTML page. */
const CARRIER = 'class="tlts-plotly"';

/** Asserts the static images of `nb`'s figures; returns their sizes in bytes. */
export function checkStaticFigures(nb: ExecutedNotebook): number[] {
  return nb.figureOutputs().map((data, k) => {
    const svg = data['image/svg+xml'] ?? '';
    const bytes = Buffer.byteLength(svg, 'utf8');
    assert.match(
      svg,
      /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<\/svg>$/,
      `figure output ${k}: an SVG`,
    );
    assert.ok(bytes >= SVG_BYTES.min && bytes <= SVG_BYTES.max, `figure output ${k}: SVG of ${bytes} bytes`);
    const images = data['text/html'].match(/<img class="tlts-plot-image"[^>]* src="data:image\/svg\+xml;base64,/g);
    const plots = data['text/html'].match(/class="tlts-plot"/g);
    assert.equal(images?.length, plots?.length, `figure output ${k}: a static image inside the HTML per figure`);
    return bytes;
  });
}

/** Asserts the static diagrams of `nb` (lib/ui/diagram.ts): an SVG of a sane size, the same SVG inside the HTML's image. */
export function checkDiagrams(nb: ExecutedNotebook): number[] {
  return nb.diagramOutputs().map((data, k) => {
    const svg = data['image/svg+xml'] ?? '';
    const bytes = Buffer.byteLength(svg, 'utf8');
    assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<\/svg>$/, `diagram ${k}: an SVG`);
    assert.ok(bytes >= SVG_BYTES.min && bytes <= SVG_BYTES.max, `diagram ${k}: SVG of ${bytes} bytes`);
    const src = /<img class="tlts-diagram-image"[^>]* src="data:image\/svg\+xml;base64,([^"]+)"/.exec(
      data['text/html'],
    );
    assert.equal(Buffer.from(src?.[1] ?? '', 'base64').toString('utf8'), svg, `diagram ${k}: the same SVG in the HTML`);
    return bytes;
  });
}

/** Asserts that the exported HTML page carries plotly.js once (or not at all when it has no figure). */
export function checkPlotlyOnce(html: string, figures: number): number {
  const copies = readFileSync(html, 'utf8').split(CARRIER).length - 1;
  assert.equal(copies, figures > 0 ? 1 : 0, `${html}: plotly.js embedded ${copies} times`);
  return copies;
}
