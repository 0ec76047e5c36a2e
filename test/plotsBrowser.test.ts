/**
 * The plots of lib/ui/plot.ts in a real browser (headless Chromium through playwright-core) and a real classic
 * Notebook 6 server on the project's kernel: a small notebook with four figures in three cells (a bar chart, the
 * live learning curves, a confusion matrix) must draw after Run All + save + reload, after a kernel restart and the
 * re-run of any one cell + save + reload, in the HTML that nbconvert exports, and, executed headlessly as
 * `npm run lesson` does, show each figure's static image under a Korean note while untrusted and draw once trusted.
 * Each executed .ipynb and its HTML stay under 5 MB. Screenshots go to build/plots-browser/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { PLOT_NOTES } from '../lib/ui/plotlyEmbed';
import {
  CHROMIUM_FLAGS,
  drawnFigures,
  notesAndBlankBoxes,
  openNotebook,
  restartKernel,
  runAll,
  runCell,
  save,
  waitForFigures,
} from './helpers/classicNotebook';
import { trustNotebook } from '../scripts/lesson';
import {
  JUPYTER_PYTHON,
  KERNEL,
  jupyterEnv,
  notebookServerMissing,
  startNotebookServer,
  type NotebookServer,
} from './helpers/notebookServer';
import { tempDir } from './helpers/tempDir';

const root = path.resolve(__dirname, '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = path.join(root, 'build', 'plots-browser');
const FIGURES = 4;
const MAX_BYTES = 5_000_000;
/** A phrase of the static note that the untrusted page must show. */
const NOTE_PART = PLOT_NOTES.untrusted.slice(0, 20);

/** The test notebook's cells: each imports what it uses, so that any one of them can run alone after a restart. */
const CELLS = [
  `import { barChart, showFigure } from './lib/ui/plot';
showFigure(barChart(['16', '32', '64', '128'], [{ name: 'Flatten', values: [200, 400, 800, 1600] }, { name: 'GAP', values: [20, 40, 80, 160] }],
  { title: '채널 수별 분류기 파라미터', logY: true }));`,
  `import { LiveProgress } from './lib/ui/trainingProgress';
const live = new LiveProgress({ figure: true, quiet: false, title: '실시간 학습 곡선', sink: { write: () => undefined } });
live.onTrainBegin();
const history: Record<string, number[]> = { loss: [], val_loss: [], acc: [], val_acc: [] };
for (let epoch = 0; epoch < 3; epoch++) {
  const logs: Record<string, number> = { loss: 1 / (epoch + 1), val_loss: 1.2 / (epoch + 1), acc: 0.5 + 0.1 * epoch, val_acc: 0.45 + 0.1 * epoch };
  for (const k of Object.keys(logs)) history[k].push(logs[k]);
  live.onEpochEnd({ epoch, epochs: 3, seconds: 0.1, logs, history });
}`,
  `import { confusionMatrixFigure } from './lib/ui/figures';
import * as plot from './lib/ui/plot';
plot.showFigure(confusionMatrixFigure([[45, 5], [8, 42]], ['cats', 'dogs']));`,
];

function notebookJson(): string {
  const cells = CELLS.map((source, i) => ({
    id: `cell-${i}`,
    cell_type: 'code',
    execution_count: null,
    metadata: {},
    outputs: [],
    source,
  }));
  const metadata = {
    kernelspec: { name: KERNEL, display_name: 'TypeScript (transfer-learning-ts)', language: 'typescript' },
  };
  return JSON.stringify({ cells, metadata, nbformat: 4, nbformat_minor: 5 }, null, 1);
}

/** How many outputs of a saved notebook carry plotly.js. */
function libraryCopies(file: string): number {
  return readFileSync(file, 'utf8').split('class=\\"tlts-plotly\\"').length - 1;
}

/** Static figure images (lib/ui/figureSvg.ts) that the page shows: loaded, and with a size on the page. */
async function staticImages(page: Page): Promise<number> {
  const script = `Array.from(document.querySelectorAll('.output_subarea.output_html img.tlts-plot-image')).filter(
    (i) => i.complete && i.naturalWidth > 0 && i.getBoundingClientRect().height > 100).length`;
  return (await page.evaluate(script)) as number;
}

const missing = existsSync(CHROMIUM)
  ? notebookServerMissing()
  : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
if (missing) console.log(`# plotsBrowser.test.ts skipped: ${missing}`);

