// The host frames every response body from the bytes it sends (src/host/response-body.ts): an
// app's Content-Length that disagrees with its body must never reach the wire (the client would
// read the next response on the connection from the wrong place), and a Content-Encoding header
// means the body goes out encoded that way, as in Cloudflare Workers (fetch() hands the app
// decoded bytes, so `return fetch(upstream)` from a compressing upstream must still decode).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import zlib from 'node:zlib';
import { app, get, startServer, type TestServer } from './helpers.js';

const TEXT = 'hello, framing '.repeat(1000);
let t: TestServer;
let upstream: Server;

before(async () => {
  // A compressing upstream, as most are when asked with Accept-Encoding (fetch() asks).
  upstream = createServer((req, res) => {
    const gz = zlib.gzipSync(TEXT, { level: 1 });
    res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip', 'content-length': gz.length });
    res.end(req.method === 'HEAD' ? undefined : gz);
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const upstreamURL = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
  t = await startServer(
    {
      'framing.js': `export default { async fetch(request, env) {
        const path = new URL(request.url).pathname;
        const bytes = (s) => new TextEncoder().encode(s);
        const stream = (...parts) => new ReadableStream({ start(c) { for (const p of parts) c.enqueue(bytes(p)); c.close(); } });
        switch (path) {
          case '/known-short-length': return new Response('0123456789', { headers: { 'content-length': '5' } });
          case '/known-long-length': return new Response('01234', { headers: { 'content-length': '50' } });
          // Over 1 MiB: a known body that streams from the isolate (src/runtime/serve.ts).
          case '/known-large-wrong-length': return new Response(new Uint8Array(2 * 1024 * 1024 + 3).fill(120), { headers: { 'content-length': '5' } });
          case '/gzip-known-large': return new Response(${JSON.stringify(TEXT)}.repeat(100), { headers: { 'content-encoding': 'gzip', 'content-length': '5' } });
          case '/stream-right-length': return new Response(stream('01234', '56789'), { headers: { 'content-length': '10' } });
          case '/stream-short-length': return new Response(stream('01234', '56789'), { headers: { 'content-length': '5' } });
          case '/stream-long-length': return new Response(stream('01234'), { headers: { 'content-length': '50' } });
          case '/stream-bad-length': return new Response(stream('01234'), { headers: { 'content-length': '5, 6' } });
          case '/null-body': return new Response(null, { headers: { 'x-null': '1' } });
          case '/proxy': return fetch(env.UPSTREAM);
          case '/proxy-wrapped': { const r = await fetch(env.UPSTREAM); return new Response(r.body, r); }
          case '/gzip-known': return new Response(${JSON.stringify(TEXT)}, { headers: { 'content-encoding': 'gzip' } });
          case '/br-large': return new Response(${JSON.stringify(TEXT)}.repeat(30), { headers: { 'content-encoding': 'br' } });
          case '/manual': return new Response(new Response(${JSON.stringify(TEXT)}).body.pipeThrough(new CompressionStream('gzip')), { encodeBody: 'manual', headers: { 'content-encoding': 'gzip' } });
          // Bytes: no Content-Type of its own. 'x-big' counts 5 + 2 and its value + 2.
          case '/headers-at-limit': return new Response(bytes('fits'), { headers: { 'x-big': 'a'.repeat(256 * 1024 - 9) } });
          case '/headers-over-limit': return new Response(bytes('never sent'), { headers: { 'x-big': 'a'.repeat(256 * 1024 - 8) } });
          case '/status-text-over-limit': return new Response(bytes('never sent'), { statusText: 'a'.repeat(256 * 1024 + 1) });
          case '/fetch-headers-over-limit': {
            try {
              await fetch(env.UPSTREAM, { headers: { 'x-big': 'a'.repeat(256 * 1024) } });
              return new Response('fetched');
            } catch (e) { return new Response(e.name + ': ' + e.message); }
          }
          case '/unknown-coding': return new Response('as made', { headers: { 'content-encoding': 'compress' } });
          case '/zstd-coding': return new Response('as made', { headers: { 'content-encoding': 'zstd' } });
        }
        return new Response('next');
      } };`,
      // A streamed brotli response that stays open until 8 are in flight.
      'tight.js': `let open = 0;
      export default { fetch() {
        open++;
        const body = new ReadableStream({ async pull(c) {
          c.enqueue(new TextEncoder().encode(${JSON.stringify(TEXT)}));
          while (open < 8) await new Promise((r) => setTimeout(r, 10));
          c.close();
        } });
        return new Response(body, { headers: { 'content-encoding': 'br' } });
      } };`,
    },
    (dir) => ({
      server: { port: 0 },
      apps: [
        app(dir, 'framing', 'framing.js', { env: { UPSTREAM: upstreamURL }, fetchAllow: ['127.0.0.1'] }),
        // 16 MiB: a codec budget of 64 MiB, six brotli encoders (10 MiB each).
        app(dir, 'tight', 'tight.js', { limits: { memoryMb: 16 } }),
      ],
    }),
  );
});

after(async () => {
  await t.close();
  await new Promise((resolve) => upstream.close(resolve));
});

/** Sends `path` and then GET /next on one connection (pipelined); everything the server sent until it closed or went quiet. */
function pipelined(path: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(t.port, '127.0.0.1');
    let received = '';
    let quiet: NodeJS.Timeout | undefined;
    const done = () => {
      socket.destroy();
      resolve(received);
    };
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      clearTimeout(quiet);
      quiet = setTimeout(done, 300);
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(quiet);
      resolve(received);
    });
    socket.write(`GET ${path} HTTP/1.1\r\nHost: framing.test\r\n\r\nGET /next HTTP/1.1\r\nHost: framing.test\r\n\r\n`);
    quiet = setTimeout(done, 3_000);
  });
}

