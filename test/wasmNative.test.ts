/**
 * The project's WebAssembly kernels (lib/backend/wasm/native/, nativeModule.ts, pool.ts): the committed binaries
 * are safe to run on tfjs's memory and rebuild to the same bytes, the relaxed-SIMD and plain builds agree, results
 * do not depend on the threads, and the kernels that replace wasm's (BatchMatMul, Sum, MaxPoolGrad) equal cpu on
 * shapes that exercise their blocking.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { heapAddress, heapOutput, heapView } from '../lib/core/internals';
import { initBackend } from '../lib/backend/select';
import { nativeDir, NATIVE_BINARIES, wasmLayoutProblems } from '../lib/backend/wasm/nativeFiles';
import { broadcastMode } from '../lib/backend/wasm/kernels/elementwise';
import * as native from '../lib/backend/wasm/nativeCalls';
import { loadNativeKernels, nativeKernels } from '../lib/backend/wasm/nativeModule';
import { registerWasmKernels } from '../lib/backend/wasm/registry';
import { buildNative, CLANG } from '../scripts/build_wasm';
import { assertClose, rand, T } from './helpers/wasmCompare';
import { tempDir } from './helpers/tempDir';

/** C code `int k(int x, int y)` that passes a struct by address: compiled, it moves the stack pointer. */
const STACK_USER =
  '0061736d01000000010c0260027f7f017f60017f017f02120103656e76066d656d6f72790203008080040303020001040501700101010606017f0141000b070501016b00000a5d024701017f23808080800041106b220224808080800020022000360204200220013602082002200120006a36020c200241046a1081808080002100200241106a24808080800020000b1300200028020420002802006c20002802086a0b';

before(async () => {
  await initBackend({ force: 'wasm', quiet: true });
  registerWasmKernels();
});

describe('the committed kernels binaries', () => {
  it('import only the shared memory and have no data segments, start function or stack', () => {
    for (const f of NATIVE_BINARIES)
      assert.deepEqual(wasmLayoutProblems(fs.readFileSync(path.join(nativeDir(), f))), [], f);
    assert.match(wasmLayoutProblems(Buffer.from(STACK_USER, 'hex')).join(), /uses the stack/);
    const tfjsWasm = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.wasm');
    assert.match(wasmLayoutProblems(fs.readFileSync(tfjsWasm)).join(), /data segments/);
    assert.deepEqual(wasmLayoutProblems(Buffer.from('not wasm')), ['not a WebAssembly binary']);
  });
  const haveClang = spawnSync(CLANG, ['--version']).status === 0;
  it(
    'rebuild to the same bytes from native/*.c (npm run build:wasm)',
    { skip: haveClang ? false : `${CLANG} is not installed (apt-get install -y clang-19 lld-19)` },
    () => {
      const tmp = tempDir('tl-wasm-test-');
      buildNative(tmp);
      for (const f of NATIVE_BINARIES)
        assert.ok(
          fs.readFileSync(path.join(tmp, f)).equals(fs.readFileSync(path.join(nativeDir(), f))),
          `${f} differs from its rebuild`,
        );
    },
  );
});

/** Runs the matmul kernels of `nk` on a [m, k] x [k, n] product of `a` and `b`; returns the result. */
function nativeProduct(
  nk: NonNullable<ReturnType<typeof nativeKernels>>,
  a: tf.Tensor,
  b: tf.Tensor,
  m: number,
  k: number,
  n: number,
  parallel: boolean,
): Float32Array {
  const be = tf.backend();
  const groups = Math.ceil(m / 4);
  const panels = Math.ceil(n / 8);
  const infos = [
    heapOutput(be, [groups * k * 4], 'float32'),
    heapOutput(be, [panels * k * 8], 'float32'),
    heapOutput(be, [m * n], 'float32'),
  ];
  const [pa, pb, out] = infos.map((t) => heapAddress(be, t));
  const s = nk.scratch(32);
  native.matmulPackA(nk, { a: heapAddress(be, a), packedA: pa, batches: 1, m, k, transposed: false }, parallel);
  const packB = { b: heapAddress(be, b), packedB: pb, batches: 1, k, n, transposed: false, batchStride: k * n };
  native.matmulPackB(nk, packB, parallel);
  const chunks = { rowsPerChunk: 8, panelsPerChunk: 1, scratch: s };
  const strides = { packedAStride: 0, packedBStride: 0 };
  native.matmul(nk, { packedA: pa, packedB: pb, c: out, batches: 1, m, k, n, ...strides, ...chunks }, parallel);
  const result = (heapView(be, infos[2]) as Float32Array).slice();
  for (const t of infos) be.disposeData(t.dataId);
  return result;
}

