import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DownloadError, HashMismatchError, Progress, fileHash, getFile, hashAlgorithm } from '../lib/io/download';
import { serveBytes, startServer, type TestServer } from './helpers/server';

const data = randomBytes(300_000);
const md5 = createHash('md5').update(data).digest('hex');
const sha256 = createHash('sha256').update(data).digest('hex');
let server: TestServer;
let tmp: string;

before(async () => {
  server = await startServer({
    '/file.bin': serveBytes(data),
    '/drop.bin': serveBytes(data, { dropAfter: 100_000 }),
    '/drop-norange.bin': serveBytes(data, { dropAfter: 50_000, ignoreRange: true }),
    '/error.bin': (_q, res) => {
      res.statusCode = 500;
      res.end('boom');
    },
  });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'download-test-'));
});
after(async () => {
  await server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('fileHash and hashAlgorithm agree with node:crypto', async () => {
  const p = path.join(tmp, 'h.bin');
  fs.writeFileSync(p, data);
  assert.equal(await fileHash(p, 'md5'), md5);
  assert.equal(await fileHash(p, 'sha256'), sha256);
  assert.equal(hashAlgorithm(md5), 'md5');
  assert.equal(hashAlgorithm(sha256.toUpperCase()), 'sha256');
  assert.throws(() => hashAlgorithm('abc'), /not an md5/);
});

test('downloads into nested folders, verifies sha256 and md5, leaves no temp file', async () => {
  const dest = path.join(tmp, 'a', 'b', 'file.bin');
  assert.equal(await getFile(`${server.base}/file.bin`, { dest, hash: sha256, quiet: true }), dest);
  assert.deepEqual(fs.readFileSync(dest), data);
  assert.ok(!fs.existsSync(`${dest}.part`));
  const dest2 = path.join(tmp, 'md5.bin');
  await getFile(`${server.base}/file.bin`, { dest: dest2, hash: md5, quiet: true });
  assert.deepEqual(fs.readFileSync(dest2), data);
});

test('cache hit needs no server; a cached file with the wrong hash is downloaded again', async () => {
  const dest = path.join(tmp, 'cached.bin');
  fs.writeFileSync(dest, data);
  const n = server.requests.length;
  // Port 9 on loopback (discard) refuses connections: a network use would throw.
  assert.equal(await getFile('http://127.0.0.1:9/never.bin', { dest, quiet: true }), dest);
  assert.equal(await getFile('http://127.0.0.1:9/never.bin', { dest, hash: sha256, quiet: true }), dest);
  fs.writeFileSync(dest, 'stale');
  await getFile(`${server.base}/file.bin`, { dest, hash: md5, quiet: true });
  assert.deepEqual(fs.readFileSync(dest), data);
  assert.equal(server.requests.length, n + 1);
  // cache: false always downloads
  await getFile(`${server.base}/file.bin`, { dest, cache: false, quiet: true });
  assert.equal(server.requests.length, n + 2);
});

test('a dropped connection is resumed with a Range request', async () => {
  const dest = path.join(tmp, 'resumed.bin');
  const before = server.requests.length;
  await getFile(`${server.base}/drop.bin`, { dest, hash: sha256, quiet: true });
  assert.deepEqual(fs.readFileSync(dest), data);
  const reqs = server.requests.slice(before);
  assert.equal(reqs.length, 2);
  assert.equal(reqs[0].headers.range, undefined);
  const m = /^bytes=(\d+)-$/.exec(String(reqs[1].headers.range));
  assert.ok(m, `second request should carry Range, got ${reqs[1].headers.range}`);
  assert.ok(Number(m[1]) >= 100_000 && Number(m[1]) < data.length);
});

test('a server that ignores Range makes the download restart from zero', async () => {
  const dest = path.join(tmp, 'restarted.bin');
  await getFile(`${server.base}/drop-norange.bin`, { dest, hash: sha256, quiet: true });
  assert.deepEqual(fs.readFileSync(dest), data);
});

test('wrong checksum: error names url, hashes and paths; nothing under the final name', async () => {
  const dest = path.join(tmp, 'bad', 'file.bin');
  const wrong = '0'.repeat(64);
  await assert.rejects(getFile(`${server.base}/file.bin`, { dest, hash: wrong, quiet: true }), (err: unknown) => {
    assert.ok(err instanceof HashMismatchError);
    assert.match(err.message, /file\.bin/);
    assert.ok(err.message.includes(wrong) && err.message.includes(sha256));
    assert.ok(err.message.includes(path.resolve(dest)));
    assert.equal(err.badPath, path.resolve(`${dest}.bad`));
    return true;
  });
  assert.ok(!fs.existsSync(dest));
  assert.ok(!fs.existsSync(`${dest}.part`));
  assert.deepEqual(fs.readFileSync(`${dest}.bad`), data);
});

test('unreachable URL and HTTP errors throw DownloadError naming url and dest', async () => {
  const dest = path.join(tmp, 'none', 'x.bin');
  await assert.rejects(getFile('http://127.0.0.1:9/x.bin', { dest, quiet: true, retries: 1 }), (err: unknown) => {
    assert.ok(err instanceof DownloadError);
    assert.equal(err.url, 'http://127.0.0.1:9/x.bin');
    assert.ok(err.message.includes('http://127.0.0.1:9/x.bin') && err.message.includes(path.resolve(dest)));
    return true;
  });
  const before = server.requests.length;
  await assert.rejects(getFile(`${server.base}/missing.bin`, { dest, quiet: true }), (err: unknown) => {
    assert.ok(err instanceof DownloadError);
    assert.equal(err.status, 404);
    return true;
  });
  assert.equal(server.requests.length, before + 1, '404 is not retried');
  await assert.rejects(getFile(`${server.base}/error.bin`, { dest, quiet: true, retries: 2 }), (err: unknown) => {
    assert.ok(err instanceof DownloadError);
    assert.equal(err.status, 500);
    return true;
  });
  assert.equal(server.requests.length, before + 4, '500 is retried');
  assert.ok(!fs.existsSync(dest) && !fs.existsSync(`${dest}.part`));
  await assert.rejects(getFile('not a url', { dest, quiet: true }), /not a valid URL/);
});

test('progress for notebooks: \\r-prefixed lines, about every 10 %, and a final newline', () => {
  let out = '';
  const p = new Progress('myfile', false, { tty: false, write: (s) => (out += s) });
  const total = 1_000_000;
  for (let done = 0; done <= total; done += 10_000) p.update(done, total);
  p.update(total, total, true);
  p.finish();
  assert.ok(out.startsWith('\rmyfile: '), JSON.stringify(out.slice(0, 40)));
  assert.ok(out.endsWith('\n'));
  assert.match(out, /100% 1\.0 MB \/ 1\.0 MB\n$/);
  const updates = out.split('\r').length - 1;
  assert.ok(updates >= 10 && updates <= 13, `updates: ${updates}`);
  let tty = '';
  const bar = new Progress('x', false, { tty: true, write: (s) => (tty += s) });
  bar.update(50, 100, true);
  assert.match(tty, /^\rx \[=+>? *\]  50%/);
  let quiet = '';
  const q = new Progress('q', true, { write: (s) => (quiet += s) });
  q.update(1, 2, true);
  q.finish();
  assert.equal(quiet, '');
});

test('a stalled connection is abandoned after the idle timeout and resumed; a silent server is a clear error', async () => {
  const saved = process.env.DOWNLOAD_IDLE_TIMEOUT_S;
  process.env.DOWNLOAD_IDLE_TIMEOUT_S = '0.3';
  let stalls = 1;
  const stalling = await startServer({
    // The first response sends a third of the body and then goes quiet without closing the connection.
    '/stall.bin': (req, res) => {
      const m = /^bytes=(\d+)-$/.exec(String(req.headers.range ?? ''));
      const start = m ? Number(m[1]) : 0;
      if (m) {
        res.statusCode = 206;
        res.setHeader('Content-Range', `bytes ${start}-${data.length - 1}/${data.length}`);
      }
      res.setHeader('Content-Length', String(data.length - start));
      if (stalls-- > 0) {
        res.write(data.subarray(start, start + 40_000));
        return;
      }
      res.end(data.subarray(start));
    },
    '/silent.bin': () => undefined,
  });
  try {
    const dest = path.join(tmp, 'stalled.bin');
    await getFile(`${stalling.base}/stall.bin`, { dest, hash: sha256, quiet: true });
    assert.deepEqual(fs.readFileSync(dest), data);
    const ranges = stalling.requests.filter((r) => r.url === '/stall.bin').map((r) => r.headers.range);
    assert.deepEqual(ranges, [undefined, 'bytes=40000-'], 'resumed where the stalled response stopped');

    const silent = path.join(tmp, 'silent.bin');
    await assert.rejects(getFile(`${stalling.base}/silent.bin`, { dest: silent, quiet: true, retries: 1 }), (e: Error) => {
      assert.ok(e instanceof DownloadError);
      assert.match(e.message, /no response or data for 0\.3 s/);
      assert.match(e.message, /place it at /);
      return true;
    });
    assert.ok(!fs.existsSync(silent) && !fs.existsSync(`${silent}.part`), 'nothing left behind');
  } finally {
    if (saved === undefined) delete process.env.DOWNLOAD_IDLE_TIMEOUT_S;
    else process.env.DOWNLOAD_IDLE_TIMEOUT_S = saved;
    await stalling.close();
  }
});
