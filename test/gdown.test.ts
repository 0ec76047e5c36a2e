import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { GdownError, LESSON_DATASET_ID, filenameFromContentDisposition, gdown, parseDriveId } from '../lib/io/gdown';
import { HashMismatchError } from '../lib/io/download';
import { fakeId, startFakeDrive, type FakeDrive } from './helpers/fakeDrive';
import { tempDir } from './helpers/tempDir';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
let drive: FakeDrive;
let tmp: string;

before(async () => {
  const ids = ['direct', 'scan', 'oldlink', 'oldcookie', 'drop', 'flaky'];
  drive = await startFakeDrive(Object.fromEntries(ids.map((id, i) => [id, randomBytes(50_000 + i * 1000)])), {
    direct: 'small file.txt',
    scan: 'cats_and_dogs_small.zip',
    oldcookie: 'naïve ü.bin',
  });
  tmp = tempDir('gdown-test-');
});
after(() => drive.close());

test('parseDriveId accepts share links, uc/open links and bare ids', () => {
  const id = LESSON_DATASET_ID;
  for (const form of [
    id,
    ` ${id} `,
    `https://drive.google.com/file/d/${id}/view?usp=sharing`,
    `https://drive.google.com/file/d/${id}/edit`,
    `https://drive.google.com/file/d/${id}`,
    `https://drive.google.com/file/u/0/d/${id}/view`,
    `https://drive.google.com/uc?id=${id}`,
    `https://drive.google.com/uc?export=download&id=${id}`,
    `https://drive.google.com/open?id=${id}`,
    `https://drive.usercontent.google.com/download?id=${id}&export=download`,
  ]) {
    assert.equal(parseDriveId(form), id, form);
  }
  assert.throws(
    () => parseDriveId('https://example.com/file.zip'),
    /example\.com.*not a Google Drive file link or id/s,
  );
  assert.throws(() => parseDriveId('abc'), /'abc' is not a Google Drive/);
  assert.throws(() => parseDriveId('https://drive.google.com/drive/folders/1AbCdEfGhIjKlMnOp'), /folder/);
});

test('Content-Disposition names: filename* wins, quotes and paths handled', () => {
  assert.equal(
    filenameFromContentDisposition(`attachment; filename="a_b.zip"; filename*=UTF-8''a%20%C3%BC.zip`),
    'a ü.zip',
  );
  assert.equal(filenameFromContentDisposition('attachment; filename="cats.zip"'), 'cats.zip');
  assert.equal(filenameFromContentDisposition('attachment; filename=plain.bin'), 'plain.bin');
  assert.equal(filenameFromContentDisposition('attachment; filename="../../etc/passwd"'), 'passwd');
  assert.equal(filenameFromContentDisposition('attachment; filename=".."'), undefined);
  assert.equal(filenameFromContentDisposition('inline'), undefined);
  assert.equal(filenameFromContentDisposition(null), undefined);
});

test('direct download to a folder takes the Content-Disposition name', async () => {
  const dir = path.join(tmp, 'direct') + path.sep;
  const p = await gdown(fakeId('direct'), { output: dir, baseUrl: drive.base, quiet: true });
  assert.equal(p, path.join(dir, 'small file.txt'));
  assert.deepEqual(fs.readFileSync(p), drive.files.direct);
  const p2 = await gdown(`https://drive.google.com/uc?id=${fakeId('oldcookie')}`, {
    output: dir,
    baseUrl: drive.base,
    quiet: true,
  });
  assert.equal(path.basename(p2), 'naïve ü.bin');
});

test('virus-scan confirm form is submitted as given (GDRIVE_BASE_URL)', async () => {
  const out = path.join(tmp, 'scan', 'data.zip');
  process.env.GDRIVE_BASE_URL = drive.base;
  try {
    const before = drive.requests.length;
    const p = await gdown(`https://drive.google.com/file/d/${fakeId('scan')}/view`, {
      output: out,
      quiet: true,
      hash: sha(drive.files.scan),
    });
    assert.equal(p, out);
    assert.deepEqual(fs.readFileSync(out), drive.files.scan);
    const urls = drive.requests.slice(before).map((r) => r.url);
    assert.equal(urls.length, 3, urls.join(' '));
    assert.match(urls[2], /\/usercontent\/download\?.*confirm=t/);
    assert.match(urls[2], /uuid=u-123/);
  } finally {
    delete process.env.GDRIVE_BASE_URL;
  }
});

test('old confirm flows: token link and download_warning cookie', async () => {
  for (const id of ['oldlink', 'oldcookie']) {
    const out = path.join(tmp, `${id}.bin`);
    await gdown(fakeId(id), { output: out, baseUrl: drive.base, quiet: true });
    assert.deepEqual(fs.readFileSync(out), drive.files[id], id);
  }
});

test('cache: an existing output is used without any request', async () => {
  const out = path.join(tmp, 'cached.bin');
  fs.writeFileSync(out, drive.files.direct);
  const before = drive.requests.length;
  assert.equal(
    await gdown(fakeId('direct'), {
      output: out,
      baseUrl: 'http://127.0.0.1:9',
      quiet: true,
      hash: sha(drive.files.direct),
    }),
    out,
  );
  assert.equal(drive.requests.length, before);
});