describe('the declared kernel calls (lib/backend/wasm/nativeCalls.ts)', () => {
  it('declare every kernel of native/*.c, each with as many argument words as its C reads', () => {
    const read = new Map<string, number>();
    for (const f of fs.readdirSync(nativeDir()).filter((name) => name.endsWith('.c'))) {
      const source = fs.readFileSync(path.join(nativeDir(), f), 'utf8');
      for (const [, name, body] of source.matchAll(/KERNEL\((\w+)\) \{([\s\S]*?)\n\}/g)) {
        const args = [...body.matchAll(/ARG_[IFP]\((\d+)\)/g)].map((m) => Number(m[1]));
        const geometry = [...body.matchAll(/DW_GEO\((\d+)\)/g)].map((m) => Number(m[1]) + 13);
        read.set(name, Math.max(...args, ...geometry) + 1);
      }
    }
    const calls = Object.values(native).filter((v) => typeof v === 'function');
    const declared = new Map(calls.map((c) => [c.kernel, c.words]));
    assert.equal(read.size, 24);
    assert.deepEqual(declared, read);
  });
});

describe('kernel builds and threads', () => {
  it('the relaxed-SIMD (fused multiply-add) and plain builds agree within fp32 rounding', async () => {
    await tf.setBackend('wasm');
    const [m, k, n] = [37, 300, 29];
    const a = tf.tensor(rand([m, k]).values, [m, k]);
    const b = tf.tensor(rand([k, n]).values, [k, n]);
    const plain = loadNativeKernels(tf.backend(), { relaxed: false });
    const relaxed = loadNativeKernels(tf.backend(), { relaxed: true });
    assert.ok(plain && relaxed);
    assert.equal(plain.relaxed, false);
    try {
      const x = nativeProduct(plain, a, b, m, k, n, true);
      const y = nativeProduct(relaxed, a, b, m, k, n, true);
      const want = tf.matMul(a, b).dataSync();
      const scale = Math.max(...want.map(Math.abs));
      for (const got of [x, y]) assert.ok(Math.max(...got.map((v, i) => Math.abs(v - want[i]))) <= 1e-5 * scale);
    } finally {
      await Promise.all([plain.dispose(), relaxed.dispose()]);
      tf.dispose([a, b]);
    }
  });
  it('a kernel gives the same bits on the calling thread alone and on all threads', async () => {
    await tf.setBackend('wasm');
    const nk = nativeKernels(tf.backend());
    assert.ok(nk);
    const [m, k, n] = [70, 129, 45];
    const a = tf.tensor(rand([m, k]).values, [m, k]);
    const b = tf.tensor(rand([k, n]).values, [k, n]);
    assert.deepEqual(nativeProduct(nk, a, b, m, k, n, true), nativeProduct(nk, a, b, m, k, n, false));
    tf.dispose([a, b]);
  });
});

