// The host server over real HTTP on 127.0.0.1: routing, env, errors, limits, streaming, admin API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type AddressInfo } from 'node:net';
import { createServer, request as httpRequest } from 'node:http';
import { createHash } from 'node:crypto';
import { ADMIN_TOKEN, app, get, startServer, until, sleep, type TestServer } from './helpers.js';

const APPS: Record<string, string> = {
  'hello.js': `export default { fetch(request) { return new Response('hello ' + new URL(request.url).pathname); } };`,
  'url.js': `export default { fetch(request) { return new Response(request.url); } };`,
  'env.js': `export default { fetch(request, env) { return Response.json({ env, frozen: Object.isFrozen(env) }); } };`,
  'throws.js': `export default { fetch() { throw new Error('secret internal detail'); } };`,
  'notresponse.js': `export default { fetch() { return { hello: 'world' }; } };`,
  'loop.js': `export default { fetch(request) { if (new URL(request.url).pathname === '/ok') return new Response('alive'); for (;;) {} } };`,
  'asyncloop.js': `export default { async fetch() { for (;;) { await null; } } };`,
  'hog.js': `export default { fetch(request) { if (new URL(request.url).pathname === '/ok') return new Response('fresh'); const a = []; for (;;) a.push(new Array(1e5).fill(a.length)); } };`,
  'stream.js': `
    export default { fetch(request) {
      const n = Number(new URL(request.url).searchParams.get('n') ?? 3);
      let i = 0, timer;
      return new Response(new ReadableStream({
        start(c) { timer = setInterval(() => { c.enqueue(new TextEncoder().encode('tick ' + i + '\\n')); if (++i === n) { clearInterval(timer); c.close(); } }, 100); },
        cancel(reason) { clearInterval(timer); console.log('cancelled: ' + reason); },
      }), { headers: { 'content-type': 'text/plain' } });
    } };`,
  'midbody.js': `
    export default { fetch() {
      return new Response(new ReadableStream({
        start(c) { c.enqueue(new TextEncoder().encode('partial')); setTimeout(() => c.error(new Error('boom')), 50); },
      }));
    } };`,
  'upload.js': `
    export default { async fetch(request) {
      let bytes = 0; const digest = [];
      for await (const chunk of request.body) { bytes += chunk.byteLength; digest.push(chunk[0]); }
      return Response.json({ bytes, method: request.method, type: request.headers.get('content-type') });
    } };`,
  // Replaces the global Request and Response before any request: the app must still be handed a
  // built-in Request, and its built-in Response must still be served.
  'inspect.js': `
    const Builtin = Request;
    const BuiltinResponse = Response;
    globalThis.Request = class NotTheRequest {};
    globalThis.Response = class NotTheResponse {};
    const PROPS = ['url', 'method', 'mode', 'credentials', 'cache', 'redirect', 'referrer', 'referrerPolicy', 'integrity', 'keepalive', 'bodyUsed', 'destination', 'duplex'];
    const view = (r) => Object.fromEntries([...PROPS.map((p) => [p, r[p]]), ['headers', [...r.headers]], ['aborted', r.signal.aborted]]);
    export default { async fetch(request) {
      const reference = new Builtin(request.url, { method: request.method, headers: [...request.headers] });
      const incoming = view(request);
      const text = request.body === null ? null : await request.text();
      return BuiltinResponse.json({ builtin: Object.getPrototypeOf(request) === Builtin.prototype, incoming, reference: view(reference), text });
    } };`,
  'echo.js': `export default { fetch(request) { return new Response(request.body.pipeThrough(new TransformStream())); } };`,
  // Top-level await, as a Workers ES module may use it: the app serves once its module settled.
  'tla.js': `const greeting = await new Promise((resolve) => setTimeout(() => resolve('awaited at the top level'), 20));
    const { value } = await import('./tla-dep.js');
    export default { fetch() { return new Response(greeting + ' ' + value); } };`,
  'tla-dep.js': `export const value = await Promise.resolve(42);`,
  // The request's own body returned untouched, before anything read it: returned at once (the
  // body not pulled yet) and after a turn (pulled); ?async picks the second.
  'echo-untouched.js': `export default { fetch(request) {
    if (!new URL(request.url).searchParams.has('async')) return new Response(request.body);
    return new Promise((resolve) => setTimeout(() => resolve(new Response(request.body)), 10));
  } };`,
  // Known bodies of every byte value, small (carried with the head as text) and large (as bytes), and a non-ASCII string.
  'bytes.js': `export default { fetch(request) {
    const n = Number(new URL(request.url).searchParams.get('n'));
    if (n === 0) return new Response('grüße, 流 🚀', { headers: { 'content-type': 'text/plain; charset=utf-8' } });
    return new Response(Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) % 256));
  } };`,
  // Hop-by-hop headers (any case) are the connection's business, not the app's: dropped, and a
  // Content-Length or Transfer-Encoding the app set means the host adds no Content-Length.
  'hopbyhop.js': `export default { fetch(request) {
    const mode = new URL(request.url).searchParams.get('mode');
    // Pairs, not a Headers object (whose iteration would lowercase the names).
    const headers = [['X-Kept', 'yes'], ['Connection', 'x-app'], ['KEEP-ALIVE', 'timeout=1'], ['Upgrade', 'h2c'], ['TE', 'trailers'], ['Trailer', 'x-t'], ['Proxy-Connection', 'close']];
    if (mode === 'length') headers.push(['Content-LENGTH', '5']);
    if (mode === 'coding') headers.push(['Transfer-ENCODING', 'gzip']);
    return new Response('hello', { headers });
  } };`,
  'waituntil.js': `export default { fetch(request, env, ctx) { ctx.waitUntil(new Promise((r) => setTimeout(() => { console.log('waitUntil done'); r(); }, 100))); return new Response('early'); } };`,
  // The request body transferred (Streams standard: cross-realm transform streams over MessagePorts
  // whose messages are the isolate's tasks), by structuredClone or a MessagePort, then served.
  'transfer.js': `export default { async fetch(request) {
    if (new URL(request.url).pathname === '/port') {
      const { port1, port2 } = new MessageChannel();
      const received = new Promise((resolve) => { port2.onmessage = (e) => resolve(e.data); });
      port1.postMessage(request.body, [request.body]);
      return new Response(await received);
    }
    const body = structuredClone(request.body, { transfer: [request.body] });
    return new Response(body, { headers: { 'x-original-locked': String(request.body.locked) } });
  } };`,
  // caches.default across requests of one app: a miss stores, the next request hits; another app's cache is its own.
  'cached.js': `export default { async fetch(request) {
    const hit = await caches.default.match(request.url);
    if (hit) return new Response(await hit.text(), { headers: { 'x-cache': 'hit' } });
    const fresh = new Response('made at ' + performance.now());
    await caches.default.put(request.url, fresh.clone());
    return new Response(fresh.body, { headers: { 'x-cache': 'miss' } });
  } };`,
  // fetch() with integrity metadata, aborted after ?abortAfter ms (while the check reads the body).
  'integrity.js': `export default { async fetch(request) {
    const q = new URL(request.url).searchParams;
    const controller = new AbortController();
    if (q.get('abortAfter')) setTimeout(() => controller.abort(), Number(q.get('abortAfter')));
    try {
      const r = await fetch(q.get('url'), { integrity: q.get('integrity'), signal: controller.signal });
      return new Response('ok ' + (await r.text()));
    } catch (e) { return new Response(e.name + ': ' + e.message, { status: 502 }); }
  } };`,
  'fetcher.js': `export default { async fetch(request) { const target = new URL(request.url).searchParams.get('url'); try { const r = await fetch(target); return new Response('upstream ' + r.status + ': ' + await r.text()); } catch (e) { return new Response(String(e.message), { status: 502 }); } } };`,
};

