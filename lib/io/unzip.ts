/**
 * Safe, idempotent zip extraction on top of `extract-zip`.
 *
 * - Every entry name is checked first (from the zip's central directory): one that would land outside the
 *   destination (`../x`, `/etc/x`, `C:\x`) or a symlink entry is refused before anything is written.
 * - Files go to a temporary folder next to `destDir`, which is renamed into place when complete, together
 *   with a marker file (`.unzip-complete.json`: the zip's path, size and mtime). A second call with the same
 *   zip finds the marker and returns `skipped: true`.
 * - Single top folder named like the destination: a zip whose entries all sit under one folder with the same
 *   name as `destDir` (e.g. `cats_and_dogs_small/train/...` extracted to `data/cats_and_dogs_small`) is
 *   unwrapped, so the result is `data/cats_and_dogs_small/train/...`, not `.../cats_and_dogs_small/cats_and_dogs_small/...`.
 *   Any other layout is extracted as is. `__MACOSX/` entries are dropped.
 */
import extract from 'extract-zip';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';

/** What `unzip` did. */
export interface UnzipResult {
  /** The absolute destination folder. */
  destDir: string;
  /** Number of files in the destination that came from the zip. */
  files: number;
  /** True when a completed extraction of the same zip was found and nothing was done. */
  skipped: boolean;
}

/** One entry of a zip's central directory. */
export interface ZipEntryInfo {
  name: string;
  isDirectory: boolean;
  isSymlink: boolean;
  compressedSize: number;
  size: number;
}

/** Name of the marker file written in a completed extraction. */
export const UNZIP_MARKER = '.unzip-complete.json';

/** Reads the central directory of a zip (zip64 included) without extracting; errors name the file. */
export async function listZipEntries(zipPath: string): Promise<ZipEntryInfo[]> {
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(zipPath, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`Cannot open zip file ${zipPath} (${code === 'ENOENT' ? 'it does not exist' : code}). Download it first or check the path.`);
  }
  try {
    const { size } = await fh.stat();
    const corrupt = (why: string) =>
      new Error(`${zipPath} is not a valid zip file (${why}); it may be truncated or not a zip: delete it and download it again.`);
    const tailLen = Math.min(size, 65_557);
    const tail = Buffer.alloc(tailLen);
    await fh.read(tail, 0, tailLen, size - tailLen);
    let eocd = -1;
    for (let i = tailLen - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw corrupt('no end-of-central-directory record');
    let count = tail.readUInt16LE(eocd + 10);
    let cdSize = tail.readUInt32LE(eocd + 12);
    let cdOffset = tail.readUInt32LE(eocd + 16);
    if ((count === 0xffff || cdOffset === 0xffffffff) && eocd >= 20 && tail.readUInt32LE(eocd - 20) === 0x07064b50) {
      const z64Offset = Number(tail.readBigUInt64LE(eocd - 12));
      const rec = Buffer.alloc(56);
      await fh.read(rec, 0, 56, z64Offset);
      if (rec.readUInt32LE(0) !== 0x06064b50) throw corrupt('bad zip64 record');
      count = Number(rec.readBigUInt64LE(32));
      cdSize = Number(rec.readBigUInt64LE(40));
      cdOffset = Number(rec.readBigUInt64LE(48));
    }
    if (cdOffset + cdSize > size) throw corrupt('central directory beyond the end of the file');
    const cd = Buffer.alloc(cdSize);
    await fh.read(cd, 0, cdSize, cdOffset);
    const entries: ZipEntryInfo[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== 0x02014b50) throw corrupt(`bad central directory entry #${i + 1}`);
      const flags = cd.readUInt16LE(p + 8);
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      const madeBy = cd.readUInt16LE(p + 4) >> 8;
      const external = cd.readUInt32LE(p + 38);
      const rawName = cd.subarray(p + 46, p + 46 + nameLen);
      const name = rawName.toString(flags & 0x800 ? 'utf8' : 'latin1');
      const mode = (external >>> 16) & 0o170000;
      entries.push({
        name,
        isDirectory: name.endsWith('/') || name.endsWith('\\'),
        isSymlink: madeBy === 3 && mode === 0o120000,
        compressedSize: cd.readUInt32LE(p + 20),
        size: cd.readUInt32LE(p + 24),
      });
      p += 46 + nameLen + extraLen + commentLen;
    }
    return entries;
  } finally {
    await fh.close();
  }
}

