import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import { MersenneTwister } from '../lib/core/random';
import { decodeBmp } from '../lib/data/bmp';
import type { RawImage } from '../lib/data/rawImage';
import { DirectoryDataset, type Batch } from '../lib/data/directoryDataset';
import { imageDatasetFromDirectory, loadImage } from '../lib/data/imageDataset';
import { resizeInto } from '../lib/data/resize';
import { tempDir } from './helpers/tempDir';
import { writeBmp } from './helpers/bmpFile';

let tmp: string;
let dir: string; // 3 classes, 5 + 4 + 3 images, plus non-image files

/** Deterministic pseudo-random bytes. */
function bytes(n: number, seed: number): Uint8Array {
  const r = new MersenneTwister(seed);
  return Uint8Array.from({ length: n }, () => r.nextUint32() & 0xff);
}

async function jpeg(file: string, w: number, h: number, seed: number) {
  await sharp(Buffer.from(bytes(w * h * 3, seed)), { raw: { width: w, height: h, channels: 3 } })
    .jpeg()
    .toFile(file);
}

before(async () => {
  tmp = tempDir('dataset-test-');
  dir = path.join(tmp, 'three');
  const counts: Record<string, number> = { ant: 5, bee: 4, cow: 3 };
  let seed = 1;
  for (const [cls, n] of Object.entries(counts)) {
    fs.mkdirSync(path.join(dir, cls, 'sub'), { recursive: true });
    for (let i = 0; i < n; i++) {
      const file = i === n - 1 ? path.join(dir, cls, 'sub', `z${i}.JPG`) : path.join(dir, cls, `${cls}.${i}.jpg`);
      await jpeg(file, 20 + i, 16 + i, seed++);
    }
    fs.writeFileSync(path.join(dir, cls, '.DS_Store'), 'junk');
    fs.writeFileSync(path.join(dir, cls, 'notes.txt'), 'not an image');
  }
  fs.mkdirSync(path.join(dir, '.hidden'));
  fs.writeFileSync(path.join(dir, 'README.txt'), 'top-level file');
});

async function collect(ds: AsyncIterable<Batch>, keep = false) {
  const ys: number[][] = [];
  const shapes: number[][] = [];
  const kept: Batch[] = [];
  for await (const b of ds) {
    ys.push(...((await b.ys.array()) as number[][]));
    shapes.push(b.xs.shape);
    if (keep) kept.push(b);
    else tf.dispose([b.xs, b.ys]);
  }
  return { ys, shapes, kept };
}

test('MersenneTwister reproduces MT19937 and numpy RandomState.shuffle', () => {
  // Reference MT19937 output for seed 5489.
  assert.equal(new MersenneTwister(5489).nextUint32(), 3499211612);
  // numpy: np.random.RandomState(42).permutation(10)
  const perm = (seed: number) => new MersenneTwister(seed).shuffle([...Array(10).keys()]);
  assert.deepEqual(perm(42), [8, 1, 5, 0, 7, 2, 9, 4, 3, 6]);
  assert.deepEqual(perm(0), [2, 8, 4, 9, 1, 6, 7, 3, 0, 5]);
});

test('class names, labels and Keras file order (no shuffle); non-image files skipped', async () => {
  await tf.setBackend('cpu');
  const ds = await imageDatasetFromDirectory(dir, { shuffle: false, imageSize: [8, 10], batchSize: 5, quiet: true });
  assert.deepEqual(ds.classNames, ['ant', 'bee', 'cow']);
  assert.equal(ds.size, 12);
  assert.equal(ds.numBatches, 3);
  assert.deepEqual(ds.labels, [0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2]);
  const rel = ds.filePaths.map((p) => path.relative(dir, p).split(path.sep).join('/'));
  assert.deepEqual(rel.slice(0, 5), [
    'ant/ant.0.jpg',
    'ant/ant.1.jpg',
    'ant/ant.2.jpg',
    'ant/ant.3.jpg',
    'ant/sub/z4.JPG',
  ]);
  assert.ok(rel.every((r) => /\.jpe?g$/i.test(r)));
  const { ys, shapes } = await collect(ds);
  assert.deepEqual(ys, ds.labels);
  assert.deepEqual(shapes, [
    [5, 8, 10, 3],
    [5, 8, 10, 3],
    [2, 8, 10, 3],
  ]);
  const subset = await imageDatasetFromDirectory(dir, {
    classNames: ['cow', 'ant'],
    shuffle: false,
    quiet: true,
    imageSize: [4, 4],
  });
  assert.deepEqual(subset.labels, [0, 0, 0, 1, 1, 1, 1, 1]);
  await assert.rejects(
    imageDatasetFromDirectory(dir, { classNames: ['cat'], quiet: true }),
    /\["cat"\] are not sub-folders.*"ant","bee","cow"/,
  );
});

