/**
 * Drives the classic Notebook 6 page through its own JavaScript API (`Jupyter.notebook`) with playwright-core,
 * and reads what the figures of lib/ui/plot.ts look like in it. Page code is passed as strings: tsx would wrap
 * functions in helpers the page does not have.
 */
import type { Page } from 'playwright-core';

/** The headless Chromium flags of the project's browser tests (a fresh profile is given separately). */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Selector of a figure plotly drew. */
const DRAWN = '.tlts-plot.js-plotly-plot > .plot-container';

/** Opens a notebook and waits until it is loaded and its kernel connected; counts finished cell executions. */
export async function openNotebook(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(
    '!!(window.Jupyter && Jupyter.notebook && Jupyter.notebook._fully_loaded' +
      ' && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected())',
    null,
    { timeout: 60_000 },
  );
  await page.evaluate(
    'window.tltsFinished = 0; Jupyter.notebook.events.on("finished_execute.CodeCell",' +
      ' function () { window.tltsFinished++; })',
  );
}

/** Runs `action` (page code that starts executing cells) and waits until `cells` executions have finished. */
async function execute(page: Page, action: string, cells: number, timeoutMs = 90_000): Promise<void> {
  const before = (await page.evaluate('window.tltsFinished')) as number;
  await page.evaluate(action);
  await page.waitForFunction(`window.tltsFinished >= ${before + cells}`, null, { timeout: timeoutMs });
}

/** Run All: executes every cell, waits for all of them. */
export async function runAll(page: Page): Promise<void> {
  const cells = (await page.evaluate(
    'Jupyter.notebook.get_cells().filter(function (c) { return c.cell_type === "code"; }).length',
  )) as number;
  await execute(page, 'Jupyter.notebook.execute_all_cells()', cells);
}

/** Executes the cell at `index` and waits for it. */
export async function runCell(page: Page, index: number): Promise<void> {
  await execute(page, `Jupyter.notebook.execute_cells([${index}])`, 1);
}

/** Restarts the kernel (no confirmation) and waits until it is ready. */
export async function restartKernel(page: Page): Promise<void> {
  await page.evaluate('Jupyter.notebook.restart_kernel({ confirm: false })');
}

/** Saves the notebook; resolves with whether Notebook 6 considers it trusted. */
export async function save(page: Page): Promise<boolean> {
  await page.evaluate('Jupyter.notebook.save_notebook()');
  return (await page.evaluate('Jupyter.notebook.trusted')) as boolean;
}

/** Number of figures drawn on the page. */
export async function drawnFigures(page: Page): Promise<number> {
  return page.locator(DRAWN).count();
}

/** Waits (up to `timeoutMs`) until `n` figures are drawn; resolves with how many are. */
export async function waitForFigures(page: Page, n: number, timeoutMs = 30_000): Promise<number> {
  await page
    .waitForFunction(`document.querySelectorAll(${JSON.stringify(DRAWN)}).length >= ${n}`, null, { timeout: timeoutMs })
    .catch(() => undefined);
  return drawnFigures(page);
}

/**
 * What the outputs show instead of figures: each visible note (from `notePart` to the line's end), and the HTML
 * outputs that are blank boxes.
 */
export async function notesAndBlankBoxes(
  page: Page,
  notePart: string,
): Promise<{ notes: string[]; blankBoxes: number }> {
  const script = `(function () {
    var part = ${JSON.stringify(notePart)}, notes = [], blank = 0;
    var outs = document.querySelectorAll('.output_subarea.output_html');
    for (var i = 0; i < outs.length; i++) {
      var o = outs[i], text = o.innerText || '';
      var parts = text.split(part);
      for (var k = 1; k < parts.length; k++) notes.push(part + parts[k].split('\\n')[0]);
      if (parts.length > 1) continue;
      if (o.getBoundingClientRect().height > 40 && !o.querySelector('.main-svg')) blank++;
    }
    return { notes: notes, blankBoxes: blank };
  })()`;
  return (await page.evaluate(script)) as { notes: string[]; blankBoxes: number };
}
