import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { UNZIP_MARKER, listZipEntries, unzip } from '../lib/io/unzip';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { crc32Table } from '../lib/io/crc32';
import { makeZip } from './helpers/zip';
import { asOrdinaryUser } from './helpers/ordinaryUser';
import { tempDir } from './helpers/tempDir';
import { UNDER_MUTATION_RUN } from './helpers/mutationRun';

let tmp: string;
before(() => {
  tmp = tempDir('unzip-test-');
});

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
  assert.equal(
    fs.readFileSync(path.join(dest, 'train/cats/cat.0.jpg'), 'utf8'),
    'touched',
    'a skipped call writes nothing',
  );
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

test('__MACOSX entries are dropped; the single top folder beside them is still unwrapped', async () => {
  const zip = path.join(tmp, 'mac.zip');
  fs.writeFileSync(
    zip,
    makeZip([
      { name: 'pets/train/cats/cat.0.jpg', data: 'cat' },
      { name: '__MACOSX/pets/train/cats/._cat.0.jpg', data: 'resource fork' },
      { name: 'pets/.DS_Store', data: 'finder' },
    ]),
  );
  const dest = path.join(tmp, 'mac-out', 'pets');
  const r = await unzip(zip, dest, { quiet: true });
  assert.equal(r.files, 2);
  assert.deepEqual(tree(dest), ['.DS_Store', UNZIP_MARKER, 'train', 'train/cats', 'train/cats/cat.0.jpg']);
});

test('names without the UTF-8 flag are read as code page 437, as zip tools write them', async () => {
  const zip = path.join(tmp, 'cp437.zip');
  fs.writeFileSync(
    zip,
    makeZip([
      { name: 'caf\u00e9.txt', rawName: Buffer.from([0x63, 0x61, 0x66, 0x82, 0x2e, 0x74, 0x78, 0x74]), data: 'x' },
    ]),
  );
  assert.deepEqual(
    (await listZipEntries(zip)).map((e) => e.name),
    ['caf\u00e9.txt'],
  );
  const dest = path.join(tmp, 'cp437-out');
  await unzip(zip, dest, { quiet: true });
  assert.equal(fs.readFileSync(path.join(dest, 'caf\u00e9.txt'), 'utf8'), 'x');
});

test('the CRC-32 table fallback agrees with zlib, also when continued chunk by chunk', () => {
  const data = randomBytes(10_000);
  assert.equal(crc32Table(data), zlibCrc32(data));
  assert.equal(crc32Table(data.subarray(5000), crc32Table(data.subarray(0, 5000))), zlibCrc32(data));
  assert.equal(crc32Table(Buffer.alloc(0)), 0);
});