let t: TestServer;

before(async () => {
  t = await startServer(APPS, (dir) => ({
    server: { port: 0 },
    admin: { port: 0, token: ADMIN_TOKEN },
    apps: [
      app(dir, 'hello', 'hello.js', { hostnames: ['hello.test', '*.wild.test'] }),
      app(dir, 'url', 'url.js', { hostnames: ['url.test'] }),
      app(dir, 'env', 'env.js', { env: { SECRET: 'mine', N: '1' } }),
      app(dir, 'other', 'env.js', { env: { SECRET: 'theirs' } }),
      app(dir, 'throws', 'throws.js'),
      app(dir, 'notresponse', 'notresponse.js'),
      app(dir, 'loop', 'loop.js', { limits: { cpuMsPerRequest: 50 } }),
      app(dir, 'asyncloop', 'asyncloop.js', { limits: { cpuMsPerRequest: 50 } }),
      app(dir, 'hog', 'hog.js', { limits: { memoryMb: 32 } }),
      app(dir, 'stream', 'stream.js'),
      app(dir, 'midbody', 'midbody.js'),
      app(dir, 'upload', 'upload.js', { limits: { cpuMsPerRequest: 10_000 } }),
      app(dir, 'echo', 'echo.js', { limits: { cpuMsPerRequest: 10_000 } }),
      app(dir, 'echo-untouched', 'echo-untouched.js', { limits: { cpuMsPerRequest: 10_000 } }),
      app(dir, 'tla', 'tla.js'),
      app(dir, 'inspect', 'inspect.js'),
      app(dir, 'bytes', 'bytes.js'),
      app(dir, 'waituntil', 'waituntil.js'),
      app(dir, 'hopbyhop', 'hopbyhop.js'),
      app(dir, 'transfer', 'transfer.js', { limits: { cpuMsPerRequest: 10_000 } }),
      app(dir, 'fetcher', 'fetcher.js'),
      app(dir, 'cached', 'cached.js'),
      app(dir, 'integrity', 'integrity.js', { fetchAllow: ['127.0.0.1'] }),
      app(dir, 'cached2', 'cached.js'),
      app(dir, 'fetcher-allowed', 'fetcher.js', { fetchAllow: ['127.0.0.1'] }),
    ],
  }));
});

