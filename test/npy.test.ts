import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { decodeNpy, encodeNpy, loadNpy, npyHeader, parseNpyHeader, saveNpy } from '../lib/io/npy';
import { tempDir } from './helpers/tempDir';

before(async () => {
  await tf.setBackend('cpu');
});

const tmp = () => tempDir('npy-');
const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');

/** numpy's header by its spec: dict + (21 - digits of shape[0]) spaces, padded with spaces + '\n' to 64. */
function expectedHeader(dict: string, first: number | undefined): string {
  const h = dict + (first === undefined ? '' : ' '.repeat(21 - String(first).length));
  const pad = 64 - ((10 + h.length + 1) % 64);
  return h + ' '.repeat(pad) + '\n';
}

test('the header is byte-for-byte what numpy writes (version 1.0, padded to 64)', () => {
  const h = npyHeader('float32', [2, 3]);
  const text = expectedHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 2);
  assert.equal(h.length, 10 + text.length);
  assert.equal(h.length % 64, 0);
  assert.deepEqual(Array.from(h.subarray(0, 8)), [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  assert.equal(h[8] + 256 * h[9], text.length);
  assert.equal(latin1(h.subarray(10)), text);
  assert.equal(
    latin1(npyHeader('int32', [5]).subarray(10)),
    expectedHeader("{'descr': '<i4', 'fortran_order': False, 'shape': (5,), }", 5),
  );
  assert.equal(
    latin1(npyHeader('uint8', []).subarray(10)),
    expectedHeader("{'descr': '|u1', 'fortran_order': False, 'shape': (), }", undefined),
  );
  assert.equal(
    latin1(npyHeader('bool', [1000, 2, 3]).subarray(10)),
    expectedHeader("{'descr': '|b1', 'fortran_order': False, 'shape': (1000, 2, 3), }", 1000),
  );
});

test('saveNpy then loadNpy round-trips float32, int32 and bool tensors; the data follows the header', async () => {
  const dir = tmp();
  const cases = [
    tf.tensor([
      [1.5, -2, 3e-8],
      [4, 5, 6],
    ]),
    tf.tensor([1, -2, 2147483647], [3], 'int32'),
    tf.tensor([true, false, true, true], [2, 2], 'bool'),
    tf.scalar(3.25),
  ];
  for (const [i, t] of cases.entries()) {
    const f = path.join(dir, `a${i}.npy`);
    await saveNpy(f, t);
    const bytes = fs.readFileSync(f);
    const h = parseNpyHeader(bytes);
    assert.equal(h.dataOffset % 64, 0);
    assert.equal(bytes.length - h.dataOffset, t.size * (t.dtype === 'bool' ? 1 : 4));
    const back = loadNpy(f);
    assert.equal(back.dtype, t.dtype);
    assert.deepEqual(back.shape, t.shape);
    assert.deepEqual(Array.from(back.dataSync()), Array.from(t.dataSync()));
    tf.dispose([back, t]);
  }
  assert.deepEqual(
    fs.readdirSync(dir).filter((f) => f.includes('tmp')),
    [],
  );
});

test('raw arrays: uint8 and float64 are written with their numpy dtype', async () => {
  const dir = tmp();
  await saveNpy(path.join(dir, 'u8.npy'), { data: [0, 255, 7], shape: [3], dtype: 'uint8' });
  await saveNpy(path.join(dir, 'f8.npy'), { data: [0.1, 0.2], shape: [1, 2], dtype: 'float64' });
  const u8 = fs.readFileSync(path.join(dir, 'u8.npy'));
  assert.match(latin1(u8), /'descr': '\|u1'/);
  const u8off = parseNpyHeader(u8).dataOffset;
  assert.deepEqual(Array.from(u8.subarray(u8off)), [0, 255, 7]);
  const f8 = fs.readFileSync(path.join(dir, 'f8.npy'));
  assert.equal(new DataView(f8.buffer, f8.byteOffset).getFloat64(parseNpyHeader(f8).dataOffset, true), 0.1);
  const t = loadNpy(path.join(dir, 'f8.npy'));
  assert.equal(t.dtype, 'float32');
  assert.ok(Math.abs(t.dataSync()[1] - 0.2) < 1e-7);
  assert.throws(() => encodeNpy({ data: [1, 2], shape: [3], dtype: 'int32' }), /holds 3 values but data has 2/);
  t.dispose();
});

/** Builds .npy bytes by hand from the format description (not with npyHeader). */
function handMade(version: 1 | 2, dict: string, data: Uint8Array): Uint8Array {
  const pre = version === 1 ? 10 : 12;
  let body = dict;
  while ((pre + body.length + 1) % 16 !== 0) body += ' ';
  body += '\n';
  const out = new Uint8Array(pre + body.length + data.length);
  out.set([0x93, 78, 85, 77, 80, 89, version, 0]);
  if (version === 1) {
    out[8] = body.length & 255;
    out[9] = body.length >> 8;
  } else {
    out[8] = body.length & 255;
    out[9] = (body.length >> 8) & 255;
  }
  for (let i = 0; i < body.length; i++) out[pre + i] = body.charCodeAt(i);
  out.set(data, pre + body.length);
  return out;
}

test('reads hand-built files: v2.0 header, int64, fortran order, 16-byte alignment', () => {
  const i64 = new Uint8Array(new BigInt64Array([5n, -3n, 7n]).buffer);
  const a = decodeNpy(handMade(2, "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", i64));
  assert.equal(a.dtype, 'int32');
  assert.deepEqual(Array.from(a.dataSync()), [5, -3, 7]);
  // Fortran order: [[1, 2, 3], [4, 5, 6]] is stored column by column: 1 4 2 5 3 6
  const f = new Uint8Array(new Float32Array([1, 4, 2, 5, 3, 6]).buffer);
  const b = decodeNpy(handMade(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", f));
  assert.deepEqual(b.shape, [2, 3]);
  assert.deepEqual(Array.from(b.dataSync()), [1, 2, 3, 4, 5, 6]);
  const c = decodeNpy(
    handMade(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), }", new Uint8Array([1, 2, 3, 250])),
  );
  assert.deepEqual(Array.from(c.dataSync()), [1, 2, 3, 250]);
  tf.dispose([a, b, c]);
});

test('clear errors for non-npy, truncated and big-endian data, and missing files', () => {
  assert.throws(
    () => decodeNpy(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), 'x.npy'),
    /x\.npy is not a NumPy \.npy file/,
  );
  const full = handMade(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", new Uint8Array(8));
  assert.throws(() => decodeNpy(full, 'short.npy'), /short\.npy is truncated/);
  assert.throws(
    () => decodeNpy(handMade(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4))),
    /big-endian/,
  );
  assert.throws(() => loadNpy('/nonexistent/x.npy'), /does not exist/);
});

test('issue 10 #3: uint32 values above 2^31 - 1 are refused, not wrapped to negative numbers', () => {
  const dict = "{'descr': '<u4', 'fortran_order': False, 'shape': (3,), }";
  const ok = decodeNpy(handMade(1, dict, new Uint8Array(new Uint32Array([0, 7, 2147483647]).buffer)), 'ok.npy');
  assert.equal(ok.dtype, 'int32');
  assert.deepEqual(Array.from(ok.dataSync()), [0, 7, 2147483647]);
  ok.dispose();
  assert.throws(
    () => decodeNpy(handMade(1, dict, new Uint8Array(new Uint32Array([1, 3000000000, 2]).buffer)), 'big.npy'),
    (err: Error) => {
      assert.match(err.message, /big\.npy/);
      assert.match(err.message, /uint32 value 3000000000 does not fit in int32/);
      return true;
    },
  );
});

const numpy = (() => {
  const r = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
  return r.status === 0 ? spawnSync : undefined;
})();

test(
  'numpy reads what saveNpy writes and writes what loadNpy reads (skipped without python3 + numpy)',
  { skip: !numpy && 'python3 with numpy not available' },
  async () => {
    const dir = tmp();
    await saveNpy(
      path.join(dir, 'a.npy'),
      tf.tensor([
        [1.5, -2],
        [3, 4],
        [5, 6],
      ]),
    );
    await saveNpy(path.join(dir, 'b.npy'), tf.tensor([true, false], [2], 'bool'));
    const script = [
      'import numpy as np, sys, io, json',
      'd = sys.argv[1]',
      'a = np.load(d + "/a.npy"); b = np.load(d + "/b.npy")',
      'buf = io.BytesIO(); np.save(buf, np.zeros((3, 2), np.float32))',
      'same = buf.getvalue()[:128] == open(d + "/a.npy", "rb").read()[:128]',
      'np.save(d + "/c.npy", np.asfortranarray(np.arange(6, dtype=np.int64).reshape(2, 3)))',
      'print(json.dumps([str(a.dtype), list(a.shape), a.tolist(), str(b.dtype), b.tolist(), same]))',
    ].join('\n');
    const r = numpy!('python3', ['-c', script, dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [
      'float32',
      [3, 2],
      [
        [1.5, -2],
        [3, 4],
        [5, 6],
      ],
      'bool',
      [true, false],
      true,
    ]);
    const c = loadNpy(path.join(dir, 'c.npy'));
    assert.deepEqual(c.shape, [2, 3]);
    assert.deepEqual(Array.from(c.dataSync()), [0, 1, 2, 3, 4, 5]);
    c.dispose();
  },
);