test('label modes give the right dtypes and shapes', async () => {
  await tf.setBackend('cpu');
  const base = { shuffle: false, imageSize: [6, 6] as [number, number], batchSize: 4, quiet: true };
  const first = async (opts: Parameters<typeof imageDatasetFromDirectory>[1], d = dir) => {
    const ds = await imageDatasetFromDirectory(d, { ...base, ...opts });
    for await (const b of ds) return { ds, b };
    throw new Error('empty');
  };
  const int = await first({ labelMode: 'int' });
  assert.equal(int.b.ys.dtype, 'int32');
  assert.deepEqual(int.b.ys.shape, [4]);
  assert.equal(int.b.xs.dtype, 'float32');
  tf.dispose([int.b.xs, int.b.ys]);
  const cat = await first({ labelMode: 'categorical', batchSize: 12 });
  assert.deepEqual(cat.b.ys.shape, [12, 3]);
  assert.equal(cat.b.ys.dtype, 'float32');
  assert.deepEqual(await cat.b.ys.argMax(1).array(), cat.ds.labels);
  assert.deepEqual(await cat.b.ys.sum(1).array(), Array(12).fill(1));
  tf.dispose([cat.b.xs, cat.b.ys]);
  const bin = await first({ labelMode: 'binary', classNames: ['ant', 'cow'], batchSize: 8 });
  assert.deepEqual(bin.b.ys.shape, [8, 1]);
  assert.deepEqual(
    (await bin.b.ys.array()) as number[][],
    bin.ds.labels.map((l) => [l]),
  );
  tf.dispose([bin.b.xs, bin.b.ys]);
  await assert.rejects(
    imageDatasetFromDirectory(dir, { labelMode: 'binary', quiet: true }),
    /exactly 2 classes.*has 3/,
  );
  const none = await first({ labelMode: null, batchSize: 20 });
  assert.equal(none.ds.size, 12);
  assert.deepEqual(none.ds.classNames, []);
  assert.deepEqual(none.b.ys.shape, [12, 0]);
  tf.dispose([none.b.xs, none.b.ys]);
  const gray = await first({ colorMode: 'grayscale' });
  assert.deepEqual(gray.b.xs.shape, [4, 6, 6, 1]);
  tf.dispose([gray.b.xs, gray.b.ys]);
});

test('validation split: disjoint, covering, Keras sizes; seed required', async () => {
  const opts = { validationSplit: 0.25, seed: 7, imageSize: [4, 4] as [number, number], quiet: true };
  const tr = await imageDatasetFromDirectory(dir, { ...opts, subset: 'training' });
  const va = await imageDatasetFromDirectory(dir, { ...opts, subset: 'validation' });
  assert.equal(va.size, 3); // int(0.25 * 12)
  assert.equal(tr.size, 9);
  assert.equal(new Set([...tr.filePaths, ...va.filePaths]).size, 12);
  const all = await imageDatasetFromDirectory(dir, { seed: 7, imageSize: [4, 4], quiet: true });
  // The split is the tail of the seed-shuffled list, as in Keras.
  assert.deepEqual([...tr.filePaths, ...va.filePaths], all.filePaths);
  assert.deepEqual([...tr.labels, ...va.labels], all.labels);
  // A split that is not a whole number of files: Keras takes int(split * n) for validation (rounded down).
  for (const [split, validation] of [
    [0.3, 3], // int(3.6)
    [0.2, 2], // int(2.4)
    [0.99, 11], // int(11.88)
  ]) {
    const sizes = await Promise.all(
      (['training', 'validation'] as const).map(
        async (subset) => (await imageDatasetFromDirectory(dir, { ...opts, validationSplit: split, subset })).size,
      ),
    );
    assert.deepEqual(sizes, [12 - validation, validation], `validationSplit ${split}`);
  }
  // Labels still follow their files.
  tr.filePaths.forEach((p, i) => assert.equal(tr.classNames[tr.labels[i]], path.relative(dir, p).split(path.sep)[0]));
  await assert.rejects(
    imageDatasetFromDirectory(dir, { validationSplit: 0.2, subset: 'training', quiet: true }),
    /needs a seed/,
  );
  await assert.rejects(imageDatasetFromDirectory(dir, { validationSplit: 0.2, quiet: true }), /subset/);
  await assert.rejects(
    imageDatasetFromDirectory(dir, { validationSplit: 1.5, subset: 'training', seed: 1, quiet: true }),
    /between 0 and 1/,
  );
});

