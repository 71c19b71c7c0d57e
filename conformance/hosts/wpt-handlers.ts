// TypeScript ports of the wptserve .py handlers the listed fetch tests use, served by
// wpt-server.ts. Each does what the .py file of the same path in the WPT snapshot does (its
// CORS headers included, though a server runtime's fetch has no CORS); a path not here is a 404
// that says so, never the Python source.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface HandlerContext {
  req: IncomingMessage;
  res: ServerResponse;
  body: Buffer;
  query: URLSearchParams;
  url: URL;
  /** wptserve's stash, shared by both ports: `${dir}${key}` -> value. */
  stash: Map<string, unknown>;
}
type Handler = (context: HandlerContext) => void | Promise<void>;

/** The request's header `name` (lowercase), its values joined as wptserve joins them. */
function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** wptserve's stash keys are scoped by the handler's directory, as `url_dir` computes it. */
function stashKey(url: URL, key: string): string {
  return url.pathname.replace(/[^/]*$/, '') + key;
}

function take(stash: Map<string, unknown>, key: string): unknown {
  const value = stash.get(key);
  stash.delete(key);
  return value;
}

/**
 * A query value as wptserve's request.GET gives it: its percent-decoded bytes, one character
 * per byte (an isomorphic string, which Node writes into a header byte for byte).
 */
