/**
 * Writes a zip's entries under a folder, checking each while it is written: its bytes are counted against the
 * declared size (declared sizes can lie) and its CRC-32 is compared with the stored one. A mismatch names the
 * entry. Files are written through a replaceable stream factory (tests fill a disk with it).
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { Transform, type Readable, type TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from './crc32';
import type { ZipArchive, ZipEntry } from './zipEntries';

/** Opens the stream an entry's bytes are written to (default: `fs.createWriteStream(file, { mode })`). */
export type WriteStreamFactory = (file: string, mode: number) => Writable;

/** Options of `extractEntries`. */
export interface ExtractOptions {
  writeStream?: WriteStreamFactory;
  /** Stops the extraction (between chunks) when aborted. */
  signal?: AbortSignal;
  /** Told the number of bytes written so far, after each chunk. */
  onBytes?: (written: number) => void;
}

/** A zip whose content does not match its own headers (size or CRC-32). */
export class ZipDamageError extends Error {}

/** True for entries that are not extracted: macOS resource forks under `__MACOSX/`. */
export const skippedEntry = (name: string): boolean => /^__MACOSX(?:[/\\]|$)/.test(name);

/** True for errors of the operating system (a write, an open): they are reported as such, not as a damaged zip. */
export const isSystemError = (err: unknown): boolean =>
  typeof (err as NodeJS.ErrnoException | undefined)?.syscall === 'string';

const defaultWriter: WriteStreamFactory = (file, mode) => fs.createWriteStream(file, { mode });

/** Counts an entry's bytes and computes its CRC-32 as they pass; fails on more or fewer bytes than declared, or a bad CRC. */
class EntryCheck extends Transform {
  private crc = 0;
  private bytes = 0;
  constructor(
    private readonly zipPath: string,
    private readonly entry: ZipEntry,
    private readonly counted: (n: number) => void,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.entry.size) {
      cb(this.damage(`declares ${this.entry.size} bytes but holds more; a zip whose sizes lie may be a zip bomb`));
      return;
    }
    this.crc = crc32(chunk, this.crc);
    this.counted(chunk.length);
    cb(null, chunk);
  }
  override _flush(cb: TransformCallback): void {
    if (this.bytes < this.entry.size) cb(this.damage(`declares ${this.entry.size} bytes but holds only ${this.bytes}`));
    else if (this.crc !== this.entry.crc32)
      cb(this.damage('fails its CRC-32 check: its data does not match its checksum'));
    else cb();
  }
  private damage(what: string): ZipDamageError {
    return new ZipDamageError(
      `${this.zipPath} is damaged: entry '${this.entry.name}' ${what}. Nothing was extracted; delete the zip and download it again.`,
    );
  }
}

function openStream(zip: ZipArchive, e: ZipEntry): Promise<Readable> {
  return new Promise((resolve, reject) =>
    zip.zipfile.openReadStream(e.raw, (err, s) => (err ? reject(err) : resolve(s))),
  );
}

function corrupt(zip: ZipArchive, e: ZipEntry, err: unknown): Error {
  const why = err instanceof Error ? err.message : String(err);
  return new Error(
    `${zip.path} could not be extracted (entry '${e.name}': ${why}); it may be corrupt: delete it and download it again.`,
    { cause: err },
  );
}

/** Refuses, before writing, entries this extractor cannot read (encrypted, or compressed other than stored/deflated). */
function checkSupported(zip: ZipArchive): void {
  const e = zip.entries.find((x) => !x.isDirectory && (x.encrypted || (x.method !== 0 && x.method !== 8)));
  if (!e) return;
  const why = e.encrypted
    ? 'is encrypted (password-protected zips are not supported)'
    : `uses compression method ${e.method} (only stored and deflated are supported)`;
  throw new Error(`Cannot extract ${zip.path}: entry '${e.name}' ${why}. Extract it with another tool.`);
}

async function writeEntry(
  zip: ZipArchive,
  e: ZipEntry,
  target: string,
  opts: ExtractOptions,
  counted: (n: number) => void,
): Promise<void> {
  let input: Readable;
  try {
    input = await openStream(zip, e);
  } catch (err) {
    throw corrupt(zip, e, err);
  }
  const out = (opts.writeStream ?? defaultWriter)(target, (e.mode || 0o644) | 0o600);
  try {
    await pipeline(input, new EntryCheck(zip.path, e, counted), out, { signal: opts.signal });
  } catch (err) {
    if (err instanceof ZipDamageError || isSystemError(err) || opts.signal?.aborted) throw err;
    throw corrupt(zip, e, err);
  }
}

/** Extracts every entry (but `__MACOSX/`) under `dir`, which must exist; returns the bytes written. Names must be checked safe first. */
export async function extractEntries(zip: ZipArchive, dir: string, opts: ExtractOptions = {}): Promise<number> {
  checkSupported(zip);
  let written = 0;
  const counted = (n: number) => {
    written += n;
    opts.onBytes?.(written);
  };
  for (const e of zip.entries) {
    opts.signal?.throwIfAborted();
    if (skippedEntry(e.name)) continue;
    const target = path.join(dir, e.name.replace(/\\/g, '/'));
    if (e.isDirectory) {
      await fsp.mkdir(target, { recursive: true });
      continue;
    }
    await fsp.mkdir(path.dirname(target), { recursive: true });
    await writeEntry(zip, e, target, opts, counted);
  }
  return written;
}

/**
 * Checks that every file entry (but `__MACOSX/`) is under `dir` with its size: the proof that an extraction is
 * complete before it is marked so. A missing or short file (another program removed or changed the folder while
 * it was written) is an error naming the entry.
 */
export async function verifyExtracted(zip: ZipArchive, dir: string): Promise<void> {
  for (const e of zip.entries) {
    if (e.isDirectory || skippedEntry(e.name)) continue;
    const target = path.join(dir, e.name.replace(/\\/g, '/'));
    const size = await fsp.stat(target).then(
      (s) => (s.isFile() ? s.size : -1),
      () => -1,
    );
    if (size !== e.size)
      throw new Error(
        `Extracting ${zip.path} lost entry '${e.name}' (${size < 0 ? 'missing' : `${size} of ${e.size} bytes`}) while it was written: ` +
          `another program changed ${dir}. Nothing was extracted; run it again.`,
      );
  }
}
