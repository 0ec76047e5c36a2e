/** A loopback HTTP server for tests: routes by path, records requests, closes cleanly. */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the server saw it. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

/** A route handler; `url` is parsed against the server's base. */
export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => void;

/** A running loopback server. */
export interface TestServer {
  base: string;
  requests: SeenRequest[];
  /** Sets (or replaces) the handler of a path. */
  route(path: string, handler: Handler): void;
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 with a random port. Unknown paths answer 404. */
export async function startServer(routes: Record<string, Handler> = {}): Promise<TestServer> {
  const table = new Map(Object.entries(routes));
  const requests: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers });
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const h = table.get(url.pathname);
    if (h) h(req, res, url);
    else {
      res.statusCode = 404;
      res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    route: (p, h) => void table.set(p, h),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Serves `data` honouring `Range: bytes=N-` (206 + Content-Range) unless `ignoreRange`; with `dropAfter`
 * the first full response sends that many bytes and then destroys the socket.
 */
export function serveBytes(
  data: Buffer,
  opts: { dropAfter?: number; ignoreRange?: boolean; headers?: Record<string, string> } = {},
): Handler {
  let drops = opts.dropAfter === undefined ? 0 : 1;
  return (req, res) => {
    for (const [k, v] of Object.entries(opts.headers ?? {})) res.setHeader(k, v);
    const m = /^bytes=(\d+)-$/.exec(String(req.headers.range ?? ''));
    let start = 0;
    if (m && !opts.ignoreRange) {
      start = Number(m[1]);
      res.statusCode = 206;
      res.setHeader('Content-Range', `bytes ${start}-${data.length - 1}/${data.length}`);
    }
    const body = data.subarray(start);
    res.setHeader('Content-Length', String(body.length));
    res.setHeader('Content-Type', 'application/octet-stream');
    if (drops > 0 && opts.dropAfter !== undefined) {
      drops--;
      res.flushHeaders();
      // 150 ms: long enough for a client that takes a lock before it reads the body to have read what was sent
      res.write(body.subarray(0, opts.dropAfter), () => setTimeout(() => res.socket?.destroy(), 150));
      return;
    }
    res.end(body);
  };
}
