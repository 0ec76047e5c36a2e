/**
 * Files that appear whole or not at all (lib/core/atomicFile.ts): the old file stays intact until the new one is
 * complete, a failing writer leaves the destination as it was, and no temporary file is left behind.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isTempName, tempPathFor, writeAtomic, writeFileAtomic, writeFileAtomicSync } from '../lib/core/atomicFile';
import { tempDir } from './helpers/tempDir';

const root = tempDir('atomic-');

/** A destination holding "old", and a reader opened on it before the write (as a running program would be). */
function existing(name: string): { dest: string; inode: number; fd: number } {
  const dest = path.join(root, name);
  fs.writeFileSync(dest, 'old contents');
  return { dest, inode: fs.statSync(dest).ino, fd: fs.openSync(dest, 'r') };
}

function readFd(fd: number): string {
  const buf = Buffer.alloc(64);
  const n = fs.readSync(fd, buf, 0, buf.length, 0);
  fs.closeSync(fd);
  return buf.subarray(0, n).toString();
}

for (const [name, write] of [
  ['writeFileAtomic', (dest: string, data: string) => writeFileAtomic(dest, data)],
  ['writeFileAtomicSync', async (dest: string, data: string) => writeFileAtomicSync(dest, data)],
] as const) {
  test(`${name} replaces the file by a rename: the old file is never written in place`, async () => {
    const { dest, inode, fd } = existing(`${name}.txt`);
    assert.equal(await write(dest, 'new contents'), dest);
    assert.equal(fs.readFileSync(dest, 'utf8'), 'new contents');
    assert.notEqual(fs.statSync(dest).ino, inode, 'a new file took the name (rename), not the old one rewritten');
    assert.equal(readFd(fd), 'old contents', 'a reader of the old file still sees it whole');
    assert.deepEqual(
      fs.readdirSync(root).filter((f) => f.startsWith(`${name}.txt.`)),
      [],
      'no temporary file is left',
    );
  });
}

test('writeAtomic: a writer that fails half-way leaves the destination as it was and no temporary file', async () => {
  const { dest, fd } = existing('failing.txt');
  fs.closeSync(fd);
  await assert.rejects(
    writeAtomic(dest, async (tmp) => {
      fs.writeFileSync(tmp, 'half');
      throw new Error('disk went away');
    }),
    /disk went away/,
  );
  assert.equal(fs.readFileSync(dest, 'utf8'), 'old contents');
  assert.deepEqual(fs.readdirSync(path.dirname(dest)).filter(isTempName), []);
  assert.notEqual(tempPathFor(dest), tempPathFor(dest), 'two writers of one file share a temporary name');
});

test('writeAtomic writes to a temporary name in the same folder, and creates missing parent folders', async () => {
  const dest = path.join(root, 'a', 'b', 'new.txt');
  let seen = '';
  await writeAtomic(dest, async (tmp) => {
    seen = tmp;
    assert.equal(fs.existsSync(dest), false, 'nothing under the final name while writing');
    fs.writeFileSync(tmp, 'x');
  });
  assert.equal(path.dirname(seen), path.dirname(dest), 'same folder, so the rename cannot cross file systems');
  assert.notEqual(seen, dest);
  assert.equal(fs.readFileSync(dest, 'utf8'), 'x');
});
