/**
 * Executes every notebook in notebooks/ on the tslab kernel in the `sample` profile (a failing cell fails the
 * test with the cell and its error), then checks key outputs of the executed copies in build/notebooks/, and
 * finally opens the exported HTML in headless Chromium to check that every plotly figure drew.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'fs';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { executeNotebook, formatFailure, listNotebooks, NotebookRun } from '../scripts/lesson';
import { ExecutedNotebook, StatisticalCheckFailure } from './helpers/notebookOutputs';
import { checkDiagrams, checkPlotlyOnce, checkStaticFigures } from './helpers/staticFigures';
import { CHROMIUM_FLAGS } from './helpers/classicNotebook';
import { backticksInTables, voiceProblems } from './helpers/voice';

const root = path.resolve(__dirname, '..');
const outDir = path.join(root, 'build', 'notebooks');

/** The output checks of notebook `name`: test/notebookChecks/<name>.ts, one file per notebook. */
async function checksFor(name: string): Promise<(nb: ExecutedNotebook) => void | Promise<void>> {
  const file = path.join(__dirname, 'notebookChecks', `${name}.ts`);
  assert.ok(existsSync(file), `a notebook needs its output checks in ${path.relative(root, file)}`);
  return ((await import(file)) as { default: (nb: ExecutedNotebook) => void | Promise<void> }).default;
}

const runs: NotebookRun[] = [];

test('notebooks run headless in the mini profile', async (t) => {
  // NOTEBOOKS=05,06 runs only the notebooks whose names start with those prefixes (while working on them).
  const only = (process.env.NOTEBOOKS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const notebooks = listNotebooks(only);
  assert.ok(notebooks.length >= 1, 'notebooks/ has the lesson');
  for (const nbPath of notebooks) {
    const name = path.basename(nbPath, '.ipynb');
    await t.test(name, async (tt) => {
      const check = await checksFor(name);
      for (let attempt = 1; ; attempt++) {
        const r = await executeNotebook(nbPath, outDir, { LESSON_PROFILE: 'mini' });
        if (attempt === 1) runs.push(r);
        else runs[runs.length - 1] = r;
        assert.ok(r.ok, formatFailure(r));
        try {
          const nb = new ExecutedNotebook(r.ipynb);
          await check(nb);
          // Every notebook: one voice (issue 19 item 5) in all the learner reads, no literal backticks in tables.
          assert.deepEqual(voiceProblems(nb.learnerText()), [], `${name}: one term each, particles attached`);
          assert.deepEqual(backticksInTables(nb.htmls()), [], `${name}: no literal backticks in rendered tables`);
          // Every notebook: each figure also a static image, plotly.js once in the exported HTML.
          const sizes = checkStaticFigures(nb);
          checkDiagrams(nb);
          if (r.html) checkPlotlyOnce(r.html, nb.figureCount());
          if (sizes.length) tt.diagnostic(`${name}: static figures of ${sizes.join(', ')} bytes`);
          return;
        } catch (e) {
          // Only a check on a random outcome earns one more run (see StatisticalCheckFailure); it is reported.
          if (!(e instanceof StatisticalCheckFailure) || attempt === 2) throw e;
          tt.diagnostic(`${name}: statistical check failed on run 1 (${e.message}); running the notebook again`);
        }
      }
    });
  }
});

test('every plotly figure in the exported HTML draws in headless Chromium', async (t) => {
  const setup = JSON.parse(readFileSync(path.join(root, 'build', 'setup.json'), 'utf8'));
  const chromium: string | null = process.env.CHROMIUM_PATH ?? setup.chromium;
  if (!chromium || !existsSync(chromium)) {
    t.skip('no Chromium found (npm test installs it with apt as root; or set CHROMIUM_PATH)');
    return;
  }
  // Every executed notebook is opened (and screenshotted), those without figures too (08 shows image grids only).
  const shown = runs.filter((r) => r.ok && r.html);
  assert.ok(
    shown.some((r) => new ExecutedNotebook(r.ipynb).figureCount() > 0),
    'some notebook draws plots',
  );
  for (const r of shown) {
    await t.test(r.name, () => {
      const expected = new ExecutedNotebook(r.ipynb).figureCount();
      const flags = [
        ...CHROMIUM_FLAGS,
        '--virtual-time-budget=20000',
        `--user-data-dir=${path.join(root, 'build', 'chromium-profile')}`,
      ];
      const dom = spawnSync(chromium, [...flags, '--dump-dom', `file://${r.html}`], {
        encoding: 'utf8',
        maxBuffer: 256 << 20,
        timeout: 120_000,
      });
      assert.equal(dom.status, 0, `chromium failed on ${r.html}: ${dom.stderr.slice(-500)}`);
      const drawn = (dom.stdout.match(/class="tlts-plot[^"]*js-plotly-plot/g) ?? []).length;
      assert.equal(drawn, expected, `${r.name}: ${drawn} of ${expected} plotly figures drew`);
      assert.doesNotMatch(
        dom.stdout,
        /class="tlts-plot-note"/,
        'no figure left its note (plotly.js found, scripts ran)',
      );
      const shot = path.join(outDir, `${r.name}.png`);
      spawnSync(
        chromium,
        [...flags, '--window-size=1280,4000', '--hide-scrollbars', `--screenshot=${shot}`, `file://${r.html}`],
        { timeout: 120_000 },
      );
      assert.ok(existsSync(shot), `screenshot ${shot} written`);
    });
  }
});

test('a plain `jupyter nbconvert --execute` runs a notebook with the registered kernel, from any working directory', (t) => {
  const setup = JSON.parse(readFileSync(path.join(root, 'build', 'setup.json'), 'utf8')) as { python: string };
  const first = listNotebooks(['01_data'])[0]; // the quickest notebook of the lesson
  const out = path.join(root, 'build', 'plain-nbconvert');
  // As an instructor's CI would: no JUPYTER_PATH, the kernel named in the notebook, started in notebooks/.
  const env: NodeJS.ProcessEnv = { ...process.env, LESSON_PROFILE: 'mini', PYDEVD_DISABLE_FILE_VALIDATION: '1' };
  delete env.JUPYTER_PATH;
  const r = spawnSync(
    setup.python,
    ['-m', 'jupyter', 'nbconvert', '--to', 'notebook', '--execute', path.relative(root, first), '--output-dir', out],
    {
      cwd: root,
      env,
      encoding: 'utf8',
      timeout: 600_000,
    },
  );
  assert.equal(r.status, 0, `jupyter nbconvert failed:\n${r.stderr.slice(-2000)}`);
  const executed = new ExecutedNotebook(path.join(out, path.basename(first)));
  const errors = executed.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.output_type === 'error');
  assert.deepEqual(errors, [], 'no cell failed');
  assert.ok(
    executed.htmls().some((h) => h.includes('tlts-banner')),
    'the first cell showed the lesson banner',
  );
  t.diagnostic(`executed ${path.basename(first)} with plain nbconvert into ${path.relative(root, out)}`);
});
