/**
 * What can go wrong in a download, as errors that name the URL, the file and what to do. `describeCause` turns
 * the last failure of a download into the words of its message.
 */
import { hashAlgorithm } from './fileHash';

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
  readonly expected: string;
  constructor(
    readonly url: string,
    readonly dest: string,
    expected: string,
    readonly actual: string,
    readonly badPath: string,
  ) {
    super(
      `The file downloaded from ${url} has the wrong ${hashAlgorithm(expected)} hash: expected ${expected.toLowerCase()}, got ${actual}. ` +
        `The bad copy is kept at ${badPath}. Try again later, or download the file yourself (e.g. in a browser), ` +
        `check its hash and place it at ${dest}.`,
    );
    this.name = 'HashMismatchError';
    this.expected = expected.toLowerCase();
  }
}

/** A downloaded file that failed the caller's `validate` check (e.g. not HDF5); the file is kept at `badPath`. */
export class InvalidDownloadError extends Error {
  constructor(
    readonly url: string,
    readonly dest: string,
    readonly reason: string,
    readonly badPath: string,
  ) {
    super(
      `The file downloaded from ${url} is not usable: ${reason} It is kept at ${badPath}; nothing was saved as ${dest}. ` +
        `The server may have sent an error page: try again later, or download the file yourself and place it at ${dest}.`,
    );
    this.name = 'InvalidDownloadError';
  }
}

/** The server answered with an HTTP error status (thrown inside a download attempt). */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly statusText: string,
  ) {
    super(`HTTP ${status} ${statusText}`.trim());
  }

  /** True for statuses that say "not now" rather than "never": 5xx, 408 and 429. */
  get transient(): boolean {
    return this.status >= 500 || this.status === 408 || this.status === 429;
  }
}

/** A response that is not (the rest of) the file being downloaded: a web page, another size, a wrong range. */
export class NotTheFileError extends Error {}

/** A partial file from an earlier run that the server's file no longer continues: it is dropped and the download starts over. */
export class StalePartError extends NotTheFileError {}

/** The words for the last failure of a download: the HTTP status, the refusal, or the network error and its code. */
export function describeCause(err: unknown): string {
  if (err instanceof HttpStatusError || err instanceof NotTheFileError) return err.message;
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    const c = cause instanceof Error ? `: ${(cause as Error & { code?: string }).code ?? cause.message}` : '';
    return `${err.message}${c}`;
  }
  return String(err);
}

/** What to do after a failed download of `url`, by the kind of the last failure. */
export function downloadAdvice(err: unknown, dest: string): string {
  if ((err instanceof HttpStatusError && err.transient) || err instanceof NotTheFileError) {
    return `The server is busy or failing for now: try again later, or download the file yourself and place it at ${dest}.`;
  }
  return `Check the URL and your network connection, or download the file yourself and place it at ${dest}.`;
}
