/**
 * What `npm run train` and `trainOnFolder` accept before reading any image: the folder layouts (classes, or
 * train/val/test splits), every layout error by name, image sizes given as text, and the pre-flight decode check.
 */
import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { detectFolderLayout } from '../lib/data/folderLayout';
import { findUnreadableImages } from '../lib/data/imageCheck';
import { MAX_IMAGE_SIDE, parseImageSize } from '../lib/data/imageSize';
import { writeBmp } from './helpers/bmpFile';
import { tempDir } from './helpers/tempDir';

let root: string;

/** Makes `files` (relative paths; a name ending in '/' is an empty folder) under a new folder `name`. */
function folder(name: string, files: string[]): string {
  const dir = path.join(root, name);
  for (const f of files) {
    const full = path.join(dir, f);
    if (f.endsWith('/')) {
      fs.mkdirSync(full, { recursive: true });
      continue;
    }
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, f.endsWith('.txt') ? 'not an image' : writeBmp(new Uint8Array(12), 2, 2));
  }
  return dir;
}

before(() => {
  root = tempDir('folder-layout-');
});

test('a folder of class folders is the classes layout; train/ + val/ (any case) + test/ the splits layout', async () => {
  const flat = folder('flat', ['b/1.bmp', 'a/1.bmp', 'a/2.bmp', 'c/deep/1.bmp']);
  assert.deepEqual(await detectFolderLayout(flat), {
    kind: 'classes',
    root: flat,
    train: flat,
    classes: ['a', 'b', 'c'],
  });
  const splits = folder('splits', [
    'train/x/1.bmp',
    'train/y/1.bmp',
    'VAL/x/1.bmp',
    'VAL/y/1.bmp',
    'test/x/1.bmp',
    'test/y/1.bmp',
  ]);
  assert.deepEqual(await detectFolderLayout(splits), {
    kind: 'splits',
    root: splits,
    train: path.join(splits, 'train'),
    validation: path.join(splits, 'VAL'),
    test: path.join(splits, 'test'),
    classes: ['x', 'y'],
  });
  const noVal = folder('trainOnly', ['Train/x/1.bmp', 'Train/y/1.bmp', 'validation_notes/']);
  const layout = await detectFolderLayout(noVal);
  assert.equal(layout.kind, 'splits');
  assert.equal(layout.train, path.join(noVal, 'Train'));
  assert.equal(layout.validation, undefined, "'validation_notes' is not a validation folder");
  assert.equal(layout.test, undefined);
  const named = folder('validationName', [
    'train/x/1.bmp',
    'train/y/1.bmp',
    'validation/x/1.bmp',
    'validation/y/1.bmp',
  ]);
  assert.equal((await detectFolderLayout(named)).validation, path.join(named, 'validation'));
});

test('every layout error names the folder and says what is needed', async () => {
  const cases: [string, RegExp][] = [
    [
      path.join(root, 'missing'),
      /^Error: Image folder .*missing does not exist\. Pass a folder with one sub-folder of images per class \(at least 2 classes\)/,
    ],
    [folder('file', ['x.txt']) + '/x.txt', /^Error: Image folder .*x\.txt is not a folder\. Pass a folder with/],
    [
      folder('valOnly', ['val/a/1.bmp']),
      /valOnly has a validation folder but no train\/ folder: add train\/<class>\/ folders\.$/,
    ],
    [folder('testOnly', ['test/a/1.bmp']), /testOnly has a test folder but no train\/ folder/],
    [folder('oneClass', ['a/1.bmp']), /oneClass has only one class \(a\): a classifier needs at least 2 classes/],
    [folder('noClasses', ['1.bmp']), /noClasses has no class sub-folders: a classifier needs at least 2 classes/],
    [
      folder('allEmpty', ['a/x.txt', 'b/']),
      /^Error: No images \(\.bmp, \.gif, \.jpeg, \.jpg, \.png\) in the class folders of .*allEmpty\. It needs/,
    ],
    [
      folder('oneEmpty', ['a/1.bmp', 'b/', 'c/1.bmp']),
      /^Error: Class folder\(s\) .*oneEmpty\/b hold no images .*: add images or remove the folder\.$/,
    ],
    [
      folder('mismatch', ['train/a/1.bmp', 'train/b/1.bmp', 'val/a/1.bmp', 'val/c/1.bmp']),
      /mismatch\/val must hold the same class folders as .*mismatch\/train \(a, b\); missing: b; not in training: c\.$/,
    ],
    [
      folder('testMissing', ['train/a/1.bmp', 'train/b/1.bmp', 'test/a/1.bmp']),
      /testMissing\/test must hold .* \(a, b\); missing: b\.$/,
    ],
    [
      folder('trainEmptyClass', ['train/a/1.bmp', 'train/b/', 'val/a/1.bmp', 'val/b/1.bmp']),
      /trainEmptyClass\/train\/b hold no images/,
    ],
  ];
  for (const [dir, message] of cases) await assert.rejects(detectFolderLayout(dir), message, dir);
});

