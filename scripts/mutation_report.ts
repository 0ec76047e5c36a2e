/**
 * Turns StrykerJS runs into the committed mutation report, test/MUTATION.md: the score per folder, then every
 * surviving mutant with its reason (equivalent or accepted, from test/mutation-reasons.json) or "not reviewed".
 *
 *   npm run test:mutation -- --mutate 'lib/core/**\/*.ts'   # any part of the scope, one run or several
 *   npm run mutation:report                                  # merges the runs, writes test/MUTATION.md
 *
 * Each run's JSON report (build/mutation/mutation.json) is merged file by file into build/mutation/merged.json,
 * so several partial runs add up to one table; a file mutated again replaces its earlier results. The score
 * counts mutants no test reaches as survivors: killed + timed out over all valid mutants (Stryker's score).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomicSync } from '../lib/core/atomicFile';
import { buildPath, projectRoot } from '../lib/core/paths';
import { parseCommandLine, runMain } from './cli';

/** One mutant as Stryker's JSON report (mutation-testing-report-schema) writes it. */
interface Mutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  status: string;
  location: { start: { line: number; column: number }; end: { line: number; column: number } };
}

/** The part of the report this script reads: each mutated file with its source and its mutants. */
interface Report {
  files: Record<string, { source: string; mutants: Mutant[] }>;
}

/** Why a survivor stays: `equivalent` (no test can tell it apart: say why) or `accepted` (say why). */
interface Reason {
  kind: 'equivalent' | 'accepted';
  why: string;
}

const USAGE =
  'usage: npm run mutation:report [-- --report build/mutation/mutation.json] [-- --out test/MUTATION.md] [-- --reset]';
const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

/** The code a mutant replaced, on one line. */
function original(source: string, m: Mutant): string {
  const lines = source.split('\n');
  const { start, end } = m.location;
  const text =
    start.line === end.line
      ? lines[start.line - 1].slice(start.column - 1, end.column - 1)
      : [
          lines[start.line - 1].slice(start.column - 1),
          ...lines.slice(start.line, end.line - 1),
          lines[end.line - 1].slice(0, end.column - 1),
        ].join(' ');
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * The key a reason is filed under: file, mutator, the line's text and the mutant's column in it, the original code
 * and its replacement. Stable while that line is unchanged (moved lines keep their reasons); an edited line needs
 * its reasons reviewed again.
 */
export function reasonKey(file: string, m: Mutant, source: string): string {
  const line = source.split('\n')[m.location.start.line - 1] ?? '';
  const indent = line.length - line.trimStart().length;
  const where = `${line.trim()} @${m.location.start.column - indent}`;
  const replacement = (m.replacement ?? '').replace(/\s+/g, ' ').trim();
  return `${file} | ${m.mutatorName} | ${where} | ${original(source, m)} -> ${replacement}`;
}

/** The folder a file's score counts under: `lib/<folder>`, or the file itself for lib/backend/select.ts. */
function folderOf(file: string): string {
  const parts = file.split('/');
  return parts[1] === 'backend' ? file : parts.slice(0, 2).join('/');
}

/** The TypeScript files of `folder` (under the project root) that mutation testing covers: all but declarations. */
function sourceFiles(folder: string): string[] {
  const dir = path.join(projectRoot(), folder);
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.d.ts'),
  );
}

const short = (s: string, n = 70) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const cell = (s: string) => `\`${short(s).replace(/`/g, "'").replace(/\|/g, '\\|')}\``;

/**
 * The Markdown report: scores per folder, then the survivors with their reasons; `unreviewed` collects the keys of
 * the survivors without a reason (each with the line it is on), for whoever reviews them next.
 */