after(async () => {
  await t.close();
});

test('routes by hostname (exact, wildcard with port), 404 JSON for unknown hosts', async () => {
  assert.equal((await get(t.port, 'hello.test', '/a')).text, 'hello /a');
  assert.equal((await get(t.port, 'x.y.wild.test:1234', '/b')).text, 'hello /b');
  const missing = await get(t.port, 'nobody.test');
  assert.equal(missing.status, 404);
  assert.equal(missing.headers['content-type'], 'application/json');
  assert.match(JSON.parse(missing.text).error, /nobody\.test/);
});

test('an absolute-form request target (GET http://host/path) is routed and seen by its own host, the Host header ignored (RFC 9112 3.2.2)', async () => {
  const raw = (target: string, host: string) =>
    new Promise<string>((resolve, reject) => {
      let data = '';
      const socket = connect(t.port, '127.0.0.1', () => socket.write(`GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`));
      socket.setEncoding('latin1').on('data', (chunk: string) => (data += chunk));
      socket.on('error', reject).on('close', () => resolve(data));
    });
  const body = (response: string) => response.slice(response.indexOf('\r\n\r\n') + 4);
  const absolute = await raw('http://url.test:8080/a/b?x=1', 'hello.test');
  assert.match(absolute, /^HTTP\/1\.1 200 /);
  assert.equal(body(absolute), 'http://url.test:8080/a/b?x=1');
  assert.equal(body(await raw('HTTP://user@url.test?q', 'nobody.test')), 'http://url.test/?q');
  // Origin-form as ever: the Host header names the app and the URL's host.
  assert.equal(body(await raw('/c?y=2', 'url.test:9')), 'http://url.test:9/c?y=2');
  const unknown = await raw('http://nobody.test/', 'url.test');
  assert.match(unknown, /^HTTP\/1\.1 404 /);
  assert.match(body(unknown), /nobody\.test/);
});

