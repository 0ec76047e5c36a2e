/**
 * The images of a folder nobody prepared, as datasets for `trainOnFolder`: the layout detected
 * (data/folderLayout.ts), Keras's seeded `validation_split` when there is no validation folder, every file decoded
 * once first so that unreadable ones are left out and named (data/imageCheck.ts), photos turned as their EXIF
 * says, and the class counts checked (a class too small for the split is an error; unbalanced classes a warning).
 */
import * as path from 'node:path';
import { say } from '../core/messages';
import { ProgressLine, type ProgressSink } from '../core/progress';
import { decodeImageFile, type ColorMode } from '../data/decode';
import type { DirectoryDataset } from '../data/directoryDataset';
import { checkImageFolder, checkSameClasses, detectFolderLayout, type FolderLayout } from '../data/folderLayout';
import { findUnreadableImages, type SkippedFile } from '../data/imageCheck';
import { imageDatasetFromDirectory } from '../data/imageDataset';

/** Options of `loadFolderData`. */
export interface FolderDataOptions {
  imageSize: [number, number];
  batchSize: number;
  seed: number;
  /** Fraction of the training folder kept for validation when there is no validation folder. */
  validationSplit: number;
  /** Another folder with the same classes to evaluate on (replaces `<dir>/test`). */
  testDir?: string;
  signal?: AbortSignal;
  quiet?: boolean;
  sink?: ProgressSink;
}

/** The datasets of a folder, their class counts, and what was left out or warned about. */
export interface FolderData {
  layout: FolderLayout;
  classes: string[];
  train: DirectoryDataset;
  validation: DirectoryDataset;
  test?: DirectoryDataset;
  /** Images per class, in `classes` order, per split. */
  counts: { train: number[]; validation: number[]; test?: number[] };
  skipped: SkippedFile[];
  /** Sentences already printed as warnings (unbalanced classes, skipped files), for a report. */
  warnings: string[];
}

/** Photos as a viewer shows them (EXIF orientation applied). */
const decode = (file: string, mode: ColorMode) => decodeImageFile(file, mode, { autoOrient: true });

/** The raw datasets of the layout (before unreadable files are removed). */
async function splitDatasets(layout: FolderLayout, o: FolderDataOptions) {
  const common = {
    labelMode: layout.classes.length === 2 ? ('binary' as const) : ('categorical' as const),
    classNames: layout.classes,
    imageSize: o.imageSize,
    batchSize: o.batchSize,
    seed: o.seed,
    quiet: true,
  };
  const split = (subset: 'training' | 'validation') =>
    imageDatasetFromDirectory(layout.train, { ...common, validationSplit: o.validationSplit, subset });
  const train = layout.validation ? await imageDatasetFromDirectory(layout.train, common) : await split('training');
  const validation = layout.validation
    ? await imageDatasetFromDirectory(layout.validation, { ...common, shuffle: false })
    : await split('validation');
  const testDir = o.testDir ?? layout.test;
  if (o.testDir) {
    await checkImageFolder(o.testDir, 'Test folder');
    await checkSameClasses(o.testDir, layout.train, layout.classes);
  }
  const test = testDir ? await imageDatasetFromDirectory(testDir, { ...common, shuffle: false }) : undefined;
  return { train, validation, test };
}

/** `ds` without the files in `bad`, decoding photos upright, stopping on `signal`; evaluation sets unshuffled. */
function keepReadable(
  ds: DirectoryDataset,
  bad: Set<string>,
  o: FolderDataOptions,
  shuffle: boolean,
): DirectoryDataset {
  const keep = ds.filePaths.map((f) => !bad.has(f));
  return ds.derive({
    filePaths: ds.filePaths.filter((_, i) => keep[i]),
    labels: ds.labels.filter((_, i) => keep[i]),
    shuffle,
    decode,
    signal: o.signal,
  });
}

/** Images per class of a dataset. */
const classCounts = (ds: DirectoryDataset, n: number): number[] =>
  ds.labels.reduce((c, l) => (c[l]++, c), new Array<number>(n).fill(0));

