/**
 * Finding the files that have an image extension but are not images a decoder can read (corrupt, truncated, text
 * renamed `.jpg`), before any training: each file is decoded once, one at a time (memory bounded by one decoded
 * image), and the unreadable ones are returned with the decoder's reason, so a run can leave them out, count them
 * and name them.
 */
import { ColorMode, decodeImageFile } from './decode';
import type { RawImage } from './rawImage';

/** A file left out, and why. */
export interface SkippedFile {
  path: string;
  reason: string;
}

/** Options of `findUnreadableImages`. */
export interface ImageCheckOptions {
  /** The decoder the dataset will use (default `decodeImageFile`). */
  decode?: (file: string, colorMode: ColorMode) => Promise<RawImage>;
  /** Called after each file with the number checked so far. */
  onProgress?: (done: number) => void;
  /** Stops between files when aborted (throws the signal's reason). */
  signal?: AbortSignal;
}

/** The decoder's first line, without the "Cannot decode image <file>:" prefix and the advice after it. */
function shortReason(file: string, err: unknown): string {
  const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
  const prefix = `Cannot decode image ${file}: `;
  const core = msg.startsWith(prefix) ? msg.slice(prefix.length) : msg;
  return core.replace(/\. Delete or replace the file.*$/, '');
}

/** Decodes every file once and returns those that fail, with the reason (files that do not exist fail too). */
export async function findUnreadableImages(files: string[], opts: ImageCheckOptions = {}): Promise<SkippedFile[]> {
  const decode = opts.decode ?? decodeImageFile;
  const bad: SkippedFile[] = [];
  for (let i = 0; i < files.length; i++) {
    opts.signal?.throwIfAborted();
    try {
      await decode(files[i], 'rgb');
    } catch (err) {
      bad.push({ path: files[i], reason: shortReason(files[i], err) });
    }
    opts.onProgress?.(i + 1);
  }
  return bad;
}
