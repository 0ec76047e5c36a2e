/**
 * Downloads a file once and keeps it: the TypeScript counterpart of Keras `get_file`.
 *
 * Uses Node's built-in `fetch`. The body goes to a resumable `<dest>.part` (see `partFile.ts`): a dropped
 * connection is resumed with `Range` (+ `If-Range`), in this run or the next; every response is checked to be
 * the file before its bytes are written (`responseCheck.ts`). The hash (md5 or sha256) and the caller's
 * `validate` run on the part before it is renamed to `dest`, so `dest` is only ever a complete, verified file;
 * a file that fails is kept aside as `<dest>.bad`. One download per `dest` at a time: a second run waits on the
 * lock of `dest` (`core/fileLock.ts`), then finds the file cached; Ctrl-C, SIGTERM or SIGHUP stop the request
 * and leave the resumable part, never a lock or a temporary file.
 */
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { withFileLock } from '../core/fileLock';
import { describeFsError } from '../core/fsErrors';
import { say } from '../core/messages';
import {
  DownloadError,
  HashMismatchError,
  HttpStatusError,
  InvalidDownloadError,
  describeCause,
  downloadAdvice,
} from './downloadErrors';
import { fileHash, hashAlgorithm, verifyFile } from './fileHash';
import { nonEmptyFile } from './fileKind';
import { withInterruptCleanup } from './interrupt';
import { commitPart, discardPart, moveAside, partPath } from './partFile';
import { Transfer, type TransferOptions } from './transfer';

export { DownloadError, HashMismatchError, InvalidDownloadError } from './downloadErrors';
export { fileHash, hashAlgorithm, verifyFile } from './fileHash';

/** Checks a file before it is used: throws an Error whose message says what is wrong with it. */
export type Validate = (file: string) => void | Promise<void>;

/** Options of a download (`downloadToFile`, `getFile`). */
export interface DownloadOptions extends TransferOptions {
  /** Expected md5 (32 hex digits) or sha256 (64 hex digits); the algorithm is told by the length. */
  hash?: string;
  /** Run on the complete file before it is put in place (and on a cached file before it is used). */
  validate?: Validate;
  /** Default 3: how many more tries after a failed one; they resume from the partial file with a Range request. */
  retries?: number;
  /** Base delay in ms between tries (doubles each try, at most 4 s). Default 250. */
  retryDelayMs?: number;
}

