/**
 * Downloads a file once and keeps it: the TypeScript counterpart of Keras `get_file`.
 *
 * Uses Node's built-in `fetch`. The body goes to `<dest>.part`; a dropped connection is resumed with a
 * `Range: bytes=N-` request (or restarted from zero when the server ignores it); the hash (md5 or sha256,
 * told apart by length as Keras does) is checked before the file is renamed to `dest`, so `dest` is only
 * ever a complete, verified file. A file that fails the check is kept aside as `<dest>.bad`.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';

/** Options of `getFile`. */
export interface GetFileOptions {
  /** Final path; parent folders are created. */
  dest: string;
  /** Expected md5 (32 hex digits) or sha256 (64 hex digits); the algorithm is told by the length. */
  hash?: string;
  /** Default true: an existing `dest` that verifies (or any existing `dest` when no hash) is used without network. */
  cache?: boolean;
  /** Default 3: how many more tries after a failed one; they resume from the partial file with a Range request. */
  retries?: number;
  /** No progress output. */
  quiet?: boolean;
  /** Name shown in the progress line (default: the file name of `dest`). */
  label?: string;
  /** Extra request headers. */
  headers?: Record<string, string>;
}

/** A download that could not complete: names the URL, the HTTP status if any, and where to place the file by hand. */
export class DownloadError extends Error {
  readonly url: string;
  readonly status?: number;
  readonly dest?: string;
  constructor(message: string, url: string, opts: { status?: number; dest?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'DownloadError';
    this.url = url;
    this.status = opts.status;
    this.dest = opts.dest;
  }
}

/** A downloaded file whose hash is not the expected one; the file is kept at `badPath`. */
export class HashMismatchError extends Error {
  readonly url: string;
  readonly expected: string;
  readonly actual: string;
  readonly badPath: string;
  readonly dest: string;
  constructor(url: string, dest: string, expected: string, actual: string, badPath: string) {
    super(
      `The file downloaded from ${url} has the wrong ${hashAlgorithm(expected)} hash: expected ${expected.toLowerCase()}, got ${actual}. ` +
        `The bad copy is kept at ${badPath}. Try again later, or download the file yourself (e.g. in a browser), ` +
        `check its hash and place it at ${dest}.`,
    );
    this.name = 'HashMismatchError';
    this.url = url;
    this.dest = dest;
    this.expected = expected.toLowerCase();
    this.actual = actual;
    this.badPath = badPath;
  }
}

/** The algorithm of a hex digest by its length, as Keras `get_file` does: 64 → sha256, 32 → md5. */
export function hashAlgorithm(hash: string): 'md5' | 'sha256' {
  const h = hash.trim();
  if (/^[0-9a-fA-F]{64}$/.test(h)) return 'sha256';
  if (/^[0-9a-fA-F]{32}$/.test(h)) return 'md5';
  throw new Error(`'${hash}' is not an md5 (32 hex digits) or sha256 (64 hex digits) hash.`);
}

/** The hex digest of a file, read as a stream. */
export async function fileHash(filePath: string, algorithm: 'md5' | 'sha256'): Promise<string> {
  const h = createHash(algorithm);
  for await (const chunk of createReadStream(filePath)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** True when `filePath` exists and matches `hash` (md5 or sha256 by length). */
export async function verifyFile(filePath: string, hash: string): Promise<boolean> {
  return (await fileHash(filePath, hashAlgorithm(hash))) === hash.trim().toLowerCase();
}

/** True when `p` exists and is a regular file. */
export async function isFile(p: string): Promise<boolean> {
  try {
    return (await fsp.stat(p)).isFile();
  } catch {
    return false;
  }
}

/** Bytes as a short human string (1.5 MB). */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/**
 * Progress output. In a terminal (stderr is a TTY) a bar redrawn in place with '\r'; elsewhere (Jupyter)
 * '\r'-prefixed lines on stdout at most about every 10 % or every second, which Jupyter updates in place.
 */
export class Progress {
  private readonly tty: boolean;
  private lastTime = 0;
  private lastFraction = -1;
  private started = false;
  private readonly write: (s: string) => void;
  /** `opts.tty` and `opts.write` override the terminal detection and the output (for tests). */
  constructor(
    private readonly label: string,
    private readonly quiet = false,
    opts: { tty?: boolean; write?: (s: string) => void } = {},
  ) {
    this.tty = opts.tty ?? Boolean(process.stderr.isTTY);
    this.write = opts.write ?? (this.tty ? (s) => void process.stderr.write(s) : (s) => void process.stdout.write(s));
  }
  /** Reports `done` bytes of `total` (undefined when unknown); `force` prints regardless of the rate limit. */
  update(done: number, total?: number, force = false): void {
    if (this.quiet) return;
    const now = Date.now();
    const fraction = total ? Math.min(1, done / total) : undefined;
    const minGap = this.tty ? 100 : 1000;
    const enoughTime = now - this.lastTime >= minGap;
    const enoughFraction = fraction !== undefined && !this.tty && fraction - this.lastFraction >= 0.1;
    if (!force && this.started && !enoughTime && !enoughFraction) return;
    this.started = true;
    this.lastTime = now;
    if (fraction !== undefined) this.lastFraction = fraction;
    const sizes = total ? `${formatBytes(done)} / ${formatBytes(total)}` : formatBytes(done);
    let line: string;
    if (fraction !== undefined) {
      const pct = `${Math.floor(fraction * 100)}`.padStart(3);
      const width = 30;
      const filled = Math.round(fraction * width);
      line = this.tty
        ? `${this.label} [${'='.repeat(filled)}${filled < width ? '>' : ''}${' '.repeat(Math.max(0, width - filled - 1))}] ${pct}% ${sizes}`
        : `${this.label}: ${pct}% ${sizes}`;
    } else {
      line = `${this.label}: ${sizes}`;
    }
    this.write(this.tty ? `\r${line}\x1b[K` : `\r${line}`);
  }
  /** Ends the progress line with a newline (only if something was printed). */
  finish(): void {
    if (this.quiet || !this.started) return;
    this.write('\n');
    this.started = false;
  }
}

/** Options of `downloadToFile` (no cache check: it always downloads). */
/** Seconds without a response or any data after which a request is abandoned: DOWNLOAD_IDLE_TIMEOUT_S, default 60. */
export function idleTimeoutMs(): number {
  const v = Number(process.env.DOWNLOAD_IDLE_TIMEOUT_S);
  return (Number.isFinite(v) && v > 0 ? v : 60) * 1000;
}

/**
 * A watchdog for one request: aborts it when neither the response nor new data arrives for `ms`.
 * Call `touch()` on progress and `clear()` when done. (A stalled connection otherwise waits forever.)
 */
export class IdleTimeout {
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  constructor(readonly ms: number = idleTimeoutMs()) {
    this.touch();
  }
  /** The signal to pass to fetch. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }
  /** Restarts the countdown. */
  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.controller.abort(new Error(`no response or data for ${this.ms / 1000} s`)), this.ms);
    this.timer.unref?.();
  }
  /** Stops the countdown. */
  clear(): void {
    clearTimeout(this.timer);
  }
}

export interface DownloadToFileOptions {
  hash?: string;
  retries?: number;
  quiet?: boolean;
  label?: string;
  headers?: Record<string, string>;
  /** A response already obtained for `url` (e.g. after following a confirm page): its body is used first. */
  response?: Response;
  /** The watchdog of `response` (touched while its body is read). */
  responseTimeout?: IdleTimeout;
  /** Base delay in ms between tries (doubles each try, at most 4 s). Default 250. */
  retryDelayMs?: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function isUrl(s: string): boolean {
  try {
    return /^https?:$/.test(new URL(s).protocol);
  } catch {
    return false;
  }
}

/** Thrown inside a try when the server answers with an HTTP error. */
class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly statusText: string,
  ) {
    super(`HTTP ${status} ${statusText}`.trim());
  }
}

