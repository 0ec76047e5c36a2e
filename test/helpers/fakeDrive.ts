/**
 * A loopback imitation of Google Drive's download endpoints, one behaviour per file id (`fakeId(name)`):
 * - `direct`: `/uc` answers the file with a Content-Disposition name.
 * - `scan`: `/uc` redirects to `/usercontent/download`, which answers the "can't scan for viruses" page with a
 *   `download-form`; the file comes only with the form's hidden fields (confirm=t, uuid).
 * - `oldlink`: a page with a `download_warning` cookie and a `/uc?export=download&confirm=TOKEN` link.
 * - `oldcookie`: only the `download_warning` cookie; the file comes with `confirm=<cookie value>` + the cookie.
 * - `drop`: like `direct` but the first response is cut after a third of the body; honours Range.
 * - `flaky`: the first response is the file cut after a third; every later one is a 200 `text/html` quota page
 *   with a Content-Length (what Drive does when a retry hits its quota).
 * - `error500`, `error429`: an HTML error page with that status.
 * - `quota`, `private` (redirect to a ServiceLogin page), anything else: 404 page.
 */
import { serveBytes, startServer, type Handler, type TestServer } from './server';

/** The fake Drive and the bytes it serves per id. */
export interface FakeDrive extends TestServer {
  files: Record<string, Buffer>;
}

/** The Drive-like id (at least 10 characters) of a fake behaviour: `fakeId('scan')` is 'FAKE_scan_id'. */
export const fakeId = (name: string) => `FAKE_${name}_id`;
const fakeName = (id: string) => id.replace(/^FAKE_(.*)_id$/, '$1');

const html = (body: string) =>
  `<!DOCTYPE html><html><head><title>Google Drive</title></head><body>${body}</body></html>`;

function sendHtml(res: Parameters<Handler>[1], status: number, body: string, headers: Record<string, string> = {}) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.end(html(body));
}

/** Starts the fake Drive; `files` maps ids to contents, `names` ids to the file name it announces (default `<id>.bin`). */
export async function startFakeDrive(
  files: Record<string, Buffer>,
  names: Record<string, string> = {},
): Promise<FakeDrive> {
  const server = await startServer();
  const disposition = (id: string) => {
    const name = names[id] ?? `${id}.bin`;
    return `attachment; filename="${name.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`;
  };
  const file = (id: string, extra: Parameters<typeof serveBytes>[1] = {}) =>
    serveBytes(files[id], { ...extra, headers: { 'Content-Disposition': disposition(id) } });
  const dropHandler = files.drop ? file('drop', { dropAfter: Math.floor(files.drop.length / 3) }) : undefined;
  const flakyFirst = files.flaky ? file('flaky', { dropAfter: Math.floor(files.flaky.length / 3) }) : undefined;
  let flakyCalls = 0;

  server.route('/uc', (req, res, url) => {
    const fullId = url.searchParams.get('id') ?? '';
    const id = fakeName(fullId);
    const cookie = String(req.headers.cookie ?? '');
    switch (id) {
      case 'direct':
        return file('direct')(req, res, url);
      case 'drop':
        return dropHandler!(req, res, url);
      case 'flaky': {
        if (flakyCalls++ === 0) return flakyFirst!(req, res, url);
        const page = html(
          `<p class="uc-error-subcaption">Too many users have viewed or downloaded this file recently.</p>`,
        );
        res.setHeader('Content-Length', String(Buffer.byteLength(page)));
        res.setHeader('Content-Type', 'text/html; charset=utf-8');
        return res.end(page);
      }
      case 'error500':
        return sendHtml(res, 500, `<p>Something went wrong. Please try again later.</p>`);
      case 'error429':
        return sendHtml(
          res,
          429,
          `<p>We're sorry... but your computer or network may be sending automated queries.</p>`,
        );
      case 'scan':
        res.statusCode = 303;
        res.setHeader('Location', `${server.base}/usercontent/download?id=${fullId}&export=download`);
        return res.end();
      case 'oldlink':
      case 'oldcookie':
        if (url.searchParams.get('confirm') === 'TOK3N' && cookie.includes('download_warning_13058=TOK3N'))
          return file(id)(req, res, url);
        return sendHtml(
          res,
          200,
          `<p>Google Drive can't scan this file for viruses.</p>` +
            (id === 'oldlink'
              ? `<a id="uc-download-link" href="/uc?export=download&amp;confirm=TOK3N&amp;id=${fullId}">Download anyway</a>`
              : ''),
          { 'Set-Cookie': 'download_warning_13058=TOK3N; Path=/; HttpOnly' },
        );
      case 'quota':
        return sendHtml(
          res,
          200,
          `<p class="uc-error-caption">Sorry, you can't view or download this file at this time.</p>` +
            `<p class="uc-error-subcaption">Too many users have viewed or downloaded this file recently. ` +
            `Please try accessing the file again later.</p>`,
        );
      case 'private':
        res.statusCode = 302;
        res.setHeader('Location', `${server.base}/ServiceLogin?continue=${encodeURIComponent(url.toString())}`);
        return res.end();
      default:
        return sendHtml(res, 404, `<p>Sorry, the file you have requested does not exist.</p>`);
    }
  });
  server.route('/usercontent/download', (req, res, url) => {
    const q = url.searchParams;
    if (
      q.get('id') === fakeId('scan') &&
      q.get('confirm') === 't' &&
      q.get('uuid') === 'u-123' &&
      q.get('export') === 'download'
    ) {
      return file('scan')(req, res, url);
    }
    return sendHtml(
      res,
      200,
      `<p class="uc-warning-caption">Google Drive can't scan this file for viruses.</p>` +
        `<form id="download-form" action="${server.base}/usercontent/download" method="get">` +
        `<input type="submit" id="uc-download-link" value="Download anyway"/>` +
        `<input type="hidden" name="id" value="${fakeId('scan')}"><input type="hidden" name="export" value="download">` +
        `<input type="hidden" name="confirm" value="t"><input type="hidden" name="uuid" value="u-123"></form>`,
    );
  });
  server.route('/ServiceLogin', (_req, res) =>
    sendHtml(res, 200, `<title>Sign in - Google Accounts</title><form>Email</form>`),
  );
  return Object.assign(server, { files });
}
