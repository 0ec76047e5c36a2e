/**
 * A zip's entries, listed with yauzl (central directory, zip64 included) without extracting anything, and the
 * safety test of their names. Names are decoded here (UTF-8 when the entry says so or carries an Info-ZIP
 * Unicode path, else code page 437, as zip tools do) so that an unsafe name is reported, not just rejected.
 */
import * as path from 'node:path';
import yauzl from 'yauzl';
import { describeFsError, hasErrno } from '../core/fsErrors';
import { crc32 } from './crc32';

/** One entry of a zip's central directory. */
export interface ZipEntryInfo {
  name: string;
  isDirectory: boolean;
  isSymlink: boolean;
  compressedSize: number;
  size: number;
}

/** An entry with what extraction needs: its checksum, Unix permission bits and yauzl's handle. */
export interface ZipEntry extends ZipEntryInfo {
  crc32: number;
  /** Unix permission bits (0 when the zip was not made on Unix). */
  mode: number;
  encrypted: boolean;
  /** 0 stored, 8 deflated; others are not supported. */
  method: number;
  raw: yauzl.Entry;
}

/** An open zip and its entries; `close` releases the file. */
export interface ZipArchive {
  path: string;
  entries: ZipEntry[];
  zipfile: yauzl.ZipFile;
  close(): void;
}

// Code page 437, bytes 128-255 (what zip tools use for names without the UTF-8 flag).
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

function decodeName(e: yauzl.Entry): string {
  const raw = e.fileName as unknown as Buffer; // decodeStrings: false gives the name's bytes
  const unicode = e.extraFields.find((f) => f.id === 0x7075 && f.data.length >= 6 && f.data[0] === 1);
  if (unicode && unicode.data.readUInt32LE(1) === crc32(raw)) return unicode.data.subarray(5).toString('utf8');
  if (e.generalPurposeBitFlag & 0x800) return raw.toString('utf8');
  return Array.from(raw, (b) => (b < 128 ? String.fromCharCode(b) : CP437_HIGH[b - 128])).join('');
}

function toEntry(e: yauzl.Entry): ZipEntry {
  const name = decodeName(e);
  const unix = e.versionMadeBy >> 8 === 3;
  const mode = unix ? (e.externalFileAttributes >>> 16) & 0o177777 : 0;
  return {
    name,
    isDirectory: /[/\\]$/.test(name),
    isSymlink: unix && (mode & 0o170000) === 0o120000,
    compressedSize: e.compressedSize,
    size: e.uncompressedSize,
    crc32: e.crc32,
    mode: mode & 0o777,
    encrypted: e.isEncrypted(),
    method: e.compressionMethod,
    raw: e,
  };
}

function openYauzl(zipPath: string): Promise<yauzl.ZipFile> {
  const options = { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: false };
  return new Promise((resolve, reject) => yauzl.open(zipPath, options, (err, zf) => (err ? reject(err) : resolve(zf))));
}

function readEntries(zf: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const out: yauzl.Entry[] = [];
    zf.on('entry', (e: yauzl.Entry) => {
      out.push(e);
      zf.readEntry();
    });
    zf.once('end', () => resolve(out));
    zf.once('error', reject);
    zf.readEntry();
  });
}

/** Opens a zip and reads its central directory; errors name the file and say what to do. */
export async function openZip(zipPath: string): Promise<ZipArchive> {
  let zf: yauzl.ZipFile;
  try {
    zf = await openYauzl(zipPath);
  } catch (err) {
    if (hasErrno(err, 'ENOENT'))
      throw new Error(`Cannot open zip file ${zipPath} (it does not exist). Download it first or check the path.`, {
        cause: err,
      });
    if (typeof (err as NodeJS.ErrnoException).code === 'string') throw describeFsError(err, zipPath);
    throw notAZip(zipPath, err);
  }
  try {
    const entries = (await readEntries(zf)).map(toEntry);
    return { path: zipPath, entries, zipfile: zf, close: () => zf.close() };
  } catch (err) {
    zf.close();
    throw notAZip(zipPath, err);
  }
}

function notAZip(zipPath: string, err: unknown): Error {
  const why = err instanceof Error ? err.message : String(err);
  return new Error(
    `${zipPath} is not a valid zip file (${why}); it may be truncated or not a zip: delete it and download it again.`,
    { cause: err },
  );
}

/** Reads the central directory of a zip (zip64 included) without extracting; errors name the file. */
export async function listZipEntries(zipPath: string): Promise<ZipEntryInfo[]> {
  const zip = await openZip(zipPath);
  zip.close();
  return zip.entries.map(({ name, isDirectory, isSymlink, compressedSize, size }) => ({
    name,
    isDirectory,
    isSymlink,
    compressedSize,
    size,
  }));
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

/** The longest name of one path component most file systems take, in bytes. */
const MAX_COMPONENT_BYTES = 255;

/**
 * Why the entries cannot all be written, or undefined: a name with a NUL character, a component longer than
 * file systems allow, or two entries that clash (`a` is a file and `a/b` needs it to be a folder).
 */
export function entryNameProblem(entries: ZipEntryInfo[]): string | undefined {
  const files = new Set<string>();
  for (const e of entries) {
    const n = e.name.replace(/\\/g, '/');
    if (n.includes('\0')) return `entry '${n.replace(/\0/g, '\\0')}' has a NUL character in its name`;
    const long = n.split('/').find((c) => Buffer.byteLength(c) > MAX_COMPONENT_BYTES);
    if (long)
      return `entry '${n.slice(0, 60)}...' has a name of ${Buffer.byteLength(long)} bytes (file systems take ${MAX_COMPONENT_BYTES})`;
    if (!e.isDirectory) files.add(n);
  }
  for (const e of entries) {
    const parts = e.name.replace(/\\/g, '/').split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (files.has(dir)) return `entries '${dir}' (a file) and '${e.name}' (inside a folder of that name) clash`;
    }
  }
  return undefined;
}
