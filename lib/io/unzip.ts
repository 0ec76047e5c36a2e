/**
 * Safe, idempotent zip extraction with yauzl.
 *
 * - Before anything is written: every entry name is checked (one that would land outside the destination, such
 *   as `../x`, `/etc/x`, `C:\x`, or a symlink entry, is refused) and the declared sizes are held to the zip-bomb
 *   limits (`zipLimits.ts`). While writing, each entry's bytes are counted and its CRC-32 checked (`zipExtract.ts`).
 * - Files go to one temporary folder per destination, `.<dest>.unzip-tmp` next to it, which a new run removes
 *   first and Ctrl-C removes on the way out; it is renamed into place when complete, with a marker file
 *   (`.unzip-complete.json`: the zip's path, size and mtime). A second call with the same zip finds the marker
 *   and returns `skipped: true`.
 * - Single top folder named like the destination: a zip whose entries all sit under one folder with the same
 *   name as `destDir` (e.g. `cats_and_dogs_small/train/...` extracted to `data/cats_and_dogs_small`) is
 *   unwrapped, so the result is `data/cats_and_dogs_small/train/...`. Any other layout is extracted as is.
 *   `__MACOSX/` entries are dropped.
 */
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { writeFileAtomic } from '../core/atomicFile';
import { describeFsError, hasErrno } from '../core/fsErrors';
import { say } from '../core/messages';
import { ProgressLine, formatBytes } from '../core/progress';
import { withInterruptCleanup } from './interrupt';
import { extractEntries, type WriteStreamFactory } from './zipExtract';
import { openZip, unsafeEntries, type ZipArchive } from './zipEntries';
import { checkDeclaredSizes, resolveLimits, type UnzipLimits } from './zipLimits';

export { listZipEntries, unsafeEntries, type ZipEntryInfo } from './zipEntries';

/** What `unzip` did. */
export interface UnzipResult {
  /** The absolute destination folder. */
  destDir: string;
  /** Number of files in the destination that came from the zip. */
  files: number;
  /** True when a completed extraction of the same zip was found and nothing was done. */
  skipped: boolean;
}

/** Options of `unzip`. */
export interface UnzipOptions extends Partial<UnzipLimits> {
  /** No progress output. */
  quiet?: boolean;
  /** Opens the stream each file is written to (default `fs.createWriteStream`): for tests and slow media. */
  writeStream?: WriteStreamFactory;
}

/** Name of the marker file written in a completed extraction. */
export const UNZIP_MARKER = '.unzip-complete.json';

/** The temporary folder of an extraction into `dest`: one predictable name, next to it. */
export function unzipTempDir(dest: string): string {
  return path.join(path.dirname(dest), `.${path.basename(dest)}.unzip-tmp`);
}

interface Marker {
  zip: string;
  size: number;
  mtimeMs: number;
  files: number;
}

/** The marker of a finished extraction in `dir`, or undefined when there is none (or it is unreadable: extract again). */
async function readMarker(dir: string): Promise<Marker | undefined> {
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

async function countFiles(dir: string): Promise<number> {
  let n = 0;
  for (const e of await fsp.readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory()) n += await countFiles(path.join(dir, e.name));
    else if (e.name !== UNZIP_MARKER) n++;
  }
  return n;
}

/** Throws, with nothing written, when an entry is unsafe or `dest` holds files unzip did not make. */
async function checkBeforeWriting(zip: ZipArchive, dest: string, marker: Marker | undefined): Promise<void> {
  const bad = unsafeEntries(zip.entries, dest);
  if (bad.length) {
    const many = bad.length > 1;
    throw new Error(
      `Refusing to extract ${zip.path}: entr${many ? 'ies' : 'y'} ${bad
        .slice(0, 5)
        .map((b) => `'${b}'`)
        .join(', ')}` +
        `${bad.length > 5 ? ` and ${bad.length - 5} more` : ''} would be written outside ${dest} (or ${many ? 'are symlinks' : 'is a symlink'}). ` +
        `Nothing was written; the zip is unsafe: get it from a trusted source.`,
    );
  }
  if (marker) return;
  let existing: string[] = [];
  try {
    existing = await fsp.readdir(dest);
  } catch (err) {
    if (!hasErrno(err, 'ENOENT')) throw describeFsError(err, dest);
  }
  if (existing.length) {
    throw new Error(
      `Cannot extract ${zip.path} into ${dest}: that folder already exists and was not made by unzip. ` +
        `Delete it (or move it away) and run again, or extract to another folder.`,
    );
  }
}