/** The responses in `wire`, framed by their Content-Length the way a client frames them. */
function responses(wire: string): { status: number; headers: Record<string, string>; body: string }[] {
  const out: { status: number; headers: Record<string, string>; body: string }[] = [];
  let at = 0;
  while (at < wire.length) {
    const end = wire.indexOf('\r\n\r\n', at);
    if (end < 0) break;
    const [statusLine, ...lines] = wire.slice(at, end).split('\r\n');
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine!)?.[1] ?? NaN);
    const headers: Record<string, string> = {};
    for (const line of lines) headers[line.slice(0, line.indexOf(':')).toLowerCase()] = line.slice(line.indexOf(':') + 1).trim();
    const length = Number(headers['content-length'] ?? 0);
    out.push({ status, headers, body: wire.slice(end + 4, end + 4 + length) });
    at = end + 4 + length;
  }
  return out;
}

test("a known body goes out with its own length, whatever Content-Length the app set; the next response on the connection is intact", async () => {
  for (const [path, body] of [['/known-short-length', '0123456789'], ['/known-long-length', '01234'], ['/known-large-wrong-length', 'x'.repeat(2 * 1024 * 1024 + 3)]] as const) {
    const [first, second, ...rest] = responses(await pipelined(path));
    assert.equal(first?.headers['content-length'], String(body.length), path);
    assert.equal(first?.body, body, path);
    assert.equal(second?.status, 200, `${path}: the pipelined request's answer`);
    assert.equal(second?.body, 'next', path);
    assert.equal(rest.length, 0, path);
  }
});

test('a null body goes out as Content-Length: 0 (not an empty chunked body); the next response on the connection is intact', async () => {
  const [first, second, ...rest] = responses(await pipelined('/null-body'));
  assert.equal(first?.status, 200);
  assert.equal(first?.headers['x-null'], '1');
  assert.equal(first?.headers['content-length'], '0');
  assert.equal(first?.headers['transfer-encoding'], undefined);
  assert.equal(first?.body, '');
  assert.equal(second?.body, 'next');
  assert.equal(rest.length, 0);
});

test("a streamed body is held to the app's Content-Length: equal goes out with it, longer or shorter resets the connection", async () => {
  const [right, next] = responses(await pipelined('/stream-right-length'));
  assert.equal(right?.headers['content-length'], '10');
  assert.equal(right?.body, '0123456789');
  assert.equal(next?.body, 'next');
  for (const path of ['/stream-short-length', '/stream-long-length']) {
    const wire = await pipelined(path);
    // Nothing the client could take for a complete response, and no second response.
    assert.ok(!/\r\n\r\nnext$/.test(wire), `${path}: ${JSON.stringify(wire)}`);
    const [first] = responses(wire);
    assert.ok(first === undefined || first.body.length < Number(first.headers['content-length'] ?? 0) || first.headers['content-length'] === undefined, `${path}: ${JSON.stringify(wire)}`);
  }
  assert.ok(t.logs.some((l) => l['msg'] === 'the response body does not match its Content-Length; the connection is reset' && l['url'] === '/stream-short-length'));
  // A Content-Length that is not one number is dropped: the body goes chunked.
  const bad = await get(t.port, 'framing.test', '/stream-bad-length');
  assert.equal(bad.text, '01234');
  assert.equal(bad.headers['content-length'], undefined);
  assert.equal(bad.headers['transfer-encoding'], 'chunked');
});