describe('plots in headless Chromium and a real Notebook 6', { skip: missing ?? false }, () => {
  let tmp = '';
  let home = '';
  let env: NodeJS.ProcessEnv = {};
  let server: NotebookServer | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

  before(async () => {
    tmp = tempDir('tlts-plots-');
    // The served folder holds only notebooks: tslab's compiler watches the kernel's folder, and a change there
    // (a browser profile, Jupyter's files) can break its next cell ("Unexpected pending rebuildTimer").
    home = path.join(tmp, 'notebooks');
    mkdirSync(home);
    // The kernel starts in the notebook's folder: give it the project's lib/ and node_modules/ as notebooks/ has.
    symlinkSync(path.join(root, 'lib'), path.join(home, 'lib'));
    symlinkSync(path.join(root, 'node_modules'), path.join(home, 'node_modules'));
    writeFileSync(path.join(home, 'plots.ipynb'), notebookJson());
    mkdirSync(SHOTS, { recursive: true });
    env = jupyterEnv(path.join(tmp, 'jupyter'));
    server = await startNotebookServer(home, env);
    context = await chromium.launchPersistentContext(path.join(tmp, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1280, height: 1800 },
    });
    page = context.pages()[0] ?? (await context.newPage());
  });

  after(async () => {
    await context?.close();
    await server?.stop();
  });

  test(
    'executed headlessly (as npm run lesson): .ipynb and .html under 5 MB, plotly.js once per cell, the ' +
      'HTML draws every figure',
    async (t) => {
      const out = path.join(tmp, 'out');
      const run = spawnSync(
        JUPYTER_PYTHON,
        [path.join(root, 'scripts', 'execute_notebook.py'), path.join(home, 'plots.ipynb'), out, '--kernel', KERNEL],
        { env, encoding: 'utf8', timeout: 120_000 },
      );
      assert.equal(run.status, 0, `execute_notebook.py failed:\n${run.stdout}\n${run.stderr.slice(-2000)}`);
      const ipynb = path.join(out, 'plots.ipynb');
      const html = path.join(out, 'plots.html');
      const sizes = { ipynb: statSync(ipynb).size, html: statSync(html).size };
      t.diagnostic(
        `a notebook with ${FIGURES} figures in 3 cells: .ipynb ${sizes.ipynb} bytes, .html ${sizes.html} bytes`,
      );
      assert.ok(sizes.ipynb < MAX_BYTES && sizes.html < MAX_BYTES, `sizes ${JSON.stringify(sizes)}`);
      assert.equal(libraryCopies(ipynb), 3, 'each of the 3 cells carries plotly.js once');
      assert.equal(
        readFileSync(html, 'utf8').split('class="tlts-plotly"').length - 1,
        1,
        'the HTML page carries it once',
      );

      await page.goto(`file://${html}`);
      assert.equal(await waitForFigures(page, FIGURES), FIGURES, 'every figure of the HTML export drew');
      assert.equal(await page.locator('.tlts-plot-note').count(), 0, 'no note left in place of a figure');
      await shot('html-export');
      // The check of test/notebooks.test.ts: Chromium's --dump-dom with a virtual time budget.
      const dom = spawnSync(
        CHROMIUM,
        [
          ...CHROMIUM_FLAGS,
          '--virtual-time-budget=20000',
          `--user-data-dir=${path.join(tmp, 'dump-profile')}`,
          '--dump-dom',
          `file://${html}`,
        ],
        { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 60_000 },
      );
      assert.equal(
        (dom.stdout.match(/class="tlts-plot[^"]*js-plotly-plot/g) ?? []).length,
        FIGURES,
        '--dump-dom sees every figure drawn',
      );
    },
  );

  test("an executed notebook opened untrusted shows each figure's static image under a Korean note (no blank box); trusted, it draws", async () => {
    const file = path.join(home, 'lesson_output.ipynb');
    copyFileSync(path.join(tmp, 'out', 'plots.ipynb'), file);
    await openNotebook(page, server!.url('lesson_output.ipynb'));
    assert.equal(await page.evaluate('Jupyter.notebook.trusted'), false, 'Notebook 6 sees it untrusted');
    const seen = await notesAndBlankBoxes(page, NOTE_PART);
    await shot('untrusted');
    assert.equal(seen.notes.length, FIGURES, `one note per figure: ${JSON.stringify(seen.notes)}`);
    assert.ok(
      seen.notes.every((n) => n.includes('Trust Notebook') && n.includes('신뢰')),
      'the note says how to trust the notebook',
    );
    assert.equal(seen.blankBoxes, 0, 'no blank box');
    assert.equal(await drawnFigures(page), 0);
    assert.equal(await staticImages(page), FIGURES, "each figure's static image is shown in its place");

    assert.equal(trustNotebook(file, JUPYTER_PYTHON, env), null, "npm run lesson's jupyter trust");
    await openNotebook(page, server!.url('lesson_output.ipynb'));
    assert.equal(await waitForFigures(page, FIGURES), FIGURES, 'after jupyter trust every figure draws');
    assert.equal((await notesAndBlankBoxes(page, NOTE_PART)).notes.length, 0);
  });

  test('Run All, save, reload: every figure draws, live and after the reload', async () => {
    await openNotebook(page, server!.url('plots.ipynb'));
    await runAll(page);
    assert.equal(await waitForFigures(page, FIGURES), FIGURES, 'live');
    await shot('run-all-live');
    assert.equal(await save(page), true, 'the saved notebook is trusted');
    await openNotebook(page, server!.url('plots.ipynb'));
    assert.equal(await waitForFigures(page, FIGURES), FIGURES, 'after save + reload');
    await shot('run-all-reloaded');
  });

  // In this order, each re-run replaces the output that an embed-once-per-kernel-session design would have left
  // as the page's only copy of plotly.js.
  const reruns = [
    { restart: false, cell: 0, what: 're-run of the first plot cell in the same kernel session' },
    { restart: true, cell: 0, what: 'kernel restart, re-run of the first plot cell only' },
    { restart: true, cell: 1, what: 'kernel restart, re-run of the live-figure cell only' },
  ];
  for (const { restart, cell, what } of reruns) {
    test(`${what}, save, reload: every figure draws`, async () => {
      if (restart) await restartKernel(page);
      await runCell(page, cell);
      assert.equal(await waitForFigures(page, FIGURES), FIGURES, 'live, after the re-run');
      assert.equal(await save(page), true);
      assert.equal(libraryCopies(path.join(home, 'plots.ipynb')), 3, 'still one copy of plotly.js per cell');
      await openNotebook(page, server!.url('plots.ipynb'));
      assert.equal(await waitForFigures(page, FIGURES), FIGURES, 'after save + reload');
      if (restart && cell === 0) await shot('restart-rerun-first-reloaded');
    });
  }
});