function describeCause(err: unknown): string {
  if (err instanceof HttpStatusError) return err.message;
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    const c = cause instanceof Error ? `: ${(cause as Error & { code?: string }).code ?? cause.message}` : '';
    return `${err.message}${c}`;
  }
  return String(err);
}

function totalFromResponse(res: Response, offset: number): number | undefined {
  const range = res.headers.get('content-range');
  const m = range && /\/(\d+)\s*$/.exec(range);
  if (m) return Number(m[1]);
  const len = res.headers.get('content-length');
  if (len !== null && /^\d+$/.test(len)) return Number(len) + offset;
  return undefined;
}

/**
 * Downloads `url` to `<dest>.part`, resuming after dropped connections, checks `hash` if given, and renames
 * the result to `dest`. Always downloads (see `getFile` for the cached version). Returns `dest`.
 */
export async function downloadToFile(url: string, dest: string, opts: DownloadToFileOptions = {}): Promise<string> {
  const retries = opts.retries ?? 3;
  const baseDelay = opts.retryDelayMs ?? 250;
  if (opts.hash !== undefined) hashAlgorithm(opts.hash); // validate early
  if (!isUrl(url)) throw new DownloadError(`'${url}' is not a valid URL (expected e.g. https://host/path/file.zip).`, url, { dest });
  await fsp.mkdir(path.dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  await fsp.rm(part, { force: true });
  const progress = new Progress(opts.label ?? path.basename(dest), opts.quiet);
  let pending = opts.response;
  let offset = 0;
  let total: number | undefined;
  let lastError: unknown;
  let complete = false;
  const fh = await fsp.open(part, 'w');
  for (let attempt = 0; attempt <= retries && !complete; attempt++) {
    if (attempt > 0) await sleep(Math.min(4000, baseDelay * 2 ** (attempt - 1)));
    let idle: IdleTimeout | undefined;
    try {
      let res: Response;
      if (pending) {
        res = pending;
        idle = opts.responseTimeout;
        pending = undefined;
      } else {
        const headers: Record<string, string> = { ...opts.headers };
        if (offset > 0) headers.Range = `bytes=${offset}-`;
        idle = new IdleTimeout();
        res = await fetch(url, { headers, redirect: 'follow', signal: idle.signal });
      }
      idle?.touch();
      if (res.status === 416 && offset > 0 && total !== undefined && offset >= total) {
        await res.body?.cancel();
        complete = true;
        continue;
      }
      if (!res.ok) {
        await res.body?.cancel().catch(() => undefined);
        throw new HttpStatusError(res.status, res.statusText);
      }
      if (offset > 0) {
        const start = /^bytes\s+(\d+)-/.exec(res.headers.get('content-range') ?? '');
        if (res.status !== 206 || !start || Number(start[1]) !== offset) {
          // The server ignored the Range request: start again from zero.
          await fh.truncate(0);
          offset = 0;
        }
      }
      total = totalFromResponse(res, offset) ?? total;
      const body = res.body;
      if (body) {
        for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
          idle?.touch();
          await fh.write(chunk, 0, chunk.length, offset);
          offset += chunk.length;
          progress.update(offset, total);
        }
      }
      if (total !== undefined && offset < total) throw new Error(`connection closed after ${offset} of ${total} bytes`);
      complete = true;
    } catch (err) {
      lastError = err;
      if (err instanceof HttpStatusError && err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429) break;
    } finally {
      idle?.clear();
    }
  }
  await fh.close();
  progress.update(offset, total, true);
  progress.finish();
  if (!complete) {
    await fsp.rm(part, { force: true });
    const status = lastError instanceof HttpStatusError ? lastError.status : undefined;
    throw new DownloadError(
      `Could not download ${url} (${describeCause(lastError)}). Check the URL and your network connection, ` +
        `or download the file yourself and place it at ${path.resolve(dest)}.`,
      url,
      { status, dest: path.resolve(dest), cause: lastError },
    );
  }
  if (opts.hash !== undefined) {
    const expected = opts.hash.trim().toLowerCase();
    const actual = await fileHash(part, hashAlgorithm(expected));
    if (actual !== expected) {
      const bad = `${dest}.bad`;
      await fsp.rename(part, bad);
      throw new HashMismatchError(url, path.resolve(dest), expected, actual, path.resolve(bad));
    }
  }
  await fsp.rename(part, dest);
  return dest;
}

/**
 * Returns `opts.dest`, downloading `url` there first unless a cached copy is usable (Keras `get_file`).
 * A cached file that fails the hash check is downloaded again. Throws `DownloadError` when the URL cannot be
 * fetched and `HashMismatchError` when the download has the wrong hash (nothing is left under `dest`).
 */
export async function getFile(url: string, opts: GetFileOptions): Promise<string> {
  const { dest } = opts;
  if (!dest) throw new Error(`getFile(${url}): opts.dest (where to save the file) is required.`);
  if (opts.hash !== undefined) hashAlgorithm(opts.hash);
  if (opts.cache !== false && (await isFile(dest))) {
    if (opts.hash === undefined || (await verifyFile(dest, opts.hash))) return dest;
    if (!opts.quiet) console.log(`${dest} does not match the expected hash; downloading it again.`);
  }
  return downloadToFile(url, dest, opts);
}
