/** test/helpers/tempDir.ts: the folders a test file makes are gone when it ends, also when a test failed. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './helpers/tempDir';

const ROOT = path.join(__dirname, '..');
const HELPER = path.join(__dirname, 'helpers', 'tempDir.ts');

/** A test file with a folder made on import, one in a passing test, one after an await in a failing test. */
const FIXTURE = `
import test, { describe } from 'node:test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from ${JSON.stringify(HELPER)};

const made = (dir: string) => {
  fs.writeFileSync(path.join(dir, 'file'), 'x');
  fs.appendFileSync(process.env.TEMPDIR_FIXTURE_LOG!, dir + '\\n');
  return dir;
};
const top = made(tempDir('fixture-top-'));

describe('a suite', () => {
  test('passes', () => {
    if (!fs.existsSync(path.join(top, 'file'))) throw new Error('the file-level folder is gone too early');
    made(tempDir('fixture-pass-'));
  });
  test('fails', async () => {
    await new Promise((r) => setTimeout(r, 10));
    made(tempDir('fixture-fail-'));
    throw new Error('failing on purpose');
  });
});
`;

test('a test file that fails leaves none of its temp folders behind', () => {
  const work = tempDir('tempdir-test-');
  const childTmp = path.join(work, 'tmp');
  fs.mkdirSync(childTmp);
  const fixture = path.join(work, 'fixture.test.ts');
  const log = path.join(work, 'made.log');
  fs.writeFileSync(fixture, FIXTURE);
  fs.writeFileSync(log, '');
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: childTmp, TEMPDIR_FIXTURE_LOG: log };
  delete env.NODE_TEST_CONTEXT; // else the child reports to this runner's protocol, not as a plain test run
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', fixture], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
  });
  const out = `${r.stdout}${r.stderr}`;
  assert.equal(r.status, 1, out);
  assert.match(out, /^# pass 1$/m, out);
  assert.match(out, /^# fail 1$/m, out);
  assert.match(out, /failing on purpose/);
  const dirs = fs.readFileSync(log, 'utf8').split('\n').filter(Boolean);
  assert.deepEqual(
    dirs.map((d) => path.basename(d).slice(0, -6)),
    ['fixture-top-', 'fixture-pass-', 'fixture-fail-'],
  );
  for (const d of dirs) {
    assert.equal(path.dirname(d), childTmp, 'made under os.tmpdir()');
    assert.ok(!fs.existsSync(d), `${d} was left behind`);
  }
  assert.deepEqual(
    fs.readdirSync(childTmp).filter((n) => n.startsWith('fixture-')),
    [],
  );
});
