/**
 * Reading Google Drive's answers: file ids in links, file names in Content-Disposition, cookies, and the HTML
 * pages Drive shows instead of a file (the virus-scan confirm form, older confirm links and cookies, quota,
 * access and not-found pages), each turned into the next URL to fetch or a failure with a message.
 */

/** Why Drive refused a file. */
export type GdownFailure = 'quota' | 'no-access' | 'not-found' | 'unavailable' | 'unrecognised';

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

/** `s` as a URL, or undefined when it is not one. */
export function asUrl(s: string): URL | undefined {
  try {
    return new URL(s);
  } catch (err) {
    if (err instanceof TypeError) return undefined; // not a URL: the caller says what it expected
    throw err;
  }
}

/**
 * The file id in a Drive share link (`/file/d/ID/view`), an `open?id=ID` / `uc?id=ID` link, a
 * `drive.usercontent.google.com/download?id=ID` link, or a bare id. Throws a clear error otherwise.
 */
export function parseDriveId(urlOrId: string): string {
  const s = urlOrId.trim();
  if (ID_RE.test(s)) return s;
  const url = asUrl(s);
  if (url) {
    if (/\/folders\//.test(url.pathname)) {
      throw new Error(
        `'${urlOrId}' is a Google Drive folder; gdown downloads single files: open the folder and copy the link of the file.`,
      );
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

/** `filename*=UTF-8''…` decoded, or undefined when absent or badly encoded. */
function extendedFilename(header: string): string | undefined {
  const star = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (!star) return undefined;
  try {
    return decodeURIComponent(star[2].trim().replace(/^"|"$/g, ''));
  } catch (err) {
    if (err instanceof URIError) return undefined; // fall back to the plain filename=
    throw err;
  }
}

/** The file name in a Content-Disposition header (`filename*=UTF-8''…` preferred over `filename="…"`), made safe. */
export function filenameFromContentDisposition(header: string | null): string | undefined {
  if (!header) return undefined;
  let name = extendedFilename(header);
  if (name === undefined) {
    const quoted = /filename\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(header);
    const bare = /filename\s*=\s*([^;"]+)/i.exec(header);
    name = quoted ? quoted[1].replace(/\\(.)/g, '$1') : bare?.[1].trim();
  }
  if (name === undefined) return undefined;
  const last = name.split(/[/\\]/).pop() ?? '';
  const safe = Array.from(last)
    .filter((c) => c.charCodeAt(0) >= 0x20)
    .join('')
    .trim() // no control characters
    .replace(/^\.+/, ''); // no hidden name (.bashrc) and no '.' or '..'
  return safe === '' ? undefined : shortened(safe);
}

/** The longest file name written from a server's word (bytes of UTF-8; file systems allow 255). */
const MAX_NAME_BYTES = 200;

/** `name` cut to `MAX_NAME_BYTES`, keeping its extension. */
function shortened(name: string): string {
  if (Buffer.byteLength(name) <= MAX_NAME_BYTES) return name;
  const ext = /\.[A-Za-z0-9]{1,10}$/.exec(name)?.[0] ?? '';
  let stem = Array.from(name.slice(0, name.length - ext.length));
  while (Buffer.byteLength(stem.join('') + ext) > MAX_NAME_BYTES) stem = stem.slice(0, -1);
  return stem.join('') + ext;
}

/** Cookies Drive sets along the confirm flow (sent back on every later request). */
export class CookieJar {
  private readonly cookies = new Map<string, string>();
  /** Takes the Set-Cookie headers of a response. */
  absorb(res: Response): void {
    const headers = res.headers as Headers & { getSetCookie?: () => string[] };
    for (const c of headers.getSetCookie?.() ?? []) {
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      if (eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }
  /** The Cookie header value, or undefined when there are none. */
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

/** True for Google's login pages (a private file redirects there). */
export function isLoginUrl(u: string): boolean {
  const url = asUrl(u);
  return (
    url !== undefined &&
    (url.hostname === 'accounts.google.com' || /ServiceLogin|\/signin\b|\/v3\/signin/i.test(url.pathname))
  );
}

/** The virus-scan page's `download-form`, submitted with GET as given (hidden inputs as query parameters). */
function confirmForm(html: string, pageUrl: string): string | undefined {
  const form = /<form\b[^>]*\bid\s*=\s*["']download-form["'][^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return undefined;
  const openTag = /<form\b[^>]*>/i.exec(form[0])?.[0] ?? '';
  const action = new URL(attr(openTag, 'action') ?? pageUrl, pageUrl);
  for (const input of form[1].match(/<input\b[^>]*>/gi) ?? []) {
    const name = attr(input, 'name');
    if (name && (attr(input, 'type') ?? '').toLowerCase() === 'hidden')
      action.searchParams.set(name, attr(input, 'value') ?? '');
  }
  return action.toString();
}

/** Older confirm pages: a link with a confirm token, a JSON downloadUrl, or the `download_warning` cookie. */
function confirmLink(html: string, pageUrl: string, jar: CookieJar): string | undefined {
  const link =
    /href\s*=\s*"([^"]*\/uc\?export=download[^"]*)"/i.exec(html) ??
    /href\s*=\s*"([^"]*[?&](?:amp;)?confirm=[^"]+)"/i.exec(html);
  if (link) return new URL(decodeHtml(link[1]), pageUrl).toString();
  const json = /"downloadUrl"\s*:\s*"([^"]+)"/.exec(html);
  if (json) return JSON.parse(`"${json[1]}"`) as string;
  const token = jar.warningToken();
  const u = new URL(pageUrl);
  if (!token || u.searchParams.get('confirm') === token) return undefined;
  u.searchParams.set('confirm', token);
  return u.toString();
}

/** What an HTML page from Drive asks for: a next URL to fetch, or a failure. */
export function readDrivePage(
  html: string,
  pageUrl: string,
  status: number,
  jar: CookieJar,
): { next: string } | { fail: GdownFailure; detail?: string } {
  const text = html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
  if (
    /Too many users have viewed or downloaded this file recently|download quota (?:for this file )?has been exceeded|quota exceeded/i.test(
      text,
    )
  ) {
    return { fail: 'quota' };
  }
  const next = confirmForm(html, pageUrl) ?? confirmLink(html, pageUrl, jar);
  if (next) return { next };
  if (status === 404 || /the file you have requested does not exist|Page Not Found/i.test(text))
    return { fail: 'not-found' };
  if (
    status === 401 ||
    status === 403 ||
    isLoginUrl(pageUrl) ||
    /ServiceLogin|Sign in - Google Accounts|You need access|Request access|You need permission/i.test(html)
  ) {
    return { fail: 'no-access' };
  }
  const sub = /<p class="uc-error-subcaption">([\s\S]*?)<\/p>/i.exec(html);
  return { fail: 'unrecognised', detail: sub ? decodeHtml(sub[1].replace(/<[^>]+>/g, '')).trim() : undefined };
}

/** The message of a failure: what Drive said and what to do. */
export function failureMessage(
  reason: GdownFailure,
  id: string,
  base: string,
  placeAt: string,
  detail?: string,
): string {
  const view = `${base}/file/d/${id}/view`;
  const byHand = `download it in a browser from ${view} and place it at ${placeAt}`;
  switch (reason) {
    case 'quota':
      return (
        `Google Drive refuses file ${id} for now: too many users have viewed or downloaded it recently ` +
        `(download quota exceeded). Try again later (up to 24 h), or ${byHand}.`
      );
    case 'no-access':
      return (
        `Google Drive asks for a login or permission for file ${id}: it is not shared publicly. The owner ` +
        `must share it as "Anyone with the link"; or download it in a browser where you have access and place it at ${placeAt}.`
      );
    case 'not-found':
      return `Google Drive has no file with id ${id} (404). Check the id or link (${view}); the file may have been deleted.`;
    case 'unavailable':
      return (
        `Google Drive answered ${detail ?? 'with a server error'} for file ${id}: a problem or a rate ` +
        `limit on Google's side, not with the link. Try again later (in a few minutes), or ${byHand}.`
      );
    default:
      return (
        `Could not get the download link of Google Drive file ${id}${detail ? `: ${detail}` : ''}. Check ` +
        `that it is shared as "Anyone with the link", or ${byHand}.`
      );
  }
}

/**
 * Drive's test of a response meant to be the file (every retry included): a web page without an attachment
 * header is Drive talking (quota, a confirm page), not the file. Returns the reason to refuse it, or undefined.
 */
export function driveFileCheck(res: Response): string | undefined {
  const html = /text\/html/i.test(res.headers.get('content-type') ?? '');
  const attachment = /attachment|filename/i.test(res.headers.get('content-disposition') ?? '');
  if (attachment) return undefined;
  return html
    ? 'Google Drive sent a web page instead of the file; its download quota may be used up, or it asks for a confirmation'
    : 'Google Drive answered without naming a file (no Content-Disposition): that is a page, not the file';
}
