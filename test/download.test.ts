import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DownloadError, HashMismatchError, fileHash, getFile, hashAlgorithm } from '../lib/io/download';
import { ProgressLine } from '../lib/core/progress';
import { serveBytes, startServer, type Handler, type TestServer } from './helpers/server';
import { asOrdinaryUser } from './helpers/ordinaryUser';
import { tempDir } from './helpers/tempDir';

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
  tmp = tempDir('download-test-');
});
after(() => server.close());

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

test('download progress for notebooks: \\r-prefixed lines, about every 10 %, and a final newline', () => {
  let out = '';
  const p = new ProgressLine({
    label: 'myfile',
    unit: 'bytes',
    total: 1_000_000,
    quiet: false,
    sink: { write: (s) => (out += s), isTTY: false },
  });
  const total = 1_000_000;
  for (let done = 0; done <= total; done += 10_000) p.update(done);
  p.update(total, { force: true });
  p.finish();
  assert.ok(out.startsWith('\rmyfile '), JSON.stringify(out.slice(0, 40)));
  assert.ok(out.endsWith('\n'));
  assert.match(out, /100% 1\.0 MB\/1\.0 MB [\d.]+s\n$/);
  const updates = out.split('\r').length - 1;
  assert.ok(updates >= 10 && updates <= 13, `updates: ${updates}`);
  let tty = '';
  const bar = new ProgressLine({
    label: 'x',
    unit: 'bytes',
    quiet: false,
    sink: { write: (s) => (tty += s), isTTY: true },
  });
  bar.update(50, { total: 100, force: true });
  assert.match(tty, /^\rx \[=+>? *\] {2}50%/);
  let quiet = '';
  const q = new ProgressLine({ label: 'q', quiet: true, sink: { write: (s) => (quiet += s) } });
  q.update(1, { total: 2, force: true });
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
    await assert.rejects(
      getFile(`${stalling.base}/silent.bin`, { dest: silent, quiet: true, retries: 1 }),
      (e: Error) => {
        assert.ok(e instanceof DownloadError);
        assert.match(e.message, /no response or data for 0\.3 s/);
        assert.match(e.message, /place it at /);
        return true;
      },
    );
    assert.ok(!fs.existsSync(silent) && !fs.existsSync(`${silent}.part`), 'nothing left behind');
  } finally {
    if (saved === undefined) delete process.env.DOWNLOAD_IDLE_TIMEOUT_S;
    else process.env.DOWNLOAD_IDLE_TIMEOUT_S = saved;
    await stalling.close();
  }
});

/** A route whose first answer is the file cut after 100 kB; every later answer is `then`. */
function dropThen(then: Handler): Handler {
  const first = serveBytes(data, { dropAfter: 100_000 });
  let calls = 0;
  return (req, res, url) => (calls++ === 0 ? first(req, res, url) : then(req, res, url));
}

const page = Buffer.from('<!DOCTYPE html><html><body><p>Sorry, please try again later.</p></body></html>');

test('issue 10 #1: a retry answered by a web page, another size or a wrong Content-Range is refused, never saved', async () => {
  const srv = await startServer({
    '/html.bin': dropThen((_q, res) => {
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.setHeader('Content-Length', String(page.length));
      res.end(page);
    }),
    '/html-nolength.bin': dropThen((_q, res) => {
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.write(page);
      res.end();
    }),
    '/other-range.bin': dropThen((_q, res) => {
      res.statusCode = 206;
      res.setHeader('Content-Range', 'bytes 100000-199999/200000');
      res.setHeader('Content-Length', '100000');
      res.end(randomBytes(100_000));
    }),
    '/other-size.bin': dropThen((_q, res) => {
      res.setHeader('Content-Length', '250000');
      res.end(randomBytes(250_000));
    }),
  });
  try {
    const cases: [string, RegExp][] = [
      ['html.bin', /text\/html/],
      ['html-nolength.bin', /text\/html/],
      ['other-range.bin', /Content-Range bytes 100000-199999\/200000.*300000/],
      ['other-size.bin', /250000 bytes.*300000/],
    ];
    for (const [name, re] of cases) {
      const dest = path.join(tmp, 'refused', name);
      await assert.rejects(getFile(`${srv.base}/${name}`, { dest, quiet: true, retries: 1 }), (err: unknown) => {
        assert.ok(err instanceof DownloadError, String(err));
        assert.match(err.message, re, name);
        return true;
      });
      assert.ok(!fs.existsSync(dest), `${name}: nothing under the final name`);
    }
  } finally {
    await srv.close();
  }
});

