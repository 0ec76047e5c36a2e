/**
 * imageDatasetFromDirectory's contract at its edges: every bad option is an error naming the option and the value
 * (Keras's rules, boundaries included), the folder errors, what it prints, and the file order of lib/data/files.ts
 * (Python's code-point sort, folders by full path, symbolic links followed or skipped with a warning naming them).
 */
import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import { imageDatasetFromDirectory, loadImage, type ImageDatasetOptions } from '../lib/data/imageDataset';
import { listClassFolders, listImages } from '../lib/data/files';
import { writeBmp } from './helpers/bmpFile';
import { tempDir } from './helpers/tempDir';
import { inFakeNotebook } from './helpers/fakeNotebook';

let root: string;
let two: string; // classes 'a' (3 images) and 'b' (2 images)

const image = (file: string) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, writeBmp(new Uint8Array(12), 2, 2));
};

before(() => {
  root = tempDir('dataset-options-');
  two = path.join(root, 'two');
  for (const f of ['a/1.bmp', 'a/2.bmp', 'a/3.bmp', 'b/1.bmp', 'b/2.bmp']) image(path.join(two, f));
});

/** The console lines `fn` prints with `method`, and its result. */
async function captured<T>(method: 'log' | 'warn', fn: () => Promise<T>): Promise<{ lines: string[]; value: T }> {
  const lines: string[] = [];
  const original = console[method];
  console[method] = (...args: unknown[]) => void lines.push(args.join(' '));
  try {
    return { lines, value: await fn() };
  } finally {
    console[method] = original;
  }
}

const rejectsWith = (opts: ImageDatasetOptions, message: RegExp, dir = two) =>
  assert.rejects(imageDatasetFromDirectory(dir, { quiet: true, ...opts }), message, JSON.stringify(opts));

test('each bad option is refused with its name and the value received', async () => {
  const fn = 'ArgumentError: imageDatasetFromDirectory:';
  const bad: [unknown, string | RegExp][] = [
    [{ labelMode: 'sparse' }, `${fn} labelMode must be 'int', 'binary', 'categorical' or null. Received: "sparse".`],
    [{ colorMode: 'rgba' }, `${fn} colorMode must be 'rgb' or 'grayscale'. Received: 'rgba'.`],
    [{ imageSize: [0, 4] }, `${fn} imageSize must be [height, width], two positive integers. Received: [0,4].`],
    [{ imageSize: [4, 0] }, /Received: \[4,0\]\.$/],
    [{ imageSize: [4] }, /Received: \[4\]\.$/],
    [{ imageSize: [4, 4, 3] }, /Received: \[4,4,3\]\.$/],
    [{ imageSize: [2.5, 4] }, /Received: \[2\.5,4\]\.$/],
    [{ imageSize: [-4, -4] }, /Received: \[-4,-4\]\.$/],
    [{ batchSize: 0 }, `${fn} batchSize must be a positive integer. Received: 0.`],
    [{ batchSize: 2.5 }, /Received: 2\.5\.$/],
    [
      { interpolation: 'cubic' },
      /^ArgumentError: imageDatasetFromDirectory: interpolation must be one of bilinear, nearest.*\. Received: 'cubic'\.$/,
    ],
    [
      { validationSplit: 0, subset: 'training', seed: 1 },
      `${fn} validationSplit must be between 0 and 1 (exclusive). Received: 0.`,
    ],
    [{ validationSplit: 1, subset: 'training', seed: 1 }, /Received: 1\.$/],
    [
      { validationSplit: 0.5, subset: 'testing', seed: 1 },
      `${fn} subset must be 'training' or 'validation'. Received: 'testing'.`,
    ],
    [{ subset: 'training' }, `${fn} subset 'training' needs validationSplit (e.g. 0.2).`],
    [{ validationSplit: 0.5 }, `${fn} validationSplit is set, so also pass subset: 'training' or 'validation'.`],
    [
      { validationSplit: 0.5, subset: 'training' },
      /needs a seed \(the same for both subsets\), so that training and validation files do not overlap\.$/,
    ],
  ];
  for (const [opts, message] of bad) {
    const expected =
      typeof message === 'string' ? new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : message;
    await rejectsWith(opts as ImageDatasetOptions, expected);
  }
});

