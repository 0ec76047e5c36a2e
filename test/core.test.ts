/**
 * lib/core's small pieces, checked against what a user relies on (written to kill the mutants StrykerJS found
 * surviving there, see test/MUTATION.md): environment values, numpy's generator, file-system messages, paths,
 * atomic commits and the progress text.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { commitTempFile, writeAtomic } from '../lib/core/atomicFile';
import { envFlag, envNumber, envValue } from '../lib/core/config';
import { describeFsError, hasErrno } from '../lib/core/fsErrors';
import { displayPath, projectRoot } from '../lib/core/paths';
import { formatBytes, progressBar, ProgressLine } from '../lib/core/progress';
import { MersenneTwister, seededRandom } from '../lib/core/random';
import { tempDir } from './helpers/tempDir';

test('envValue trims, envFlag reads only the whole words 0/false/off/no as false', () => {
  assert.equal(envValue('LESSON_PROFILE', { LESSON_PROFILE: '  mini \n' }), 'mini');
  assert.equal(envValue('LESSON_PROFILE', { LESSON_PROFILE: '   ' }), undefined);
  const flag = (v: string) => envFlag('LESSON_QUIET', { LESSON_QUIET: v });
  for (const off of ['0', 'false', 'OFF', ' no ', '']) assert.equal(flag(off), false, JSON.stringify(off));
  // Words that merely start or end like an "off" word are on.
  for (const on of ['1', 'yes', 'info', 'offline', 'nope', 'falsely', '10']) assert.equal(flag(on), true, on);
});

test('envNumber: the range is inclusive, whole numbers where asked, and errors name the variable and the range', () => {
  const n = (v: string) => envNumber('WASM_THREADS', 4, { WASM_THREADS: v });
  assert.equal(n('1'), 1);
  assert.equal(n('1024'), 1024);
  assert.equal(envNumber('WASM_THREADS', 4, {}), 4);
  for (const bad of ['0', '-1', '1025', '2.5', 'abc']) {
    assert.throws(
      () => n(bad),
      (err: Error) => {
        assert.match(err.message, new RegExp(`^WASM_THREADS=${bad.replace('.', '\\.')} `));
        assert.match(err.message, /from 1 to 1024/);
        return true;
      },
    );
  }
  assert.throws(() => n('abc'), /is not a number/);
  assert.throws(() => n('0'), /is out of range/);
  assert.throws(() => n('2.5'), /a whole number/);
  const t = (v: string) => envNumber('DOWNLOAD_IDLE_TIMEOUT_S', 60, { DOWNLOAD_IDLE_TIMEOUT_S: v });
  assert.equal(t('0.5'), 0.5, 'fractions are fine where no whole number is asked');
  assert.throws(() => t('0'), /out of range/);
  assert.throws(() => t('99999999'), /from 0\.001 to 2147483/);
});

test('MersenneTwister: published MT19937 outputs, seed checks, and numpy shuffles one after another', () => {
  // The C++ standard fixes std::mt19937's 10000th output for the default seed 5489.
  const mt = new MersenneTwister(5489);
  let v = 0;
  for (let i = 0; i < 10000; i++) v = mt.nextUint32();
  assert.equal(v, 4123659995);
  for (const bad of [-1, 1.5, 2 ** 32, NaN])
    assert.throws(() => new MersenneTwister(bad), new RegExp(`seed must be an integer in \\[0, 2\\^32\\), got ${bad}`));
  assert.doesNotThrow(() => new MersenneTwister(0xffffffff));
  // Values from numpy 1.24 (RandomState(seed).shuffle on lists), two shuffles in a row from one generator: an
  // extra draw anywhere in the first (a swap of the last element with itself, a draw for interval(0)) changes the
  // second.
  const r7 = new MersenneTwister(7);
  assert.deepEqual(r7.shuffle([...Array(10).keys()]), [8, 5, 0, 2, 1, 9, 7, 3, 6, 4]);
  assert.deepEqual(r7.shuffle([...Array(10).keys()]), [1, 3, 2, 5, 9, 0, 4, 6, 7, 8]);
  assert.deepEqual(new MersenneTwister(0xffffffff).shuffle([...Array(8).keys()]), [1, 7, 6, 0, 5, 4, 2, 3]);
  const r0 = new MersenneTwister(0);
  assert.deepEqual(r0.shuffle([0, 1]), [1, 0]);
  assert.deepEqual(r0.shuffle([...Array(6).keys()]), [4, 2, 1, 3, 0, 5]);
  const r1 = new MersenneTwister(3);
  const r2 = new MersenneTwister(3);
  assert.equal(r1.interval(0), 0);
  assert.equal(r1.nextUint32(), r2.nextUint32(), 'interval(0) draws nothing');
});

test('seededRandom: deterministic, in [0, 1), spread out, and different seeds differ', () => {
  const a = seededRandom(42);
  const b = seededRandom(42);
  const xs = Array.from({ length: 2000 }, () => a());
  assert.deepEqual(
    xs.slice(0, 5),
    Array.from({ length: 5 }, () => b()),
  );
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.03, `mean ${mean}`);
  assert.ok(new Set(xs).size > 1990, 'no short cycle');
  assert.notEqual(seededRandom(1)(), seededRandom(2)());
  // mulberry32, the published generator, for seed 42 (its first output).
  assert.equal(Math.round(seededRandom(42)() * 4294967296), 2581720956);
});

test('describeFsError names the path and the fix for each errno, keeps the cause, and is idempotent', () => {
  const errno = (code: string, p?: string) => Object.assign(new Error(`${code}: raw`), { code, path: p });
  const cases: [string, RegExp][] = [
    ['EACCES', /permission denied for \/x\/y: make the folder writable/],
    ['EPERM', /not permitted on \/x\/y: check its owner and permissions/],
    ['EROFS', /\/x\/y is on a read-only file system: point the project \(LESSON_ROOT\)/],
    ['ENOSPC', /the disk holding \/x\/y is full: free some space/],
    ['EDQUOT', /your disk quota is used up for \/x\/y/],
    ['ENOENT', /\/x\/y does not exist: check the path/],
  ];
  for (const [code, message] of cases) {
    const raw = errno(code);
    const out = describeFsError(raw, '/x/y') as Error & { code: string; path: string };
    assert.match(out.message, message);
    assert.match(out.message, new RegExp(`\\(${code}\\)\\.$`));
    assert.equal(out.cause, raw);
    assert.equal(out.code, code);
    assert.equal(out.path, '/x/y');
    assert.ok(hasErrno(out, code));
    assert.equal(describeFsError(out, '/elsewhere'), out, 'describing twice changes nothing');
  }
  const own = describeFsError(errno('EACCES', '/errno/own'), '/given') as Error;
  assert.match(own.message, /\/errno\/own/, "the errno's own path wins");
  assert.match((describeFsError(errno('ENOENT')) as Error).message, /^the file does not exist/);
  const other = new Error('not a file-system error');
  assert.equal(describeFsError(other, '/x'), other);
  const unknownCode = errno('EWHATEVER');
  assert.equal(describeFsError(unknownCode, '/x'), unknownCode, 'an errno without advice passes through');
  assert.equal(hasErrno(undefined, 'EACCES'), false);
});

test('displayPath: relative inside the project, unchanged outside it (a sibling with the same prefix too)', () => {
  const root = projectRoot();
  assert.equal(displayPath(path.join(root, 'build', 'x.png')), path.join('build', 'x.png'));
  assert.equal(displayPath(root), root, 'the root itself stays absolute');
  const sibling = `${root}-other${path.sep}file`;
  assert.equal(displayPath(sibling), sibling);
  assert.equal(displayPath('/etc/hostname'), '/etc/hostname');
  const dotted = path.join(root, '..data', 'f');
  assert.equal(displayPath(dotted), path.join('..data', 'f'), "a folder named '..data' is inside");
});

test('commitTempFile: a failed rename names the destination, and the temporary file is removed', async () => {
  const dir = tempDir('core-commit-');
  const dest = path.join(dir, 'out.bin');
  // The rename's own error, described (not a raw errno, and not the clean-up's error instead of it).
  await assert.rejects(
    commitTempFile(path.join(dir, 'missing.part'), dest),
    /missing\.part does not exist: check the path \(ENOENT\)\.$/,
  );
  const tmp = path.join(dir, 'a.part');
  fs.writeFileSync(tmp, 'x');
  fs.mkdirSync(path.join(dir, 'taken', 'inner'), { recursive: true });
  await assert.rejects(commitTempFile(tmp, path.join(dir, 'taken')));
  assert.equal(fs.existsSync(tmp), false, 'the temporary file is gone');
  // A writer that fails after creating a folder under the temporary name: it is removed too.
  const folderDest = path.join(dir, 'folder-dest');
  await assert.rejects(
    writeAtomic(folderDest, async (t) => {
      fs.mkdirSync(path.join(t, 'sub'), { recursive: true });
      throw new Error('failed');
    }),
  );
  assert.deepEqual(
    fs.readdirSync(dir).filter((f) => f.startsWith('folder-dest')),
    [],
  );
});

test('progress text: bytes, bars and percentages', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(999), '999 B');
  assert.equal(formatBytes(1500), '1.5 kB');
  assert.equal(formatBytes(2_500_000), '2.5 MB');
  assert.equal(formatBytes(3.2e9), '3.2 GB');
  assert.equal(formatBytes(4e12), '4.0 TB');
  assert.equal(formatBytes(5e15), '5000.0 TB', 'TB is the largest unit');
  assert.equal(progressBar(0, 10), '[>         ]');
  assert.equal(progressBar(0.5, 10), '[=====>    ]');
  assert.equal(progressBar(1, 10), '[==========]');
  assert.equal(progressBar(2, 10), '[==========]', 'clamped above');
  assert.equal(progressBar(-1, 10), '[>         ]', 'clamped below');
  assert.equal(progressBar(0.5).length, 26, 'default width 24');
  const line = new ProgressLine({ label: 'down', total: 4_000_000, unit: 'bytes', quiet: true });
  assert.match(line.render(1_000_000), /^down \[======>\s+\]\s+25% 1\.0 MB\/4\.0 MB \d+\.\ds$/);
  const count = new ProgressLine({ label: 'train', total: 8, quiet: true });
  assert.match(count.render(2, 8, 'loss 0.5'), /^train \[======>\s+\] {2}25% 2\/8 \d+\.\ds - loss 0\.5$/);
  assert.match(count.render(9, 8), / 100% 9\/8 /, 'never above 100 %');
});

test('progress output: quiet prints nothing; outside a terminal lines are throttled and finished', () => {
  const written: string[] = [];
  const sink = { write: (s: string) => written.push(s), isTTY: false };
  const quiet = new ProgressLine({ label: 'q', total: 10, quiet: true, sink });
  quiet.update(5, { force: true });
  quiet.log('hidden');
  quiet.finish('done');
  assert.equal(written.length, 0);
  const p = new ProgressLine({ label: 'p', total: 100, quiet: false, sink });
  p.update(1);
  p.update(2); // same second, less than 10 % more: skipped
  p.update(15); // 10 % more than the last drawn: drawn
  p.update(16, { force: true });
  assert.equal(written.length, 3, written.join('|'));
  assert.ok(written.every((w) => w.startsWith('\rp [')));
  assert.match(written[1], / 15%/);
  p.log('a permanent line');
  assert.equal(written[3], '\ra permanent line        \n', 'the progress line is overwritten, then a newline');
  p.finish();
  assert.equal(written.length, 4, 'nothing open after log: finish adds nothing');
  p.update(20, { force: true });
  p.finish();
  assert.equal(written[written.length - 1], '\n', 'an open line ends with a newline');
  const tty: string[] = [];
  const t = new ProgressLine({ label: 't', total: 10, quiet: false, sink: { write: (s) => tty.push(s), isTTY: true } });
  t.update(3, { force: true });
  assert.ok(tty[0].startsWith('\rt ') && tty[0].endsWith('\x1b[K'), 'a terminal line is erased to its end');
  t.log('x');
  assert.equal(tty[1], '\rx\x1b[K\n');
});