test('zip slip (../, a sibling with the same prefix, absolute, symlink) is refused with nothing written', async () => {
  const cases: [string, Buffer][] = [
    [
      'dotdot',
      makeZip([
        { name: 'ok.txt', data: 'fine' },
        { name: '../evil.txt', data: 'evil' },
      ]),
    ],
    ['nested', makeZip([{ name: 'a/../../evil.txt', data: 'evil' }])],
    // A sibling whose name starts with the destination's: '<area>/dest-evil' begins with '<area>/dest'.
    ['sibling', makeZip([{ name: '../dest-evil/evil.txt', data: 'evil' }])],
    [
      'absolute',
      makeZip([
        { name: 'ok.txt', data: 'fine' },
        { name: '/tmp/evil-abs.txt', data: 'evil' },
      ]),
    ],
    [
      'symlink',
      makeZip([
        { name: 'link', symlinkTo: '/etc' },
        { name: 'link/passwd', data: 'evil' },
      ]),
    ],
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
  await assert.rejects(
    unzip(missing, dest, { quiet: true }),
    (err: Error) => err.message.includes(missing) && /does not exist/.test(err.message),
  );
  const garbage = path.join(tmp, 'garbage.zip');
  fs.writeFileSync(garbage, 'this is an HTML error page, not a zip');
  await assert.rejects(
    unzip(garbage, dest, { quiet: true }),
    (err: Error) => err.message.includes(garbage) && /not a valid zip/.test(err.message),
  );
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
  assert.deepEqual(
    fs.readdirSync(tmp).filter((n) => n.includes('.unzip-')),
    [],
  );
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

/** Names next to `dest` that an extraction may leave (temp folders), besides `dest` itself. */
function leftovers(dest: string): string[] {
  const base = path.basename(dest);
  return fs.readdirSync(path.dirname(dest)).filter((n) => n !== base && n.includes(base));
}

test('issue 10 #4: an entry whose CRC-32 does not match is refused, naming it; nothing is written', async () => {
  const buf = makeZip([
    { name: 'ok.txt', data: 'fine' },
    { name: 'photos/cat.jpg', data: 'hello world, a cat', store: true },
  ]);
  const at = buf.indexOf('hello world');
  buf[at] ^= 0x20; // 'H': the headers still say the data is fine
  const zip = path.join(tmp, 'crc.zip');
  fs.writeFileSync(zip, buf);
  const dest = path.join(tmp, 'crc-area', 'out');
  fs.mkdirSync(path.dirname(dest));
  await assert.rejects(unzip(zip, dest, { quiet: true }), (err: Error) => {
    assert.ok(err.message.includes(zip), err.message);
    assert.match(err.message, /photos\/cat\.jpg/);
    assert.match(err.message, /CRC-32/);
    return true;
  });
  assert.deepEqual(fs.readdirSync(path.dirname(dest)), []);
});

test('issue 10 #5: zip bombs stop at the limits (ratio, total size, sizes that lie), with how to raise them', async () => {
  const area = path.join(tmp, 'bomb');
  fs.mkdirSync(area);
  const zeros = path.join(area, 'zeros.zip');
  fs.writeFileSync(zeros, makeZip([{ name: 'zeros.bin', data: Buffer.alloc(20_000_000) }]));
  await assert.rejects(unzip(zeros, path.join(area, 'a'), { quiet: true }), (err: Error) => {
    assert.match(err.message, /zeros\.bin/);
    assert.match(err.message, /compression ratio/);
    assert.match(err.message, /UNZIP_MAX_RATIO/);
    assert.match(err.message, /maxRatio/);
    return true;
  });
  const big = path.join(area, 'big.zip');
  fs.writeFileSync(
    big,
    makeZip([
      { name: 'a.bin', data: randomBytes(600_000) },
      { name: 'b.bin', data: randomBytes(600_000) },
    ]),
  );
  await assert.rejects(
    unzip(big, path.join(area, 'b'), { quiet: true, maxBytes: 1_000_000 }),
    /1\.2 MB.*limit of 1\.0 MB.*UNZIP_MAX_BYTES/s,
  );
  const saved = process.env.UNZIP_MAX_BYTES;
  process.env.UNZIP_MAX_BYTES = '1000000';
  try {
    await assert.rejects(unzip(big, path.join(area, 'c'), { quiet: true }), /UNZIP_MAX_BYTES/);
    assert.equal(
      (await unzip(big, path.join(area, 'c'), { quiet: true, maxBytes: 2_000_000 })).files,
      2,
      'the option wins over the variable',
    );
  } finally {
    if (saved === undefined) delete process.env.UNZIP_MAX_BYTES;
    else process.env.UNZIP_MAX_BYTES = saved;
  }
  const liar = path.join(area, 'liar.zip');
  fs.writeFileSync(liar, makeZip([{ name: 'small.txt', data: randomBytes(300_000), declaredSize: 1000 }]));
  await assert.rejects(unzip(liar, path.join(area, 'd'), { quiet: true }), (err: Error) => {
    assert.match(err.message, /small\.txt/);
    assert.match(err.message, /declares 1000 bytes/);
    return true;
  });
  assert.deepEqual(fs.readdirSync(area).sort(), ['big.zip', 'c', 'liar.zip', 'zeros.zip']);
});

test('issue 10 #6: one predictable temp folder per destination, removed by the next run', async () => {
  const zip = path.join(tmp, 'stale.zip');
  fs.writeFileSync(zip, lessonLike(''));
  const area = path.join(tmp, 'stale-area');
  const dest = path.join(area, 'data');
  const stale = path.join(area, '.data.unzip-tmp');
  fs.mkdirSync(path.join(stale, 'train'), { recursive: true });
  fs.writeFileSync(path.join(stale, 'train', 'half.jpg'), 'left by a killed run');
  await unzip(zip, dest, { quiet: true });
  assert.deepEqual(leftovers(dest), []);
  // Also when the extraction was complete and is skipped.
  fs.mkdirSync(stale);
  assert.equal((await unzip(zip, dest, { quiet: true })).skipped, true);
  assert.deepEqual(leftovers(dest), []);
});

test(
  'issue 10 #6: Ctrl-C (SIGINT) during an extraction removes its temp folder',
  { skip: UNDER_MUTATION_RUN && 'a child process killed by a signal (no coverage for mutants)' },
  async () => {
    const zip = path.join(tmp, 'slow.zip');
    fs.writeFileSync(
      zip,
      makeZip(Array.from({ length: 20 }, (_, i) => ({ name: `f${i}.bin`, data: randomBytes(50_000), store: true }))),
    );
    const area = path.join(tmp, 'sigint-area');
    fs.mkdirSync(area);
    const dest = path.join(area, 'out');
    // node itself with tsx's loader: the tsx command would run the script in a second process
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, 'helpers', 'ioChild.ts'), 'unzip', zip, dest, '30'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<[number | null, string | null]>((r) => child.on('exit', (c, s) => r([c, s])));
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    await new Promise<void>((resolve) => child.stdout.on('data', () => out.includes('start') && resolve()));
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(fs.readdirSync(area).length > 0, 'the extraction has begun');
    child.kill('SIGINT');
    const [code, signal] = await exited;
    assert.ok(
      signal === 'SIGINT' || code === 130,
      `stopped by the signal (code ${code}, signal ${signal}, out ${out})`,
    );
    assert.deepEqual(fs.readdirSync(area), [], 'no temp folder, no half destination');
  },
);

test('issue 10 #9: permission denied names the folder and says what to do', async () => {
  const zip = path.join(tmp, 'perm.zip');
  fs.writeFileSync(zip, lessonLike(''));
  const ro = path.join(tmp, 'ro-parent');
  fs.mkdirSync(ro);
  fs.chmodSync(tmp, 0o755);
  fs.chmodSync(ro, 0o555);
  await asOrdinaryUser(() =>
    assert.rejects(unzip(zip, path.join(ro, 'dest'), { quiet: true }), (err: Error) => {
      assert.match(err.message, /permission denied/i);
      assert.ok(err.message.includes(ro), err.message);
      assert.match(err.message, /make the folder writable/);
      return true;
    }),
  );
});

test('issue 10 #11: a disk that fills up during extraction is reported as such, with the size needed', async () => {
  const zip = path.join(tmp, 'full.zip');
  fs.writeFileSync(
    zip,
    makeZip([
      { name: 'a.bin', data: randomBytes(300_000) },
      { name: 'b.bin', data: randomBytes(300_000) },
    ]),
  );
  let room = 400_000;
  const fullDisk = () =>
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        room -= chunk.length;
        if (room >= 0) return cb();
        cb(
          Object.assign(new Error('ENOSPC: no space left on device, write'), {
            code: 'ENOSPC',
            errno: -28,
            syscall: 'write',
          }),
        );
      },
    });
  const dest = path.join(tmp, 'full-area', 'out');
  fs.mkdirSync(path.dirname(dest));
  await assert.rejects(unzip(zip, dest, { quiet: true, writeStream: fullDisk }), (err: Error) => {
    assert.match(err.message, /disk .*is full/);
    assert.match(err.message, /600\.0 kB/);
    assert.doesNotMatch(err.message, /corrupt/);
    return true;
  });
  assert.deepEqual(fs.readdirSync(path.dirname(dest)), []);
});