test('shuffle is deterministic given the seed and reshuffles between epochs', async () => {
  await tf.setBackend('cpu');
  const mk = (seed: number) =>
    imageDatasetFromDirectory(dir, { seed, imageSize: [4, 4], batchSize: 12, labelMode: 'int', quiet: true });
  const a = await mk(3);
  const b = await mk(3);
  const c = await mk(4);
  assert.deepEqual(a.filePaths, b.filePaths);
  assert.notDeepEqual(a.filePaths, c.filePaths);
  const sorted = (await imageDatasetFromDirectory(dir, { shuffle: false, quiet: true, imageSize: [4, 4] })).filePaths;
  assert.notDeepEqual(a.filePaths, sorted);
  // Epoch pixels identify files: compare the first pixel sums per position across epochs.
  const epoch = async (ds: typeof a) => {
    for await (const bt of ds) {
      const s = (await bt.xs.sum([1, 2, 3]).array()) as number[];
      tf.dispose([bt.xs, bt.ys]);
      return s;
    }
    return [];
  };
  const a1 = await epoch(a);
  const a2 = await epoch(a);
  const b1 = await epoch(b);
  const b2 = await epoch(b);
  assert.deepEqual(a1, b1);
  assert.deepEqual(a2, b2);
  assert.notDeepEqual(a1, a2, 'second epoch is reshuffled');
  assert.deepEqual([...a1].sort(), [...a2].sort(), 'same files');
});

test('corrupt image: error names the file; skip mode records it once', async () => {
  await tf.setBackend('cpu');
  const d = path.join(tmp, 'corrupt');
  fs.mkdirSync(path.join(d, 'a'), { recursive: true });
  fs.mkdirSync(path.join(d, 'b'), { recursive: true });
  await jpeg(path.join(d, 'a', '1.jpg'), 10, 10, 1);
  await jpeg(path.join(d, 'b', '1.jpg'), 10, 10, 2);
  const bad = path.join(d, 'b', 'broken.jpg');
  fs.writeFileSync(bad, Buffer.from('definitely not a jpeg'));
  const ds = await imageDatasetFromDirectory(d, { shuffle: false, imageSize: [5, 5], quiet: true });
  await assert.rejects(collect(ds), (err: Error) => err.message.includes(bad) && /Cannot decode/.test(err.message));
  const before = tf.memory().numTensors;
  const skip = await imageDatasetFromDirectory(d, {
    shuffle: false,
    imageSize: [5, 5],
    onBadImage: 'skip',
    quiet: true,
    batchSize: 2,
  });
  for (let e = 0; e < 2; e++) {
    const { ys } = await collect(skip);
    assert.deepEqual(ys, [0, 1]);
  }
  assert.equal(skip.skipped.length, 1);
  assert.equal(skip.skipped[0].path, bad);
  assert.equal(tf.memory().numTensors, before);
});