test('the smallest valid values are accepted (1x1 images, batches of 1, a split of a whole number of files)', async () => {
  const ds = await imageDatasetFromDirectory(two, { imageSize: [1, 1], batchSize: 1, shuffle: false, quiet: true });
  assert.equal(ds.numBatches, 5);
  const split = { validationSplit: 0.4, seed: 3, quiet: true, imageSize: [1, 1] as [number, number] };
  const va = await imageDatasetFromDirectory(two, { ...split, subset: 'validation' });
  assert.equal(va.size, 2, 'int(0.4 * 5) = 2 validation files');
  // No shuffle needs no seed: the split is then the tail of Keras's file order.
  const tail = await imageDatasetFromDirectory(two, {
    ...split,
    seed: undefined,
    shuffle: false,
    subset: 'validation',
  });
  assert.deepEqual(
    tail.filePaths.map((p) => path.relative(two, p).split(path.sep).join('/')),
    ['b/1.bmp', 'b/2.bmp'],
  );
  assert.deepEqual(tail.labels, [1, 1]);
});

test('a missing folder, a file instead of a folder, and a folder without images are errors naming the path', async () => {
  const missing = path.join(root, 'nowhere');
  await rejectsWith({}, new RegExp(`^Error: Image folder ${missing} does not exist\\. Download and extract`), missing);
  const err = await imageDatasetFromDirectory(missing, { quiet: true }).catch((e: Error) => e);
  assert.equal((err as Error & { cause: NodeJS.ErrnoException }).cause.code, 'ENOENT', 'the cause is kept');
  const file = path.join(two, 'a', '1.bmp');
  await rejectsWith({}, new RegExp(`^Error: ${file} is not a folder: pass the folder that holds one sub-folder`), file);
  const empty = path.join(root, 'empty');
  fs.mkdirSync(path.join(empty, 'only'), { recursive: true });
  const warned = await captured('warn', () =>
    rejectsWith(
      {},
      new RegExp(
        `^Error: No images found in ${empty} \\(one sub-folder per class\\)\\. Allowed formats: \\.bmp, \\.gif`,
      ),
      empty,
    ),
  );
  assert.equal(warned.lines.length, 1, 'the empty class folder is also warned about');
  await rejectsWith({ labelMode: null }, new RegExp(`^Error: No images found in ${empty}\\. Allowed formats`), empty);
  await rejectsWith(
    { labelMode: 'binary', classNames: ['a'] },
    /^Error: labelMode 'binary' needs exactly 2 classes, but .* has 1: \["a"\]\. Use 'int' or 'categorical'\.$/,
  );
});

test("it prints Keras's lines unless quiet: the files and classes found, then the subset's share", async () => {
  const opts: ImageDatasetOptions = { validationSplit: 0.4, subset: 'training', seed: 5 };
  const loud = await captured('log', () => imageDatasetFromDirectory(two, opts));
  assert.deepEqual(loud.lines, ['Found 5 files belonging to 2 classes.', 'Using 3 files for training.']);
  const unlabelled = await captured('log', () => imageDatasetFromDirectory(two, { labelMode: null, shuffle: false }));
  assert.deepEqual(unlabelled.lines, ['Found 5 files.']);
  assert.deepEqual(unlabelled.value.labels, [0, 0, 0, 0, 0], 'no labels: every file gets 0');
  assert.deepEqual(unlabelled.value.classNames, []);
  const quiet = await captured('log', () => imageDatasetFromDirectory(two, { ...opts, quiet: true }));
  assert.deepEqual(quiet.lines, []);
  const tiny = path.join(root, 'tiny');
  image(path.join(tiny, 'x', '1.bmp'));
  await assert.rejects(
    imageDatasetFromDirectory(tiny, { validationSplit: 0.5, subset: 'validation', seed: 1, quiet: true }),
    /^Error: validationSplit 0\.5 leaves no files for validation \(of 1\)\.$/,
  );
});

