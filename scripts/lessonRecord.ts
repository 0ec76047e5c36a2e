/**
 * What a lesson run measured, per notebook, for the README's table (issue 19 item 2: generated, never typed): the
 * runner records each executed notebook's run time, the sizes of its executed copies and a one-line summary read
 * from its outputs into build/lesson/<profile>/runs.json; scripts/lesson_table.ts writes the README's table from it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomicSync } from '../lib/core/atomicFile';
import { buildPath } from '../lib/core/paths';

/** One notebook's row: when it ran, how long it took, how large its executed copies are, what it printed. */
export interface NotebookRecord {
  date: string;
  seconds: number;
  ipynbBytes: number;
  htmlBytes: number | null;
  summary: string;
}

/** The record of a profile's runs: the latest run of each notebook. */
export interface LessonRecord {
  profile: string;
  notebooks: Record<string, NotebookRecord>;
}

/** The record's file for `profile`. */
export function recordPath(profile: string): string {
  return buildPath('lesson', profile, 'runs.json');
}

/** The record of `profile` (empty when no notebook has been recorded yet). */
export function readRecord(profile: string): LessonRecord {
  const file = recordPath(profile);
  if (!existsSync(file)) return { profile, notebooks: {} };
  return JSON.parse(readFileSync(file, 'utf8')) as LessonRecord;
}

interface Output {
  output_type: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
}

const joined = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join('') : (v ?? ''));
const plain = (s: string) =>
  s
    .replace(/<[^>]+>/g, '')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();

/** An executed notebook's printed text, markdown outputs and tables (caption and rows keyed by header). */
export interface NotebookOutputs {
  text: string;
  tables: { caption: string; rows: Record<string, string>[] }[];
}

/** Reads what an executed notebook shows. */
export function readOutputs(ipynb: string): NotebookOutputs {
  const cells = (JSON.parse(readFileSync(ipynb, 'utf8')) as { cells: { outputs?: Output[] }[] }).cells;
  const outputs = cells.flatMap((c) => c.outputs ?? []);
  // Printed text, markdown outputs, and the text of HTML outputs (without their scripts and styles).
  const htmlText = (o: Output) => plain(joined(o.data?.['text/html']).replace(/<(script|style)[\s\S]*?<\/\1>/g, ''));
  const text = outputs
    .map((o) => [joined(o.text), joined(o.data?.['text/markdown']), htmlText(o)].join('\n'))
    .join('\n');
  const tables: NotebookOutputs['tables'] = [];
  for (const html of outputs.map((o) => joined(o.data?.['text/html']))) {
    for (const m of html.matchAll(/<table class="tlts-table">([\s\S]*?)<\/table>/g)) {
      const cellsOf = (row: string, tag: string) =>
        [...row.matchAll(new RegExp(`<${tag}[^>]*>([\\s\\S]*?)</${tag}>`, 'g'))].map((c) => plain(c[1]));
      const headers = cellsOf(/<thead>([\s\S]*?)<\/thead>/.exec(m[1])?.[1] ?? '', 'th');
      const rows = [...(/<tbody>([\s\S]*?)<\/tbody>/.exec(m[1])?.[1] ?? '').matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map(
        (r) => Object.fromEntries(cellsOf(r[1], 'td').map((v, i) => [headers[i], v])),
      );
      tables.push({ caption: plain(/<caption[^>]*>([\s\S]*?)<\/caption>/.exec(m[1])?.[1] ?? ''), rows });
    }
  }
  return { text, tables };
}

/** Records a notebook's run (replacing its earlier one) in `profile`'s record. */
export function recordNotebook(
  profile: string,
  run: { name: string; seconds: number; ipynb: string; html: string | null },
  summary: string,
): void {
  const record = readRecord(profile);
  record.notebooks[run.name] = {
    date: new Date().toISOString().slice(0, 10),
    seconds: run.seconds,
    ipynbBytes: statSync(run.ipynb).size,
    htmlBytes: run.html && existsSync(run.html) ? statSync(run.html).size : null,
    summary,
  };
  const sorted = Object.fromEntries(Object.entries(record.notebooks).sort(([a], [b]) => a.localeCompare(b)));
  writeFileAtomicSync(recordPath(profile), `${JSON.stringify({ ...record, notebooks: sorted }, null, 2)}\n`);
}

/** The notebook name of an executed copy (`build/notebooks/05_fast_feature_extraction.ipynb` → its base name). */
export function notebookName(ipynb: string): string {
  return path.basename(ipynb, '.ipynb');
}