function render(
  merged: Report,
  reasons: Record<string, Reason>,
  runs: string[],
  unreviewedKeys: Record<string, string> = {},
): string {
  const folders = new Map<string, { total: number; detected: number; survived: number; noCoverage: number }>();
  const survivors: string[] = [];
  let unreviewed = 0;
  for (const [file, { source, mutants }] of Object.entries(merged.files).sort(([a], [b]) => a.localeCompare(b))) {
    const f = folders.get(folderOf(file)) ?? { total: 0, detected: 0, survived: 0, noCoverage: 0 };
    folders.set(folderOf(file), f);
    for (const m of mutants) {
      if (!DETECTED.has(m.status) && !UNDETECTED.has(m.status)) continue; // CompileError, Ignored: not counted
      f.total++;
      if (DETECTED.has(m.status)) f.detected++;
      else {
        if (m.status === 'Survived') f.survived++;
        else f.noCoverage++;
        const reason = reasons[reasonKey(file, m, source)];
        if (!reason) {
          unreviewed++;
          unreviewedKeys[reasonKey(file, m, source)] = `${file}:${m.location.start.line} ${m.status}`;
        }
        const why = reason ? `${reason.kind}: ${reason.why}` : 'not reviewed yet';
        const where = `${file}:${m.location.start.line}`;
        survivors.push(
          `| ${where} | ${m.mutatorName} | ${cell(original(source, m))} → ${cell(m.replacement ?? '')} | ${m.status} | ${why} |`,
        );
      }
    }
  }
  const rows = [...folders].map(([folder, f]) => {
    const score = f.total ? ((100 * f.detected) / f.total).toFixed(1) : '—';
    const run = Object.keys(merged.files).filter((file) => folderOf(file) === folder).length;
    const files = folder.endsWith('.ts') ? '1 of 1' : `${run} of ${sourceFiles(folder).length}`;
    return `| ${folder} | ${files} | ${f.total} | ${f.detected} | ${f.survived} | ${f.noCoverage} | ${score} % |`;
  });
  return [
    '# Mutation testing: the last runs',
    '',
    'Generated by `npm run mutation:report` from StrykerJS runs (`npm run test:mutation`); do not edit by hand.',
    'Score = mutants detected (killed or timed out) / all valid mutants, counting mutants no test reaches as',
    'survivors. Reasons for survivors live in `test/mutation-reasons.json`.',
    '',
    `Runs merged: ${runs.join(', ')}`,
    '',
    '| folder | files run | mutants | detected | survived | no test reaches | score |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `## Survivors (${survivors.length}; ${unreviewed} not reviewed yet)`,
    '',
    '| where | mutator | code → mutant | status | reason |',
    '|---|---|---|---|---|',
    ...survivors,
    '',
  ].join('\n');
}

function main(): void {
  const { values } = parseCommandLine(
    process.argv.slice(2),
    {
      report: { type: 'string', default: buildPath('mutation', 'mutation.json') },
      out: { type: 'string', default: path.join(projectRoot(), 'test', 'MUTATION.md') },
      reset: { type: 'boolean', default: false },
    },
    USAGE,
    false,
  );
  const mergedPath = buildPath('mutation', 'merged.json');
  const merged: Report & { runs?: string[] } =
    !values.reset && fs.existsSync(mergedPath) ? JSON.parse(fs.readFileSync(mergedPath, 'utf8')) : { files: {} };
  if (!fs.existsSync(values.report)) {
    throw new Error(`${values.report} does not exist: run npm run test:mutation first (it writes that report).`);
  }
  const run: Report = JSON.parse(fs.readFileSync(values.report, 'utf8'));
  const stamp = `${fs.statSync(values.report).mtime.toISOString().slice(0, 16)} (${Object.keys(run.files).length} files)`;
  for (const [file, data] of Object.entries(run.files))
    merged.files[path.relative(projectRoot(), path.resolve(file))] = data;
  merged.runs = [...(merged.runs ?? []).filter((r) => r !== stamp), stamp];
  writeFileAtomicSync(mergedPath, JSON.stringify(merged));
  const reasonsFile = path.join(projectRoot(), 'test', 'mutation-reasons.json');
  const reasons = fs.existsSync(reasonsFile) ? JSON.parse(fs.readFileSync(reasonsFile, 'utf8')) : {};
  const unreviewed: Record<string, string> = {};
  writeFileAtomicSync(values.out, render(merged, reasons, merged.runs, unreviewed));
  // The keys to file a reason under (test/mutation-reasons.json), for the survivors that have none yet.
  const todo = buildPath('mutation', 'unreviewed.json');
  writeFileAtomicSync(todo, JSON.stringify(unreviewed, null, 2) + '\n');
  console.log(`wrote ${path.relative(projectRoot(), values.out)} (${Object.keys(merged.files).length} files merged)`);
  console.log(
    `${Object.keys(unreviewed).length} survivors without a reason: their keys are in ${path.relative(projectRoot(), todo)}`,
  );
}

if (require.main === module) runMain('mutation_report', main);