test(
  'issue 10 #2: validate runs on the download before the rename; a cached file that fails it is moved aside ' +
    'and fetched again',
  async () => {
    const good = Buffer.concat([Buffer.from('GOOD'), data]);
    const srv = await startServer({
      '/page.w': (_q, res) => {
        res.setHeader('Content-Type', 'text/html');
        res.end(page);
      },
      '/good.w': serveBytes(good),
    });
    const validate = (f: string) => {
      if (fs.readFileSync(f).subarray(0, 4).toString('latin1') !== 'GOOD')
        throw new Error('it does not start with GOOD');
    };
    const warn = console.warn;
    const warnings: string[] = [];
    console.warn = (...a: unknown[]) => void warnings.push(a.join(' '));
    try {
      const dest = path.join(tmp, 'validated', 'w.bin');
      await assert.rejects(getFile(`${srv.base}/page.w`, { dest, quiet: true, validate }), (err: Error) => {
        assert.match(err.message, /does not start with GOOD/);
        assert.ok(
          err.message.includes(path.resolve(dest)) && err.message.includes(`${path.resolve(dest)}.bad`),
          err.message,
        );
        return true;
      });
      assert.ok(!fs.existsSync(dest) && !fs.existsSync(`${dest}.part`));
      assert.deepEqual(fs.readFileSync(`${dest}.bad`), page);
      // A poisoned cache (written by an older version, or by hand) is moved aside and downloaded again.
      fs.writeFileSync(dest, 'junk');
      assert.equal(await getFile(`${srv.base}/good.w`, { dest, quiet: true, validate }), dest);
      assert.deepEqual(fs.readFileSync(dest), good);
      assert.equal(fs.readFileSync(`${dest}.bad`, 'utf8'), 'junk');
      assert.ok(
        warnings.some((w) => w.includes(dest) && w.includes('.bad') && /does not start with GOOD/.test(w)),
        warnings.join('\n'),
      );
      // A cached file that passes is used without a request.
      const n = srv.requests.length;
      await getFile(`${srv.base}/good.w`, { dest, quiet: true, validate });
      assert.equal(srv.requests.length, n);
    } finally {
      console.warn = warn;
      await srv.close();
    }
  },
);

test('issue 10 #7: a final rename that fails leaves no .part behind; an empty destination is refused', async () => {
  const dest = path.join(tmp, 'is-a-folder');
  fs.mkdirSync(path.join(dest, 'inside'), { recursive: true });
  await assert.rejects(getFile(`${server.base}/file.bin`, { dest, quiet: true }), (err: Error) =>
    err.message.includes(dest),
  );
  assert.deepEqual(
    fs.readdirSync(tmp).filter((n) => n.startsWith('is-a-folder')),
    ['is-a-folder'],
  );
  const before = server.requests.length;
  await assert.rejects(getFile(`${server.base}/file.bin`, { dest: '', quiet: true }), /dest/);
  assert.equal(server.requests.length, before);
});

