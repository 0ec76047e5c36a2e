/**
 * How a figure's HTML finds plotly.js in whatever page shows it (JupyterLab, the classic Notebook, the HTML that
 * `jupyter nbconvert` exports), offline and after any re-run:
 * - the first figure output of each executed cell carries the library (plotly.js's cartesian partial bundle,
 *   gzip + base64, about 0.66 MB), so a cell's saved outputs never depend on another cell's, whichever cells were
 *   re-run, in which kernel session, and in whatever order a front end renders them;
 * - every figure's script waits for `window.Plotly` (`window.tltsPlots`, a queue shared by all outputs of the
 *   page) and the first carrier to run unpacks the library once per page;
 * - every figure starts as its static image (an SVG drawn by lib/ui/figureSvg.ts, in an `<img>` that sanitizers
 *   keep) under a short Korean note saying how to get the interactive figure where scripts do not run (an untrusted
 *   notebook, GitHub, a preview); its script replaces both with the plotly figure.
 */
import { PLOTLY_KO_LOCALE } from './plotlyLocale';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { cellExecution } from '../core/runtime';

/** The package of the embedded library: plotly.js's official partial bundle with scatter, bar and heatmap. */
export const PLOTLY_PACKAGE = 'plotly.js-cartesian-dist-min';

/** What the note in a figure's place says, in its three states (the learner reads them: Korean). */
export const PLOT_NOTES = {
  /** Static HTML above the static image: seen when the front end does not run the output's scripts. */
  untrusted:
    '아래는 정적 그림입니다. 이 노트북이 신뢰(Trusted) 상태가 아니어서 대화형 그림(확대, 값 보기)의 스크립트가 ' +
    '실행되지 않았습니다. JupyterLab은 명령 팔레트(Ctrl+Shift+C)의 "Trust Notebook", Notebook 6은 메뉴 ' +
    'File > Trust Notebook(노트북 신뢰)을 고른 뒤 페이지를 새로 고치세요. 또는 이 셀을 다시 실행하세요.',
  /** Written by the script while it waits for plotly.js. */
  waiting: '그림을 그리는 중입니다 (plotly.js를 불러오는 중)...',
  /** Written by the script when plotly.js did not arrive. */
  missing:
    '대화형 그림을 그리지 못했습니다: 이 페이지에 plotly.js가 없습니다(아래는 정적 그림). 이 셀을 다시 실행하세요.',
  /** Written when the browser cannot unpack the embedded library. */
  oldBrowser:
    '대화형 그림을 그리지 못했습니다: 이 브라우저는 내장된 plotly.js를 풀 수 없습니다(DecompressionStream 없음). ' +
    '최신 Chrome, Firefox, Safari에서 여세요.',
};

/** Seconds a figure waits for plotly.js before it says that the library is missing. */
const WAIT_SECONDS = 20;

let payload: string | undefined;
let carriedBy: object | undefined;

/** The library's source (the minified browser bundle), as the package ships it. */
export function plotlySource(): string {
  return readFileSync(require.resolve(PLOTLY_PACKAGE), 'utf8');
}

/** The library gzipped and base64-encoded (computed once per process). */
function plotlyPayload(): string {
  payload ??= gzipSync(Buffer.from(plotlySource(), 'utf8'), { level: 9 }).toString('base64');
  return payload;
}

/**
 * Whether the figure about to be shown should carry the library: true for the first figure of each executed
 * cell (then false until the kernel executes another cell); always true outside a notebook (self-contained HTML).
 */
export function takePlotlyForThisCell(): boolean {
  const cell = cellExecution();
  if (cell === undefined) return true;
  if (carriedBy === cell) return false;
  carriedBy = cell;
  return true;
}

/** JSON for inside a `<script>`: "</" cannot close the tag early. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/<\//g, '<\\/');
}

/**
 * Browser code shared by every script: `window.tltsPlots` (T) holds the functions waiting for plotly.js;
 * `T.ready(f)` runs f now or once the library is there, `T.flush()` runs the waiting ones, `T.fail(msg)` writes msg
 * into every note still on the page.
 */
