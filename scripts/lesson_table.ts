/**
 * Writes README.md's per-notebook table from the lesson's recorded run (build/lesson/<profile>/runs.json, written by
 * `npm run lesson`), so the README shows a run's numbers and cannot drift from them.
 *
 *   npm run lesson:table                   # the mini profile's record
 *   npm run lesson:table -- --profile full
 *   npm run lesson:table -- --check        # exit 1 when README's table differs from the record
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomicSync } from '../lib/core/atomicFile';
import * as path from 'node:path';
import { parseCommandLine, runMain } from './cli';
import { listNotebooks } from './lesson';
import { readRecord } from './lessonRecord';
import { renderLessonTable, replaceLessonTable } from './lessonTable';

const USAGE = 'usage: npm run lesson:table -- [--profile mini|full] [--check]';

function main(): number {
  const { values } = parseCommandLine(
    process.argv.slice(2),
    { profile: { type: 'string' }, check: { type: 'boolean' } },
    USAGE,
  );
  const readmePath = path.join(__dirname, '..', 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const names = listNotebooks().map((f) => path.basename(f, '.ipynb'));
  const updated = replaceLessonTable(readme, renderLessonTable(readRecord(values.profile ?? 'mini'), names));
  if (values.check) {
    if (updated === readme) return 0;
    console.error('lesson:table: README.md does not show the recorded run; run `npm run lesson:table`.');
    return 1;
  }
  if (updated !== readme) writeFileAtomicSync(readmePath, updated);
  console.log(updated === readme ? 'README.md already shows the recorded run.' : 'README.md: table written.');
  return 0;
}

if (require.main === module) runMain('lesson:table', main);