function queryBytes(url: URL, name: string): string | null {
  const decode = (text: string): string => text.replace(/\+/g, ' ').replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  for (const part of url.search.slice(1).split('&')) {
    const eq = part.indexOf('=');
    if (decode(eq === -1 ? part : part.slice(0, eq)) === name) return decode(eq === -1 ? '' : part.slice(eq + 1));
  }
  return null;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A response written byte for byte (what wptserve's `response.writer` allows and Node's http refuses). */
function raw(res: ServerResponse, head: string): void {
  res.socket?.write(Buffer.from(head, 'latin1'));
}

function badlyEncoded(coding: string): Handler {
  return ({ res }) => {
    res.writeHead(200, { 'Content-Encoding': coding });
    res.end(`not actually ${coding}`);
  };
}

export const HANDLERS: Readonly<Record<string, Handler>> = {
  // Echoes the named request headers as x-request-<name> (names from ?headers=a|b|c).
  '/fetch/api/resources/inspect-headers.py': ({ req, query, res }) => {
    const names = (query.get('headers') ?? '').split('|').filter(Boolean);
    const out: [string, string][] = [];
    for (const name of names) {
      const value = header(req, name.toLowerCase());
      if (value !== undefined) out.push([`x-request-${name}`, value]);
    }
    if (query.has('cors')) {
      out.push(['Access-Control-Allow-Origin', header(req, 'origin') ?? '*'], ['Access-Control-Allow-Credentials', 'true']);
      out.push(['Access-Control-Allow-Methods', 'GET, POST, HEAD'], ['Access-Control-Expose-Headers', names.map((n) => `x-request-${n}`).join(', ')]);
    }
    out.push(['content-type', 'text/plain']);
    res.writeHead(200, out.flat());
    res.end();
  },
  // Echoes the request body, with its method, Content-Length and Content-Type as headers.
  '/fetch/api/resources/echo-content.py': ({ req, body, res }) => {
    res.writeHead(200, {
      'x-request-method': req.method ?? '',
      'x-request-content-length': header(req, 'content-length') ?? 'NO',
      'x-request-content-type': header(req, 'content-type') ?? 'NO',
      'content-type': 'text/plain',
    });
    res.end(body);
  },
  // "TEST_TRICKLE\n" ?count times (default 50), ?ms apart (default 500), after as long a wait.
  '/fetch/api/resources/trickle.py': async ({ query, res }) => {
    const delay = Number(query.get('ms') ?? 500);
    const count = Number(query.get('count') ?? 50);
    await sleep(delay);
    res.writeHead(200, query.has('notype') ? {} : { 'content-type': 'text/plain' });
    res.flushHeaders();
    for (let sent = 0; sent < count && !res.destroyed; sent++) {
      await sleep(delay);
      res.write('TEST_TRICKLE\n');
    }
    res.end();
  },
  // The request's method and Content-* headers as x-request-* headers ("NO" when absent); the body echoed.
  '/fetch/api/resources/method.py': ({ req, body, query, res }) => {
    const headers: [string, string][] = [];
    if (query.has('cors')) {
      headers.push(['Access-Control-Allow-Origin', '*'], ['Access-Control-Allow-Credentials', 'true'], ['Access-Control-Allow-Methods', 'GET, POST, PUT, FOO']);
      headers.push(['Access-Control-Allow-Headers', 'x-test, x-foo'], ['Access-Control-Expose-Headers', 'x-request-method']);
    }
    headers.push(['x-request-method', req.method ?? '']);
    for (const name of ['type', 'length', 'encoding', 'language', 'location']) headers.push([`x-request-content-${name}`, header(req, `content-${name}`) ?? 'NO']);
    res.writeHead(200, headers.flat());
    res.end(body);
  },
  // ?code (200), ?text (OMG) as the status; ?content as the body; ?type as Content-Type (even empty).
  '/fetch/api/resources/status.py': ({ req, query, res }) => {
    res.writeHead(Number(query.get('code') ?? 200), query.get('text') ?? 'OMG', [
      'Content-Type', query.get('type') ?? '',
      'X-Request-Method', req.method ?? '',
    ]);
    res.end(query.get('content') ?? '');
  },
  // A redirect (?redirect_status, default 302) to ?location, which keeps this URL's query
  // (unless ?simple) and a count; ?token keeps the count (and whether a preflight came) in the stash.
  '/fetch/api/resources/redirect.py': async ({ req, url, query, res, stash }) => {
    const headers: [string, string][] = [['Content-Type', 'text/plain'], ['Cache-Control', 'no-cache'], ['Pragma', 'no-cache']];
    const origin = header(req, 'origin');
    if (origin !== undefined) headers.push(['Access-Control-Allow-Origin', origin], ['Access-Control-Allow-Credentials', 'true']);
    else headers.push(['Access-Control-Allow-Origin', '*']);
    const token = query.get('token');
    const data = (token !== null ? (take(stash, `/${token}`) as { count: number; preflight: string } | undefined) : undefined) ?? { count: 0, preflight: '0' };
    if (req.method === 'OPTIONS') {
      if (query.has('allow_headers')) headers.push(['Access-Control-Allow-Headers', query.get('allow_headers')!]);
      data.preflight = '1';
      if (!query.has('redirect_preflight')) {
        if (token !== null) stash.set(`/${token}`, data);
        res.writeHead(200, headers.flat());
        return void res.end();
      }
    }
    const status = Number(query.get('redirect_status') ?? 302);
    data.count++;
    let location = queryBytes(url, 'location');
    if (location !== null) {
      const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(location)?.[1]?.toLowerCase() ?? '';
      if (!query.has('simple') && (scheme === '' || scheme === 'http' || scheme === 'https')) {
        location += location.includes('?') ? '&' : '?';
        // Each parameter once, with its first value (as the .py's request.GET.items()).
        const first = new URLSearchParams();
        for (const [name, value] of query) if (!first.has(name)) first.append(name, value);
        location += first.toString();
        location += `&count=${data.count}`;
      }
      headers.push(['Location', location]);
    }
    if (query.has('redirect_referrerpolicy')) headers.push(['Referrer-Policy', query.get('redirect_referrerpolicy')!]);
    if (query.has('delay')) await sleep(Number(query.get('delay')));
    if (token !== null) {
      stash.set(`/${token}`, data);
      if (query.has('max_count') && data.count > Number(query.get('max_count'))) {
        res.writeHead(200, headers.filter(([name]) => name !== 'Location').flat());
        return void res.end(String(data.count - 1));
      }
    }
    res.writeHead(status, headers.flat());
    res.end();
  },
  // The stash's value of ?key (scoped by this directory) as JSON, taken out of it; null when none.
  '/fetch/api/resources/stash-take.py': ({ url, query, res, stash }) => {
    const value = take(stash, stashKey(url, query.get('key') ?? ''));
    res.writeHead(200, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' });
    res.end(JSON.stringify(value ?? null));
  },
  // Puts ?value under ?key (the CORS checks of ?disallow_cross_origin are a browser's: not ported).
  '/fetch/api/resources/stash-put.py': ({ req, url, query, res, stash }) => {
    if (req.method === 'OPTIONS') {
      res.writeHead(200, { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Methods': '*', 'Access-Control-Allow-Headers': '*' });
      return void res.end('done');
    }
    stash.set(stashKey(url, query.get('key') ?? ''), query.get('value') ?? '');
    res.writeHead(200, { 'Access-Control-Allow-Origin': '*' });
    res.end('done');
  },
  // 2 KiB of dots, then a dot every 10 ms until the client goes away or ?abortKey is stashed;
  // ?stateKey is 'open' meanwhile, 'closed' after.
  '/fetch/api/resources/infinite-slow-response.py': async ({ url, query, res, stash }) => {
    const stateKey = query.get('stateKey');
    const abortKey = query.get('abortKey');
    if (stateKey) stash.set(stashKey(url, stateKey), 'open');
    res.writeHead(200, { 'Content-type': 'text/plain' });
    res.write('.'.repeat(2048));
    let closed = false;
    res.once('close', () => (closed = true));
    while (!closed && !res.destroyed) {
      res.write('.');
      if (abortKey && take(stash, stashKey(url, abortKey)) !== undefined) break;
      await sleep(10);
    }
    if (stateKey) stash.set(stashKey(url, stateKey), 'closed');
    res.end();
  },
  // A chunked response whose ?count chunks (?ms apart, default 1000) end in a malformed one.
  '/fetch/api/resources/bad-chunk-encoding.py': async ({ query, res }) => {
    const delay = Number(query.get('ms') ?? 1000);
    const count = Number(query.get('count') ?? 50);
    await sleep(delay);
    raw(res, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
    await sleep(delay);
    for (let i = 0; i < count; i++) {
      raw(res, 'a\r\nTEST_CHUNK\r\n');
      await sleep(delay);
    }
    res.socket?.end(Buffer.from('garbage'));
  },
  // An ETag'd text; a 304 (with X-HTTP-STATUS: 304) when If-None-Match names it.
  '/fetch/api/resources/cache.py': ({ req, res }) => {
    const etag = '"123abc"';
    if (header(req, 'if-none-match') === etag) {
      res.writeHead(304, 'Not Modified', { 'X-HTTP-STATUS': '304' });
      return void res.end();
    }
    res.writeHead(200, 'OK', { ETag: etag, 'Content-Type': 'text/plain' });
    res.end('lorem ipsum dolor sit amet');
  },
  // "1" if ?token was in the stash (taken out), else "0" (redirect.py stashes under `/${token}`).
  '/fetch/api/resources/clean-stash.py': ({ query, res, stash }) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(take(stash, `/${query.get('token') ?? ''}`) !== undefined ? '1' : '0');
  },
  // A 302 whose Location is empty.
  '/fetch/api/resources/redirect-empty-location.py': ({ res }) => {
    res.writeHead(302, { Location: '' });
    res.end();
  },
  // A body that claims a Content-Encoding it does not have.
  '/fetch/content-encoding/gzip/resources/bad-gzip-body.py': badlyEncoded('gzip'),
  '/fetch/content-encoding/br/resources/bad-br-body.py': badlyEncoded('br'),
  '/fetch/content-encoding/zstd/resources/bad-zstd-body.py': badlyEncoded('zstd'),
  // The HTTP/2 handlers of the upload tests, answered over HTTP/1.1 (the harness serves no h2):
  // a redirect (?redirect_status, default 302, to ?location), and the request body echoed.
  '/fetch/api/resources/redirect.h2.py': ({ url, query, res }) => {
    const location = queryBytes(url, 'location');
    res.writeHead(Number(query.get('redirect_status') ?? 302), location === null ? { 'Content-Type': 'text/plain' } : { Location: location, 'Content-Type': 'text/plain' });
    res.end();
  },
  '/fetch/api/resources/echo-content.h2.py': ({ body, res }) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(body);
  },
  // A response whose Vary is ?vary, or the vary-value-override cookie's value (which ?set-vary-
  // value-override-cookie sets and ?clear-vary-value-override-cookie clears).
  '/service-workers/cache-storage/resources/vary.py': ({ req, url, query, res }) => {
    if (query.has('clear-vary-value-override-cookie')) {
      res.writeHead(200, { 'Set-Cookie': 'vary-value-override=; Max-Age=0; Path=/' });
      return void res.end('vary cookie cleared');
    }
    const setVary = queryBytes(url, 'set-vary-value-override-cookie');
    if (setVary) {
      res.writeHead(200, { 'Set-Cookie': `vary-value-override=${setVary}; Path=/` });
      return void res.end('vary cookie set');
    }
    const cookie = /(?:^|;\s*)vary-value-override=([^;]*)/.exec(header(req, 'cookie') ?? '')?.[1];
    const vary = cookie || queryBytes(url, 'vary');
    res.writeHead(200, vary ? { Vary: vary } : {});
    res.end('vary response');
  },
  // An empty response of status ?status.
  '/service-workers/cache-storage/resources/fetch-status.py': ({ query, res }) => {
    res.writeHead(Number(query.get('status')));
    res.end();
  },
  // The request's header lines as received (names in the case sent).
  '/xhr/resources/echo-headers.py': ({ req, res }) => {
    const lines: string[] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`);
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(lines.join(''));
  },
  // ?my-custom-header as the My-Custom-Header response header, whatever its bytes (a NUL too).
  '/xhr/resources/parse-headers.py': ({ query, res }) => {
    const value = query.get('my-custom-header');
    const custom = value === null ? '' : `My-Custom-Header: ${value}\r\n`;
    raw(res, `HTTP/1.1 200 OK\r\n${custom}Content-Length: 0\r\nConnection: close\r\n\r\n`);
    res.socket?.end();
  },
};

/** The paths served here (the isolate prelude routes these to the server for unserved suites). */
export const HANDLER_PATHS: readonly string[] = Object.keys(HANDLERS);
