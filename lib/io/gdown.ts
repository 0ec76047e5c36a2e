/**
 * Google Drive downloads, like Python's `gdown`: share links, `uc?id=` links or bare ids; the
 * "can't scan this file for viruses" confirm page (a form submitted as given) and the older confirm-token
 * and `download_warning` cookie flows; clear errors for quota, access and not-found pages.
 *
 * The file itself is written by `downloadToFile` from `download.ts` (temp file, resume, hash, rename).
 * Every URL found in a response (redirects, form actions, confirm links) is followed as given, so a local
 * fake server (`baseUrl` or `GDRIVE_BASE_URL`) works for tests.
 */
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { downloadToFile, IdleTimeout, isFile, verifyFile } from './download';

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
  /** Drive origin; default `process.env.GDRIVE_BASE_URL` or 'https://drive.google.com'. */
  baseUrl?: string;
  /** Default true: an existing output file (that verifies, with `hash`) is used without downloading. */
  cache?: boolean;
  /** Retries for a dropped download (default 3). */
  retries?: number;
}

/** Why Drive refused a file. */
export type GdownFailure = 'quota' | 'no-access' | 'not-found' | 'unrecognised';

/** Drive answered with an error page instead of the file. */
export class GdownError extends Error {
  constructor(
    message: string,
    readonly id: string,
    readonly reason: GdownFailure,
  ) {
    super(message);
    this.name = 'GdownError';
  }
}

const ID_RE = /^[A-Za-z0-9_-]{10,}$/;

/**
 * The file id in a Drive share link (`/file/d/ID/view`), an `open?id=ID` / `uc?id=ID` link, a
 * `drive.usercontent.google.com/download?id=ID` link, or a bare id. Throws a clear error otherwise.
 */
export function parseDriveId(urlOrId: string): string {
  const s = urlOrId.trim();
  if (ID_RE.test(s)) return s;
  let url: URL | undefined;
  try {
    url = new URL(s);
  } catch {
    url = undefined;
  }
  if (url) {
    if (/\/folders\//.test(url.pathname)) {
      throw new Error(`'${urlOrId}' is a Google Drive folder; gdown downloads single files: open the folder and copy the link of the file.`);
    }
    const m = /\/d\/([A-Za-z0-9_-]{10,})(?:\/|$)/.exec(url.pathname);
    if (m) return m[1];
    const q = url.searchParams.get('id');
    if (q && ID_RE.test(q)) return q;
  }
  throw new Error(
    `'${urlOrId}' is not a Google Drive file link or id. Expected https://drive.google.com/file/d/<id>/view, ` +
      `https://drive.google.com/uc?id=<id> (or open?id=<id>), or the bare <id>.`,
  );
}