function prelude(): string {
  return (
    'var T=window.tltsPlots;if(!T){T=window.tltsPlots={q:[],' +
    'has:function(){return !!(window.Plotly&&window.Plotly.newPlot);},' +
    'ready:function(f){if(T.has())f(window.Plotly);else T.q.push(f);},' +
    'flush:function(){if(!T.has())return;var q=T.q;T.q=[];for(var i=0;i<q.length;i++)q[i](window.Plotly);},' +
    'fail:function(m){T.error=m;var n=document.querySelectorAll(".tlts-plot-note");' +
    'for(var i=0;i<n.length;i++)n[i].textContent=m;}};}'
  );
}

/** The `<script>` that unpacks the embedded library into the page unless the page already has it. */
export function plotlyLibraryHtml(): string {
  const unpack =
    'var b=atob("' +
    plotlyPayload() +
    '");var u=new Uint8Array(b.length);' +
    'for(var i=0;i<b.length;i++)u[i]=b.charCodeAt(i);' +
    'new Response(new Blob([u]).stream().pipeThrough(new DecompressionStream("gzip"))).text().then(function(src){' +
    'var s=document.createElement("script");s.text=src;document.head.appendChild(s);T.loading=false;' +
    `if(T.has())T.flush();else T.fail(${scriptJson(PLOT_NOTES.missing)});` +
    `}).catch(function(e){T.loading=false;T.fail(${scriptJson(PLOT_NOTES.missing)}+" ("+e+")");});`;
  const body =
    `${prelude()}if(T.has()){T.flush();return;}if(T.loading)return;` +
    `if(typeof DecompressionStream!=="function"){T.fail(${scriptJson(PLOT_NOTES.oldBrowser)});return;}` +
    `T.loading=true;${unpack}`;
  return `<script type="text/javascript" class="tlts-plotly">(function(){${body}})();</script>`;
}

/** A figure ready to draw: traces, layout and plotly's config. */
export interface FigureSpec {
  data: object[];
  layout: Record<string, unknown>;
  config: Record<string, unknown>;
}

/** A figure's static image: its SVG, sized, and a title for screen readers. */
export interface StaticImage {
  svg: string;
  width: number;
  height: number;
  alt: string;
}

/** The static part of a figure: the note, then the image as an `<img>` (a data URL: kept by Jupyter's sanitizer). */
function staticHtml(id: string, image: StaticImage): string {
  const note =
    `<div id="${id}-note" class="tlts-plot-note" style="color:#666;padding:2px 0;margin:4px 0;font-size:12px;` +
    `line-height:1.4">${PLOT_NOTES.untrusted}</div>`;
  const src = `data:image/svg+xml;base64,${Buffer.from(image.svg, 'utf8').toString('base64')}`;
  const alt = image.alt.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return (
    `<div id="${id}-static" class="tlts-plot-static">${note}<img class="tlts-plot-image" alt="${alt}" ` +
    `width="${image.width}" height="${image.height}" style="max-width:100%;height:auto" src="${src}"></div>`
  );
}

/**
 * The HTML of one figure: the static image under its note, the (empty, zero-height) div plotly draws into, and
 * the script that waits for plotly.js, removes the static part, gives the div its height and draws.
 */
export function figureMarkup(id: string, spec: FigureSpec, height: number, image: StaticImage): string {
  const draw =
    `${prelude()}var el=document.getElementById("${id}");if(!el)return;` +
    `var note=document.getElementById("${id}-note");var still=document.getElementById("${id}-static");` +
    `var f=${scriptJson(spec)};var done=false;` +
    `if(note)note.textContent=T.error||${scriptJson(PLOT_NOTES.waiting)};` +
    'T.ready(function(P){done=true;if(still&&still.parentNode)still.parentNode.removeChild(still);' +
    // A figure in Korean registers plotly's Korean locale in the page first (once).
    `if(f.config.locale==="ko"&&!T.ko){P.register(${scriptJson(PLOTLY_KO_LOCALE)});T.ko=true;}` +
    `el.style.height="${height}px";P.newPlot(el,f.data,f.layout,f.config);});` +
    `setTimeout(function(){if(!done&&note)note.textContent=T.error||${scriptJson(PLOT_NOTES.missing)};},${WAIT_SECONDS * 1000});`;
  return (
    `<div class="tlts-figure">${staticHtml(id, image)}<div id="${id}" class="tlts-plot" style="width:100%"></div></div>` +
    `<script type="text/javascript">(function(){${draw}})();</script>`
  );
}
