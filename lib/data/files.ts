/**
 * Finding the images of a dataset folder as Keras does: one class per sub-folder (sorted names), image files
 * found recursively (.bmp .gif .jpeg .jpg .png, any case; other files skipped), folders visited in sorted order
 * of their full path and names sorted within each. Hidden entries (a name starting with '.') are skipped at
 * every level: dot-folders such as `.ipynb_checkpoints`, and dot-files such as macOS's `._cat.1.jpg`
 * (AppleDouble metadata, not an image) and `.DS_Store`.
 */
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';

/** The file extensions Keras accepts (compared in lower case). */
export const IMAGE_EXTENSIONS = ['.bmp', '.gif', '.jpeg', '.jpg', '.png'];

/** Code-point order, as Python's `sorted` on str. */
const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const hidden = (name: string): boolean => name.startsWith('.');

function isImageFile(name: string): boolean {
  const lower = name.toLowerCase();
  return !hidden(name) && IMAGE_EXTENSIONS.some((e) => lower.endsWith(e));
}

/** Image files under `dir`, recursively, in Keras order (folders sorted by full path, names sorted). */
export async function listImages(dir: string): Promise<string[]> {
  const folders: { root: string; files: string[] }[] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await fsp.readdir(d, { withFileTypes: true });
    folders.push({ root: d, files: entries.filter((e) => e.isFile() && isImageFile(e.name)).map((e) => e.name).sort(byCodePoint) });
    for (const e of entries) if (e.isDirectory() && !hidden(e.name)) await walk(path.join(d, e.name));
  };
  await walk(dir);
  folders.sort((a, b) => byCodePoint(a.root, b.root));
  return folders.flatMap((f) => f.files.map((n) => path.join(f.root, n)));
}

/** The class folders of `dir`: its sub-folders that are not hidden, sorted. */
export async function listClassFolders(dir: string): Promise<string[]> {
  return (await fsp.readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && !hidden(e.name))
    .map((e) => e.name)
    .sort(byCodePoint);
}