/** The file name in a Content-Disposition header (`filename*=UTF-8''…` preferred over `filename="…"`), made safe. */
export function filenameFromContentDisposition(header: string | null): string | undefined {
  if (!header) return undefined;
  let name: string | undefined;
  const star = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (star) {
    try {
      name = decodeURIComponent(star[2].trim().replace(/^"|"$/g, ''));
    } catch {
      name = undefined;
    }
  }
  if (name === undefined) {
    const quoted = /filename\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(header);
    const bare = /filename\s*=\s*([^;"]+)/i.exec(header);
    name = quoted ? quoted[1].replace(/\\(.)/g, '$1') : bare?.[1].trim();
  }
  if (name === undefined) return undefined;
  const safe = name.split(/[/\\]/).pop()!.replace(/[\x00-\x1f]/g, '').trim();
  return safe === '' || safe === '.' || safe === '..' ? undefined : safe;
}

const BROWSER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36';

class CookieJar {
  private readonly cookies = new Map<string, string>();
  absorb(res: Response): void {
    const headers = res.headers as Headers & { getSetCookie?: () => string[] };
    const list = headers.getSetCookie ? headers.getSetCookie() : [];
    for (const c of list) {
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      if (eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }
  header(): string | undefined {
    return this.cookies.size ? [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') : undefined;
  }
  /** The value of the first `download_warning*` cookie (old confirm flow). */
  warningToken(): string | undefined {
    for (const [k, v] of this.cookies) if (k.startsWith('download_warning')) return v;
    return undefined;
  }
}

function decodeHtml(s: string): string {
  return s
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'i').exec(tag);
  return m ? decodeHtml(m[1] ?? m[2]) : undefined;
}

function isLoginUrl(u: string): boolean {
  try {
    const url = new URL(u);
    return url.hostname === 'accounts.google.com' || /ServiceLogin|\/signin\b|\/v3\/signin/i.test(url.pathname);
  } catch {
    return false;
  }
}

/** What an HTML page from Drive asks for: a next URL to fetch, or an error. */
function readDrivePage(html: string, pageUrl: string, status: number, jar: CookieJar): { next: string } | { fail: GdownFailure; detail?: string } {
  const text = html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
  if (/Too many users have viewed or downloaded this file recently|download quota (?:for this file )?has been exceeded|quota exceeded/i.test(text)) {
    return { fail: 'quota' };
  }
  // The virus-scan page: a form with hidden inputs, submitted with GET as given.
  const form = /<form\b[^>]*\bid\s*=\s*["']download-form["'][^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (form) {
    const openTag = /<form\b[^>]*>/i.exec(form[0])![0];
    const action = new URL(attr(openTag, 'action') ?? pageUrl, pageUrl);
    for (const input of form[1].match(/<input\b[^>]*>/gi) ?? []) {
      const name = attr(input, 'name');
      const type = (attr(input, 'type') ?? '').toLowerCase();
      if (name && type === 'hidden') action.searchParams.set(name, attr(input, 'value') ?? '');
    }
    return { next: action.toString() };
  }
  // Older confirm pages: a link with a confirm token, or a JSON downloadUrl.
  const link = /href\s*=\s*"([^"]*\/uc\?export=download[^"]*)"/i.exec(html) ?? /href\s*=\s*"([^"]*[?&](?:amp;)?confirm=[^"]+)"/i.exec(html);
  if (link) return { next: new URL(decodeHtml(link[1]), pageUrl).toString() };
  const json = /"downloadUrl"\s*:\s*"([^"]+)"/.exec(html);
  if (json) return { next: JSON.parse(`"${json[1]}"`) as string };
  const token = jar.warningToken();
  if (token) {
    const u = new URL(pageUrl);
    if (u.searchParams.get('confirm') !== token) {
      u.searchParams.set('confirm', token);
      return { next: u.toString() };
    }
  }
  if (status === 404 || /the file you have requested does not exist|Page Not Found/i.test(text)) return { fail: 'not-found' };
  if (status === 401 || status === 403 || isLoginUrl(pageUrl) || /ServiceLogin|Sign in - Google Accounts|You need access|Request access|You need permission/i.test(html)) {
    return { fail: 'no-access' };
  }
  const sub = /<p class="uc-error-subcaption">([\s\S]*?)<\/p>/i.exec(html);
  return { fail: 'unrecognised', detail: sub ? decodeHtml(sub[1].replace(/<[^>]+>/g, '')).trim() : undefined };
}

function failureMessage(reason: GdownFailure, id: string, base: string, placeAt: string, detail?: string): string {
  const view = `${base}/file/d/${id}/view`;
  switch (reason) {
    case 'quota':
      return (
        `Google Drive refuses file ${id} for now: too many users have viewed or downloaded it recently (download quota exceeded). ` +
        `Try again later (up to 24 h), or open ${view} in a browser, download it there and place it at ${placeAt}.`
      );
    case 'no-access':
      return (
        `Google Drive asks for a login or permission for file ${id}: it is not shared publicly. ` +
        `The owner must share it as "Anyone with the link"; or download it in a browser where you have access and place it at ${placeAt}.`
      );
    case 'not-found':
      return `Google Drive has no file with id ${id} (404). Check the id or link (${view}); the file may have been deleted.`;
    default:
      return (
        `Could not get the download link of Google Drive file ${id}${detail ? `: ${detail}` : ''}. ` +
        `Check that it is shared as "Anyone with the link", or download it in a browser from ${view} and place it at ${placeAt}.`
      );
  }
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await fsp.stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Downloads a Google Drive file (share link, `uc?id=` link or id) and returns the path written.
 * With `output` naming a file that already exists (and verifies against `hash`), nothing is downloaded.
 */
export async function gdown(urlOrId: string, opts: GdownOptions = {}): Promise<string> {
  const id = parseDriveId(urlOrId);
  const base = (opts.baseUrl ?? process.env.GDRIVE_BASE_URL ?? 'https://drive.google.com').replace(/\/+$/, '');
  const out = opts.output;
  const outIsDir = out === undefined || /[/\\]$/.test(out) || (await isDir(out));
  const cache = opts.cache !== false;
  const cachedOk = async (p: string) => cache && (await isFile(p)) && (opts.hash === undefined || (await verifyFile(p, opts.hash)));
  if (out !== undefined && !outIsDir && (await cachedOk(out))) return out;
  const placeAt = path.resolve(outIsDir ? path.join(out ?? '.', '<file name>') : out!);

  const jar = new CookieJar();
  let url = `${base}/uc?export=download&id=${encodeURIComponent(id)}`;
  const seen = new Set<string>();
  for (let step = 0; step < 20; step++) {
    const headers: Record<string, string> = { 'User-Agent': BROWSER_UA };
    const cookie = jar.header();
    if (cookie) headers.Cookie = cookie;
    let res: Response;
    const idle = new IdleTimeout();
    try {
      res = await fetch(url, { headers, redirect: 'manual', signal: idle.signal });
    } catch (err) {
      idle.clear();
      const cause = err instanceof Error ? ((err as Error & { cause?: Error }).cause?.message ?? err.message) : String(err);
      throw new GdownError(
        `Could not reach Google Drive at ${url} for file ${id} (${cause}). Check your network, or download it in a browser from ${base}/file/d/${id}/view and place it at ${placeAt}.`,
        id,
        'unrecognised',
      );
    }
    jar.absorb(res);
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      idle.clear();
      await res.body?.cancel();
      url = new URL(location, url).toString();
      if (isLoginUrl(url)) throw new GdownError(failureMessage('no-access', id, base, placeAt), id, 'no-access');
      continue;
    }
    const type = res.headers.get('content-type') ?? '';
    const disposition = res.headers.get('content-disposition');
    const isAttachment = disposition !== null && /attachment|filename/i.test(disposition);
    if (res.ok && (!/text\/html/i.test(type) || isAttachment)) {
      const name = filenameFromContentDisposition(disposition) ?? id;
      const dest = outIsDir ? path.join(out ?? '.', name) : out!;
      if (await cachedOk(dest)) {
        idle.clear();
        await res.body?.cancel();
        return dest;
      }
      if (!opts.quiet) console.log(`Downloading ${id} → ${dest}`);
      const fileHeaders: Record<string, string> = { 'User-Agent': BROWSER_UA };
      if (jar.header()) fileHeaders.Cookie = jar.header()!;
      return downloadToFile(url, dest, { response: res, responseTimeout: idle, headers: fileHeaders, hash: opts.hash, quiet: opts.quiet, retries: opts.retries, label: name });
    }
    let html: string;
    try {
      html = await res.text();
    } finally {
      idle.clear();
    }
    const page = readDrivePage(html, url, res.status, jar);
    if ('fail' in page) throw new GdownError(failureMessage(page.fail, id, base, placeAt, page.detail), id, page.fail);
    if (seen.has(page.next)) break;
    seen.add(page.next);
    url = page.next;
  }
  throw new GdownError(failureMessage('unrecognised', id, base, placeAt, 'Drive kept answering with confirm pages'), id, 'unrecognised');
}