test('known bodies arrive byte for byte with their Content-Length, small or large, and HEAD gets none', async () => {
  for (const n of [1, 256, 2048, 2049, 70_000]) {
    const reply = await get(t.port, 'bytes.test', `/?n=${n}`);
    const expected = Buffer.from(Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) % 256));
    assert.equal(reply.headers['content-length'], String(n));
    assert.ok(reply.body.equals(expected), `${n} bytes`);
  }
  const text = await get(t.port, 'bytes.test', '/?n=0');
  assert.equal(text.text, 'grüße, 流 🚀');
  assert.equal(text.headers['content-length'], String(Buffer.byteLength('grüße, 流 🚀')));
  const head = await get(t.port, 'bytes.test', '/?n=300', { method: 'HEAD' });
  assert.equal(head.headers['content-length'], '300');
  assert.equal(head.body.length, 0);
});

test("an app's hop-by-hop headers are dropped in any case; the host frames the body itself", async () => {
  for (const mode of ['', 'length', 'coding']) {
    const reply = await get(t.port, 'hopbyhop.test', `/?mode=${mode}`);
    assert.equal(reply.text, 'hello', mode);
    assert.equal(reply.headers['x-kept'], 'yes');
    const lines = (name: string) => reply.rawHeaders.filter((_, i) => i % 2 === 0 && reply.rawHeaders[i]!.toLowerCase() === name).length;
    for (const name of ['upgrade', 'te', 'trailer', 'proxy-connection']) assert.equal(lines(name), 0, `${mode}: ${name}`);
    // Node's own connection headers only.
    for (const value of ['x-app', 'timeout=1', 'gzip']) assert.ok(!reply.rawHeaders.includes(value), `${mode}: ${value}`);
    // The host's Content-Length from the bytes it sends, one line, whatever the app set (its
    // Transfer-Encoding is hop-by-hop: dropped; response-framing.test.ts has the rest).
    assert.equal(lines('content-length'), 1, mode);
    assert.equal(reply.headers['content-length'], '5', mode);
  }
});

test("each app gets its own frozen env, never another app's", async () => {
  const mine = JSON.parse((await get(t.port, 'env.test')).text);
  const theirs = JSON.parse((await get(t.port, 'other.test')).text);
  assert.deepEqual(mine, { env: { SECRET: 'mine', N: '1' }, frozen: true });
  assert.deepEqual(theirs, { env: { SECRET: 'theirs' }, frozen: true });
});

test('an app that throws, or returns a non-Response, gets a 500 without its stack; the log has it', async () => {
  const thrown = await get(t.port, 'throws.test');
  assert.equal(thrown.status, 500);
  assert.doesNotMatch(thrown.text, /secret internal detail/);
  await until(() => t.logs.some((l) => l['app'] === 'throws' && String(l['msg']).includes('secret internal detail')), 2000, 'the error in the log');
  const bad = await get(t.port, 'notresponse.test');
  assert.equal(bad.status, 500);
  await until(() => t.logs.some((l) => l['app'] === 'notresponse' && /not a Response/.test(String(l['msg']))), 2000, 'the non-Response in the log');
});

test('an infinite loop is cut at its CPU limit (503) while another app keeps answering; the app recovers', async () => {
  const started = Date.now();
  const looping = get(t.port, 'loop.test', '/spin');
  // While it spins, another app answers promptly.
  for (let i = 0; i < 5; i++) assert.equal((await get(t.port, 'hello.test', '/meanwhile')).status, 200);
  const cut = await looping;
  assert.equal(cut.status, 503);
  assert.ok(Date.now() - started < 5_000, 'cut quickly');
  // A fresh isolate answers the next request.
  assert.equal((await get(t.port, 'loop.test', '/ok')).text, 'alive');
  const async = await get(t.port, 'asyncloop.test');
  assert.equal(async.status, 503, 'an async (microtask) loop is cut too');
});