test("files are in Python's code-point order; folders by full path, each folder's files before its sub-folders'", async () => {
  const dir = path.join(root, 'order');
  for (const f of [
    'b.png',
    'B.png',
    'a10.jpg',
    'a2.jpg',
    '_x.gif',
    'sub/z.jpg',
    'sub/A.jpg',
    'Sub2/k.jpg',
    'sub/deep/0.bmp',
    'sub-x/m.jpg',
  ])
    image(path.join(dir, 'cls', f));
  const rel = (await listImages(path.join(dir, 'cls'))).map((p) => path.relative(dir, p).split(path.sep).join('/'));
  assert.deepEqual(rel, [
    'cls/B.png',
    'cls/_x.gif',
    'cls/a10.jpg',
    'cls/a2.jpg',
    'cls/b.png',
    'cls/Sub2/k.jpg',
    'cls/sub/A.jpg',
    'cls/sub/z.jpg',
    'cls/sub-x/m.jpg', // Keras sorts os.walk's folders by path: 'sub-x' < 'sub/deep' ('-' < '/'), not depth first
    'cls/sub/deep/0.bmp',
  ]);
  for (const c of ['beta', 'Alpha', 'alpha', '.hidden', '_under'])
    fs.mkdirSync(path.join(dir, 'classes', c), { recursive: true });
  fs.writeFileSync(path.join(dir, 'classes', 'file.jpg'), 'a file is not a class');
  assert.deepEqual(await listClassFolders(path.join(dir, 'classes')), ['Alpha', '_under', 'alpha', 'beta']);
});

test('symbolic links: followed to folders and files, a loop or a dangling link skipped with a warning naming it', async () => {
  const dir = path.join(root, 'links');
  image(path.join(root, 'elsewhere', 'cats', 'c.bmp'));
  image(path.join(dir, 'dogs', 'd.bmp'));
  fs.symlinkSync(path.join(root, 'elsewhere', 'cats'), path.join(dir, 'cats'));
  fs.symlinkSync(path.join(root, 'elsewhere', 'cats', 'c.bmp'), path.join(dir, 'dogs', 'linked.bmp'));
  fs.symlinkSync(dir, path.join(dir, 'dogs', 'loop'));
  fs.symlinkSync(path.join(root, 'gone'), path.join(dir, 'dogs', 'dangling.bmp'));
  fs.symlinkSync(path.join(root, 'gone-class'), path.join(dir, 'ghost'));
  const { lines, value: ds } = await captured('warn', () =>
    imageDatasetFromDirectory(dir, { shuffle: false, quiet: true, imageSize: [2, 2] }),
  );
  assert.deepEqual(ds.classNames, ['cats', 'dogs'], 'a link to a folder is a class; a dangling one is not');
  assert.deepEqual(
    ds.filePaths.map((p) => path.relative(dir, p).split(path.sep).join('/')),
    ['cats/c.bmp', 'dogs/d.bmp', 'dogs/linked.bmp'],
  );
  assert.deepEqual(ds.labels, [0, 1, 1]);
  const ghost = path.join(dir, 'ghost');
  const loop = path.join(dir, 'dogs', 'loop');
  assert.deepEqual(
    lines.sort(),
    [
      `Skipped ${path.join(dir, 'dogs', 'dangling.bmp')}: a symbolic link to ${path.join(root, 'gone')}, which does not exist.`,
      `Skipped ${ghost}: a symbolic link to ${path.join(root, 'gone-class')}, which does not exist.`,
      `Skipped ${loop}: a symbolic link to ${dir}, a folder it is inside of (a loop).`,
    ].sort(),
  );
});

test('in a notebook the same errors are in Korean, with the option and the value', async () => {
  await inFakeNotebook(async () => {
    await rejectsWith(
      { batchSize: 0 },
      /^ArgumentError: imageDatasetFromDirectory: batchSize는 양의 정수여야 합니다\. 받은 값: 0\.$/,
    );
    await rejectsWith({ validationSplit: 0.3, subset: 'training' }, /같은 seed를 주세요/);
  });
});

test('a link to a sibling folder whose name starts like the folder holding it is followed, not taken for a loop', async () => {
  const dir = path.join(root, 'prefix');
  image(path.join(dir, 'dog', 'q.bmp'));
  image(path.join(dir, 'dogs', 'd.bmp'));
  fs.symlinkSync(path.join(dir, 'dog'), path.join(dir, 'dogs', 'alias'));
  const { lines, value } = await captured('warn', () => listImages(path.join(dir, 'dogs')));
  assert.deepEqual(
    value.map((p) => path.relative(dir, p).split(path.sep).join('/')),
    ['dogs/d.bmp', 'dogs/alias/q.bmp'],
  );
  assert.deepEqual(lines, [], "'dogs' is not inside 'dog'");
});

