/**
 * One download's bytes on their way into `<dest>.part`: requests (with `Range` + `If-Range` once bytes are
 * there), the check that each response is the file, the writes, and the progress line. `download.ts` runs the
 * tries and the final checks.
 */
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { describeFsError } from '../core/fsErrors';
import { ProgressLine } from '../core/progress';
import { HttpStatusError, NotTheFileError, StalePartError } from './downloadErrors';
import { IdleTimeout } from './idleTimeout';
import {
  discardPart,
  ifRangeValue,
  partPath,
  resumablePart,
  sameFile,
  writeIdentity,
  type FileIdentity,
} from './partFile';
import { checkResponse, describeResponse, identityOf, type Verdict } from './responseCheck';

/** Options of a transfer. */
export interface TransferOptions {
  /** No progress output. */
  quiet?: boolean;
  /** Name shown in the progress line (default: the file name of `dest`). */
  label?: string;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** A response already obtained for the URL (e.g. after following a confirm page): its body is used first. */
  response?: Response;
  /** The watchdog of `response` (touched while its body is read). */
  responseTimeout?: IdleTimeout;
  /** What identifies the file across runs, for resuming (default: the URL). */
  resumeKey?: string;
  /** The caller's own test of each response: a reason to refuse it, or undefined (e.g. Drive: not a web page). */
  checkResponse?: (res: Response) => string | undefined;
  /** Aborts the request in flight (Ctrl-C). */
  signal?: AbortSignal;
}

/** Cancels a body nobody will read. A failure to cancel (the connection is already gone) changes nothing. */
async function discardBody(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => undefined);
}

/** The bytes of one download into its part file. */
export class Transfer {
  /** True once the part holds the whole file. */
  complete = false;
  private readonly key: string;
  private readonly progress: ProgressLine;
  private offset: number;
  private identity?: FileIdentity;
  private confirmed = false;
  private recorded: boolean;
  private pending?: Response;

  private constructor(
    private readonly url: string,
    private readonly dest: string,
    private readonly opts: TransferOptions,
    private readonly fh: fsp.FileHandle,
    resume?: { offset: number; identity: FileIdentity },
  ) {
    this.key = opts.resumeKey ?? url;
    this.offset = resume?.offset ?? 0;
    this.identity = resume?.identity;
    this.recorded = resume !== undefined;
    this.pending = opts.response;
    this.progress = new ProgressLine({ label: opts.label ?? path.basename(dest), unit: 'bytes', quiet: opts.quiet });
  }

  /** Opens the part of `dest`, resuming what an earlier run left for the same key. */
  static async open(url: string, dest: string, opts: TransferOptions): Promise<Transfer> {
    const resume = await resumablePart(dest, opts.resumeKey ?? url);
    try {
      return new Transfer(url, dest, opts, await fsp.open(partPath(dest), resume ? 'r+' : 'w'), resume);
    } catch (err) {
      throw describeFsError(err, partPath(path.resolve(dest)));
    }
  }

  /** One request and its body; throws on failure (the caller decides whether to try again). */
  async attempt(): Promise<void> {
    const { res, idle } = await this.respond();
    try {
      idle?.touch();
      if (res.status === 416) {
        await discardBody(res);
        await this.rangeNotSatisfiable();
        return;
      }
      if (!res.ok) {
        await discardBody(res);
        throw new HttpStatusError(res.status, res.statusText);
      }
      await this.begin(res);
      await this.receive(res, idle);
    } finally {
      idle?.clear();
    }
  }

  /** The next response: the caller's pending one, unless the part already holds the start of that same file. */
  private async respond(): Promise<{ res: Response; idle?: IdleTimeout }> {
    const pending = this.pending;
    this.pending = undefined;
    if (pending) {
      const resumable =
        this.offset > 0 &&
        pending.status === 200 &&
        this.identity &&
        sameFile(this.identity, identityOf(pending, this.key));
      if (!resumable) return { res: pending, idle: this.opts.responseTimeout };
      this.opts.responseTimeout?.clear();
      await discardBody(pending);
    }
    // identity: a compressed body's Content-Length is not the file's size (fetch decodes it), so ask for none
    const headers: Record<string, string> = { 'Accept-Encoding': 'identity', ...this.opts.headers };
    if (this.offset > 0) {
      headers.Range = `bytes=${this.offset}-`;
      const ifRange = this.identity && ifRangeValue(this.identity);
      if (ifRange) headers['If-Range'] = ifRange;
    }
    const idle = new IdleTimeout(undefined, this.opts.signal);
    try {
      return { res: await fetch(this.url, { headers, redirect: 'follow', signal: idle.signal }), idle };
    } catch (err) {
      idle.clear();
      throw err;
    }
  }