test('proxying a compressing upstream (fetch() decoded it) sends a body that decodes as its Content-Encoding says', async () => {
  for (const path of ['/proxy', '/proxy-wrapped']) {
    const reply = await get(t.port, 'framing.test', path, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(reply.status, 200, path);
    assert.equal(reply.headers['content-encoding'], 'gzip', path);
    assert.equal(zlib.gunzipSync(reply.body).toString(), TEXT, path);
    // The upstream's Content-Length was the compressed size of its own encoding: not sent. The
    // body came whole with its head, so it goes back as a known body, encoded whole by the host
    // with the length of its own encoding (the upstream's is level 1's, longer).
    assert.notEqual(reply.headers['content-length'], String(zlib.gzipSync(TEXT, { level: 1 }).length), path);
    assert.equal(reply.headers['content-length'], String(reply.body.length), path);
  }
});

test('a Content-Encoding the host applies: a small known body encoded whole (with its length), a large one streamed; manual bodies and other codings go as made', async () => {
  const small = await get(t.port, 'framing.test', '/gzip-known');
  assert.equal(small.headers['content-encoding'], 'gzip');
  assert.equal(Number(small.headers['content-length']), small.body.length);
  assert.equal(zlib.gunzipSync(small.body).toString(), TEXT);
  const large = await get(t.port, 'framing.test', '/br-large');
  assert.equal(large.headers['transfer-encoding'], 'chunked');
  assert.equal(zlib.brotliDecompressSync(large.body).toString(), TEXT.repeat(30));
  // encodeBody: 'manual' (Workers'): the app's gzip bytes are sent as they are, not encoded again.
  const manual = await get(t.port, 'framing.test', '/manual');
  assert.equal(zlib.gunzipSync(manual.body).toString(), TEXT);
  const unknown = await get(t.port, 'framing.test', '/unknown-coding');
  assert.equal(unknown.headers['content-encoding'], 'compress');
  assert.equal(unknown.text, 'as made');
  // zstd, which fetch() decodes and the host cannot encode: the body unencoded, without the header.
  const zstd = await get(t.port, 'framing.test', '/zstd-coding');
  assert.equal(zstd.headers['content-encoding'], undefined);
  assert.equal(zstd.text, 'as made');
  // A known body over 1 MiB streams from the isolate: encoded as it goes, without the app's length.
  const largeKnown = await get(t.port, 'framing.test', '/gzip-known-large');
  assert.equal(largeKnown.headers['content-length'], undefined);
  assert.equal(zlib.gunzipSync(largeKnown.body).toString(), TEXT.repeat(100));
  // HEAD: no body, and no length (the encoded length is not known without encoding).
  for (const path of ['/gzip-known', '/gzip-known-large']) {
    const head = await get(t.port, 'framing.test', path, { method: 'HEAD' });
    assert.equal(head.body.length, 0, path);
    assert.equal(head.headers['content-length'], undefined, path);
  }
});

test("response encoders count against the app's codec budget: past it a body goes unencoded, without its Content-Encoding", async () => {
  const replies = await Promise.all(Array.from({ length: 8 }, () => get(t.port, 'tight.test')));
  const encoded = replies.filter((r) => r.headers['content-encoding'] === 'br');
  const plain = replies.filter((r) => r.headers['content-encoding'] === undefined);
  assert.equal(encoded.length, 6, 'six encoders fit the budget');
  assert.equal(plain.length, 2);
  for (const r of encoded) assert.equal(zlib.brotliDecompressSync(r.body).toString(), TEXT);
  for (const r of plain) assert.equal(r.text, TEXT);
  // Those encoders closed with their responses: the budget is whole again.
  const again = await get(t.port, 'tight.test');
  assert.equal(again.headers['content-encoding'], 'br');
  assert.equal(zlib.brotliDecompressSync(again.body).toString(), TEXT);
});

test("a client whose Accept-Encoding rules the coding out gets the body unencoded, without the header (RFC 9110 12.5.3)", async () => {
  for (const [accept, encoded] of [['gzip, br', true], ['*', true], ['br;q=1, gzip;q=0.5', true], ['x-gzip', true], ['br', false], ['gzip;q=0', false], ['identity', false], ['', false], ['*;q=0', false]] as const) {
    const reply = await get(t.port, 'framing.test', '/gzip-known', { headers: { 'accept-encoding': accept } });
    assert.equal(reply.headers['content-encoding'], encoded ? 'gzip' : undefined, `Accept-Encoding: ${accept}`);
    assert.equal(encoded ? zlib.gunzipSync(reply.body).toString() : reply.text, TEXT, `Accept-Encoding: ${accept}`);
    assert.equal(Number(reply.headers['content-length']), reply.body.length);
  }
});

test("a response's headers may total 256 KiB (names, values, ': ' and CRLF; its status text too); past that it is a 500 and the app's log says why, and an outbound fetch's request is a TypeError", async () => {
  const [fits, next] = responses(await pipelined('/headers-at-limit'));
  assert.equal(fits?.status, 200);
  assert.equal(fits?.headers['x-big']?.length, 256 * 1024 - 9);
  assert.equal(fits?.body, 'fits');
  assert.equal(next?.body, 'next');
  const over = await get(t.port, 'framing.test', '/headers-over-limit');
  assert.equal(over.status, 500);
  assert.ok(!over.text.includes('never sent'));
  assert.ok(t.logs.some((l) => l['app'] === 'framing' && String(l['msg']).includes(`The response's headers (with its status text) are ${256 * 1024 + 1} bytes; a response may have at most ${256 * 1024}.`)));
  // A status text counts with them: 50 MB of it held the host's event loop 919 ms.
  const status = await get(t.port, 'framing.test', '/status-text-over-limit');
  assert.equal(status.status, 500);
  assert.ok(!status.text.includes('never sent'));
  const fetched = await get(t.port, 'framing.test', '/fetch-headers-over-limit');
  assert.match(fetched.text, /^TypeError: Failed to fetch: the request's headers are \d+ bytes; a request may have at most 262144\.$/);
});