test('an app allocating without end loses only its isolate', async () => {
  const hog = await get(t.port, 'hog.test', '/eat', { timeoutMs: 20_000 });
  assert.equal(hog.status, 503);
  assert.equal((await get(t.port, 'hello.test')).status, 200);
  assert.equal((await get(t.port, 'hog.test', '/ok')).text, 'fresh');
});

test('a streamed response arrives as it is produced', async () => {
  const arrivals: number[] = [];
  const started = Date.now();
  const body = await new Promise<string>((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port: t.port, path: '/?n=4', headers: { host: 'stream.test' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => {
        arrivals.push(Date.now() - started);
        text += c;
      });
      res.on('end', () => resolve(text));
    }).on('error', reject).end();
  });
  assert.equal(body, 'tick 0\ntick 1\ntick 2\ntick 3\n');
  assert.ok(arrivals.length >= 3, `chunks arrived separately (${arrivals.length})`);
  assert.ok(arrivals[arrivals.length - 1]! - arrivals[0]! >= 150, 'spread over time, not buffered');
});

test('a client that disconnects cancels the app stream', async () => {
  await new Promise<void>((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port: t.port, path: '/?n=100', headers: { host: 'stream.test' } }, (res) => {
      res.once('data', () => {
        req.destroy();
        resolve();
      });
    });
    req.on('error', () => {});
    req.end();
  });
  await until(() => t.logs.some((l) => l['app'] === 'stream' && /^cancelled: /.test(String(l['msg']))), 3000, 'cancel() in the app');
});

test('a body that errors mid-way ends the connection abruptly, never a clean end', async () => {
  const outcome = await new Promise<string>((resolve) => {
    httpRequest({ host: '127.0.0.1', port: t.port, path: '/', headers: { host: 'midbody.test' } }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve('clean end'));
      res.on('error', () => resolve('aborted'));
      res.on('aborted', () => resolve('aborted'));
    }).on('error', () => resolve('aborted')).end();
  });
  assert.equal(outcome, 'aborted');
});

test('a request body streams into the app (8 MiB, chunked)', async () => {
  const payload = Buffer.alloc(8 * 1024 * 1024, 7);
  const reply = await get(t.port, 'upload.test', '/', { body: payload, headers: { 'content-type': 'application/octet-stream' } });
  assert.deepEqual(JSON.parse(reply.text), { bytes: payload.length, method: 'POST', type: 'application/octet-stream' });
  const echoed = await get(t.port, 'echo.test', '/', { body: payload });
  assert.equal(createHash('sha256').update(echoed.body).digest('hex'), createHash('sha256').update(payload).digest('hex'));
});

test('an app whose module awaits at its top level serves what it awaited', async () => {
  const reply = await get(t.port, 'tla.test');
  assert.equal(reply.status, 200);
  assert.equal(reply.text, 'awaited at the top level 42');
});

// A served request's body is not a fetch's: the host cannot pipe it as one (it took the id for a
// fetch's, found none and answered an empty body), so it streams back through the isolate.
test("a request's own body returned untouched is echoed whole, returned at once or after a turn", async () => {
  const payload = Buffer.from(Array.from({ length: 3 * 1024 * 1024 + 5 }, (_, i) => (i * 13) % 256));
  const digest = createHash('sha256').update(payload).digest('hex');
  for (const path of ['/', '/?async']) {
    const small = await get(t.port, 'echo-untouched.test', path, { body: 'hello' });
    assert.equal(small.text, 'hello', path);
    const large = await get(t.port, 'echo-untouched.test', path, { body: payload });
    assert.equal(large.status, 200);
    assert.equal(createHash('sha256').update(large.body).digest('hex'), digest, path);
  }
});