test('dropped connection mid-body resumes with Range', async () => {
  const out = path.join(tmp, 'drop.bin');
  const before = drive.requests.length;
  await gdown(fakeId('drop'), { output: out, baseUrl: drive.base, quiet: true, hash: sha(drive.files.drop) });
  assert.deepEqual(fs.readFileSync(out), drive.files.drop);
  const reqs = drive.requests.slice(before);
  assert.equal(reqs.length, 2);
  assert.match(String(reqs[1].headers.range), /^bytes=\d+-$/);
});

test('wrong checksum: error, nothing under the final name', async () => {
  const out = path.join(tmp, 'wrong.bin');
  await assert.rejects(
    gdown(fakeId('direct'), { output: out, baseUrl: drive.base, quiet: true, hash: 'f'.repeat(32) }),
    HashMismatchError,
  );
  assert.ok(!fs.existsSync(out));
  assert.ok(!fs.existsSync(`${out}.part`));
});

test('Drive error pages become clear errors naming the id', async () => {
  const out = path.join(tmp, 'err', 'x.zip');
  const cases: [string, string, RegExp][] = [
    [fakeId('quota'), 'quota', /Too many users.*try again later.*place it at .*x\.zip/is],
    [fakeId('private'), 'no-access', /Anyone with the link/],
    ['missingid123', 'not-found', /no file with id missingid123.*Check the id/s],
  ];
  for (const [id, reason, re] of cases) {
    await assert.rejects(gdown(id, { output: out, baseUrl: drive.base, quiet: true }), (err: unknown) => {
      assert.ok(err instanceof GdownError, String(err));
      assert.equal(err.reason, reason);
      assert.ok(err.message.includes(id), err.message);
      assert.match(err.message, re);
      return true;
    });
  }
  assert.ok(!fs.existsSync(path.dirname(out)) || fs.readdirSync(path.dirname(out)).length === 0);
});

test('CLI: writes the file, exits non-zero with the message on error', async () => {
  const run = promisify(execFile);
  const cli = path.join(__dirname, '..', 'scripts', 'gdown.ts');
  const tsx = path.join(__dirname, '..', 'node_modules', '.bin', 'tsx');
  const out = path.join(tmp, 'cli.bin');
  const env = { ...process.env, GDRIVE_BASE_URL: drive.base };
  await run(tsx, [cli, fakeId('direct'), '-O', out, '--sha256', sha(drive.files.direct), '--quiet'], { env });
  assert.deepEqual(fs.readFileSync(out), drive.files.direct);
  await assert.rejects(
    run(tsx, [cli, fakeId('quota'), '-O', path.join(tmp, 'q.bin')], { env }),
    (err: { code?: number; stderr?: string }) => {
      assert.notEqual(err.code, 0);
      assert.match(String(err.stderr), /too many users.*FAKE_quota_id/i);
      return true;
    },
  );
});

test('issue 10 #1: a retry that gets an HTML page from Drive fails; the page is never saved as the file', async () => {
  const out = path.join(tmp, 'flaky', 'data.zip');
  await assert.rejects(
    gdown(fakeId('flaky'), { output: out, baseUrl: drive.base, quiet: true, retries: 1 }),
    (err: Error) => {
      assert.match(err.message, /text\/html/);
      assert.match(err.message, /try again later/i);
      return true;
    },
  );
  assert.ok(!fs.existsSync(out));
});

test("issue 10 #7: an empty output (-O '') is refused before any request", async () => {
  const before = drive.requests.length;
  await assert.rejects(gdown(fakeId('direct'), { output: '', baseUrl: drive.base, quiet: true }), /output.*empty/i);
  assert.equal(drive.requests.length, before);
  const run = promisify(execFile);
  const cli = path.join(__dirname, '..', 'scripts', 'gdown.ts');
  const tsx = path.join(__dirname, '..', 'node_modules', '.bin', 'tsx');
  const cwd = tempDir('cli-empty-', tmp);
  await assert.rejects(
    run(tsx, [cli, fakeId('direct'), '-O', ''], { cwd, env: { ...process.env, GDRIVE_BASE_URL: drive.base } }),
    (err: { code?: number; stderr?: string }) => {
      assert.notEqual(err.code, 0);
      assert.match(String(err.stderr), /-O.*empty/i);
      return true;
    },
  );
  assert.equal(drive.requests.length, before);
  assert.deepEqual(fs.readdirSync(cwd), []);
});

test('issue 10 #10: HTTP 500 and 429 from Drive give the status and say to try again later', async () => {
  for (const [id, status] of [
    ['error500', 500],
    ['error429', 429],
  ] as const) {
    await assert.rejects(
      gdown(fakeId(id), { output: path.join(tmp, 'e.bin'), baseUrl: drive.base, quiet: true }),
      (err: unknown) => {
        assert.ok(err instanceof GdownError, String(err));
        assert.equal(err.reason, 'unavailable');
        assert.match(err.message, new RegExp(`HTTP ${status}`));
        assert.match(err.message, /try again later/i);
        assert.doesNotMatch(err.message, /Anyone with the link/);
        return true;
      },
    );
  }
});