test('image sizes as text: one number or height x width, each side from 1 to MAX_IMAGE_SIDE', () => {
  assert.deepEqual(parseImageSize('150'), [150, 150]);
  assert.deepEqual(parseImageSize(' 150 X 200 '), [150, 200]);
  assert.deepEqual(parseImageSize('150,200'), [150, 200]);
  assert.deepEqual(parseImageSize('1'), [1, 1]);
  assert.deepEqual(parseImageSize(String(MAX_IMAGE_SIDE)), [MAX_IMAGE_SIDE, MAX_IMAGE_SIDE]);
  assert.equal(MAX_IMAGE_SIDE, 8192);
  for (const bad of ['8193', '0', '150x0', '0x150', '9000x10'])
    assert.throws(
      () => parseImageSize(bad, '--image-size'),
      new RegExp(`^Error: --image-size ${bad}: each side must be from 1 to 8192 pixels`),
    );
  for (const bad of ['abc', '150x', '-5', '1.5', '150x200x3', ''])
    assert.throws(
      () => parseImageSize(bad),
      new RegExp(`^Error: --size ${bad}: give one number \\(150\\) or height x width`),
    );
});

test('findUnreadableImages names each file that does not decode, with the short reason, and reports progress', async () => {
  const dir = folder('check', ['good.bmp', 'also.bmp']);
  const fake = path.join(dir, 'fake.jpg');
  fs.writeFileSync(fake, 'this is text, not a JPEG');
  const gone = path.join(dir, 'gone.png');
  const files = [path.join(dir, 'good.bmp'), fake, gone, path.join(dir, 'also.bmp')];
  const progress: number[] = [];
  const bad = await findUnreadableImages(files, { onProgress: (n) => progress.push(n) });
  assert.deepEqual(
    bad.map((b) => b.path),
    [fake, gone],
  );
  assert.deepEqual(progress, [1, 2, 3, 4]);
  for (const b of bad) {
    assert.ok(b.reason.length > 0, 'a reason is given');
    assert.ok(!b.reason.startsWith('Cannot decode image'), `the prefix naming the file is cut: ${b.reason}`);
    assert.ok(!b.reason.includes('\n') && !/Delete or replace the file/.test(b.reason), `one short line: ${b.reason}`);
  }
  const custom = await findUnreadableImages(['x', 'y'], {
    decode: async (f) => {
      if (f === 'y')
        throw new Error('Cannot decode image y: broken header. Delete or replace the file, then run again.\nmore');
      return { width: 1, height: 1, channels: 3, data: new Uint8Array(3) };
    },
  });
  assert.deepEqual(custom, [{ path: 'y', reason: 'broken header' }]);
  const stop = new AbortController();
  stop.abort(new Error('stopped by the user'));
  await assert.rejects(findUnreadableImages(files, { signal: stop.signal }), /stopped by the user/);
});

test('layout errors list every folder at fault, and keep the cause of a missing folder', async () => {
  const missing = path.join(root, 'nothing-here');
  const err = (await detectFolderLayout(missing).catch((e: Error) => e)) as Error & { cause?: NodeJS.ErrnoException };
  assert.equal(err.cause?.code, 'ENOENT');
  const two = folder('twoEmpty', ['a/1.bmp', 'b/', 'c/1.bmp', 'd/x.txt']);
  await assert.rejects(
    detectFolderLayout(two),
    new RegExp(
      `^Error: Class folder\\(s\\) ${two}/b, ${two}/d hold no images \\(\\.bmp, \\.gif, \\.jpeg, \\.jpg, \\.png\\): ` +
        'add images or remove the folder\\.$',
    ),
  );
  const many = folder('manyMismatch', [
    'train/a/1.bmp',
    'train/b/1.bmp',
    'train/c/1.bmp',
    'val/a/1.bmp',
    'val/d/1.bmp',
    'val/e/1.bmp',
  ]);
  await assert.rejects(detectFolderLayout(many), /\(a, b, c\); missing: b, c; not in training: d, e\.$/);
  assert.throws(
    () => parseImageSize('0'),
    /^Error: --size 0: each side must be from 1 to 8192 pixels \(the model's own input size is used when --size is left out\)\.$/,
  );
});