test('a request body transferred in the app (structuredClone, a MessagePort) streams back whole', async () => {
  const payload = Buffer.from(Array.from({ length: 1024 * 1024 + 7 }, (_, i) => (i * 31) % 256));
  const digest = createHash('sha256').update(payload).digest('hex');
  const cloned = await get(t.port, 'transfer.test', '/', { body: payload });
  assert.equal(cloned.status, 200);
  assert.equal(cloned.headers['x-original-locked'], 'true');
  assert.equal(createHash('sha256').update(cloned.body).digest('hex'), digest);
  const posted = await get(t.port, 'transfer.test', '/port', { body: payload });
  assert.equal(createHash('sha256').update(posted.body).digest('hex'), digest);
});

test('the incoming request is the built-in Request that new Request(url, { method, headers }) makes; a built-in Response is served after the app replaced the globals', async () => {
  const get1 = JSON.parse((await get(t.port, 'inspect.test', '/a/b?c=1&d', { headers: { 'x-one': ' 1 ', 'X-Two': 'a' } })).text);
  assert.equal(get1.builtin, true, "the built-in Request, though the app replaced globalThis.Request");
  assert.deepEqual(get1.incoming, get1.reference);
  assert.equal(get1.incoming.url, "http://inspect.test/a/b?c=1&d");
  assert.equal(get1.incoming.method, 'GET');
  assert.deepEqual(
    get1.incoming.headers.filter(([name]: [string]) => name.startsWith('x-')),
    [['x-one', '1'], ['x-two', 'a']],
  );
  assert.equal(get1.text, null);
  const post = JSON.parse((await get(t.port, 'inspect.test', '/', { method: 'post', body: 'payload', headers: { 'content-type': 'text/plain' } })).text);
  assert.deepEqual(post.incoming, post.reference);
  assert.equal(post.incoming.method, 'POST');
  assert.equal(post.text, 'payload');
});

test('ctx.waitUntil work runs after the response', async () => {
  assert.equal((await get(t.port, 'waituntil.test')).text, 'early');
  await until(() => t.logs.some((l) => l['app'] === 'waituntil' && l['msg'] === 'waitUntil done'), 2000, 'waitUntil work');
});

test('outbound fetch: internal addresses refused unless allowed', async () => {
  const target = `http://127.0.0.1:${t.port}/`;
  const refused = await get(t.port, 'fetcher.test', `/?url=${encodeURIComponent(target)}`);
  assert.equal(refused.status, 502);
  assert.match(refused.text, /internal address/);
  const allowed = await get(t.port, 'fetcher-allowed.test', `/?url=${encodeURIComponent(target)}`);
  assert.match(allowed.text, /^upstream 404: /);
  // A bad port (https://fetch.spec.whatwg.org/#port-blocking) is a network error, even on an
  // allowed host (WPT fetch/api/request/request-bad-port relies on it).
  const badPort = await get(t.port, 'fetcher-allowed.test', `/?url=${encodeURIComponent('http://127.0.0.1:10080/')}`);
  assert.equal(badPort.status, 502);
  assert.match(badPort.text, /bad port/);
});