/** The entry names that would escape `destDir` (absolute, drive-letter or `..` paths) or are symlinks. */
export function unsafeEntries(entries: ZipEntryInfo[], destDir: string): string[] {
  const root = path.resolve(destDir);
  return entries
    .filter((e) => {
      const n = e.name.replace(/\\/g, '/');
      if (e.isSymlink || n.startsWith('/') || /^[A-Za-z]:/.test(n)) return true;
      const target = path.resolve(root, n);
      return target !== root && !target.startsWith(root + path.sep);
    })
    .map((e) => e.name);
}

interface Marker {
  zip: string;
  size: number;
  mtimeMs: number;
  files: number;
}

async function readMarker(dir: string): Promise<Marker | undefined> {
  try {
    return JSON.parse(await fsp.readFile(path.join(dir, UNZIP_MARKER), 'utf8')) as Marker;
  } catch {
    return undefined;
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

/**
 * Extracts `zipPath` into `destDir` (see the file comment for the rules). Throws, naming the zip, when it is
 * missing or corrupt or holds an unsafe entry; a `destDir` that exists, is not empty and was not made by
 * `unzip` is left alone with an error.
 */
export async function unzip(zipPath: string, destDir: string, opts: { quiet?: boolean } = {}): Promise<UnzipResult> {
  const dest = path.resolve(destDir);
  const zipAbs = path.resolve(zipPath);
  const entries = await listZipEntries(zipAbs);
  const stat = await fsp.stat(zipAbs);
  const marker = await readMarker(dest);
  if (marker && marker.size === stat.size && marker.mtimeMs === stat.mtimeMs && path.basename(marker.zip) === path.basename(zipAbs)) {
    return { destDir: dest, files: marker.files, skipped: true };
  }
  const bad = unsafeEntries(entries, dest);
  if (bad.length) {
    throw new Error(
      `Refusing to extract ${zipPath}: entr${bad.length > 1 ? 'ies' : 'y'} ${bad.slice(0, 5).map((b) => `'${b}'`).join(', ')}` +
        `${bad.length > 5 ? ` and ${bad.length - 5} more` : ''} would be written outside ${dest} (or ${bad.length > 1 ? 'are' : 'is a'} symlink${bad.length > 1 ? 's' : ''}). ` +
        `Nothing was written; the zip is unsafe: get it from a trusted source.`,
    );
  }
  if (!marker) {
    let existing: string[] = [];
    try {
      existing = await fsp.readdir(dest);
    } catch {
      existing = [];
    }
    if (existing.length) {
      throw new Error(
        `Cannot extract ${zipPath} into ${dest}: that folder already exists and was not made by unzip. ` +
          `Delete it (or move it away) and run again, or extract to another folder.`,
      );
    }
  }
  const parent = path.dirname(dest);
  await fsp.mkdir(parent, { recursive: true });
  const tmp = await fsp.mkdtemp(path.join(parent, `.${path.basename(dest)}.unzip-`));
  try {
    if (!opts.quiet) console.log(`Extracting ${zipPath} (${entries.length} entries) to ${dest} ...`);
    try {
      await extract(zipAbs, { dir: tmp });
    } catch (err) {
      throw new Error(
        `${zipPath} could not be extracted (${err instanceof Error ? err.message : String(err)}); it may be corrupt: delete it and download it again.`,
      );
    }
    await fsp.rm(path.join(tmp, '__MACOSX'), { recursive: true, force: true });
    const top = (await fsp.readdir(tmp, { withFileTypes: true })).filter((e) => e.name !== '.DS_Store');
    let root = tmp;
    if (top.length === 1 && top[0].isDirectory() && top[0].name === path.basename(dest)) root = path.join(tmp, top[0].name);
    const files = await countFiles(root);
    const record: Marker = { zip: zipAbs, size: stat.size, mtimeMs: stat.mtimeMs, files };
    await fsp.writeFile(path.join(root, UNZIP_MARKER), JSON.stringify(record, null, 2));
    await fsp.rm(dest, { recursive: true, force: true });
    await fsp.rename(root, dest);
    if (!opts.quiet) console.log(`Extracted ${files} files to ${dest}`);
    return { destDir: dest, files, skipped: false };
  } finally {
    await fsp.rm(tmp, { recursive: true, force: true });
  }
}