test('grayscale, alpha, CMYK, PNG, GIF and BMP all decode to 3 channels with the right pixels', async () => {
  const d = path.join(tmp, 'formats');
  fs.mkdirSync(d);
  const w = 7;
  const h = 5;
  const rgb = bytes(w * h * 3, 99);
  const raw = (ch: number, data: Uint8Array) =>
    sharp(Buffer.from(data), { raw: { width: w, height: h, channels: ch as 1 | 3 | 4 } });
  const rgba = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) rgba.set([rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2], i * 5], i * 4);
  const gray = rgb.filter((_, i) => i % 3 === 0);
  await raw(3, rgb).png().toFile(path.join(d, 'rgb.png'));
  await raw(4, rgba).png().toFile(path.join(d, 'rgba.png'));
  await raw(1, gray).png().toFile(path.join(d, 'gray.png'));
  await raw(3, rgb).gif().toFile(path.join(d, 'pic.gif'));
  fs.writeFileSync(path.join(d, 'pic.bmp'), writeBmp(rgb, w, h));
  fs.writeFileSync(path.join(d, 'pal.bmp'), writeBmp(rgb, w, h, true));
  const smooth = Uint8Array.from({ length: w * h * 3 }, (_, i) => 60 + ((i / 3) % w) * 10 + Math.floor(i / 3 / w) * 8);
  await raw(3, smooth).jpeg({ quality: 100 }).toFile(path.join(d, 'pic.jpeg'));
  await raw(3, smooth).toColourspace('cmyk').jpeg({ quality: 100 }).toFile(path.join(d, 'cmyk.jpg'));
  assert.equal((await sharp(path.join(d, 'cmyk.jpg')).metadata()).space, 'cmyk', 'the fixture really is a CMYK JPEG');
  const px = async (f: string) => {
    const t = await loadImage(path.join(d, f));
    assert.deepEqual(t.shape, [h, w, 3], f);
    const v = Array.from(await t.data());
    t.dispose();
    return v;
  };
  const expectRgb = Array.from(rgb);
  assert.deepEqual(await px('rgb.png'), expectRgb);
  assert.deepEqual(await px('rgba.png'), expectRgb, 'alpha dropped, not composited');
  assert.deepEqual(
    await px('gray.png'),
    Array.from(gray).flatMap((g) => [g, g, g]),
  );
  assert.deepEqual(await px('pic.bmp'), expectRgb);
  const palExpected = Array.from(gray).flatMap((i) => [i >> 1, 255 - i, i]);
  assert.deepEqual(await px('pal.bmp'), palExpected);
  const gif = await px('pic.gif');
  assert.equal(gif.length, w * h * 3);
  const jpg = await px('pic.jpeg');
  const meanErr = jpg.reduce((s, v, i) => s + Math.abs(v - smooth[i]), 0) / jpg.length;
  assert.ok(meanErr < 3, `jpeg close to source: ${meanErr}`);
  const cmyk = await px('cmyk.jpg');
  const cmykErr = cmyk.reduce((s, v, i) => s + Math.abs(v - smooth[i]), 0) / cmyk.length;
  assert.ok(cmykErr < 8, `CMYK JPEG converted back to RGB: mean error ${cmykErr}`);
  assert.throws(() => decodeBmp(Buffer.from('BMxx')), /not a BMP/);
  // In a dataset: every format loads, 3 channels.
  const root = path.join(tmp, 'formats-ds');
  fs.mkdirSync(root);
  fs.renameSync(d, path.join(root, 'all'));
  const ds = await imageDatasetFromDirectory(root, { shuffle: false, imageSize: [h, w], quiet: true, batchSize: 10 });
  assert.equal(ds.size, 8);
  const { shapes } = await collect(ds);
  assert.deepEqual(shapes, [[8, h, w, 3]]);
});

test('resize matches tf.image.resizeBilinear / resizeNearestNeighbor with half-pixel centres', async () => {
  await tf.setBackend('cpu');
  const sizes: [number, number, number, number][] = [
    [37, 53, 20, 30],
    [20, 30, 64, 80],
    [50, 50, 50, 50],
    [375, 500, 180, 180],
  ];
  for (const [ih, iw, oh, ow] of sizes) {
    const img: RawImage = { data: bytes(ih * iw * 3, ih * iw), width: iw, height: ih, channels: 3 };
    const t = tf.tensor3d(Float32Array.from(img.data), [ih, iw, 3]);
    for (const method of ['bilinear', 'nearest'] as const) {
      const out = new Float32Array(oh * ow * 3);
      resizeInto(img, [oh, ow], method, out);
      const ref =
        method === 'bilinear'
          ? tf.image.resizeBilinear(t, [oh, ow], false, true)
          : tf.image.resizeNearestNeighbor(t, [oh, ow], false, true);
      const r = await ref.data();
      ref.dispose();
      let max = 0;
      for (let i = 0; i < r.length; i++) max = Math.max(max, Math.abs(r[i] - out[i]));
      assert.ok(max < 1e-3, `${method} ${ih}x${iw}->${oh}x${ow}: max diff ${max}`);
    }
    t.dispose();
  }
  // bicubic and area: identity at the same size, constants stay constant, area halves by 2x2 means.
  const img: RawImage = { data: bytes(8 * 6, 5), width: 6, height: 8, channels: 1 };
  for (const method of ['bicubic', 'area'] as const) {
    const same = new Float32Array(48);
    resizeInto(img, [8, 6], method, same);
    assert.deepEqual(
      Array.from(same).map((v) => Math.round(v * 1e4) / 1e4),
      Array.from(img.data),
      method,
    );
    const flat: RawImage = { data: new Uint8Array(48).fill(77), width: 6, height: 8, channels: 1 };
    const up = new Float32Array(11 * 13);
    resizeInto(flat, [11, 13], method, up);
    assert.ok(
      up.every((v) => Math.abs(v - 77) < 1e-4),
      method,
    );
  }
  const half = new Float32Array(4 * 3);
  resizeInto(img, [4, 3], 'area', half);
  const d = img.data;
  assert.ok(Math.abs(half[0] - (d[0] + d[1] + d[6] + d[7]) / 4) < 1e-4);
});

