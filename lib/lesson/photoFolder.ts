/**
 * Notebook 09's photos: which folder it trains on (`LESSON_DATA`, else the five flower classes shipped in
 * lib/assets), a banner saying so, and what the folder holds (images per class and split folder, a few photos of
 * each class), read from folder listings before any training.
 */
import * as path from 'node:path';
import { initBackend, type BackendInfo } from '../backend/select';
import { envValue } from '../core/config';
import { assetPath, displayPath, projectRoot } from '../core/paths';
import { listImages } from '../data/files';
import { detectFolderLayout, type FolderLayout } from '../data/folderLayout';
import { showTable } from '../ui/display';
import { showPhotos } from '../ui/photoViews';
import { backendDetails, backendLines, showBanner } from './banner';

/** The folder notebook 09 trains on, and its layout. */
export interface PhotoFolder {
  dir: string;
  /** True when `LESSON_DATA` chose it. */
  fromEnv: boolean;
  layout: FolderLayout;
}

/** `LESSON_DATA` (a relative path is taken from the project root), else lib/assets/flowers_mini. */
export function photoFolderPath(env?: NodeJS.ProcessEnv): { dir: string; fromEnv: boolean } {
  const given = envValue('LESSON_DATA', env);
  return given === undefined
    ? { dir: assetPath('flowers_mini'), fromEnv: false }
    : { dir: path.resolve(projectRoot(), given), fromEnv: true };
}

/** How the folder is split, in a phrase. */
function layoutPhrase(layout: FolderLayout): string {
  if (layout.kind === 'classes')
    return '클래스 폴더만 있음: 클래스마다 80%는 학습, 20%는 검증 (Keras의 validation_split)';
  const parts = ['train/', layout.validation && path.basename(layout.validation) + '/', layout.test && 'test/'];
  return `나뉜 폴더: ${parts.filter(Boolean).join(' + ')}`;
}

/**
 * The first cell of notebook 09: starts the backend, finds the photo folder (checking that it has at least two
 * class folders with images; the error says what is missing) and shows both in a banner.
 */
export async function startPhotosLesson(
  env?: NodeJS.ProcessEnv,
): Promise<{ backend: BackendInfo; folder: PhotoFolder }> {
  const backend = await initBackend({ quiet: true });
  const { dir, fromEnv } = photoFolderPath(env);
  const layout = await detectFolderLayout(dir);
  const source = fromEnv
    ? 'LESSON_DATA가 가리키는 폴더'
    : 'LESSON_DATA가 없어서, 라이브러리에 함께 들어 있는 꽃 사진 (5종류 × 40장, 출처는 폴더의 PROVENANCE.md)';
  const lines = [
    ...backendLines(backend),
    `사진 폴더: ${displayPath(dir)} — ${source}`,
    `  구조: ${layoutPhrase(layout)}; 클래스 ${layout.classes.length}개`,
  ];
  showBanner(lines, fromEnv ? 'full' : 'offline', backendDetails(backend));
  return { backend, folder: { dir, fromEnv, layout } };
}

/** The split folders of a layout with their table headers. */
function splitFolders(layout: FolderLayout): [string, string][] {
  if (layout.kind === 'classes') return [['사진 수', layout.train]];
  const named: [string, string | undefined][] = [
    ['train', layout.train],
    [layout.validation ? path.basename(layout.validation) : 'val', layout.validation],
    ['test', layout.test],
  ];
  return named.filter((s): s is [string, string] => s[1] !== undefined);
}

/** Images per class (rows) and split folder (columns), with a total row; counted on disk. */
export async function classCountRows(layout: FolderLayout): Promise<Record<string, string | number>[]> {
  const splits = splitFolders(layout);
  const rows: Record<string, string | number>[] = [];
  for (const c of layout.classes) {
    const row: Record<string, string | number> = { 클래스: c };
    for (const [name, dir] of splits) row[name] = (await listImages(path.join(dir, c))).length;
    rows.push(row);
  }
  const total: Record<string, string | number> = { 클래스: '합계' };
  for (const [name] of splits) total[name] = rows.reduce((s, r) => s + Number(r[name]), 0);
  return [...rows, total];
}

/** Shows `classCountRows` as a table. */
export async function showClassCounts(folder: PhotoFolder): Promise<void> {
  showTable(await classCountRows(folder.layout), { caption: '클래스별 사진 수' });
}

/** Shows the first `perClass` photos (file order) of each class of the training folder, one row per class. */
export async function showClassPhotos(folder: PhotoFolder, perClass = 5): Promise<void> {
  const { train, classes } = folder.layout;
  const files = await Promise.all(classes.map(async (c) => (await listImages(path.join(train, c))).slice(0, perClass)));
  await showPhotos(files.flat(), { columns: perClass, size: 110 });
}
