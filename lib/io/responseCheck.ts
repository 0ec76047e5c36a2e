/**
 * Is this response (the rest of) the file? Every response whose body would become file bytes is checked
 * before a byte is written: a 206 must continue the file where the part ends (Content-Range start and total);
 * a whole answer must have the size of the file met before in this run, and no web page may stand in for a
 * file that was not one. A refusal says what came instead.
 */
import { NotTheFileError, StalePartError } from './downloadErrors';
import type { FileIdentity } from './partFile';

/** Where a download stands when a response arrives. */
export interface ResponseContext {
  /** Bytes already in the part (a Range request asked for the rest). */
  offset: number;
  /** The file as known so far: from this run's first response, or from an earlier run's identity file. */
  known?: FileIdentity;
  /** True when `known` comes from a response of this run (then a whole answer must be the same file). */
  confirmed: boolean;
  /** The download's key (see `FileIdentity.key`). */
  key: string;
  /** The caller's own test (e.g. Drive: an attachment, not a page): a reason to refuse, or undefined. */
  extra?: (res: Response) => string | undefined;
}

/** What to do with an accepted response: write its body from `start` (0: start over), for the file `identity`. */
export interface Verdict {
  start: number;
  identity: FileIdentity;
}

/** `bytes START-END/TOTAL` parsed, or undefined. */
function contentRange(res: Response): { start: number; total?: number } | undefined {
  const m = /^bytes\s+(\d+)-\d+\/(\d+|\*)\s*$/.exec(res.headers.get('content-range') ?? '');
  return m ? { start: Number(m[1]), total: m[2] === '*' ? undefined : Number(m[2]) } : undefined;
}

function contentLength(res: Response): number | undefined {
  const len = res.headers.get('content-length');
  return len !== null && /^\d+$/.test(len.trim()) ? Number(len) : undefined;
}

const isHtml = (type?: string): boolean => type !== undefined && /text\/html|application\/xhtml/i.test(type);

/** The response in words: status, type and length, for messages that say what came. */
export function describeResponse(res: Response): string {
  const len = contentLength(res);
  return (
    `HTTP ${res.status}, ${res.headers.get('content-type') ?? 'no Content-Type'}, ` +
    `${len === undefined ? 'no Content-Length' : `${len} bytes`}`
  );
}

/**
 * True when the body was sent compressed (`Content-Encoding: gzip`, ...): fetch decodes it, so its
 * Content-Length (the compressed size) says nothing about the file's size.
 */
function encoded(res: Response): boolean {
  const enc = res.headers.get('content-encoding')?.trim().toLowerCase();
  return enc !== undefined && enc !== '' && enc !== 'identity';
}

/** The identity of the file a response carries, as far as its headers tell. */
export function identityOf(res: Response, key: string): FileIdentity {
  const range = res.status === 206 ? contentRange(res) : undefined;
  const size = range ? range.total : encoded(res) ? undefined : contentLength(res);
  const h = (name: string) => res.headers.get(name) ?? undefined;
  return { key, size, etag: h('etag'), lastModified: h('last-modified'), contentType: h('content-type') };
}

/** Accepts the response (where to write its body, for which file) or throws `NotTheFileError` saying what came. */
export function checkResponse(res: Response, ctx: ResponseContext): Verdict {
  const refuse = (why: string) => new NotTheFileError(`${why} (${describeResponse(res)})`);
  const extra = ctx.extra?.(res);
  if (extra) throw refuse(extra);
  const got = identityOf(res, ctx.key);
  const known = ctx.known;
  if (known && !isHtml(known.contentType) && isHtml(got.contentType))
    throw refuse('the server sent a web page instead of the file');
  if (res.status === 206) {
    const range = contentRange(res);
    const total = known?.size;
    if (range && range.start === ctx.offset && !ctx.confirmed && total !== undefined && range.total !== total) {
      throw new StalePartError(
        `the file changed on the server since the partial download (${range.total} bytes now, ${total} then): starting over`,
      );
    }
    if (!range || range.start !== ctx.offset || (total !== undefined && range.total !== total)) {
      throw refuse(
        `the server answered Content-Range ${res.headers.get('content-range') ?? '(none)'} to a request for ` +
          `the ${total ?? '?'}-byte file from byte ${ctx.offset}`,
      );
    }
    return { start: ctx.offset, identity: known ?? got };
  }
  if (ctx.confirmed && known?.size !== undefined && got.size !== known.size) {
    throw refuse(
      got.size === undefined
        ? `the server answered without a size where the file has ${known.size} bytes`
        : `the server answered with ${got.size} bytes where the file has ${known.size}`,
    );
  }
  return { start: 0, identity: got };
}
