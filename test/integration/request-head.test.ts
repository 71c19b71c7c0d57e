// What a request's head makes of the app's URL, over raw sockets (what node:http's client would not
// send): the Host header's validity (RFC 9112 3.2), the asterisk-form, and a request body the app
// never reads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { app, get, startServer, type TestServer } from './helpers.js';

const APPS: Record<string, string> = {
  'url.js': `export default { fetch(request) { return new Response(request.method + ' ' + request.url); } };`,
  'ignore.js': `export default { fetch(request) { return new Response('not read'); } };`,
  'ip.js': `export default { fetch(request) { return new Response(request.headers.get('cf-connecting-ip')); } };`,
};

const appsOf = (dir: string) => [
  app(dir, 'url', 'url.js', { hostnames: ['url.test'] }),
  app(dir, 'ignore', 'ignore.js', { hostnames: ['ignore.test'] }),
  app(dir, 'ip', 'ip.js', { hostnames: ['ip.test'] }),
];

let t: TestServer;

before(async () => {
  t = await startServer(APPS, (dir) => ({
    server: { port: 0 },
    apps: appsOf(dir),
    // Every Host no app claims reaches this one: what it sees in request.url must be what was asked.
    defaultApp: 'url',
  }));
});

after(async () => {
  await t.close();
});

/** Writes `request` on a fresh connection; resolves with everything received until the server closes it or `waitMs` passes. */
function raw(request: string | Buffer[], waitMs = 3_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    const socket = connect(t.port, '127.0.0.1', () => {
      for (const part of typeof request === 'string' ? [request] : request) socket.write(part);
    });
    const timer = setTimeout(() => socket.destroy(), waitMs);
    socket.setEncoding('latin1').on('data', (chunk: string) => (data += chunk));
    socket.on('error', reject).on('close', () => {
      clearTimeout(timer);
      resolve(data);
    });
  });
}

const body = (response: string) => response.slice(response.indexOf('\r\n\r\n') + 4);