/** A class with no image in training or validation is an error naming it, its images and what to do. */
function checkSplitCounts(data: Pick<FolderData, 'layout' | 'classes' | 'counts'>, split: number): void {
  const { classes, counts, layout } = data;
  classes.forEach((c, k) => {
    const tr = counts.train[k];
    const va = counts.validation[k];
    if (tr > 0 && va > 0) return;
    const where = tr === 0 ? 'training' : 'validation';
    const fix = layout.validation
      ? `add images to ${path.join(tr === 0 ? layout.train : layout.validation, c)}`
      : `add images to ${path.join(layout.train, c)} or change the validation split (now ${split})`;
    throw new Error(
      `Class '${c}' is too small for the split: ${tr} training and ${va} validation images, none for ${where}. To use it, ${fix}.`,
    );
  });
}

/** Warns (and returns the sentences) about skipped files and classes whose sizes differ more than 3 times. */
function warnings(data: Pick<FolderData, 'classes' | 'counts' | 'skipped'>, line: ProgressLine): string[] {
  const out: string[] = [];
  if (data.skipped.length) {
    const list = data.skipped.map((s) => `${s.path} (${s.reason})`).join('; ');
    out.push(
      say({
        en: `Skipped ${data.skipped.length} unreadable image file(s): ${list}`,
        ko: `읽을 수 없는 이미지 파일 ${data.skipped.length}개를 건너뛰었습니다: ${list}`,
      }),
    );
  }
  const totals = data.classes.map((_, k) => data.counts.train[k] + data.counts.validation[k]);
  const max = Math.max(...totals);
  const min = Math.min(...totals);
  if (max > 3 * min) {
    const list = data.classes.map((c, k) => `${c} ${totals[k]}`).join(', ');
    out.push(
      say({
        en:
          `Unbalanced classes (largest / smallest = ${(max / min).toFixed(1)} > 3): ${list}. Accuracy then says ` +
          "little; consider --class-weight balanced (classWeight: 'balanced') or more photos of the small classes.",
        ko:
          `클래스 크기가 고르지 않습니다 (가장 큰 / 가장 작은 = ${(max / min).toFixed(1)} > 3): ${list}. ` +
          "정확도만으로는 알기 어렵습니다. --class-weight balanced (classWeight: 'balanced')나 작은 클래스의 사진을 더 쓰세요.",
      }),
    );
  }
  line.finish();
  for (const w of out) console.warn(`Warning: ${w}`); // warnings show even when progress is quiet
  return out;
}

/**
 * Detects the layout of `dir`, splits it (Keras's `validation_split`, seeded), decodes every image once to leave
 * out unreadable files (counted and named), and checks the class counts. Errors name the folder or class and what to do.
 */
export async function loadFolderData(dir: string, o: FolderDataOptions): Promise<FolderData> {
  const layout = await detectFolderLayout(dir);
  const raw = await splitDatasets(layout, o);
  const all = [...raw.train.filePaths, ...raw.validation.filePaths, ...(raw.test?.filePaths ?? [])];
  const unit = say({ en: 'images', ko: '장' });
  const line = new ProgressLine({
    label: say({ en: 'check images', ko: '이미지 확인' }),
    total: all.length,
    quiet: o.quiet,
    sink: o.sink,
    rate: { unit },
  });
  const skipped = await findUnreadableImages(all, { decode, signal: o.signal, onProgress: (d) => line.update(d) });
  line.update(all.length, { force: true });
  line.finish();
  const bad = new Set(skipped.map((s) => s.path));
  const train = keepReadable(raw.train, bad, o, true);
  const validation = keepReadable(raw.validation, bad, o, false);
  const test = raw.test ? keepReadable(raw.test, bad, o, false) : undefined;
  const n = layout.classes.length;
  const counts = {
    train: classCounts(train, n),
    validation: classCounts(validation, n),
    ...(test ? { test: classCounts(test, n) } : {}),
  };
  const data = { layout, classes: layout.classes, train, validation, test, counts, skipped };
  checkSplitCounts(data, o.validationSplit);
  return { ...data, warnings: warnings(data, line) };
}
