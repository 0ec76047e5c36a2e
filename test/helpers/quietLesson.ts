/**
 * For a test file that runs the lesson's command-line pipeline in its own process: `LESSON_QUIET=1` and the backend
 * started before its tests, the variable restored after them. Import it only from test files (it registers hooks).
 */
import { after, before } from 'node:test';
import { initBackend } from '../../lib/backend/select';

/** Registers the file-level hooks (see the file comment); call once, at the top level of a test file. */
export function quietLessonForFile(): void {
  const saved = process.env.LESSON_QUIET;
  before(async () => {
    process.env.LESSON_QUIET = '1';
    await initBackend({ quiet: true });
  });
  after(() => {
    if (saved === undefined) delete process.env.LESSON_QUIET;
    else process.env.LESSON_QUIET = saved;
  });
}
