/**
 * Zip-bomb limits: the total size an archive may expand to and the compression ratio it may claim, checked on
 * the declared sizes before anything is written (the extraction then counts the real bytes, since declared
 * sizes can lie). Defaults come from `UNZIP_MAX_BYTES` / `UNZIP_MAX_RATIO`, else 20 GB and 1000:1; options win.
 */
import { envPositiveNumber } from '../core/config';
import { formatBytes } from '../core/progress';
import type { ZipEntryInfo } from './zipEntries';

/** The limits of one extraction. */
export interface UnzipLimits {
  /** Largest total size of the extracted files, in bytes. */
  maxBytes: number;
  /** Largest compression ratio (size / compressed size) of an entry, and of the archive as a whole. */
  maxRatio: number;
}

/** Entries smaller than this are not held to the ratio alone (a small, very regular file compresses well). */
const RATIO_MIN_BYTES = 1_000_000;

/** The limits in force: the options, else the environment, else 20 GB and 1000:1. */
export function resolveLimits(opts: Partial<UnzipLimits> = {}): UnzipLimits {
  return {
    maxBytes: opts.maxBytes ?? envPositiveNumber('UNZIP_MAX_BYTES', 20e9),
    maxRatio: opts.maxRatio ?? envPositiveNumber('UNZIP_MAX_RATIO', 1000),
  };
}

const ratioOf = (size: number, compressed: number) => size / Math.max(1, compressed);

function tooRatio(zipPath: string, what: string, size: number, compressed: number, maxRatio: number): Error {
  const ratio = ratioOf(size, compressed);
  const raise = Math.ceil(ratio) + 1;
  return new Error(
    `Refusing to extract ${zipPath}: ${what} would expand ${Math.round(ratio)}:1 (${formatBytes(size)} from ${formatBytes(compressed)}), ` +
      `above the compression ratio limit of ${maxRatio}:1; it looks like a zip bomb. Nothing was written. If you trust the file, ` +
      `raise the limit: set UNZIP_MAX_RATIO=${raise} or pass { maxRatio: ${raise} } to unzip.`,
  );
}

/** Throws, naming the limit and how to raise it, when the declared sizes break a limit. */
export function checkDeclaredSizes(
  zipPath: string,
  zipSize: number,
  entries: ZipEntryInfo[],
  limits: UnzipLimits,
): void {
  const total = entries.reduce((a, e) => a + e.size, 0);
  if (total > limits.maxBytes) {
    throw new Error(
      `Refusing to extract ${zipPath}: it would expand to ${formatBytes(total)}, above the limit of ${formatBytes(limits.maxBytes)} ` +
        `(UNZIP_MAX_BYTES). Nothing was written. If you trust the file and have the room, raise the limit: set ` +
        `UNZIP_MAX_BYTES=${total} or pass { maxBytes: ${total} } to unzip.`,
    );
  }
  const bomb = entries.find((e) => e.size >= RATIO_MIN_BYTES && ratioOf(e.size, e.compressedSize) > limits.maxRatio);
  if (bomb) throw tooRatio(zipPath, `entry '${bomb.name}'`, bomb.size, bomb.compressedSize, limits.maxRatio);
  if (total >= RATIO_MIN_BYTES && ratioOf(total, zipSize) > limits.maxRatio)
    throw tooRatio(zipPath, 'the archive', total, zipSize, limits.maxRatio);
}
