/**
 * Which layout a folder of images has, detected from its sub-folders, as Keras and PyTorch users lay them out:
 *
 * - `classes`: `<dir>/<class>/*` (Keras's `image_dataset_from_directory`; split into training and validation
 *   with `validation_split`);
 * - `splits`: `<dir>/train/<class>/*` with `val/` or `validation/` (PyTorch's `ImageFolder` layout and the
 *   lesson's), and optionally `test/`; without a validation folder, `train/` is split as in `classes`.
 *
 * Every split must hold the same class folders. Errors name the folder and say what is needed; nothing is read
 * but folder listings.
 */
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { IMAGE_EXTENSIONS, listClassFolders, listImages } from './files';

/** The folders a layout resolved to; `classes` are the training folder's class folders, sorted (Keras's order). */
export interface FolderLayout {
  kind: 'classes' | 'splits';
  /** The folder given. */
  root: string;
  /** The folder whose class folders are the training images (`root` itself for `classes`). */
  train: string;
  /** The validation folder (`val/` or `validation/`); undefined when validation is split off `train`. */
  validation?: string;
  /** The test folder (`test/`), when there is one. */
  test?: string;
  classes: string[];
}

/** Names accepted for each split folder (compared case-insensitively). */
const SPLIT_NAMES = { train: ['train'], validation: ['val', 'validation'], test: ['test'] } as const;

const WHAT_IS_NEEDED =
  'one sub-folder of images per class (at least 2 classes), or train/ and val/ (or validation/) folders holding such class folders';

/** Fails unless `dir` is an existing folder; the error names it and says what it should hold. */
export async function checkImageFolder(dir: string, role = 'Image folder'): Promise<void> {
  let stat;
  try {
    stat = await fsp.stat(dir);
  } catch (err) {
    throw new Error(`${role} ${dir} does not exist. Pass a folder with ${WHAT_IS_NEEDED}.`, { cause: err });
  }
  if (!stat.isDirectory()) throw new Error(`${role} ${dir} is not a folder. Pass a folder with ${WHAT_IS_NEEDED}.`);
}

/** The sub-folder of `subdirs` with one of `names` (any case), as a path under `dir`. */
function findSplit(dir: string, subdirs: string[], names: readonly string[]): string | undefined {
  const name = subdirs.find((d) => names.includes(d.toLowerCase()));
  return name === undefined ? undefined : path.join(dir, name);
}

/** Checks that `folder` has exactly the class folders `classes` (extra or missing ones are named). */
export async function checkSameClasses(folder: string, trainFolder: string, classes: string[]): Promise<void> {
  const found = await listClassFolders(folder);
  const missing = classes.filter((c) => !found.includes(c));
  const extra = found.filter((c) => !classes.includes(c));
  if (missing.length || extra.length) {
    throw new Error(
      `${folder} must hold the same class folders as ${trainFolder} (${classes.join(', ')})` +
        `${missing.length ? `; missing: ${missing.join(', ')}` : ''}${extra.length ? `; not in training: ${extra.join(', ')}` : ''}.`,
    );
  }
}

/** The class folders of `folder` (sorted); fewer than 2, or a class without images, is an error naming them. */
export async function checkClassFolders(folder: string): Promise<string[]> {
  const classes = await listClassFolders(folder);
  const counts = await Promise.all(classes.map(async (c) => (await listImages(path.join(folder, c))).length));
  const empty = classes.filter((_, i) => counts[i] === 0);
  if (classes.length > 0 && empty.length === classes.length) {
    throw new Error(
      `No images (${IMAGE_EXTENSIONS.join(', ')}) in the class folders of ${folder}. It needs ${WHAT_IS_NEEDED}.`,
    );
  }
  if (empty.length) {
    const list = empty.map((c) => path.join(folder, c)).join(', ');
    throw new Error(
      `Class folder(s) ${list} hold no images (${IMAGE_EXTENSIONS.join(', ')}): add images or remove the folder.`,
    );
  }
  if (classes.length < 2) {
    const found = classes.length === 0 ? 'no class sub-folders' : `only one class (${classes[0]})`;
    throw new Error(`${folder} has ${found}: a classifier needs at least 2 classes, ${WHAT_IS_NEEDED}.`);
  }
  return classes;
}

/**
 * Detects the layout of `dir` (see the file comment) and checks it: the folder exists, has at least 2 classes,
 * each with images, and every split has the same class folders.
 */
export async function detectFolderLayout(dir: string): Promise<FolderLayout> {
  await checkImageFolder(dir);
  const subdirs = await listClassFolders(dir);
  const train = findSplit(dir, subdirs, SPLIT_NAMES.train);
  const validation = findSplit(dir, subdirs, SPLIT_NAMES.validation);
  const test = findSplit(dir, subdirs, SPLIT_NAMES.test);
  if (!train) {
    if (validation || test) {
      throw new Error(
        `${dir} has ${validation ? 'a validation' : 'a test'} folder but no train/ folder: add train/<class>/ folders.`,
      );
    }
    return { kind: 'classes', root: dir, train: dir, classes: await checkClassFolders(dir) };
  }
  const classes = await checkClassFolders(train);
  for (const split of [validation, test]) if (split) await checkSameClasses(split, train, classes);
  return { kind: 'splits', root: dir, train, validation, test, classes };
}