/** Options of `getFile`. */
export interface GetFileOptions extends DownloadOptions {
  /** Final path; parent folders are created. */
  dest: string;
  /** Default true: an existing `dest` that verifies (hash, `validate`) is used without network. */
  cache?: boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function isUrl(s: string): boolean {
  let url: URL;
  try {
    url = new URL(s);
  } catch (err) {
    if (err instanceof TypeError) return false; // not a URL at all
    throw err;
  }
  return /^https?:$/.test(url.protocol);
}

/** Fails a download before any request when its arguments cannot work. */
function checkArguments(url: string, dest: string, opts: DownloadOptions): void {
  if (!dest) throw new DownloadError(`Cannot download ${url}: the destination path is empty; give a file name.`, url);
  if (opts.hash !== undefined) hashAlgorithm(opts.hash);
  if (!isUrl(url))
    throw new DownloadError(`'${url}' is not a valid URL (expected e.g. https://host/path/file.zip).`, url, { dest });
}

/** True when another try may help after `err`. */
function worthRetrying(err: unknown): boolean {
  if (err instanceof HttpStatusError) return err.transient;
  return !(err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string'); // file-system errors stay
}

/** The hash and `validate` checks of the complete part; a failure moves it aside as `<dest>.bad`. */
async function verifyPart(url: string, dest: string, opts: DownloadOptions): Promise<void> {
  const part = partPath(dest);
  const abs = path.resolve(dest);
  if (opts.hash !== undefined) {
    const expected = opts.hash.trim().toLowerCase();
    const actual = await fileHash(part, hashAlgorithm(expected));
    if (actual !== expected)
      throw new HashMismatchError(url, abs, expected, actual, path.resolve(await moveAside(part, dest)));
  }
  if (opts.validate) {
    try {
      await opts.validate(part);
    } catch (err) {
      const bad = path.resolve(await moveAside(part, dest));
      throw new InvalidDownloadError(url, abs, err instanceof Error ? err.message : String(err), bad);
    }
  }
}

/** The download itself, run while holding the lock of `dest`. */
async function downloadLocked(url: string, dest: string, opts: DownloadOptions, signal: AbortSignal): Promise<string> {
  const transfer = await Transfer.open(url, dest, { ...opts, signal });
  const retries = opts.retries ?? 3;
  let lastError: unknown;
  for (let attempt = 0; attempt <= retries && !transfer.complete && !signal.aborted; attempt++) {
    if (attempt > 0) await sleep(Math.min(4000, (opts.retryDelayMs ?? 250) * 2 ** (attempt - 1)));
    try {
      await transfer.attempt();
    } catch (err) {
      lastError = err;
      if (!worthRetrying(err)) break;
    }
  }
  const kept = await transfer.close();
  if (signal.aborted) throw signal.reason;
  if (!transfer.complete) throw failure(url, dest, lastError, kept);
  await verifyPart(url, dest, opts);
  return commitPart(dest);
}

/** Runs `work` holding the lock of `dest`, with Ctrl-C (SIGINT, SIGTERM, SIGHUP) aborting it cleanly. */
async function underLock<T>(
  dest: string,
  opts: DownloadOptions,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const abs = path.resolve(dest);
  try {
    await fsp.mkdir(path.dirname(abs), { recursive: true });
  } catch (err) {
    throw describeFsError(err, path.dirname(abs));
  }
  return withInterruptCleanup((signal) =>
    withFileLock(abs, 'downloading', () => work(signal), { signal, quiet: opts.quiet }),
  );
}

/**
 * Downloads `url` to `dest` through the resumable `<dest>.part`, checks `hash` and `validate`, and renames the
 * result to `dest`. Always downloads (see `getFile` for the cached version); resumes a part an interrupted run
 * left for the same URL. A second download of the same `dest` waits for the first. Returns `dest`.
 */
export async function downloadToFile(url: string, dest: string, opts: DownloadOptions = {}): Promise<string> {
  checkArguments(url, dest, opts);
  return underLock(dest, opts, (signal) => downloadLocked(url, dest, opts, signal));
}

/** The error of a download that did not complete; names what is kept for the next run. */
function failure(url: string, dest: string, lastError: unknown, kept: number): unknown {
  if (lastError instanceof Error && typeof (lastError as NodeJS.ErrnoException).code === 'string')
    return describeFsError(lastError, partPath(dest));
  const abs = path.resolve(dest);
  const resume = kept > 0 ? ` The ${kept} bytes received are kept in ${partPath(abs)}: run again to resume.` : '';
  return new DownloadError(
    `Could not download ${url}: ${describeCause(lastError)}. ${downloadAdvice(lastError, abs)}${resume}`,
    url,
    {
      status: lastError instanceof HttpStatusError ? lastError.status : undefined,
      dest: abs,
      cause: lastError,
    },
  );
}

/** True when the cached `dest` can be used: it exists, matches `hash` and passes `validate` (else it is moved aside). */
async function usableCache(dest: string, opts: GetFileOptions): Promise<boolean> {
  if (!(await nonEmptyFile(dest))) return false; // an empty file is never a finished download
  if (opts.hash !== undefined && !(await verifyFile(dest, opts.hash))) {
    if (!opts.quiet)
      console.log(
        say({
          en: `${dest} does not match the expected hash; downloading it again.`,
          ko: `${dest}의 해시가 맞지 않아 다시 내려받습니다.`,
        }),
      );
    return false;
  }
  if (!opts.validate) return true;
  try {
    await opts.validate(dest);
    return true;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    const bad = await moveAside(dest, dest);
    console.warn(
      say({
        en: `The cached file ${dest} is not usable (${why}); it was moved aside to ${bad}. Downloading it again.`,
        ko: `캐시 파일 ${dest}을(를) 쓸 수 없어 (${why}) ${bad}(으)로 옮겼습니다. 다시 내려받습니다.`,
      }),
    );
    return false;
  }
}

/**
 * Returns `opts.dest`, downloading `url` there first unless a cached copy is usable (Keras `get_file`).
 * Throws `DownloadError` when the URL cannot be fetched, `HashMismatchError` / `InvalidDownloadError` when the
 * download fails its checks (nothing is left under `dest`).
 */
export async function getFile(url: string, opts: GetFileOptions): Promise<string> {
  const { dest } = opts;
  if (!dest) throw new Error(`getFile(${url}): opts.dest (where to save the file) is required and may not be empty.`);
  checkArguments(url, dest, opts);
  return underLock(dest, opts, async (signal) => {
    if (opts.cache !== false && (await usableCache(dest, opts))) {
      await discardPart(dest); // what a run killed after an earlier download of it may have left
      return dest;
    }
    return downloadLocked(url, dest, opts, signal);
  });
}
