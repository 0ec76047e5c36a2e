/**
 * lib/ui/plot.ts and lib/ui/plotlyEmbed.ts without a browser: which outputs carry plotly.js (the first figure of
 * each executed cell), what the embedded library unpacks to, the static note in a figure's place, and the chart
 * builders' axes and colours. test/plotsBrowser.test.ts checks the drawing in a real browser.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { learningCurveFigures } from '../lib/ui/figures';
import {
  barChart,
  cellTextColor,
  figureHtml,
  heatmap,
  lineChart,
  PALE_TO_DARK_BLUES,
  showFigure,
} from '../lib/ui/plot';
import { PLOT_NOTES, plotlyLibraryHtml, plotlySource } from '../lib/ui/plotlyEmbed';
import { inFakeNotebook } from './helpers/fakeNotebook';

const CARRIER = 'class="tlts-plotly"';
const fig = barChart(['a', 'b'], [{ name: 'g', values: [1, 2] }], { title: 't' });

test("the embedded library unpacks to plotly.js's cartesian bundle, in about 0.7 MB", () => {
  const html = plotlyLibraryHtml();
  const b64 = /atob\("([A-Za-z0-9+/=]+)"\)/.exec(html)?.[1];
  assert.ok(b64, 'base64 payload in the script');
  assert.equal(gunzipSync(Buffer.from(b64, 'base64')).toString('utf8'), plotlySource());
  assert.match(plotlySource(), /plotly\.js \(cartesian - minified\)/);
  assert.ok(html.length < 800_000, `${html.length} characters`);
});

test('in a notebook, the first figure of each executed cell carries plotly.js, the others do not', async () => {
  const first = await inFakeNotebook(() => {
    showFigure(fig);
    showFigure(fig);
  });
  assert.deepEqual(
    first.map((m) => m.html?.includes(CARRIER)),
    [true, false],
  );
  const second = await inFakeNotebook(() => showFigure(fig));
  assert.equal(
    second[0].html?.includes(CARRIER),
    true,
    'a later cell (a re-run, another session) carries its own copy',
  );
  assert.equal(figureHtml(fig).includes(CARRIER), true, 'outside a notebook every figure is self-contained');
  assert.equal(figureHtml(fig, { includePlotly: false }).includes(CARRIER), false);
});

test('a figure starts as its static image under a Korean note, and an empty div: no blank box where scripts do not run', () => {
  const html = figureHtml(fig, { includePlotly: false, height: 300 });
  const staticHtml = html.replace(/<script[\s\S]*?<\/script>/g, '');
  assert.ok(staticHtml.includes(PLOT_NOTES.untrusted), 'the note is static HTML');
  assert.match(PLOT_NOTES.untrusted, /신뢰.*Trust Notebook.*다시 실행/);
  assert.match(
    staticHtml,
    /<div id="[^"]+" class="tlts-plot" style="width:100%"><\/div>/,
    'the plot div has no height of its own',
  );
  assert.equal(html.match(/class="tlts-plot"/g)?.length, 1, 'one figure, counted once');
  assert.match(html, /el\.style\.height="300px";P\.newPlot\(/, 'the script gives the div its height as it draws');
  assert.match(html, /still\.parentNode\.removeChild\(still\)/, 'and removes the note and the static image');
  const img = /<img class="tlts-plot-image"[^>]* src="data:image\/svg\+xml;base64,([^"]+)">/.exec(staticHtml);
  assert.ok(img, "the static image is an <img> with a data URL (Jupyter's sanitizer keeps it)");
  assert.match(Buffer.from(img[1], 'base64').toString('utf8'), /^<svg [^>]*>[\s\S]*<\/svg>$/);
});

test('a title with "</script>" cannot close the figure\'s script early', () => {
  const html = figureHtml(barChart(['x'], [{ name: '</script><b>', values: [1] }]), { includePlotly: false });
  assert.equal(html.match(/<\/script>/g)?.length, 1);
});

test('barChart: categorical x axis, labels in the given order; log axis labels 1-2-5 per decade', () => {
  const f = barChart(['16', '32', '2048'], [{ name: 'GAP', values: [16, 32, 2048] }], { logY: true });
  const layout = f.layout as { xaxis: { type: string }; yaxis: { type: string; dtick: string } };
  assert.equal(layout.xaxis.type, 'category');
  assert.deepEqual([layout.yaxis.type, layout.yaxis.dtick], ['log', 'D2']);
  assert.deepEqual((f.data[0] as { x: string[] }).x, ['16', '32', '2048']);
});

test('heatmap: pale-to-dark blues, white text on dark cells, black on pale ones, categorical axes', () => {
  const f = heatmap(
    [
      [45, 5],
      [8, 42],
    ],
    ['0', '1'],
    ['0', '1'],
  );
  const trace = f.data[0] as { colorscale: [number, string][] };
  assert.deepEqual(trace.colorscale, PALE_TO_DARK_BLUES);
  const lightness = (hex: string) =>
    parseInt(hex.slice(1, 3), 16) + parseInt(hex.slice(3, 5), 16) + parseInt(hex.slice(5, 7), 16);
  assert.ok(
    lightness(PALE_TO_DARK_BLUES[0][1]) > 700 && lightness(PALE_TO_DARK_BLUES[8][1]) < 200,
    'small values pale, large dark',
  );
  const layout = f.layout as {
    annotations: { text: string; font: { color: string } }[];
    xaxis: { type: string };
    yaxis: { type: string };
  };
  assert.deepEqual(
    layout.annotations.map((a) => [a.text, a.font.color]),
    [
      ['45', 'white'],
      ['5', 'black'],
      ['8', 'black'],
      ['42', 'white'],
    ],
  );
  assert.deepEqual([layout.xaxis.type, layout.yaxis.type], ['category', 'category']);
  assert.equal(cellTextColor(3, 3, 3), 'black', 'a flat matrix stays readable');
});

test('titles sit at the left, clear of the modebar; learning curves tick whole epochs only', () => {
  const title = (lineChart([{ name: 'a', y: [1, 2] }], { title: 'T' }).layout as { title: Record<string, unknown> })
    .title;
  assert.deepEqual(title, { text: 'T', x: 0, xref: 'paper', xanchor: 'left' });
  const curves = learningCurveFigures({ loss: Array.from({ length: 30 }, (_, i) => 1 / (i + 1)) }, { firstEpoch: 3 });
  const xaxis = (curves.loss.layout as { xaxis: Record<string, unknown> }).xaxis;
  assert.deepEqual([xaxis.tickmode, xaxis.tick0, xaxis.dtick], ['linear', 3, 3]);
});

test("in a notebook a figure asks for plotly's Korean locale and registers it in the page first", async () => {
  const [shown] = await inFakeNotebook(() => showFigure(fig));
  const spec = JSON.parse(/var f=(\{.*?\});var done/.exec(shown.html ?? '')![1]) as { config: { locale?: string } };
  assert.equal(spec.config.locale, 'ko');
  const register = /P\.register\((\{.*?\})\);T\.ko=true;/.exec(shown.html ?? '');
  assert.ok(register, 'the locale module is registered before newPlot');
  const locale = JSON.parse(register[1]) as { moduleType: string; name: string; dictionary: Record<string, string> };
  assert.deepEqual([locale.moduleType, locale.name], ['locale', 'ko']);
  for (const tooltip of ['Zoom', 'Pan', 'Reset axes', 'Download plot as a png', 'Toggle Spike Lines'])
    assert.match(locale.dictionary[tooltip] ?? '', /[가-힣]/, `${tooltip} in Korean`);
  assert.ok(shown.html!.indexOf('P.register(') < shown.html!.indexOf('P.newPlot('));
  // Outside a notebook (report.html, English) no locale is asked for.
  assert.doesNotMatch(figureHtml(fig), /"locale":"ko"/);
});