test('tf.memory stays flat over many batches and epochs; toTfData feeds fitDataset', async () => {
  await tf.setBackend('cpu');
  const ds = await imageDatasetFromDirectory(dir, { seed: 1, imageSize: [8, 8], batchSize: 3, quiet: true });
  const before = tf.memory().numTensors;
  for (let e = 0; e < 4; e++) {
    let n = 0;
    for await (const b of ds) {
      n++;
      tf.dispose([b.xs, b.ys]);
    }
    assert.equal(n, 4);
    assert.equal(tf.memory().numTensors, before);
  }
  // Stopping early leaves nothing behind either (the prefetched batch holds no tensors).
  for await (const b of ds) {
    tf.dispose([b.xs, b.ys]);
    break;
  }
  assert.equal(tf.memory().numTensors, before);
  const model = tf.sequential({
    layers: [tf.layers.flatten({ inputShape: [8, 8, 3] }), tf.layers.dense({ units: 3, activation: 'softmax' })],
  });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const h = await model.fitDataset(ds.toTfData(), { epochs: 2, verbose: 0 });
  assert.equal(h.history.loss.length, 2);
  const afterFit = tf.memory().numTensors;
  await model.fitDataset(ds.toTfData(), { epochs: 2, verbose: 0 });
  assert.equal(tf.memory().numTensors, afterFit, 'no leak per epoch in fitDataset');
  model.dispose();
});

/** Runs `fn` with console.warn captured; returns the warnings. */
async function captureWarnings(fn: () => Promise<unknown>): Promise<string[]> {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...a: unknown[]) => void warnings.push(a.join(' '));
  try {
    await fn();
  } finally {
    console.warn = warn;
  }
  return warnings;
}

test('an empty class folder is warned about by name (it still takes a label, as in Keras)', async () => {
  const d = path.join(tmp, 'empty-class');
  for (const cls of ['ant', 'bee', 'cow']) fs.mkdirSync(path.join(d, cls), { recursive: true });
  await jpeg(path.join(d, 'ant', '1.jpg'), 6, 6, 1);
  await jpeg(path.join(d, 'cow', '1.jpg'), 6, 6, 2);
  fs.writeFileSync(path.join(d, 'bee', 'notes.txt'), 'no images here');
  let ds: Awaited<ReturnType<typeof imageDatasetFromDirectory>> | undefined;
  const warnings = await captureWarnings(async () => {
    ds = await imageDatasetFromDirectory(d, { shuffle: false, imageSize: [4, 4], quiet: true });
  });
  assert.deepEqual(ds!.classNames, ['ant', 'bee', 'cow']);
  assert.deepEqual(ds!.labels, [0, 2], "Keras's labels: 'cow' keeps index 2");
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.ok(warnings[0].includes(path.join(d, 'bee')), warnings[0]);
  assert.match(warnings[0], /class 'bee' still takes label 1/);
  const none = await captureWarnings(() =>
    imageDatasetFromDirectory(d, { classNames: ['ant', 'cow'], shuffle: false, quiet: true }),
  );
  assert.deepEqual(none, [], 'no warning once the empty class is left out');
});

