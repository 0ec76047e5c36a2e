/**
 * Safe, idempotent zip extraction with yauzl.
 *
 * - Before anything is written: every entry name is checked (one that would land outside the destination, such
 *   as `../x`, `/etc/x`, `C:\x`, or a symlink entry, is refused) and the declared sizes are held to the zip-bomb
 *   limits (`zipLimits.ts`). While writing, each entry's bytes are counted and its CRC-32 checked (`zipExtract.ts`).
 * - One extraction per destination at a time: the destination's lock (`core/fileLock.ts`, `<dest>.lock` with the
 *   holder's pid) makes a second run wait, then find the work done; a lock left by a killed run is taken over.
 * - Files go to one temporary folder per destination, `.<dest>.unzip-tmp` next to it, which the lock holder removes
 *   first and Ctrl-C, SIGTERM, SIGHUP (or the launcher's death) remove on the way out. Only when every entry is
 *   on disk with its size is it put in place (`unzipPlace.ts`), with a marker file (`.unzip-complete.json`: the
 *   zip's path, size and mtime, the files written). A second call with the same zip finds the marker and returns
 *   `skipped: true`; a changed zip replaces only what the earlier extraction wrote.
 * - Single top folder named like the destination: a zip whose entries all sit under one folder with the same
 *   name as `destDir` (e.g. `cats_and_dogs_small/train/...` extracted to `data/cats_and_dogs_small`) is
 *   unwrapped, so the result is `data/cats_and_dogs_small/train/...`. Any other layout is extracted as is.
 *   `__MACOSX/` entries are dropped.
 */
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { withFileLock } from '../core/fileLock';
import { describeFsError, hasErrno } from '../core/fsErrors';
import { say } from '../core/messages';
import { ProgressLine, formatBytes } from '../core/progress';
import { withInterruptCleanup } from './interrupt';
import { extractEntries, verifyExtracted, type WriteStreamFactory } from './zipExtract';
import { entryNameProblem, openZip, unsafeEntries, type ZipArchive } from './zipEntries';
import { checkDeclaredSizes, resolveLimits, type UnzipLimits } from './zipLimits';
import { listFiles, placeExtraction, readMarker, type Marker } from './unzipPlace';

export { listZipEntries, unsafeEntries, type ZipEntryInfo } from './zipEntries';
export { UNZIP_MARKER } from './unzipPlace';

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

/** The temporary folder of an extraction into `dest`: one predictable name, next to it (used under the lock only). */
export function unzipTempDir(dest: string): string {
  return path.join(path.dirname(dest), `.${path.basename(dest)}.unzip-tmp`);
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
        `${bad.length > 5 ? ` and ${bad.length - 5} more` : ''} would be written outside ${dest} (or ` +
        `${many ? 'are symlinks' : 'is a symlink'}). ` +
        `Nothing was written; the zip is unsafe: get it from a trusted source.`,
    );
  }
  const problem = entryNameProblem(zip.entries);
  if (problem)
    throw new Error(
      `Cannot extract ${zip.path}: ${problem}. Nothing was written; extract it with another tool, or fix the zip.`,
    );
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
    `${described.message} Extracting ${zip.path} needs ${formatBytes(need)} (${formatBytes(written)} were ` +
      `written before the disk filled); nothing was extracted.`,
    { cause: err },
  );
}

/** Extracts into the temp folder and moves the result to `dest`; returns the number of files. */
async function extractInto(
  zip: ZipArchive,
  tmp: string,
  dest: string,
  old: Marker | undefined,
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
  await verifyExtracted(zip, tmp);
  const top = (await fsp.readdir(tmp, { withFileTypes: true })).filter((e) => e.name !== '.DS_Store');
  const root =
    top.length === 1 && top[0].isDirectory() && top[0].name === path.basename(dest) ? path.join(tmp, top[0].name) : tmp;
  const entries = await listFiles(root);
  const stat = await fsp.stat(zip.path);
  const marker: Marker = { zip: zip.path, size: stat.size, mtimeMs: stat.mtimeMs, files: entries.length, entries };
  await placeExtraction(root, dest, marker, old, opts.quiet);
  return entries.length;
}

/** The extraction itself, run while holding the destination's lock. */
async function extractLocked(
  zip: ZipArchive,
  dest: string,
  opts: UnzipOptions,
  signal: AbortSignal,
): Promise<UnzipResult> {
  const tmp = unzipTempDir(dest);
  try {
    await fsp.rm(tmp, { recursive: true, force: true }); // what a killed run left
  } catch (err) {
    throw describeFsError(err, tmp);
  }
  const stat = await fsp.stat(zip.path);
  const marker = await readMarker(dest);
  if (
    marker &&
    !marker.incomplete &&
    marker.size === stat.size &&
    marker.mtimeMs === stat.mtimeMs &&
    path.basename(marker.zip) === path.basename(zip.path)
  ) {
    return { destDir: dest, files: marker.files, skipped: true };
  }
  await checkBeforeWriting(zip, dest, marker);
  checkDeclaredSizes(zip.path, stat.size, zip.entries, resolveLimits(opts));
  try {
    const files = await extractInto(zip, tmp, dest, marker, opts, signal);
    if (!opts.quiet)
      console.log(say({ en: `Extracted ${files} files to ${dest}`, ko: `${files}개 파일을 ${dest}에 풀었습니다` }));
    return { destDir: dest, files, skipped: false };
  } finally {
    await fsp.rm(tmp, { recursive: true, force: true });
  }
}

/**
 * Extracts `zipPath` into `destDir` (see the file comment for the rules). Throws, naming the zip, when it is
 * missing, corrupt, unsafe or over a limit; a `destDir` that exists, is not empty and was not made by `unzip`
 * is left alone with an error. A second run on the same `destDir` waits for the first.
 *
 * @example
 * ```ts
 * import { dataPath } from './lib/core/paths';
 * import { unzip } from './lib/io/unzip';
 *
 * const { destDir, files } = await unzip(dataPath('cats_and_dogs_small.zip'), dataPath());
 * console.log(`${files} files in ${destDir}`);
 * ```
 */
export async function unzip(zipPath: string, destDir: string, opts: UnzipOptions = {}): Promise<UnzipResult> {
  const dest = path.resolve(destDir);
  const zip = await openZip(path.resolve(zipPath));
  try {
    try {
      await fsp.mkdir(path.dirname(dest), { recursive: true });
    } catch (err) {
      throw describeFsError(err, path.dirname(dest));
    }
    return await withInterruptCleanup((signal) =>
      withFileLock(dest, 'extracting into', () => extractLocked(zip, dest, opts, signal), {
        signal,
        quiet: opts.quiet,
      }),
    );
  } finally {
    zip.close();
  }
}
