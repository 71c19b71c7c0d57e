// The host's network fetch (src/host/http-fetch.ts) against local servers: what goes on the wire,
// HTTP-redirect fetch's steps, content codings, backpressure, cancel and abort. WPT's
// fetch-network suite runs the same code through an isolate; these check what it leaves out
// (headers a redirect drops across origins, raw DEFLATE, refused codings, the socket paused).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { Agent } from 'undici';
import { httpFetch, NetworkError, takeWholeBody, type ChunkReader, type HttpFetchRequest } from '../../src/host/http-fetch.js';
import { sleep, until } from './helpers.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A server on 127.0.0.1 whose `route` answers; every request it saw is in `seen`. */
async function serve(route: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<{ origin: string; seen: Seen[]; server: Server; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      route(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    seen,
    server,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function text(body: ChunkReader | null): Promise<string> {
  if (body === null) return '<null>';
  const chunks: Uint8Array[] = [];
  for (;;) {
    const { done, value } = await body.read();
    if (done) return Buffer.concat(chunks).toString();
    chunks.push(value);
  }
}

const request = (url: string, init: Partial<HttpFetchRequest> = {}): HttpFetchRequest => ({ method: 'GET', url: new URL(url), headers: [], body: null, redirect: 'follow', ...init });

test('the request on the wire: Accept, Accept-Language and Accept-Encoding when absent, identity for a range, no Host of the app', { timeout: 30_000 }, async () => {
  const upstream = await serve((_req, res) => res.end('ok'));
  const agent = new Agent();
  try {
    const response = await httpFetch(agent, request(`${upstream.origin}/a?`, { headers: [['host', 'evil.test'], ['x-app', '1']] }), new AbortController().signal);
    assert.equal(await text(response.body), 'ok');
    const [first] = upstream.seen;
    // The empty query's '?' is kept.
    assert.equal(first!.url, '/a?');
    assert.equal(first!.headers.host, new URL(upstream.origin).host);
    assert.equal(first!.headers['x-app'], '1');
    assert.equal(first!.headers.accept, '*/*');
    assert.equal(first!.headers['accept-language'], '*');
    assert.equal(first!.headers['accept-encoding'], 'gzip, deflate');
    await text((await httpFetch(agent, request(upstream.origin, { headers: [['Accept', 'text/plain'], ['Range', 'bytes=0-1']] }), new AbortController().signal)).body);
    assert.equal(upstream.seen[1]!.headers.accept, 'text/plain');
    assert.equal(upstream.seen[1]!.headers['accept-encoding'], 'identity');
  } finally {
    await agent.close();
    await upstream.close();
  }
});

test('redirects: a POST redirected by 302 becomes a GET without its body headers; leaving the origin drops Authorization and Cookie; the URL and the fragment carry over', { timeout: 30_000 }, async () => {
  const other = await serve((_req, res) => res.end('there'));
  const upstream = await serve((req, res) => {
    if (req.url === '/post') return void res.writeHead(302, { location: '/same' }).end('moved');
    if (req.url === '/same') return void res.writeHead(301, { location: `${other.origin}/there` }).end();
    res.end('?');
  });
  const agent = new Agent();
  try {
    const headers: [string, string][] = [['authorization', 'Bearer x'], ['cookie', 'a=1'], ['content-type', 'text/plain'], ['x-keep', 'yes']];
    const response = await httpFetch(agent, request(`${upstream.origin}/post#frag`, { method: 'POST', headers, body: new TextEncoder().encode('payload') }), new AbortController().signal);
    assert.equal(await text(response.body), 'there');
    assert.equal(response.url, `${other.origin}/there`);
    assert.equal(response.redirected, true);
    const [post, same] = upstream.seen;
    assert.deepEqual([post!.method, post!.body, post!.headers['content-type']], ['POST', 'payload', 'text/plain']);
    // Same origin: GET, no body or Content-Type; Authorization and Cookie stay.
    assert.deepEqual([same!.method, same!.body, same!.headers['content-type'], same!.headers.authorization, same!.headers.cookie], ['GET', '', undefined, 'Bearer x', 'a=1']);
    const [there] = other.seen;
    assert.deepEqual([there!.headers.authorization, there!.headers.cookie, there!.headers['x-keep']], [undefined, undefined, 'yes']);
  } finally {
    await agent.close();
    await upstream.close();
    await other.close();
  }
});

test('redirects: 307 sends bytes again, a streamed body is a network error (303 turns it into a GET); modes error and manual; a 21st redirect fails; bad ports are refused', { timeout: 30_000 }, async () => {
  const upstream = await serve((req, res, body) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/307') return void res.writeHead(307, { location: '/echo' }).end();
    if (url.pathname === '/303') return void res.writeHead(303, { location: '/echo' }).end();
    if (url.pathname === '/bad-port') return void res.writeHead(302, { location: 'http://127.0.0.1:6000/' }).end();
    if (url.pathname === '/loop') {
      const n = Number(url.searchParams.get('n'));
      return void res.writeHead(302, { location: n > 0 ? `/loop?n=${n - 1}` : '/echo' }).end();
    }
    res.end(`${req.method} ${body}`);
  });
  const agent = new Agent();
  const signal = new AbortController().signal;
  async function* stream(): AsyncGenerator<Uint8Array> {
    yield new TextEncoder().encode('streamed');
  }
  try {
    assert.equal(await text((await httpFetch(agent, request(`${upstream.origin}/307`, { method: 'PUT', body: new TextEncoder().encode('bytes') }), signal)).body), 'PUT bytes');
    assert.equal(await text((await httpFetch(agent, request(`${upstream.origin}/307`, { method: 'PUT', body: new Blob(['blob']) }), signal)).body), 'PUT blob');
    await assert.rejects(httpFetch(agent, request(`${upstream.origin}/307`, { method: 'PUT', body: stream() }), signal), (error: Error) => error instanceof NetworkError && /streamed body/.test(error.message));
    assert.equal(await text((await httpFetch(agent, request(`${upstream.origin}/303`, { method: 'PUT', body: stream() }), signal)).body), 'GET ');
    await assert.rejects(httpFetch(agent, request(`${upstream.origin}/303`, { redirect: 'error' }), signal), NetworkError);
    const manual = await httpFetch(agent, request(`${upstream.origin}/303`, { redirect: 'manual' }), signal);
    assert.equal(manual.status, 303);
    assert.deepEqual(manual.headers.find(([name]) => name === 'location'), ['location', '/echo']);
    assert.equal(manual.redirected, false);
    await manual.body?.cancel();
    // Twenty redirects are followed, a twenty-first is not.
    assert.equal(await text((await httpFetch(agent, request(`${upstream.origin}/loop?n=19`), signal)).body), 'GET ');
    await assert.rejects(httpFetch(agent, request(`${upstream.origin}/loop?n=20`), signal), /more than 20 redirects/);
    // Port blocking, for the first URL and a redirect's.
    await assert.rejects(httpFetch(agent, request('http://127.0.0.1:10080/'), signal), (error: Error) => error instanceof NetworkError && /10080 is a bad port/.test(error.message));
    await assert.rejects(httpFetch(agent, request(`${upstream.origin}/bad-port`), signal), /6000 is a bad port/);
  } finally {
    await agent.close();
    await upstream.close();
  }
});

test('content codings: gzip, zlib and raw deflate, br and a list of them are decoded (a small whole body at once, a large one as read); an unknown coding leaves the body as sent; more than five are refused', { timeout: 30_000 }, async () => {
  const plain = Buffer.from('hello, '.repeat(1000));
  const bodies: Record<string, [string, Buffer]> = {
    gzip: ['gzip', zlib.gzipSync(plain)],
    xgzip: ['x-gzip', zlib.gzipSync(plain)],
    deflate: ['deflate', zlib.deflateSync(plain)],
    raw: ['deflate', zlib.deflateRawSync(plain)],
    br: ['br', zlib.brotliCompressSync(plain)],
    list: ['deflate, GZIP', zlib.gzipSync(zlib.deflateSync(plain))],
    unknown: ['gzip, snappy', Buffer.from('as sent')],
    // Decodes past 64 KiB: decoded as it is read, not at once.
    large: ['gzip', zlib.gzipSync(Buffer.from('hello, '.repeat(40_000)))],
    corrupt: ['gzip', Buffer.concat([zlib.gzipSync(plain).subarray(0, 20), Buffer.from('not deflate data at all')])],
    six: ['gzip, gzip, gzip, gzip, gzip, gzip', Buffer.from('x')],
  };
  const upstream = await serve((req, res) => {
    const [coding, body] = bodies[req.url!.slice(1)]!;
    res.writeHead(200, { 'content-encoding': coding }).end(body);
  });
  const agent = new Agent();
  const signal = new AbortController().signal;
  try {
    for (const name of ['gzip', 'xgzip', 'deflate', 'raw', 'br', 'list']) {
      const response = await httpFetch(agent, request(`${upstream.origin}/${name}`), signal);
      assert.equal(await text(response.body), plain.toString(), name);
      // The header stays, as in browsers.
      assert.equal(response.headers.find(([n]) => n === 'content-encoding')![1], bodies[name]![0]);
    }
    assert.equal(await text((await httpFetch(agent, request(`${upstream.origin}/unknown`), signal)).body), 'as sent');
    // A small coded body that came whole is decoded at once, so it can cross with its head.
    const small = await httpFetch(agent, request(`${upstream.origin}/gzip`), signal);
    assert.equal(Buffer.from(takeWholeBody(small.body!, 64 * 1024)!).toString(), plain.toString());
    const large = await httpFetch(agent, request(`${upstream.origin}/large`), signal);
    assert.equal(takeWholeBody(large.body!, 64 * 1024), null);
    assert.equal(await text(large.body), 'hello, '.repeat(40_000));
    // Not valid: the body fails as it is read.
    await assert.rejects(text((await httpFetch(agent, request(`${upstream.origin}/corrupt`), signal)).body));
    await assert.rejects(httpFetch(agent, request(`${upstream.origin}/six`), signal), /more than 5 content codings/);
    // HEAD: no body, nothing decoded.
    assert.equal((await httpFetch(agent, request(`${upstream.origin}/gzip`, { method: 'HEAD' }), signal)).body, null);
  } finally {
    await agent.close();
    await upstream.close();
  }
});

test('a body nobody reads pauses its socket; reading takes it to its end; cancel and abort close the connection', { timeout: 30_000 }, async () => {
  const total = 32 * 1024 * 1024;
  let written = 0;
  const closed: string[] = [];
  const upstream = await serve((req, res) => {
    res.on('close', () => closed.push(req.url!));
    const chunk = Buffer.alloc(64 * 1024, 97);
    const pump = (): void => {
      while (written < total && !res.destroyed) {
        written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    written = 0;
    pump();
  });
  const agent = new Agent();
  try {
    const response = await httpFetch(agent, request(`${upstream.origin}/big`), new AbortController().signal);
    await sleep(500);
    // Held back: the socket buffers and this side's 64 KiB, nowhere near the 32 MiB.
    assert.ok(written < 16 * 1024 * 1024, `the server wrote ${written} bytes to a reader that read none`);
    assert.equal((await text(response.body)).length, total);
    // Cancel: the server sees its response closed.
    const cancelled = await httpFetch(agent, request(`${upstream.origin}/cancelled`), new AbortController().signal);
    await cancelled.body!.read();
    await cancelled.body!.cancel(new Error('not wanted'));
    await until(() => closed.includes('/cancelled'), 5_000, 'the cancelled response to close');
    // Abort mid-body: the read rejects with the signal's reason.
    const controller = new AbortController();
    const aborted = await httpFetch(agent, request(`${upstream.origin}/aborted`), controller.signal);
    await aborted.body!.read();
    controller.abort(new Error('stop'));
    await assert.rejects(text(aborted.body), /stop/);
    await until(() => closed.includes('/aborted'), 5_000, 'the aborted response to close');
  } finally {
    await agent.close();
    await upstream.close();
  }
});
