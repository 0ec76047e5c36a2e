/**
 * Issue 19 item 2: README.md's per-notebook table is generated from a recorded run (scripts/lessonTable.ts), never
 * typed: the renderer's format, the marked block in the README, and one row per notebook in notebooks/.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { listNotebooks } from '../scripts/lesson';
import type { LessonRecord } from '../scripts/lessonRecord';
import {
  BEGIN,
  END,
  HEADER,
  ROW,
  lessonTableBlock,
  renderLessonTable,
  replaceLessonTable,
} from '../scripts/lessonTable';

const names = listNotebooks().map((f) => path.basename(f, '.ipynb'));

function record(): LessonRecord {
  const notebooks = Object.fromEntries(
    names.map((n, i) => [
      n,
      {
        date: `2026-12-0${1 + (i % 2)}`,
        seconds: 10.4 + i,
        ipynbBytes: 20_000 + i * 1e6,
        htmlBytes: 600_000,
        summary: `s${i}`,
      },
    ]),
  );
  return { profile: 'mini', notebooks };
}

test('renderLessonTable writes one row per notebook from the record, in the row format', () => {
  const block = renderLessonTable(record(), names);
  const lines = block.split('\n');
  assert.equal(lines[0], BEGIN);
  assert.equal(lines[lines.length - 1], END);
  assert.match(lines[1], /`mini` profile \(2026-12-01 to 2026-12-02\)/);
  const rows = lines.filter((l) => l.startsWith('| `'));
  assert.equal(rows.length, names.length);
  for (const r of rows) assert.match(r, ROW);
  assert.equal(rows[0], `| \`${names[0]}\` | 10 s | 0.02 / 0.6 MB | s0 |`);
  assert.match(rows[1], /\| 11 s \| 1\.0 \/ 0\.6 MB \| s1 \|$/);
  // A notebook that was never run is an error, not an empty or stale row.
  const partial = record();
  delete partial.notebooks[names[3]];
  assert.throws(() => renderLessonTable(partial, names), new RegExp(`${names[3]} has not been run`));
});

test('replaceLessonTable replaces only the marked block', () => {
  const readme = `intro\n${BEGIN}\nold\n${END}\noutro\n`;
  const out = replaceLessonTable(readme, `${BEGIN}\nnew\n${END}`);
  assert.equal(out, `intro\n${BEGIN}\nnew\n${END}\noutro\n`);
  assert.throws(() => replaceLessonTable('no markers', 'x'), /no block/);
});

test("README.md's per-notebook table is the generated block: one row per notebook, in the generator's format", () => {
  const readme = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const block = lessonTableBlock(readme);
  assert.ok(block, 'README.md has the marked block');
  const lines = block.split('\n');
  assert.match(lines[1], /^Recorded by `npm run lesson` in the `\w+` profile \([\d-]+(?: to [\d-]+)?\):$/);
  assert.deepEqual(lines.slice(3, 5), HEADER);
  const rows = lines.slice(5, -1);
  assert.deepEqual(
    rows.map((r) => /^\| `(\w+)`/.exec(r)?.[1]),
    names,
  );
  for (const r of rows) assert.match(r, ROW);
});
