/**
 * Temporary folders for tests that are removed when the test file ends, whether its tests passed or failed.
 * Importing this module registers one file-level `after` hook (node:test runs each test file in its own
 * process, so "file-level" is the root of that process's tests); every folder made by `tempDir` is removed there.
 * Import it only from test files: the hook would start node:test in any other process.
 */
import { after } from 'node:test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const made: string[] = [];

// Registered on import, at the top level: a hook registered inside a test body would belong to that test (or,
// after an `await`, to whatever node:test guesses), not to the file.
after(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
});

/**
 * Makes a new, empty folder `<parent>/<prefix>XXXXXX` (`fs.mkdtempSync`) and returns its path; the folder and
 * everything in it are removed after the file's last test, pass or fail. `parent` defaults to the system temp
 * folder (`os.tmpdir()`, which honours TMPDIR).
 */
export function tempDir(prefix: string, parent: string = os.tmpdir()): string {
  const dir = fs.mkdtempSync(path.join(parent, prefix));
  made.push(dir);
  return dir;
}
