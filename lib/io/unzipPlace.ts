/**
 * Putting a finished extraction in place, and the marker that says it is complete (`.unzip-complete.json`: the
 * zip's path, size and mtime, and the files it wrote). A first extraction is one rename. A re-extraction (the
 * zip changed) replaces only what the earlier extraction wrote: files the user added inside the destination are
 * kept (one whose name the new zip uses is kept as `<name>.orig`), and the message says what was replaced,
 * removed and kept. While files move, the marker says
 * `incomplete`, so a run killed half-way is redone, never skipped.
 */
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { writeFileAtomic } from '../core/atomicFile';
import { describeFsError, hasErrno } from '../core/fsErrors';
import { say } from '../core/messages';

/** Name of the marker file written in a completed extraction. */
export const UNZIP_MARKER = '.unzip-complete.json';

/** What the marker records. */
export interface Marker {
  zip: string;
  size: number;
  mtimeMs: number;
  files: number;
  /** The files the extraction wrote, relative to the destination ('/' separated); absent in older markers. */
  entries?: string[];
  /** True while a re-extraction moves files in: the folder is not complete. */
  incomplete?: boolean;
}

/** The marker of a finished extraction in `dir`, or undefined when there is none (or it is torn: extract again). */
export async function readMarker(dir: string): Promise<Marker | undefined> {
  let text: string;
  try {
    text = await fsp.readFile(path.join(dir, UNZIP_MARKER), 'utf8');
  } catch (err) {
    if (hasErrno(err, 'ENOENT', 'ENOTDIR')) return undefined;
    throw describeFsError(err, path.join(dir, UNZIP_MARKER));
  }
  try {
    return JSON.parse(text) as Marker;
  } catch (err) {
    if (err instanceof SyntaxError) return undefined; // a torn marker: the extraction is redone
    throw err;
  }
}

/** Every file under `dir` (but the marker), relative and '/'-separated, sorted. */
export async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fsp.readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(path.join(dir, e.name), rel)));
    else if (rel !== UNZIP_MARKER) out.push(rel);
  }
  return out.sort();
}

const writeMarker = (dir: string, m: Marker) => writeFileAtomic(path.join(dir, UNZIP_MARKER), JSON.stringify(m));

/** A few names for a message: the first five and how many more. */
function some(names: string[]): string {
  return names.slice(0, 5).join(', ') + (names.length > 5 ? ` and ${names.length - 5} more` : '');
}

/** Removes `rel`'s now-empty parent folders inside `dest` (a folder still holding something stays). */
async function pruneEmpty(dest: string, rel: string): Promise<void> {
  for (let d = path.dirname(rel); d !== '.' && d !== '/'; d = path.dirname(d)) {
    try {
      await fsp.rmdir(path.join(dest, d));
    } catch (err) {
      if (hasErrno(err, 'ENOTEMPTY', 'EEXIST', 'ENOENT')) return;
      throw describeFsError(err, path.join(dest, d));
    }
  }
}

/**
 * Moves each new file from `root` into `dest`, replacing the earlier extraction's; a file of the same name that
 * it did not write (`ours` lists what it wrote; unknown for older markers) is kept aside as `<name>.orig`.
 * Returns those.
 */
async function moveIn(root: string, dest: string, files: string[], ours?: Set<string>): Promise<string[]> {
  const theirs: string[] = [];
  for (const rel of files) {
    const to = path.join(dest, rel);
    try {
      await fsp.mkdir(path.dirname(to), { recursive: true });
      if (
        ours &&
        !ours.has(rel) &&
        (await fsp.lstat(to).then(
          () => true,
          () => false,
        ))
      ) {
        await fsp.rename(to, `${to}.orig`);
        theirs.push(rel);
      }
      await fsp.rename(path.join(root, rel), to);
    } catch (err) {
      throw describeFsError(err, to);
    }
  }
  return theirs;
}

/** Re-extraction into a folder an earlier extraction made: replaces its files, keeps the user's, says which. */
async function merge(root: string, dest: string, marker: Marker, old: Marker, quiet?: boolean): Promise<void> {
  await writeMarker(dest, { ...old, incomplete: true });
  const files = marker.entries ?? [];
  const fresh = new Set(files);
  const ours = old.entries ? new Set(old.entries) : undefined;
  const replacedTheirs = await moveIn(root, dest, files, ours);
  const gone = [...(ours ?? [])].filter((f) => !fresh.has(f));
  for (const rel of gone) {
    await fsp.rm(path.join(dest, rel), { force: true });
    await pruneEmpty(dest, rel);
  }
  const kept = (await listFiles(dest)).filter((f) => !fresh.has(f));
  await writeMarker(dest, marker);
  if (quiet) return;
  const replaced = files.length - replacedTheirs.length;
  const en =
    `${path.basename(marker.zip)} changed since it was extracted into ${dest}: replaced ${replaced} files of the earlier extraction` +
    `${gone.length ? `, removed ${gone.length} it no longer holds (${some(gone)})` : ''}` +
    (replacedTheirs.length
      ? `, and kept ${replacedTheirs.length} files of the same name that it had not written as <name>.orig ` +
        `(${some(replacedTheirs)})`
      : '') +
    '.' +
    `${kept.length ? ` Kept ${kept.length} files you added: ${some(kept)}.` : ''}`;
  const ko =
    `${path.basename(marker.zip)}이(가) 바뀌어 ${dest}에 다시 풀었습니다: 이전 파일 ${replaced}개 교체, ${gone.length}개 삭제` +
    (replacedTheirs.length
      ? `, 같은 이름의 다른 파일 ${replacedTheirs.length}개는 <이름>.orig로 보관 (${some(replacedTheirs)})`
      : '') +
    '.' +
    `${kept.length ? ` 직접 넣은 파일 ${kept.length}개는 그대로 둡니다: ${some(kept)}.` : ''}`;
  console.log(say({ en, ko }));
}

/**
 * Puts the complete extraction `root` in place as `dest` with `marker` (its `entries` listing the files). `old`
 * is the marker of an earlier extraction in `dest`, when there is one (then files are merged, see above).
 */
export async function placeExtraction(
  root: string,
  dest: string,
  marker: Marker,
  old: Marker | undefined,
  quiet?: boolean,
): Promise<void> {
  if (old) return merge(root, dest, marker, old, quiet);
  await writeMarker(root, marker);
  try {
    await fsp.rmdir(dest); // an empty folder may stand there; anything else was refused before extracting
  } catch (err) {
    if (!hasErrno(err, 'ENOENT')) throw describeFsError(err, dest);
  }
  try {
    await fsp.rename(root, dest);
  } catch (err) {
    throw describeFsError(err, dest);
  }
}