/** The error for a failed extraction: a full disk says how much room the zip needs. */
function extractionError(err: unknown, zip: ZipArchive, dest: string, written: number): unknown {
  if (!hasErrno(err, 'ENOSPC', 'EDQUOT')) return describeFsError(err, dest);
  const need = zip.entries.reduce((a, e) => a + e.size, 0);
  const described = describeFsError(err, dest) as Error;
  return new Error(
    `${described.message} Extracting ${zip.path} needs ${formatBytes(need)} (${formatBytes(written)} were written before the disk filled); nothing was extracted.`,
    { cause: err },
  );
}

/** Extracts into the temp folder and moves the result to `dest`; returns the number of files. */
async function extractInto(
  zip: ZipArchive,
  tmp: string,
  dest: string,
  opts: UnzipOptions,
  signal: AbortSignal,
): Promise<number> {
  const total = zip.entries.reduce((a, e) => a + e.size, 0);
  const progress = new ProgressLine({
    label: say({ en: `Extracting ${path.basename(zip.path)}`, ko: `${path.basename(zip.path)} 압축 해제` }),
    total,
    unit: 'bytes',
    quiet: opts.quiet,
  });
  let written = 0;
  try {
    await fsp.mkdir(tmp);
    await extractEntries(zip, tmp, {
      writeStream: opts.writeStream,
      signal,
      onBytes: (n) => progress.update((written = n)),
    });
  } catch (err) {
    if (signal.aborted)
      throw new Error(
        `Extracting ${zip.path} was interrupted (${String((signal.reason as Error).message)}); nothing was extracted: run it again.`,
        { cause: err },
      );
    throw extractionError(err, zip, dest, written);
  } finally {
    progress.finish();
  }
  const top = (await fsp.readdir(tmp, { withFileTypes: true })).filter((e) => e.name !== '.DS_Store');
  const root =
    top.length === 1 && top[0].isDirectory() && top[0].name === path.basename(dest) ? path.join(tmp, top[0].name) : tmp;
  const files = await countFiles(root);
  const stat = await fsp.stat(zip.path);
  const marker: Marker = { zip: zip.path, size: stat.size, mtimeMs: stat.mtimeMs, files };
  await writeFileAtomic(path.join(root, UNZIP_MARKER), JSON.stringify(marker, null, 2));
  await fsp.rm(dest, { recursive: true, force: true });
  await fsp.rename(root, dest);
  return files;
}

/**
 * Extracts `zipPath` into `destDir` (see the file comment for the rules). Throws, naming the zip, when it is
 * missing, corrupt, unsafe or over a limit; a `destDir` that exists, is not empty and was not made by `unzip`
 * is left alone with an error.
 */
export async function unzip(zipPath: string, destDir: string, opts: UnzipOptions = {}): Promise<UnzipResult> {
  const dest = path.resolve(destDir);
  const tmp = unzipTempDir(dest);
  const limits = resolveLimits(opts);
  try {
    await fsp.rm(tmp, { recursive: true, force: true }); // what a killed run left
  } catch (err) {
    throw describeFsError(err, tmp);
  }
  const zip = await openZip(path.resolve(zipPath));
  try {
    const stat = await fsp.stat(zip.path);
    const marker = await readMarker(dest);
    if (
      marker &&
      marker.size === stat.size &&
      marker.mtimeMs === stat.mtimeMs &&
      path.basename(marker.zip) === path.basename(zip.path)
    ) {
      return { destDir: dest, files: marker.files, skipped: true };
    }
    await checkBeforeWriting(zip, dest, marker);
    checkDeclaredSizes(zipPath, stat.size, zip.entries, limits);
    try {
      await fsp.mkdir(path.dirname(dest), { recursive: true });
    } catch (err) {
      throw describeFsError(err, path.dirname(dest));
    }
    const files = await withInterruptCleanup(async (signal) => {
      try {
        return await extractInto(zip, tmp, dest, opts, signal);
      } finally {
        await fsp.rm(tmp, { recursive: true, force: true });
      }
    });
    if (!opts.quiet)
      console.log(say({ en: `Extracted ${files} files to ${dest}`, ko: `${files}개 파일을 ${dest}에 풀었습니다` }));
    return { destDir: dest, files, skipped: false };
  } finally {
    zip.close();
  }
}