  /** HTTP 416: complete when the part already holds the whole file, else the part is no use: start over. */
  private async rangeNotSatisfiable(): Promise<void> {
    if (this.identity?.size !== undefined && this.offset === this.identity.size) {
      this.complete = true;
      return;
    }
    const from = this.offset;
    await this.startOver();
    throw new StalePartError(
      `the server cannot send the file from byte ${from} (HTTP 416): the partial file was dropped, starting over`,
    );
  }

  /** Drops what the part holds: the next request asks for the whole file. */
  private async startOver(): Promise<void> {
    await this.fh.truncate(0);
    this.offset = 0;
    this.identity = undefined;
    this.confirmed = false;
  }

  /** Checks the response is the file and prepares the part: starts over when it is a whole answer. */
  private async begin(res: Response): Promise<void> {
    let verdict: Verdict;
    try {
      verdict = checkResponse(res, {
        offset: this.offset,
        known: this.identity,
        confirmed: this.confirmed,
        key: this.key,
        extra: this.opts.checkResponse,
      });
    } catch (err) {
      await discardBody(res);
      if (err instanceof StalePartError) await this.startOver();
      throw err;
    }
    if (verdict.start === 0 && this.offset > 0) {
      await this.fh.truncate(0);
      this.offset = 0;
    }
    this.identity = verdict.identity;
    this.confirmed = true;
    if (verdict.start === 0 || !this.recorded) {
      await writeIdentity(this.dest, verdict.identity);
      this.recorded = true;
    }
  }

  /** Writes the body at the part's end; throws when it ends before the file does or runs past it. */
  private async receive(res: Response, idle?: IdleTimeout): Promise<void> {
    const size = this.identity?.size;
    for await (const chunk of (res.body ?? []) as unknown as AsyncIterable<Uint8Array>) {
      idle?.touch();
      if (size !== undefined && this.offset + chunk.length > size) {
        throw new NotTheFileError(`the server sent more than the ${size} bytes of the file (${describeResponse(res)})`);
      }
      await this.fh.write(chunk, 0, chunk.length, this.offset);
      this.offset += chunk.length;
      this.progress.update(this.offset, { total: size });
    }
    if (size !== undefined && this.offset < size)
      throw new Error(`connection closed after ${this.offset} of ${size} bytes`);
    this.complete = true;
  }

  /**
   * The part on disk must be the file this transfer wrote, whole: the same inode and `offset` bytes. Anything
   * else (another program replaced or cut it) must not be renamed into place: returns the error to fail with.
   */
  private async checkOwnBytes(): Promise<Error | undefined> {
    const mine = await this.fh.stat();
    const there = await fsp.stat(partPath(this.dest)).catch(() => undefined);
    if (there && there.ino === mine.ino && there.dev === mine.dev && mine.size === this.offset) return undefined;
    this.complete = false;
    return new Error(
      `${partPath(this.dest)} was changed by another program while it was downloaded; nothing was kept: run again.`,
    );
  }

  /**
   * Closes the part. An incomplete part that holds bytes of an identified file is kept for the next run
   * (returns its size); an empty one is removed (returns 0).
   */
  async close(): Promise<number> {
    const foreign = this.complete ? await this.checkOwnBytes() : undefined;
    await this.fh.close();
    if (foreign) throw foreign; // not ours to remove either: it belongs to whoever changed it
    this.progress.update(this.offset, { total: this.identity?.size, force: true });
    this.progress.finish();
    if (this.complete || (this.offset > 0 && this.recorded)) return this.offset;
    await discardPart(this.dest);
    return 0;
  }
}
