/**
 * Executes the lesson's notebooks headlessly on the tslab kernel (in file-name order) into build/notebooks/
 * (executed .ipynb and .html), and prints where they are and how long each took.
 *
 *   npm run lesson                      # every notebook, profile from LESSON_PROFILE (default: auto)
 *   npm run lesson -- 00_gap 05         # only notebooks whose names start with these
 *   npm run lesson -- --profile mini    # force a profile (full or mini)
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { parseCommandLine, runMain } from './cli';
import { resolveProfile } from '../lib/lesson/profile';
import { profileLines } from '../lib/lesson/banner';
import { readOutputs, recordNotebook, recordPath } from './lessonRecord';
import { notebookSummary } from './lessonSummaries';

const root = path.resolve(__dirname, '..');

/** One executed notebook. */
export interface NotebookRun {
  name: string;
  ok: boolean;
  seconds: number;
  ipynb: string;
  html: string | null;
  error?: { cell: number | null; source: string; output: string; kind: string };
}

/** The notebooks of the lesson, in order. */
export function listNotebooks(filters: string[] = []): string[] {
  const dir = path.join(root, 'notebooks');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ipynb') && !f.startsWith('.'))
    .filter((f) => filters.length === 0 || filters.some((p) => f.startsWith(p)))
    .sort()
    .map((f) => path.join(dir, f));
}

function setupState(): { python: string; kernel: string } {
  const file = path.join(root, 'build', 'setup.json');
  if (!existsSync(file))
    throw new Error(`${file} is missing: run \`node scripts/setup.js\` first (npm run lesson does).`);
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Executes one notebook into outDir; resolves with its result (never rejects for a failing cell). */
export function executeNotebook(
  notebook: string,
  outDir: string,
  env: NodeJS.ProcessEnv = {},
  timeoutS = 3600,
): Promise<NotebookRun> {
  const { python, kernel } = setupState();
  return new Promise((resolve, reject) => {
    const child = spawn(
      python,
      [
        path.join(root, 'scripts', 'execute_notebook.py'),
        notebook,
        outDir,
        '--timeout',
        String(timeoutS),
        '--kernel',
        kernel,
      ],
      {
        cwd: root,
        env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: '1', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', () => {
      const line = out.trim().split('\n').pop() ?? '';
      try {
        const r = JSON.parse(line);
        resolve({
          name: path.basename(notebook, '.ipynb'),
          ok: r.ok,
          seconds: r.seconds,
          ipynb: r.ipynb,
          html: r.html,
          error: r.error,
        });
      } catch {
        reject(
          new Error(`Executing ${notebook} failed before it started:\n${err.trim().split('\n').slice(-15).join('\n')}`),
        );
      }
    });
  });
}

/**
 * Marks an executed notebook trusted (`jupyter trust`): its outputs are the learner's own run, and a front end runs
 * the scripts of trusted outputs only (the plots). Returns a warning when it could not.
 */
export function trustNotebook(
  ipynb: string,
  python = setupState().python,
  env: NodeJS.ProcessEnv = process.env,
): string | null {
  const r = spawnSync(python, ['-m', 'nbformat.sign', ipynb], {
    encoding: 'utf8',
    env: { ...env, PYDEVD_DISABLE_FILE_VALIDATION: '1' },
  });
  if (r.status === 0) return null;
  return (
    `could not mark ${path.relative(process.cwd(), ipynb)} trusted (its plots show a note until ` +
    `you trust it in Jupyter): ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`
  );
}

/** Prints a failed run's cell and error. */
export function formatFailure(r: NotebookRun): string {
  if (!r.error) return '';
  return [
    `${r.name}: cell ${r.error.cell} ${r.error.kind === 'timeout' ? 'timed out' : 'failed'}:`,
    r.error.source
      .split('\n')
      .map((l) => `    | ${l}`)
      .join('\n'),
    r.error.output
      .trim()
      .split('\n')
      .slice(0, 25)
      .map((l) => `    ${l}`)
      .join('\n'),
  ].join('\n');
}

const USAGE = 'usage: npm run lesson -- [--profile full|mini] [<notebook name filter>...]';

async function main(): Promise<number> {
  const { values, positionals: filters } = parseCommandLine(
    process.argv.slice(2),
    { profile: { type: 'string' } },
    USAGE,
  );
  // The profile is decided once for every notebook, and each notebook's banner gets the same reason.
  const profile = resolveProfile({ ...process.env, ...(values.profile ? { LESSON_PROFILE: values.profile } : {}) });
  const env: NodeJS.ProcessEnv = { LESSON_PROFILE: profile.name, LESSON_PROFILE_REASON: profile.reason };
  console.log(profileLines(profile).join('\n'));
  const outDir = path.join(root, 'build', 'notebooks');
  const notebooks = listNotebooks(filters);
  if (notebooks.length === 0) throw new Error(`No notebook in notebooks/ matches ${filters.join(', ')}`);
  console.log(
    `Executing ${notebooks.length} notebook(s) on the tslab kernel (LESSON_PROFILE=${profile.name}) into ` +
      `${path.relative(process.cwd(), outDir) || '.'}/`,
  );
  const results: NotebookRun[] = [];
  for (const nb of notebooks) {
    process.stdout.write(`  ${path.basename(nb)} ... `);
    const r = await executeNotebook(nb, outDir, env);
    results.push(r);
    console.log(r.ok ? `ok (${r.seconds.toFixed(1)} s)` : `FAILED after ${r.seconds.toFixed(1)} s`);
    const untrusted = existsSync(r.ipynb) ? trustNotebook(r.ipynb) : null;
    if (untrusted) console.log(`  warning: ${untrusted}`);
    if (!r.ok) console.log(formatFailure(r));
    // The README's table is generated from these records (npm run lesson:table).
    else recordNotebook(profile.name, r, notebookSummary(r.name, readOutputs(r.ipynb)));
  }
  console.log('\nExecuted notebooks:');
  for (const r of results)
    console.log(
      `  ${r.ok ? 'ok    ' : 'FAILED'} ${r.seconds.toFixed(1).padStart(7)} s  ${path.relative(process.cwd(), r.html ?? r.ipynb)}`,
    );
  const total = results.reduce((s, r) => s + r.seconds, 0);
  console.log(
    `Total ${total.toFixed(1)} s. Open the .html files in a browser, or the .ipynb files in JupyterLab (npm start).`,
  );
  console.log(
    `Recorded in ${path.relative(process.cwd(), recordPath(profile.name))}; npm run lesson:table writes README's table.`,
  );
  return results.some((r) => !r.ok) ? 1 : 0;
}

if (require.main === module) runMain('lesson', main);