test('outbound fetch: a redirect to an internal IP literal is refused like a first request to it (every connection is checked)', async () => {
  // An allowed upstream that redirects: to another loopback address (not allowed; nothing listens
  // there, and no connection is tried), or back to itself (allowed).
  const upstream = createServer((req, res) => {
    if (req.url === '/final') return void res.end('final');
    res.writeHead(302, { location: req.url === '/inside' ? '/final' : 'http://127.0.0.2:4/latest/meta-data/' }).end();
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  try {
    const away = await get(t.port, 'fetcher-allowed.test', `/?url=${encodeURIComponent(`${base}/away`)}`);
    assert.equal(away.status, 502);
    assert.match(away.text, /127\.0\.0\.2.*internal address/);
    const inside = await get(t.port, 'fetcher-allowed.test', `/?url=${encodeURIComponent(`${base}/inside`)}`);
    assert.equal(inside.text, 'upstream 200: final');
  } finally {
    await new Promise((resolve) => upstream.close(resolve));
  }
});

test('malformed HTTP gets a 400 and the server keeps serving', async () => {
  const reply = await new Promise<string>((resolve) => {
    const socket = connect(t.port, '127.0.0.1', () => socket.write('GARBAGE\r\n\r\n'));
    let data = '';
    socket.on('data', (c) => (data += c));
    socket.on('close', () => resolve(data));
  });
  assert.match(reply, /^HTTP\/1\.1 400/);
  assert.equal((await get(t.port, 'hello.test')).status, 200);
});

test('admin API: refuses a missing or wrong token; lists apps; metrics', async () => {
  const admin = (path: string, token?: string, method = 'GET') =>
    get(t.adminPort, '127.0.0.1', path, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });
  assert.equal((await admin('/apps')).status, 401);
  assert.equal((await admin('/apps', 'wrong-token-wrong-token')).status, 401);
  const apps = JSON.parse((await admin('/apps', ADMIN_TOKEN)).text);
  assert.ok(apps.apps.some((a: { name: string; state: string }) => a.name === 'hello' && a.state === 'active'));
  assert.equal((await admin('/healthz', ADMIN_TOKEN)).status, 200);
  assert.equal((await admin('/readyz', ADMIN_TOKEN)).status, 200);
  const metrics = (await admin('/metrics', ADMIN_TOKEN)).text;
  assert.match(metrics, /nano_requests_total\{app="hello",status="200"\} \d+/);
  assert.match(metrics, /nano_limit_exceeded_total\{app="loop",limit="cpu"\} \d+/);
  assert.match(metrics, /nano_request_duration_seconds_bucket/);
  // What the host answered without an app: the malformed request above, an unknown host, a bad Host.
  assert.equal((await get(t.port, 'nobody.test')).status, 404);
  assert.equal((await get(t.port, 'bad host!')).status, 400);
  const after = (await admin('/metrics', ADMIN_TOKEN)).text;
  assert.match(after, /nano_requests_unrouted_total\{status="400",reason="malformed"\} [1-9]/);
  assert.match(after, /nano_requests_unrouted_total\{status="404",reason="no_app"\} [1-9]/);
  assert.match(after, /nano_requests_unrouted_total\{status="400",reason="bad_host"\} [1-9]/);
  await sleep(0);
});

test("caches.default keeps a response across an app's requests; each app has its own", async () => {
  const first = await get(t.port, 'cached.test', '/page');
  const second = await get(t.port, 'cached.test', '/page');
  assert.equal(first.headers['x-cache'], 'miss');
  assert.equal(second.headers['x-cache'], 'hit');
  assert.equal(second.text, first.text);
  assert.match(first.text, /^made at /);
  const other = await get(t.port, 'cached2.test', '/page');
  assert.equal(other.headers['x-cache'], 'miss', 'another app does not see this cache');
});

test('fetch() integrity: a matching body is handed over, another is a TypeError, an abort while it is read an AbortError', async () => {
  const upstream = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    if (req.url === '/stall') res.write('par'); // never ends: the integrity check waits for the end
    else res.end('hello');
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const sha256 = (text: string) => `sha256-${createHash('sha256').update(text).digest('base64')}`;
  const ask = (url: string, integrity: string, abortAfter = '') =>
    get(t.port, 'integrity.test', `/?url=${encodeURIComponent(url)}&integrity=${encodeURIComponent(integrity)}&abortAfter=${abortAfter}`);
  try {
    assert.equal((await ask(`${base}/text`, sha256('hello'))).text, 'ok hello');
    const mismatch = await ask(`${base}/text`, sha256('other'));
    assert.equal(mismatch.status, 502);
    assert.match(mismatch.text, /^TypeError: .*integrity/);
    const aborted = await ask(`${base}/stall`, sha256('partial'), '200');
    assert.match(aborted.text, /^AbortError: /);
  } finally {
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  }
});