test('a Host header that is not a host and port is answered 400 by the host: it never becomes part of the URL an app sees', async () => {
  for (const host of ['evil.test/admin?', 'evil.test#', 'url.test:99999', 'url.test@evil.test', 'a b', '[::zz]', 'url.test:80:80']) {
    const reply = await raw(`GET /public HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    assert.match(reply, /^HTTP\/1\.1 400 /, host);
    assert.match(reply, /\r\nconnection: close\r\n/i, host);
    assert.doesNotMatch(reply, /http:\/\//, host);
  }
  // An absolute-form target's authority is held to the same rule.
  assert.match(await raw('GET http://url.test:70000/ HTTP/1.1\r\nHost: url.test\r\n\r\n'), /^HTTP\/1\.1 400 /);
  // Valid ones, unusual or not, are served as before.
  const valid: Array<[string, string]> = [
    ['url.test', 'http://url.test/public'],
    ['URL.test.:8080', 'http://url.test.:8080/public'],
    ['[::1]:9', 'http://[::1]:9/public'],
    ['other.test:', 'http://other.test/public'],
    ['', 'http://localhost/public'],
  ];
  for (const [host, url] of valid) {
    const reply = await raw(`GET /public HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    assert.match(reply, /^HTTP\/1\.1 200 /, host);
    assert.equal(body(reply), `GET ${url}`, host);
  }
});

test("a Host of valid syntax that the URL parser refuses (an IPv4 address out of range, bad punycode) is answered 400 without calling the app", async () => {
  for (const host of ['1.2.3.999', '1.2.3.4.5', '999999999999', 'xn--a']) {
    const reply = await raw(`GET /public HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    assert.match(reply, /^HTTP\/1\.1 400 /, host);
    assert.doesNotMatch(body(reply), /GET http/, `${host}: the app was not called`);
    assert.match(body(reply), /invalid host/, host);
  }
  const lines = t.logs.filter((l) => l['app'] === 'url');
  assert.ok(lines.some((l) => l['level'] === 'warn' && /URL http:\/\/xn--a\/public is not valid/.test(String(l['msg']))), 'said at warn');
  assert.ok(!lines.some((l) => /^Uncaught/.test(String(l['msg']))), 'not logged as the app\'s error');
  // The forms the parser accepts are served (0x7f.1 is 127.0.0.1; a..b has an empty label).
  assert.equal(body(await raw('GET /p HTTP/1.1\r\nHost: 0x7f.1\r\nConnection: close\r\n\r\n')), 'GET http://127.0.0.1/p');
});

test('two Host lines are answered 400 (RFC 9112 3.2), not routed by the first while the app sees both', async () => {
  const reply = await raw('GET / HTTP/1.1\r\nHost: ignore.test\r\nhost: url.test\r\n\r\n');
  assert.match(reply, /^HTTP\/1\.1 400 /);
  assert.doesNotMatch(reply, /not read|url\.test/);
});

test('OPTIONS * reaches the app as the server\'s own URL (http://host/, RFC 9112 3.3), not as another host name', async () => {
  const reply = await raw('OPTIONS * HTTP/1.1\r\nHost: url.test\r\nConnection: close\r\n\r\n');
  assert.match(reply, /^HTTP\/1\.1 200 /);
  assert.equal(body(reply), 'OPTIONS http://url.test/');
});

test('a request body the app never reads is discarded once it answered: the upload completes and the connection serves the next request', async () => {
  // 8 MiB: far more than the 1 MiB the host reads ahead for the app, and than the socket buffers.
  const size = 8 * 1024 * 1024;
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  const parts = [Buffer.from(`POST /upload HTTP/1.1\r\nHost: ignore.test\r\nContent-Length: ${size}\r\n\r\n`)];
  for (let sent = 0; sent < size; sent += chunk.length) parts.push(chunk);
  parts.push(Buffer.from('GET /next HTTP/1.1\r\nHost: url.test\r\nConnection: close\r\n\r\n'));
  const started = Date.now();
  // Before: the upload stalled once the socket buffers filled, and the keep-alive timeout (5 s
  // here) reset the connection; the second request was never answered.
  const reply = await raw(parts, 4_000);
  assert.match(reply, /^HTTP\/1\.1 200 [^]*not read/);
  assert.match(reply, /HTTP\/1\.1 200 [^]*GET http:\/\/url\.test\/next$/);
  assert.ok(Date.now() - started < 4_000, `served in ${Date.now() - started} ms`);
  // And the app is fine for the next one.
  assert.equal((await get(t.port, 'ignore.test')).text, 'not read');
});

test('several Cookie lines reach the app as one cookie-string joined with "; " (RFC 9113 8.2.3), not ", "', async () => {
  const t2 = await startServer(
    { 'cookie.js': `export default { fetch(request) { return new Response(request.headers.get('cookie') + ' | ' + request.headers.get('x-list')); } };` },
    (dir) => ({ server: { port: 0 }, apps: [app(dir, 'cookie', 'cookie.js', { hostnames: ['cookie.test'] })] }),
  );
  try {
    const reply = await new Promise<string>((resolve, reject) => {
      let data = '';
      const socket = connect(t2.port, '127.0.0.1', () =>
        socket.write('GET / HTTP/1.1\r\nHost: cookie.test\r\nCookie: a=1\r\nX-List: p\r\ncookie:  b=2 \r\nX-List: q\r\nCOOKIE: c=3\r\nConnection: close\r\n\r\n'),
      );
      socket.setEncoding('latin1').on('data', (chunk: string) => (data += chunk));
      socket.on('error', reject).on('close', () => resolve(data));
    });
    // Other repeated headers keep Fetch's ", ".
    assert.equal(body(reply), 'a=1; b=2; c=3 | p, q');
  } finally {
    await t2.close();
  }
});

test('CF-Connecting-IP is the peer, never what the client sent; behind a trusted proxy, the X-Forwarded-For client', async () => {
  const forged = 'GET / HTTP/1.1\r\nHost: ip.test\r\nCF-Connecting-IP: 6.6.6.6\r\nX-Forwarded-For: 203.0.113.9\r\nConnection: close\r\n\r\n';
  assert.equal(body(await raw(forged)), '127.0.0.1');
  await t.writeConfig({ apps: appsOf(t.dir), defaultApp: 'url', server: { trustedProxies: ['127.0.0.0/8'] } });
  const result = await t.server.reload('test');
  assert.ok(result.applied.includes('server.trustedProxies'), JSON.stringify(result));
  assert.deepEqual(result.changed, []);
  assert.equal(body(await raw(forged)), '203.0.113.9');
  // The client's own entries sit left of what the trusted proxy appended.
  assert.equal(body(await raw(forged.replace('203.0.113.9', '1.1.1.1, 203.0.113.10'))), '203.0.113.10');
});
