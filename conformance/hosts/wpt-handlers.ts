// The few wptserve handlers the fetch and FileAPI tests need, served for real over HTTP on
// 127.0.0.1 (there is no wptserve here): the isolate harness sends a fetch() of one of these
// paths to this server through the runtime's own fetch (isolate-prelude.ts), so the request
// crosses the runtime, the host's undici and a socket as an app's would. Each handler does what
// the .py file of the same path in the WPT snapshot does.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

type Handler = (req: IncomingMessage, body: Buffer, query: URLSearchParams, res: ServerResponse) => void;

/** The request's header `name` (lowercase), its values joined as wptserve joins them. */
function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

const HANDLERS: Record<string, Handler> = {
  // Echoes the named request headers as x-request-<name> (names from ?headers=a|b|c).
  '/fetch/api/resources/inspect-headers.py': (req, _body, query, res) => {
    const out: [string, string][] = [];
    for (const name of (query.get('headers') ?? '').split('|').filter(Boolean)) {
      const value = header(req, name.toLowerCase());
      if (value !== undefined) out.push([`x-request-${name}`, value]);
    }
    out.push(['content-type', 'text/plain']);
    res.writeHead(200, out.flat());
    res.end();
  },
  // Echoes the request body, with its method, Content-Length and Content-Type as headers.
  '/fetch/api/resources/echo-content.py': (req, body, _query, res) => {
    res.writeHead(200, {
      'x-request-method': req.method ?? '',
      'x-request-content-length': header(req, 'content-length') ?? 'NO',
      'x-request-content-type': header(req, 'content-type') ?? 'NO',
      'content-type': 'text/plain',
    });
    res.end(body);
  },
  // "TEST_TRICKLE\n" ?count times (default 50), ?ms apart (default 500), after as long a wait.
  '/fetch/api/resources/trickle.py': (_req, _body, query, res) => {
    const delay = Number(query.get('ms') ?? 500);
    const count = Number(query.get('count') ?? 50);
    let sent = 0;
    const next = (): void => {
      if (res.destroyed) return;
      if (sent === count) return void res.end();
      sent++;
      res.write('TEST_TRICKLE\n');
      setTimeout(next, delay);
    };
    setTimeout(() => {
      res.writeHead(200, query.has('notype') ? {} : { 'content-type': 'text/plain' });
      res.flushHeaders();
      setTimeout(next, delay);
    }, delay);
  },
};

/** The paths served here (the isolate prelude routes these to the server). */
export const HANDLER_PATHS: readonly string[] = Object.keys(HANDLERS);

let server: Promise<{ server: Server; origin: string }> | undefined;

/** Starts the server once per process (it does not keep the process alive); resolves with its origin. */
export function wptHandlersOrigin(): Promise<string> {
  server ??= new Promise((resolve, reject) => {
    const s = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const handler = HANDLERS[url.pathname];
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (handler === undefined) {
          res.writeHead(404, { 'content-type': 'text/plain' });
          res.end('no such handler');
          return;
        }
        handler(req, Buffer.concat(chunks), url.searchParams, res);
      });
    });
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      s.unref();
      resolve({ server: s, origin: `http://127.0.0.1:${(s.address() as { port: number }).port}` });
    });
  });
  return server.then((s) => s.origin);
}