describe('the native replacements of wasm kernels equal cpu', () => {
  it('BatchMatMul: blocks of rows and panels, partial panels, either operand transposed, batch broadcast', async () => {
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ]) {
      const a = rand(ta ? [3, 33, 50] : [3, 50, 33]);
      const b = rand(tb ? [1, 21, 33] : [1, 33, 21]);
      await assertClose(`batch 3 x 1, ta ${ta} tb ${tb}`, () => tf.matMul(T(a), T(b), ta, tb));
      const a1 = rand(ta ? [1, 9, 130] : [1, 130, 9]);
      const b3 = rand(tb ? [2, 64, 9] : [2, 9, 64]);
      await assertClose(`batch 1 x 2, ta ${ta} tb ${tb}`, () => tf.matMul(T(a1), T(b3), ta, tb));
    }
  });
  it('Sum over leading axes of many rows (segments added in float64) and few columns', async () => {
    const x = rand([40, 61, 37, 3]);
    await assertClose('sum [0, 1, 2]', () => tf.sum(T(x), [0, 1, 2]));
    const y = rand([9000, 13]);
    await assertClose('sum [0]', () => tf.sum(T(y), 0, true));
  });
  it('MaxPoolGrad with channels not a multiple of 4 and one image (channel blocks)', async () => {
    for (const c of [3, 70]) {
      const x = rand([1, 17, 15, c]);
      const y = tf.tidy(() => tf.maxPool(T(x) as tf.Tensor4D, 3, 2, 'same'));
      const dy = rand(y.shape);
      y.dispose();
      await assertClose(`maxPool grad c${c}`, () =>
        tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 3, 2, 'same'))(T(x), T(dy)),
      );
    }
  });
});

describe('element-wise kernels on all threads equal cpu', () => {
  it('recognise the broadcasts they take', () => {
    assert.equal(broadcastMode([2, 3, 4], [2, 3, 4]), 0);
    assert.equal(broadcastMode([2, 3, 4], []), 1);
    assert.equal(broadcastMode([1], [5, 6]), 2);
    assert.equal(broadcastMode([2, 3, 4], [4]), 3);
    assert.equal(broadcastMode([1, 1, 4], [2, 3, 4]), 4);
    assert.equal(broadcastMode([2, 3, 4], [3, 1]), undefined);
    assert.equal(broadcastMode([2, 3, 4], [3, 4]), undefined);
  });
  it('Add, Sub, Multiply, RealDiv: same shapes, scalars either side, a bias vector either side', async () => {
    const x = rand([7, 41, 61, 2]);
    const y = rand([7, 41, 61, 2]);
    const v = rand([2]);
    const s = rand([]);
    for (const op of [tf.add, tf.sub, tf.mul, tf.div]) {
      await assertClose(`${op.name} same`, () => op(T(x), T(y)));
      await assertClose(`${op.name} scalar`, () => [op(T(x), T(s)), op(T(s), T(x))]);
      await assertClose(`${op.name} vector`, () => [op(T(x), T(v)), op(T(v), T(x))]);
    }
  });
  it('relu, relu6, clipByValue, square, sqrt and step (the relu gradient), NaN passing through as on cpu', async () => {
    const x = { values: rand([40000]).values.map((v) => v * 8), shape: [200, 200] };
    const ops = (t: tf.Tensor): tf.Tensor[] => [
      tf.relu(t),
      tf.relu6(t),
      tf.clipByValue(t, -0.5, 2),
      tf.square(t),
      tf.sqrt(tf.abs(t)),
      tf.step(t, 0.25),
    ];
    await assertClose('unary', () => ops(T(x)));
    const withNaN = { values: x.values.map((v, i) => (i % 997 === 0 ? NaN : v)), shape: x.shape };
    const nanAt = async (backend: string): Promise<number[][]> => {
      await tf.setBackend(backend);
      return tf.tidy(() =>
        ops(T(withNaN)).map((t) => [...t.dataSync()].flatMap((v, i) => (Number.isNaN(v) ? [i] : []))),
      );
    };
    const [cpu, wasm] = [await nanAt('cpu'), await nanAt('wasm')];
    assert.deepEqual(wasm, cpu);
    assert.equal(wasm[0].length, Math.ceil(40000 / 997));
  });
});

