/**
 * Finding the images of a dataset folder as Keras does: one class per sub-folder (sorted names), image files
 * found recursively (.bmp .gif .jpeg .jpg .png, any case; other files skipped), folders visited in sorted order
 * of their full path and names sorted within each. Hidden entries (a name starting with '.') are skipped at
 * every level: dot-folders such as `.ipynb_checkpoints`, and dot-files such as macOS's `._cat.1.jpg`
 * (AppleDouble metadata, not an image) and `.DS_Store`. Symbolic links are followed, as Keras does (class
 * folders and images that are links count); a link to nothing, or back to a folder that holds it (a loop, even
 * to a folder above the one listed: a class folder's link to the dataset's root), is skipped with a warning
 * naming it.
 */
import type { Dirent } from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { describeFsError } from '../core/fsErrors';
import { say } from '../core/messages';

/** The file extensions Keras accepts (compared in lower case). */
export const IMAGE_EXTENSIONS = ['.bmp', '.gif', '.jpeg', '.jpg', '.png'];

/** Code-point order, as Python's `sorted` on str. */
const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const hidden = (name: string): boolean => name.startsWith('.');

/** Whether `folder` is `ancestor` or lies inside it (real paths): a link there from `folder` leads back to itself. */
const isWithin = (folder: string, ancestor: string): boolean =>
  folder === ancestor || folder.startsWith(ancestor.endsWith(path.sep) ? ancestor : ancestor + path.sep);

function isImageFile(name: string): boolean {
  const lower = name.toLowerCase();
  return !hidden(name) && IMAGE_EXTENSIONS.some((e) => lower.endsWith(e));
}

/** What an entry is, through a symbolic link: a file, a folder, a link to nothing, or something else. */
async function kindOf(dir: string, e: Dirent): Promise<'file' | 'dir' | 'broken' | 'other'> {
  if (e.isFile()) return 'file';
  if (e.isDirectory()) return 'dir';
  if (!e.isSymbolicLink()) return 'other';
  try {
    const s = await fsp.stat(path.join(dir, e.name));
    return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other';
  } catch {
    return 'broken';
  }
}

/** Warns that a link was skipped, saying why. */
async function warnLink(link: string, why: 'loop' | 'broken'): Promise<void> {
  const to = await fsp.readlink(link).catch(() => '?');
  console.warn(
    why === 'loop'
      ? say({
          en: `Skipped ${link}: a symbolic link to ${to}, a folder it is inside of (a loop).`,
          ko: `${link}을(를) 건너뜁니다: 자신을 담은 폴더 ${to}(으)로 가는 심볼릭 링크입니다 (loop).`,
        })
      : say({
          en: `Skipped ${link}: a symbolic link to ${to}, which does not exist.`,
          ko: `${link}을(를) 건너뜁니다: 없는 경로 ${to}(으)로 가는 심볼릭 링크입니다.`,
        }),
  );
}

/** The entries of `dir` with what each is (links followed); an unreadable folder is an error naming it. */
async function readFolder(dir: string): Promise<{ name: string; kind: Awaited<ReturnType<typeof kindOf>> }[]> {
  let entries: Dirent[];
  try {
    entries = await fsp.readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw describeFsError(err, dir);
  }
  return Promise.all(entries.map(async (e) => ({ name: e.name, kind: await kindOf(dir, e) })));
}

/** Image files under `dir`, recursively, in Keras order (folders sorted by full path, names sorted). */
export async function listImages(dir: string): Promise<string[]> {
  const folders: { root: string; files: string[] }[] = [];
  const walk = async (d: string, inside: Set<string>, parentReal?: string): Promise<void> => {
    const real = await fsp.realpath(d).catch((err: unknown) => Promise.reject(describeFsError(err, d)));
    if (inside.has(real) || (parentReal !== undefined && isWithin(parentReal, real))) return warnLink(d, 'loop');
    const entries = await readFolder(d);
    const files = entries.filter((e) => e.kind === 'file' && isImageFile(e.name)).map((e) => e.name);
    folders.push({ root: d, files: files.sort(byCodePoint) });
    const below = new Set(inside).add(real);
    for (const e of entries) {
      if (hidden(e.name)) continue;
      if (e.kind === 'dir') await walk(path.join(d, e.name), below, real);
      else if (e.kind === 'broken') await warnLink(path.join(d, e.name), 'broken');
    }
  };
  await walk(dir, new Set());
  folders.sort((a, b) => byCodePoint(a.root, b.root));
  return folders.flatMap((f) => f.files.map((n) => path.join(f.root, n)));
}

/** The class folders of `dir`: its sub-folders (or links to folders) that are not hidden, sorted. */
export async function listClassFolders(dir: string): Promise<string[]> {
  const entries = await readFolder(dir);
  for (const e of entries) if (e.kind === 'broken' && !hidden(e.name)) await warnLink(path.join(dir, e.name), 'broken');
  return entries
    .filter((e) => e.kind === 'dir' && !hidden(e.name))
    .map((e) => e.name)
    .sort(byCodePoint);
}
