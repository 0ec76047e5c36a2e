import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UNZIP_MARKER, listZipEntries, unzip } from '../lib/io/unzip';
import { makeZip } from './helpers/zip';

let tmp: string;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'unzip-test-'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const lessonLike = (prefix: string) =>
  makeZip([
    { name: `${prefix}train/` },
    { name: `${prefix}train/cats/cat.0.jpg`, data: 'cat0'.repeat(100) },
    { name: `${prefix}train/dogs/dog.0.jpg`, data: 'dog0'.repeat(100) },
    { name: `${prefix}validation/cats/cat.1000.jpg`, data: 'x', store: true },
    { name: `${prefix}test/dogs/dog.1500.jpg`, data: 'y' },
  ]);

/** Every path (files and folders) under `dir`, relative, sorted. */
function tree(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

test('extracts a flat zip, counts files, writes the marker; second call is skipped', async () => {
  const zip = path.join(tmp, 'flat.zip');
  fs.writeFileSync(zip, lessonLike(''));
  const dest = path.join(tmp, 'out', 'flat');
  const r = await unzip(zip, dest, { quiet: true });
  assert.deepEqual(r, { destDir: dest, files: 4, skipped: false });
  assert.equal(fs.readFileSync(path.join(dest, 'train/cats/cat.0.jpg'), 'utf8'), 'cat0'.repeat(100));
  assert.ok(fs.existsSync(path.join(dest, UNZIP_MARKER)));
  // Nothing temporary left next to it.
  assert.deepEqual(fs.readdirSync(path.dirname(dest)), ['flat']);
  fs.writeFileSync(path.join(dest, 'train/cats/cat.0.jpg'), 'touched');
  const again = await unzip(zip, dest, { quiet: true });
  assert.deepEqual(again, { destDir: dest, files: 4, skipped: true });
  assert.equal(fs.readFileSync(path.join(dest, 'train/cats/cat.0.jpg'), 'utf8'), 'touched', 'a skipped call writes nothing');
  // A newer zip (other size) replaces the earlier extraction.
  fs.writeFileSync(zip, makeZip([{ name: 'train/cats/cat.9.jpg', data: 'new' }]));
  const third = await unzip(zip, dest, { quiet: true });
  assert.equal(third.skipped, false);
  assert.deepEqual(tree(dest), [UNZIP_MARKER, 'train', 'train/cats', 'train/cats/cat.9.jpg']);
});

test('a single top folder named like the destination is unwrapped; other top folders are kept', async () => {
  const zip = path.join(tmp, 'cats_and_dogs_small.zip');
  fs.writeFileSync(zip, lessonLike('cats_and_dogs_small/'));
  const dest = path.join(tmp, 'data', 'cats_and_dogs_small');
  const r = await unzip(zip, dest, { quiet: true });
  assert.equal(r.files, 4);
  assert.ok(fs.existsSync(path.join(dest, 'train/cats/cat.0.jpg')));
  assert.ok(fs.existsSync(path.join(dest, 'test/dogs/dog.1500.jpg')));
  const other = path.join(tmp, 'data', 'elsewhere');
  await unzip(zip, other, { quiet: true });
  assert.ok(fs.existsSync(path.join(other, 'cats_and_dogs_small/train/cats/cat.0.jpg')));
});

test('zip slip (../, absolute, symlink) is refused with nothing written', async () => {
  const cases: [string, Buffer][] = [
    ['dotdot', makeZip([{ name: 'ok.txt', data: 'fine' }, { name: '../evil.txt', data: 'evil' }])],
    ['nested', makeZip([{ name: 'a/../../evil.txt', data: 'evil' }])],
    ['absolute', makeZip([{ name: 'ok.txt', data: 'fine' }, { name: '/tmp/evil-abs.txt', data: 'evil' }])],
    ['symlink', makeZip([{ name: 'link', symlinkTo: '/etc' }, { name: 'link/passwd', data: 'evil' }])],
  ];
  for (const [label, buf] of cases) {
    const zip = path.join(tmp, `${label}.zip`);
    fs.writeFileSync(zip, buf);
    const area = path.join(tmp, `slip-${label}`);
    fs.mkdirSync(area);
    const dest = path.join(area, 'dest');
    await assert.rejects(unzip(zip, dest, { quiet: true }), (err: Error) => {
      assert.ok(err.message.includes(zip), err.message);
      assert.match(err.message, /Refusing/);
      assert.match(err.message, label === 'symlink' ? /'link'/ : /evil/);
      return true;
    });
    assert.deepEqual(fs.readdirSync(area), [], `${label}: nothing written`);
  }
  assert.ok(!fs.existsSync(path.join(tmp, 'evil.txt')));
});

test('missing and corrupt zips give errors naming the file; nothing left behind', async () => {
  const dest = path.join(tmp, 'bad-out');
  const missing = path.join(tmp, 'missing.zip');
  await assert.rejects(unzip(missing, dest, { quiet: true }), (err: Error) => err.message.includes(missing) && /does not exist/.test(err.message));
  const garbage = path.join(tmp, 'garbage.zip');
  fs.writeFileSync(garbage, 'this is an HTML error page, not a zip');
  await assert.rejects(unzip(garbage, dest, { quiet: true }), (err: Error) => err.message.includes(garbage) && /not a valid zip/.test(err.message));
  // Truncated: the end of a real zip cut off.
  const truncated = path.join(tmp, 'truncated.zip');
  const good = lessonLike('');
  fs.writeFileSync(truncated, good.subarray(0, good.length - 30));
  await assert.rejects(unzip(truncated, dest, { quiet: true }), (err: Error) => err.message.includes(truncated));
  // Corrupt body (central directory intact, deflate data garbled).
  const corrupt = path.join(tmp, 'corrupt.zip');
  const c = Buffer.from(good);
  for (let i = 60; i < 120; i++) c[i] ^= 0x5a;
  fs.writeFileSync(corrupt, c);
  await assert.rejects(unzip(corrupt, dest, { quiet: true }), (err: Error) => err.message.includes(corrupt));
  assert.ok(!fs.existsSync(dest));
  assert.deepEqual(fs.readdirSync(tmp).filter((n) => n.includes('.unzip-')), []);
});

test('an existing foreign folder is not overwritten', async () => {
  const zip = path.join(tmp, 'flat2.zip');
  fs.writeFileSync(zip, lessonLike(''));
  const dest = path.join(tmp, 'mine');
  fs.mkdirSync(dest);
  fs.writeFileSync(path.join(dest, 'notes.txt'), 'keep');
  await assert.rejects(unzip(zip, dest, { quiet: true }), /already exists and was not made by unzip/);
  assert.equal(fs.readFileSync(path.join(dest, 'notes.txt'), 'utf8'), 'keep');
  assert.equal((await listZipEntries(zip)).length, 5);
});