test('without a seed, each dataset draws its own shuffle (Keras picks a random seed)', async () => {
  const many = path.join(root, 'many');
  for (let i = 0; i < 12; i++) image(path.join(many, i % 2 ? 'odd' : 'even', `${i}.bmp`));
  const orders = new Set<string>();
  for (let k = 0; k < 4; k++)
    orders.add((await imageDatasetFromDirectory(many, { quiet: true, imageSize: [1, 1] })).filePaths.join());
  assert.ok(orders.size > 1, 'four seedless datasets, one order: the seed is not random');
});

test('the Korean message of every bad option names the option and the value received', async () => {
  const bad: [ImageDatasetOptions, string][] = [
    [{ labelMode: 'sparse' as never }, 'labelMode'],
    [{ colorMode: 'rgba' as never }, 'colorMode'],
    [{ imageSize: [0, 4] }, 'imageSize'],
    [{ batchSize: 0 }, 'batchSize'],
    [{ interpolation: 'cubic' as never }, 'interpolation'],
    [{ validationSplit: 2, subset: 'training', seed: 1 }, 'validationSplit'],
    [{ validationSplit: 0.5, subset: 'testing' as never, seed: 1 }, 'subset'],
    [{ subset: 'training' }, 'validationSplit'],
    [{ validationSplit: 0.5 }, 'subset'],
  ];
  await inFakeNotebook(async () => {
    for (const [opts, option] of bad) {
      const err = (await imageDatasetFromDirectory(two, { quiet: true, ...opts }).catch((e: Error) => e)) as Error;
      assert.match(err.message, /^imageDatasetFromDirectory: [^\n]*[\uac00-\ud7a3]/, JSON.stringify(opts));
      assert.ok(err.message.includes(option), `${err.message} names ${option}`);
      assert.match(err.message, /받은 값: |주세요\.$/, err.message);
    }
  });
});

test('an empty class folder: the warning says which label it takes and what to do', async () => {
  const dir = path.join(root, 'holes');
  image(path.join(dir, 'a', '1.bmp'));
  fs.mkdirSync(path.join(dir, 'b'));
  image(path.join(dir, 'c', '1.bmp'));
  const { lines } = await captured('warn', () => imageDatasetFromDirectory(dir, { quiet: true, shuffle: false }));
  assert.deepEqual(lines, [
    `Class folder ${path.join(dir, 'b')} has no images (.bmp, .gif, .jpeg, .jpg, .png): class 'b' still takes label 1, ` +
      'so the labels of the classes after it are shifted by one. Add its images, remove the folder, or choose the ' +
      'classes with classNames.',
  ]);
  const ko = await inFakeNotebook(async () => {
    const warned = await captured('warn', () => imageDatasetFromDirectory(dir, { quiet: true, shuffle: false }));
    assert.match(
      warned.lines[0],
      /^클래스 폴더 .*b에 이미지\(\.bmp, \.gif, .*\)가 없습니다\. 클래스 'b'도 레이블 1을 차지하므로 그 뒤 클래스들의 레이블이 하나씩 밀립니다\./,
    );
  });
  assert.ok(Array.isArray(ko));
});

test('loadImage turns a photo as its EXIF orientation says only when asked (autoOrient)', async () => {
  const file = path.join(root, 'rotated.jpg');
  await sharp({ create: { width: 6, height: 2, channels: 3, background: { r: 200, g: 10, b: 10 } } })
    .jpeg()
    .withMetadata({ orientation: 6 })
    .toFile(file);
  const asStored = await loadImage(file);
  const turned = await loadImage(file, { autoOrient: true });
  assert.deepEqual(asStored.shape, [2, 6, 3], 'TensorFlow ignores the orientation');
  assert.deepEqual(turned.shape, [6, 2, 3], 'orientation 6: a quarter turn');
  tf.dispose([asStored, turned]);
});
