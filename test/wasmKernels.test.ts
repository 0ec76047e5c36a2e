/**
 * The wasm training kernels (lib/backend/wasm/registry.ts and kernels/) against the cpu backend, on random inputs.
 * Each check computes the same function on cpu and on wasm from the same plain arrays and compares:
 * max |wasm - cpu| / max |cpu| <= 1e-4.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/backend/select';
import { missingWasmKernels, registerWasmKernels } from '../lib/backend/wasm/registry';
import { assertClose, assertNoLeak, rand, T } from './helpers/wasmCompare';

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
const PADS: Pad[] = [
  'same',
  'valid',
  1,
  [
    [0, 0],
    [2, 1],
    [0, 2],
    [0, 0],
  ],
];

before(async () => {
  const info = await initBackend({ force: 'wasm', quiet: true });
  assert.equal(info.choice, 'wasm');
  registerWasmKernels();
});

describe('wasm kernel coverage', () => {
  it('only complex-number, string and Draw kernels stay missing', () => {
    const missing = missingWasmKernels();
    for (const k of [
      'Conv2DBackpropFilter',
      'DepthwiseConv2dNativeBackpropInput',
      'DepthwiseConv2dNativeBackpropFilter',
      'UnsortedSegmentSum',
      'MaxPoolGrad',
      'AvgPoolGrad',
    ]) {
      assert.ok(!missing.includes(k), `${k} missing on wasm`);
    }
    assert.deepEqual(
      missing.filter(
        (k) => !['Complex', 'ComplexAbs', 'FFT', 'IFFT', 'Imag', 'Real', 'Draw', 'StaticRegexReplace'].includes(k),
      ),
      [],
    );
  });
});

describe('conv2d gradients on wasm equal cpu', () => {
  for (const stride of [1, 2]) {
    for (const pad of PADS) {
      for (const [h, w, k, ci, co] of [
        [9, 10, 3, 3, 4],
        [8, 8, 3, 5, 6],
        [7, 9, 1, 2, 3],
        [11, 8, 5, 3, 2],
        [6, 6, 2, 2, 3],
      ]) {
        if (typeof pad !== 'string' && k === 1) continue;
        const label = `stride ${stride} pad ${JSON.stringify(pad)} x[2,${h},${w},${ci}] k${k} co${co}`;
        it(label, async () => {
          const x = rand([2, h, w, ci]);
          const f = rand([k, k, ci, co]);
          const info = tf.backend_util.computeConv2DInfo([2, h, w, ci], [k, k, ci, co], stride, 1, pad);
          const dy = rand([2, info.outHeight, info.outWidth, co]);
          await assertClose(label, () => {
            const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
              tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad),
            );
            return g([T(x), T(f)], T(dy));
          });
        });
      }
    }
  }
  it('dilated forward conv (stride 1, dilation 2) and the transposed conv', async () => {
    const x = rand([2, 9, 9, 3]);
    const f = rand([3, 3, 3, 4]);
    await assertClose('dilated conv', () => tf.conv2d(T(x) as tf.Tensor4D, T(f) as tf.Tensor4D, 1, 'same', 'NHWC', 2));
    const dy = rand([2, 5, 5, 4]);
    await assertClose('conv2dTranspose', () =>
      tf.conv2dTranspose(T(dy) as tf.Tensor4D, T(f) as tf.Tensor4D, [2, 9, 9, 3], 2, 'same'),
    );
  });
});

describe('depthwise conv gradients on wasm equal cpu', () => {
  const cases: [number, number, Pad, number][] = [
    [1, 1, 'same', 1],
    [2, 1, 'same', 1],
    [1, 1, 'valid', 2],
    [2, 1, 'valid', 1],
    [1, 2, 'same', 1],
    [1, 2, 'valid', 2],
    [2, 1, 1, 2],
  ];
  for (const [stride, dilation, pad, mult] of cases) {
    const label = `stride ${stride} dilation ${dilation} pad ${JSON.stringify(pad)} multiplier ${mult}`;
    it(label, async () => {
      const x = rand([2, 9, 8, 3]);
      const f = rand([3, 3, 3, mult]);
      const info = tf.backend_util.computeConv2DInfo(
        [2, 9, 8, 3],
        [3, 3, 3, mult],
        stride,
        dilation,
        pad as 'same',
        undefined,
        true,
      );
      const dy = rand([2, info.outHeight, info.outWidth, 3 * mult]);
      if (dilation === 1) {
        await assertClose(label, () => {
          const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad as 'same', 'NHWC', dilation),
          );
          return g([T(x), T(f)], T(dy));
        });
      }
      // tf.grad refuses dilations > 1, so the kernels are also run directly. The cpu backend's
      // DepthwiseConv2dNativeBackpropInput ignores dilations, so cpu's reference is the gradient of the same
      // convolution written with an explicitly zero-dilated filter.
      const attrs = { strides: stride, dilations: dilation, pad };
      const keff = (3 - 1) * dilation + 1;
      await assertClose(`${label} (kernels)`, () => {
        if (tf.getBackend() === 'cpu') {
          const fb = T(f).bufferSync();
          const z = tf.buffer([keff, keff, 3, mult]);
          for (let i = 0; i < 3; i++)
            for (let j = 0; j < 3; j++)
              for (let ch = 0; ch < 3; ch++)
                for (let m = 0; m < mult; m++) z.set(fb.get(i, j, ch, m), i * dilation, j * dilation, ch, m);
          const [gx, gf] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad as 'same'),
          )([T(x), z.toTensor()], T(dy));
          return [gx, tf.stridedSlice(gf, [0, 0, 0, 0], [keff, keff, 3, mult], [dilation, dilation, 1, 1])];
        }
        return [
          tf
            .engine()
            .runKernel(
              'DepthwiseConv2dNativeBackpropInput',
              { dy: T(dy), filter: T(f) },
              { ...attrs, inputShape: [2, 9, 8, 3] },
            ) as tf.Tensor,
          tf
            .engine()
            .runKernel(
              'DepthwiseConv2dNativeBackpropFilter',
              { x: T(x), dy: T(dy) },
              { ...attrs, filterShape: [3, 3, 3, mult] },
            ) as tf.Tensor,
        ];
      });
    });
  }
});

describe('pooling, activation and normalisation gradients on wasm equal cpu', () => {
  for (const [k, s, pad] of [
    [2, 2, 'valid'],
    [3, 2, 'same'],
    [3, 1, 'same'],
    [2, 2, 'same'],
    [3, 2, 'valid'],
  ] as [number, number, 'same' | 'valid'][]) {
    it(`maxPool and avgPool grads k${k} s${s} ${pad}`, async () => {
      const x = rand([2, 9, 10, 4]);
      const y = tf.tidy(() => tf.maxPool(T(x) as tf.Tensor4D, k, s, pad));
      const dy = rand(y.shape);
      y.dispose();
      await assertClose('maxPool grad', () =>
        tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, k, s, pad))(T(x), T(dy)),
      );
      await assertClose('avgPool grad', () =>
        tf.grad((a: tf.Tensor) => tf.avgPool(a as tf.Tensor4D, k, s, pad))(T(x), T(dy)),
      );
    });
  }
  it('maxPool grad with ties (after ReLU, many zeros) sends the gradient where cpu does', async () => {
    const x = rand([2, 8, 8, 3], true);
    const dy = rand([2, 4, 4, 3]);
    await assertClose('maxPool grad ties', () =>
      tf.grad((a: tf.Tensor) => tf.maxPool(tf.relu(a) as tf.Tensor4D, 2, 2, 'valid'))(T(x), T(dy)),
    );
  });
  it('relu6, relu, sigmoid and batchNorm grads', async () => {
    const x = rand([4, 5, 5, 3]);
    const scaled = { values: x.values.map((v) => v * 8), shape: x.shape };
    const dy = rand([4, 5, 5, 3]);
    await assertClose('relu6', () => tf.grad((a: tf.Tensor) => tf.relu6(a))(T(scaled), T(dy)));
    await assertClose('relu/sigmoid', () => tf.grad((a: tf.Tensor) => tf.sigmoid(tf.relu(a)))(T(x), T(dy)));
    const [g, b, m, v] = [rand([3]), rand([3]), rand([3]), { values: [0.5, 1, 2], shape: [3] }];
    await assertClose('batchNorm', () =>
      tf.grads((a: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => tf.batchNorm(a, T(m), T(v), bb, gg, 1e-3))(
        [T(x), T(g), T(b)],
        T(dy),
      ),
    );
  });
});

describe('MaxPoolGrad (heap scan), Sum over leading axes and Identity on wasm equal cpu', () => {
  it('maxPool grad on wider inputs: odd sizes, many channels, all-negative windows, padding', async () => {
    for (const [k, s, pad] of [
      [2, 2, 'valid'],
      [3, 2, 'same'],
      [3, 3, 'same'],
    ] as [number, number, 'same' | 'valid'][]) {
      const x = rand([3, 15, 13, 33]);
      const shifted = { values: x.values.map((v, i) => (i % 7 === 0 ? v - 2 : v)), shape: x.shape }; // negative runs
      const y = tf.tidy(() => tf.maxPool(T(shifted) as tf.Tensor4D, k, s, pad));
      const dy = rand(y.shape);
      y.dispose();
      await assertClose(`maxPool grad k${k} s${s} ${pad}`, () =>
        tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, k, s, pad))(T(shifted), T(dy)),
      );
    }
  });
  it('maxPool grad gives no gradient to a window of -Infinity, as cpu', async () => {
    const x = { values: rand([1, 4, 4, 2]).values.map((v, i) => (i < 8 ? -Infinity : v)), shape: [1, 4, 4, 2] };
    const dy = rand([1, 2, 2, 2]);
    await assertClose('maxPool grad -inf', () =>
      tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'))(T(x), T(dy)),
    );
  });
  it('sum over leading axes (bias gradients) and other sums', async () => {
    const x = rand([6, 48, 40, 32]); // 368640 elements: the matrix-product path
    for (const [axis, keepDims] of [
      [[0, 1, 2], false],
      [[0, 1], true],
      [[2, 1, 0], false],
      [[1, 2], false],
      [[3], false],
      [undefined, false],
    ] as [number[] | undefined, boolean][]) {
      await assertClose(`sum axis ${JSON.stringify(axis)} keepDims ${keepDims}`, () => tf.sum(T(x), axis, keepDims));
    }
    const y = rand([2, 3, 5]); // small: wasm's own kernel
    await assertClose('small sum', () => tf.sum(T(y), [0, 1]));
    await assertClose('bias-add grad', () =>
      tf.grad((b: tf.Tensor) => tf.sum(tf.mul(tf.add(T(x), b), T(x))))(T(rand([32]))),
    );
  });
  it("int32 sums over leading axes keep wasm's kernel and stay exact", async () => {
    await tf.setBackend('wasm');
    const v = tf.tidy(() =>
      tf
        .sum(tf.fill([300, 300, 2], 3, 'int32'), [0, 1])
        .dataSync()
        .slice(),
    );
    assert.deepEqual([...v], [270000, 270000]);
  });
  it('a cast to the same dtype shares the buffer; other casts convert (to bool: 0 or 1)', async () => {
    await tf.setBackend('wasm');
    const ids = tf.backend().numDataIds();
    const a = tf.tensor([1.5, -2, 0]);
    const same = tf.cast(a, 'float32');
    assert.equal(tf.backend().numDataIds(), ids + 1);
    const ints = tf.cast(a, 'int32');
    const bools = tf.cast(a, 'bool');
    assert.deepEqual([...ints.dataSync()], [1, -2, 0]);
    assert.deepEqual([...bools.dataSync()], [1, 1, 0]);
    a.dispose();
    assert.deepEqual([...same.dataSync()], [1.5, -2, 0]);
    tf.dispose([same, ints, bools]);
    assert.equal(tf.backend().numDataIds(), ids);
  });
  it('tf.clone (Identity) shares the buffer, outlives its source, and a variable assign leaves the clone intact', async () => {
    await tf.setBackend('wasm');
    const ids = tf.backend().numDataIds();
    const a = tf.tensor([1, 2, 3]);
    const c = tf.clone(a);
    assert.equal(tf.backend().numDataIds(), ids + 1, "the clone shares its source's buffer");
    a.dispose();
    assert.deepEqual([...c.dataSync()], [1, 2, 3]);
    const v = tf.variable(c);
    const doubled = tf.tidy(() => tf.mul(v, 2));
    v.assign(doubled);
    doubled.dispose();
    assert.deepEqual([...c.dataSync()], [1, 2, 3]);
    assert.deepEqual([...v.dataSync()], [2, 4, 6]);
    tf.dispose([c, v]);
    assert.equal(tf.backend().numDataIds(), ids);
  });
  it('leak no tensors nor wasm buffers over repeated steps', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor(rand([4, 40, 40, 32]).values, [4, 40, 40, 32]) as tf.Tensor4D;
    const step = (): void =>
      tf.tidy(() => {
        const g = tf.grad((a: tf.Tensor) => tf.sum(tf.maxPool(a as tf.Tensor4D, 2, 2, 'same')))(x);
        tf.sum(g, [0, 1, 2]).dataSync();
        tf.sum(g, [0, 1], true).dataSync();
      });
    assertNoLeak(step, 5);
    x.dispose();
  });
});

describe('matMul with transposes on wasm equals cpu', () => {
  for (const [ta, tb] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ]) {
    it(`transposeA ${ta} transposeB ${tb}, rank 2 and 3 (with batch broadcast)`, async () => {
      const a = rand(ta ? [7, 5] : [5, 7]);
      const b = rand(tb ? [6, 7] : [7, 6]);
      await assertClose('rank 2', () => tf.matMul(T(a), T(b), ta, tb));
      const a3 = rand(ta ? [3, 7, 5] : [3, 5, 7]);
      const b3 = rand(tb ? [1, 6, 7] : [1, 7, 6]);
      await assertClose('rank 3', () => tf.matMul(T(a3), T(b3), ta, tb));
    });
  }
  it('dense layer gradients (fused matMul + bias + relu)', async () => {
    const x = rand([8, 12]);
    const w = rand([12, 5]);
    const bias = rand([5]);
    const dy = rand([8, 5]);
    await assertClose('dense grads', () =>
      tf.grads((a: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
        tf.fused.matMul({ a: a as tf.Tensor2D, b: ww as tf.Tensor2D, bias: bb, activation: 'relu' }),
      )([T(x), T(w), T(bias)], T(dy)),
    );
  });
});