test("macOS AppleDouble files ('._x.jpg'), other dot-files and dot-folders inside class folders are skipped", async () => {
  await tf.setBackend('cpu');
  const d = path.join(tmp, 'dotfiles');
  fs.mkdirSync(path.join(d, 'cats', '.ipynb_checkpoints'), { recursive: true });
  fs.mkdirSync(path.join(d, 'dogs', 'sub', '.thumbs'), { recursive: true });
  await jpeg(path.join(d, 'cats', 'cat.1.jpg'), 6, 6, 1);
  await jpeg(path.join(d, 'dogs', 'sub', 'dog.1.jpg'), 6, 6, 2);
  // AppleDouble: resource-fork metadata macOS writes beside each file on foreign disks and into zips.
  const appleDouble = Buffer.concat([Buffer.from([0x00, 0x05, 0x16, 0x07, 0x00, 0x02, 0x00, 0x00]), Buffer.alloc(74)]);
  fs.writeFileSync(path.join(d, 'cats', '._cat.1.jpg'), appleDouble);
  fs.writeFileSync(path.join(d, 'dogs', 'sub', '._dog.1.jpg'), appleDouble);
  fs.writeFileSync(path.join(d, 'dogs', '.hidden.png'), 'not an image');
  await jpeg(path.join(d, 'cats', '.ipynb_checkpoints', 'cat.1-checkpoint.jpg'), 6, 6, 3);
  await jpeg(path.join(d, 'dogs', 'sub', '.thumbs', 'dog.1.jpg'), 6, 6, 4);
  const ds = await imageDatasetFromDirectory(d, { shuffle: false, imageSize: [4, 4], quiet: true });
  assert.deepEqual(
    ds.filePaths.map((p) => path.relative(d, p).split(path.sep).join('/')),
    ['cats/cat.1.jpg', 'dogs/sub/dog.1.jpg'],
  );
  const { ys } = await collect(ds);
  assert.deepEqual(ys, [0, 1], 'the iteration runs through');
  const all = await imageDatasetFromDirectory(d, { labelMode: null, shuffle: false, imageSize: [4, 4], quiet: true });
  assert.equal(all.size, 2);
});

test('a batch is decoded one image at a time (never two decodes in flight), straight into the batch buffer', async () => {
  await tf.setBackend('cpu');
  const files = Array.from({ length: 7 }, (_, i) => `img${i}.png`);
  let inFlight = 0;
  let maxInFlight = 0;
  const decode = async (file: string): Promise<RawImage> => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, 2));
    inFlight--;
    const v = Number(file.match(/\d+/)![0]);
    return { data: new Uint8Array(5 * 4 * 3).fill(v * 10), width: 5, height: 4, channels: 3 };
  };
  const ds = new DirectoryDataset({
    classNames: ['a'],
    filePaths: files,
    labels: files.map(() => 0),
    batchSize: 3,
    imageSize: [2, 2],
    labelMode: 'int',
    colorMode: 'rgb',
    shuffle: false,
    seed: 1,
    interpolation: 'bilinear',
    onBadImage: 'error',
    quiet: true,
    decode,
  });
  const firstPixels: number[] = [];
  for await (const b of ds) {
    const x = (await b.xs.array()) as number[][][][];
    firstPixels.push(...x.map((img) => img[0][0][0]));
    tf.dispose([b.xs, b.ys]);
  }
  assert.deepEqual(firstPixels, [0, 10, 20, 30, 40, 50, 60]);
  assert.equal(maxInFlight, 1, `decodes in flight at once: ${maxInFlight} (a batch of 3, the next one prefetched)`);
});

test('peak memory of a batch of large photos is bounded by one decoded photo, not by the batch', async () => {
  // 16 photos of 2500x2000 (15 MB each decoded; 240 MB if a batch were decoded at once) in one batch.
  const d = path.join(tmp, 'large');
  fs.mkdirSync(path.join(d, 'big', 'a'), { recursive: true });
  fs.mkdirSync(path.join(d, 'small', 'a'), { recursive: true });
  await jpeg(path.join(d, 'small', 'a', 's.jpg'), 20, 16, 1);
  for (let i = 0; i < 16; i++) {
    await sharp({ create: { width: 2500, height: 2000, channels: 3, background: { r: 10 * i, g: 120, b: 200 } } })
      .jpeg()
      .toFile(path.join(d, 'big', 'a', `${i}.jpg`));
  }
  const child = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(__dirname, 'helpers', 'datasetPeakMemory.ts'),
      path.join(d, 'small'),
      path.join(d, 'big'),
    ],
    { encoding: 'utf8' },
  );
  assert.equal(child.status, 0, child.stderr);
  const { growthMB } = JSON.parse(child.stdout.trim().split('\n').pop()!) as { growthMB: number };
  const decodedMB = (2500 * 2000 * 3) / 2 ** 20;
  assert.ok(
    growthMB < 0.6 * 16 * decodedMB,
    `peak memory grew by ${growthMB.toFixed(0)} MB for 16 photos of ${decodedMB.toFixed(0)} MB each`,
  );
});