describe('batch normalisation and padding on all threads equal cpu', () => {
  it('FusedBatchNorm with per-channel statistics, with and without offset and scale; scalar statistics', async () => {
    const x = rand([6, 30, 30, 10]);
    const [m, g, o] = [rand([10]), rand([10]), rand([10])];
    const v = { values: rand([10]).values.map((e) => e * e + 0.1), shape: [10] };
    await assertClose('batchNorm', () => [
      tf.batchNorm(T(x), T(m), T(v), T(o), T(g), 1e-3),
      tf.batchNorm(T(x), T(m), T(v), undefined, undefined, 1e-2),
      tf.batchNorm(T(x), tf.scalar(0.3), tf.scalar(2), tf.scalar(0.1), tf.scalar(1.5)),
    ]);
  });
  it("PadV2 of rank 4 (MobileNet's zero padding), with channel padding, and of rank 2 with a constant", async () => {
    const x = rand([4, 61, 63, 8]);
    const y = rand([300, 70]);
    await assertClose('pad', () => [
      tf.pad(T(x), [
        [0, 0],
        [0, 1],
        [0, 1],
        [0, 0],
      ]),
      tf.pad(
        T(x),
        [
          [1, 0],
          [2, 3],
          [1, 1],
          [2, 1],
        ],
        0.5,
      ),
      tf.pad(
        T(y),
        [
          [3, 1],
          [0, 5],
        ],
        -2,
      ),
    ]);
  });
  it('Tile of a per-channel vector over an image batch (the batch-norm gradient), and of a matrix', async () => {
    const v = rand([1, 1, 1, 12]);
    const m = rand([3, 50, 7]);
    await assertClose('tile', () => [
      tf.tile(T(v), [4, 30, 30, 1]),
      tf.tile(T(m), [2, 3, 4]),
      tf.tile(T(v), [2, 3, 4, 5]),
    ]);
  });
});

describe('depthwise convolutions (multiplier 1; gradients on all threads) equal cpu', () => {
  for (const [stride, pad, c] of [
    [1, 'same', 8],
    [2, 'valid', 13],
    [2, 'same', 32],
  ] as [number, 'same' | 'valid', number][]) {
    it(`stride ${stride}, ${pad}, ${c} channels: forward (fused bias + relu6), input and filter gradients`, async () => {
      const x = rand([3, 17, 14, c]);
      const f = rand([3, 3, c, 1]);
      const bias = rand([c]);
      const info = tf.backend_util.computeConv2DInfo([3, 17, 14, c], [3, 3, c, 1], stride, 1, pad, undefined, true);
      const dy = rand([3, info.outHeight, info.outWidth, c]);
      await assertClose('forward', () => [
        tf.depthwiseConv2d(T(x) as tf.Tensor4D, T(f) as tf.Tensor4D, stride, pad),
        tf.fused.depthwiseConv2d({
          x: T(x) as tf.Tensor4D,
          filter: T(f) as tf.Tensor4D,
          strides: stride,
          pad,
          bias: T(bias),
          activation: 'relu6',
        }),
      ]);
      await assertClose('gradients', () =>
        tf.grads((a: tf.Tensor, w: tf.Tensor) => tf.depthwiseConv2d(a as tf.Tensor4D, w as tf.Tensor4D, stride, pad))(
          [T(x), T(f)],
          T(dy),
        ),
      );
    });
  }
});

describe('1x1 convolutions on all threads equal cpu', () => {
  it('conv2d and fused conv2d (bias, relu, relu6) with 8 to 132 outputs, and the gradients through them', async () => {
    for (const [c, k] of [
      [8, 16],
      [5, 12],
      [64, 132],
    ]) {
      const x = rand([3, 21, 19, c]);
      const f = rand([1, 1, c, k]);
      const bias = rand([k]);
      await assertClose(`1x1 ${c} -> ${k}`, () => [
        tf.conv2d(T(x) as tf.Tensor4D, T(f) as tf.Tensor4D, 1, 'same'),
        tf.fused.conv2d({
          x: T(x) as tf.Tensor4D,
          filter: T(f) as tf.Tensor4D,
          strides: 1,
          pad: 'valid',
          bias: T(bias),
          activation: 'relu6',
        }),
        tf.fused.conv2d({
          x: T(x) as tf.Tensor4D,
          filter: T(f) as tf.Tensor4D,
          strides: 1,
          pad: 'same',
          bias: T(bias),
          activation: 'relu',
        }),
      ]);
    }
    const x = rand([2, 9, 9, 16]);
    const f = rand([1, 1, 16, 24]);
    await assertClose('1x1 grads', () =>
      tf.grads((a: tf.Tensor, w: tf.Tensor) =>
        tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'))),
      )([T(x), T(f)]),
    );
  });
});
