/**
 * Google Drive downloads, like Python's `gdown`: share links, `uc?id=` links or bare ids; the
 * "can't scan this file for viruses" confirm page (a form submitted as given) and the older confirm-token
 * and `download_warning` cookie flows; clear errors for quota, access, not-found and server-error pages
 * (the page reading is in `drivePage.ts`).
 *
 * The file itself is written by `downloadToFile` (resumable part, checks, hash, rename); every response that
 * becomes file bytes must be an attachment, not a Drive page. Every URL found in a response (redirects, form
 * actions, confirm links) is followed as given, so a local fake server (`baseUrl` or `GDRIVE_BASE_URL`) works.
 */
import * as path from 'node:path';
import { envValue } from '../core/config';
import { say } from '../core/messages';
import { downloadToFile, verifyFile } from './download';
import {
  CookieJar,
  GdownError,
  driveFileCheck,
  failureMessage,
  filenameFromContentDisposition,
  isLoginUrl,
  parseDriveId,
  readDrivePage,
} from './drivePage';
import { isDir, nonEmptyFile } from './fileKind';
import { IdleTimeout } from './idleTimeout';

export { GdownError, filenameFromContentDisposition, parseDriveId, type GdownFailure } from './drivePage';

/** The Drive id of the lesson's `cats_and_dogs_small.zip`. */
export const LESSON_DATASET_ID = '1nBE3N2cXQGwD8JaD0JZ2LmFD-n3D5hVU';
/** The file name the lesson saves `LESSON_DATASET_ID` under. */
export const LESSON_DATASET_FILE = 'cats_and_dogs_small.zip';

/** Options of `gdown`. */
export interface GdownOptions {
  /** File path, or a folder (ending with '/' or existing) where the server's file name is used. Default: the current folder. */
  output?: string;
  /** Expected md5 or sha256 of the file. */
  hash?: string;
  quiet?: boolean;
  /** Drive origin; default `GDRIVE_BASE_URL` or 'https://drive.google.com'. */
  baseUrl?: string;
  /** Default true: an existing output file (that verifies, with `hash`) is used without downloading. */
  cache?: boolean;
  /** Retries for a dropped download (default 3). */
  retries?: number;
}

const BROWSER_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36';

/** One gdown call: the id, where the file goes, and the Drive conversation's cookies. */
interface Target {
  id: string;
  base: string;
  /** The output folder when the server's file name is used, else undefined. */
  dir?: string;
  /** The output file when one was given. */
  file?: string;
  /** Where the user can place the file by hand (for messages). */
  placeAt: string;
  jar: CookieJar;
  opts: GdownOptions;
}

async function target(urlOrId: string, opts: GdownOptions): Promise<Target> {
  const out = opts.output;
  if (out !== undefined && out.trim() === '') {
    throw new Error(
      `gdown: the output path is empty (-O ''): give a file name, a folder ending with '/', or leave it out for the current folder.`,
    );
  }
  const id = parseDriveId(urlOrId);
  const base = (opts.baseUrl ?? envValue('GDRIVE_BASE_URL') ?? 'https://drive.google.com').replace(/\/+$/, '');
  const toDir = out === undefined || /[/\\]$/.test(out) || (await isDir(out));
  const placeAt = path.resolve(toDir ? path.join(out ?? '.', '<file name>') : (out as string));
  return {
    id,
    base,
    dir: toDir ? (out ?? '.') : undefined,
    file: toDir ? undefined : out,
    placeAt,
    jar: new CookieJar(),
    opts,
  };
}

/** True when `p` may be used as it is: caching on, the file exists, is not empty and matches the hash. */
async function cached(p: string, opts: GdownOptions): Promise<boolean> {
  return (
    opts.cache !== false && (await nonEmptyFile(p)) && (opts.hash === undefined || (await verifyFile(p, opts.hash)))
  );
}

function headersFor(t: Target): Record<string, string> {
  const cookie = t.jar.header();
  // identity: a compressed body's Content-Length is not the file's size (fetch decodes it)
  const base = { 'User-Agent': BROWSER_UA, 'Accept-Encoding': 'identity' };
  return cookie ? { ...base, Cookie: cookie } : base;
}