test('issue 10 #8: an interrupted download is resumed by the next run (Range + If-Range); a changed file starts over', async () => {
  const saved = process.env.DOWNLOAD_IDLE_TIMEOUT_S;
  process.env.DOWNLOAD_IDLE_TIMEOUT_S = '0.3';
  const file = { data, etag: '"v1"', stall: true };
  const srv = await startServer({
    '/v.bin': (req, res) => {
      res.setHeader('ETag', file.etag);
      const m = /^bytes=(\d+)-$/.exec(String(req.headers.range ?? ''));
      const ifRange = req.headers['if-range'];
      const start = m && (ifRange === undefined || ifRange === file.etag) ? Number(m[1]) : 0;
      if (start > 0) {
        res.statusCode = 206;
        res.setHeader('Content-Range', `bytes ${start}-${file.data.length - 1}/${file.data.length}`);
      }
      res.setHeader('Content-Length', String(file.data.length - start));
      if (file.stall) {
        file.stall = false;
        res.write(file.data.subarray(start, start + 100_000)); // then silence: the run gives up (like a Ctrl-C)
        return;
      }
      res.end(file.data.subarray(start));
    },
  });
  try {
    const dest = path.join(tmp, 'resume', 'v.bin');
    await assert.rejects(getFile(`${srv.base}/v.bin`, { dest, quiet: true, retries: 0 }), /run again/);
    const kept = fs.statSync(`${dest}.part`).size;
    assert.ok(kept > 0 && kept <= 100_000, `kept ${kept}`);
    await getFile(`${srv.base}/v.bin`, { dest, quiet: true, hash: sha256 });
    assert.deepEqual(fs.readFileSync(dest), data);
    const last = srv.requests[srv.requests.length - 1];
    assert.equal(last.headers.range, `bytes=${kept}-`);
    assert.equal(last.headers['if-range'], '"v1"');
    assert.deepEqual(fs.readdirSync(path.dirname(dest)), ['v.bin'], 'no .part or sidecar left');

    // The file changes on the server between the runs: If-Range gets the whole new file, which replaces the part.
    const dest2 = path.join(tmp, 'resume', 'v2.bin');
    file.stall = true;
    await assert.rejects(getFile(`${srv.base}/v.bin`, { dest: dest2, quiet: true, retries: 0 }));
    Object.assign(file, { data: randomBytes(200_000), etag: '"v2"' });
    await getFile(`${srv.base}/v.bin`, { dest: dest2, quiet: true });
    assert.deepEqual(fs.readFileSync(dest2), file.data);
    assert.deepEqual(fs.readdirSync(path.dirname(dest)).sort(), ['v.bin', 'v2.bin']);
  } finally {
    if (saved === undefined) delete process.env.DOWNLOAD_IDLE_TIMEOUT_S;
    else process.env.DOWNLOAD_IDLE_TIMEOUT_S = saved;
    await srv.close();
  }
});

test(
  'issue 10 #8: a part whose file changed size on the server (no ETag), or that the server cannot continue ' +
    '(416), is dropped and the download starts over',
  async () => {
    const small = data.subarray(0, 50);
    const srv = await startServer({
      '/grew.bin': serveBytes(data),
      '/shrank.bin': (req, res) => {
        if (req.headers.range) {
          res.statusCode = 416;
          res.setHeader('Content-Range', `bytes */${small.length}`);
          return res.end();
        }
        res.setHeader('Content-Length', String(small.length));
        res.end(small);
      },
    });
    try {
      for (const [name, want] of [
        ['grew.bin', data],
        ['shrank.bin', small],
      ] as const) {
        const dest = path.join(tmp, 'stale', name);
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        fs.writeFileSync(`${dest}.part`, randomBytes(100));
        fs.writeFileSync(`${dest}.part.json`, JSON.stringify({ key: `${srv.base}/${name}`, size: 400_000 }));
        await getFile(`${srv.base}/${name}`, { dest, quiet: true, retryDelayMs: 1 });
        assert.deepEqual(fs.readFileSync(dest), want, name);
        assert.deepEqual(
          fs.readdirSync(path.dirname(dest)).filter((n) => n.startsWith(name)),
          [name],
        );
      }
    } finally {
      await srv.close();
    }
  },
);

test('issue 10 #9: permission denied names the folder and says what to do', async () => {
  const ro = path.join(tmp, 'readonly');
  fs.mkdirSync(ro);
  fs.chmodSync(tmp, 0o755);
  fs.chmodSync(ro, 0o555);
  const dest = path.join(ro, 'sub', 'f.bin');
  await asOrdinaryUser(() =>
    assert.rejects(getFile(`${server.base}/file.bin`, { dest, quiet: true }), (err: Error) => {
      assert.match(err.message, /permission denied/i);
      assert.ok(err.message.includes(ro), err.message);
      assert.match(err.message, /make the folder writable/);
      return true;
    }),
  );
});