/** One request of the Drive conversation (redirects handled by the caller). */
async function fetchStep(url: string, t: Target): Promise<{ res: Response; idle: IdleTimeout }> {
  const idle = new IdleTimeout();
  try {
    const res = await fetch(url, { headers: headersFor(t), redirect: 'manual', signal: idle.signal });
    t.jar.absorb(res);
    return { res, idle };
  } catch (err) {
    idle.clear();
    const cause =
      err instanceof Error ? ((err as Error & { cause?: Error }).cause?.message ?? err.message) : String(err);
    const message =
      `Could not reach Google Drive at ${url} for file ${t.id} (${cause}). Check your network, ` +
      `or download it in a browser from ${t.base}/file/d/${t.id}/view and place it at ${t.placeAt}.`;
    throw new GdownError(message, t.id, 'unrecognised');
  }
}

/** The text of a Drive page; a page that stalls is a failure naming its URL. */
async function readPage(res: Response, idle: IdleTimeout, url: string, fail: (d: string) => Error): Promise<string> {
  try {
    return await res.text();
  } catch (err) {
    if (!idle.signal.aborted) throw err;
    throw fail(`a page (${url}) that stopped sending data: ${(idle.signal.reason as Error).message}`);
  } finally {
    idle.clear();
  }
}

/** Hands the file response to `downloadToFile` (or returns the cached file of that name). */
async function saveFile(url: string, res: Response, idle: IdleTimeout, t: Target): Promise<string> {
  const name = filenameFromContentDisposition(res.headers.get('content-disposition')) ?? t.id;
  const dest = t.file ?? path.join(t.dir ?? '.', name);
  if (await isDir(dest)) {
    idle.clear();
    await res.body?.cancel();
    throw new GdownError(
      `Cannot save Google Drive file ${t.id} as ${path.resolve(dest)}: that is a folder. Give a file name with ` +
        `-O, or move the folder away.`,
      t.id,
      'unrecognised',
    );
  }
  if (await cached(dest, t.opts)) {
    idle.clear();
    await res.body?.cancel();
    return dest;
  }
  if (!t.opts.quiet) console.log(say({ en: `Downloading ${t.id} → ${dest}`, ko: `${t.id} 내려받는 중 → ${dest}` }));
  const { hash, quiet, retries } = t.opts;
  return downloadToFile(url, dest, {
    response: res,
    responseTimeout: idle,
    headers: headersFor(t),
    hash,
    quiet,
    retries,
    label: name,
    resumeKey: `gdrive:${t.id}`,
    checkResponse: driveFileCheck,
  });
}

/**
 * Downloads a Google Drive file (share link, `uc?id=` link or id) and returns the path written.
 * With `output` naming a file that already exists (and verifies against `hash`), nothing is downloaded.
 *
 * @example
 * ```ts
 * import { dataPath } from './lib/core/paths';
 * import { gdown, LESSON_DATASET_FILE, LESSON_DATASET_ID } from './lib/io/gdown';
 *
 * const zipFile = await gdown(LESSON_DATASET_ID, { output: dataPath(LESSON_DATASET_FILE) });
 * ```
 */
export async function gdown(urlOrId: string, opts: GdownOptions = {}): Promise<string> {
  const t = await target(urlOrId, opts);
  if (t.file !== undefined && (await cached(t.file, opts))) return t.file;
  const fail = (reason: Parameters<typeof failureMessage>[0], detail?: string) =>
    new GdownError(failureMessage(reason, t.id, t.base, t.placeAt, detail), t.id, reason);
  let url = `${t.base}/uc?export=download&id=${encodeURIComponent(t.id)}`;
  const seen = new Set<string>();
  const redirected = new Set<string>();
  for (let step = 0; step < 20; step++) {
    const { res, idle } = await fetchStep(url, t);
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      idle.clear();
      await res.body?.cancel();
      redirected.add(url);
      url = new URL(location, url).toString();
      if (isLoginUrl(url)) throw fail('no-access');
      if (redirected.has(url)) throw fail('unrecognised', `Drive redirects in a loop (back to ${url})`);
      continue;
    }
    if (res.ok && !driveFileCheck(res)) return saveFile(url, res, idle, t);
    const html = await readPage(res, idle, url, (detail) => fail('unavailable', detail));
    if (res.status >= 500 || res.status === 429)
      throw fail('unavailable', `HTTP ${res.status} ${res.statusText}`.trim());
    const page = readDrivePage(html, url, res.status, t.jar);
    if ('fail' in page) throw fail(page.fail, page.detail);
    if (seen.has(page.next)) break;
    seen.add(page.next);
    url = page.next;
  }
  throw fail('unrecognised', `Drive kept answering with confirm pages (last: ${url})`);
}
