// Workers' own APIs beside the web's: FixedLengthStream as a body (a response or an outbound
// request goes with the stream's expected length as its Content-Length, not chunked, and a
// stream that ends short is cut), the 'cloudflare:workers' module's env, and the assets binding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { app, get, startServer } from './helpers.js';

const APP = `
const later = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const stream = new FixedLengthStream(Number(url.searchParams.get('length') ?? 11));
    const writer = stream.writable.getWriter();
    const body = (async () => {
      await later(20);
      await writer.write(new TextEncoder().encode('hello '));
      await later(20);
      await writer.write(new TextEncoder().encode(url.searchParams.get('end') ?? 'world'));
      await writer.close();
    })();
    if (url.pathname === '/upload') {
      const response = await fetch(url.searchParams.get('to'), { method: 'PUT', body: stream.readable, duplex: 'half' });
      await body;
      return new Response(await response.text());
    }
    ctx.waitUntil(body.catch(() => {}));
    return new Response(stream.readable, { headers: { 'content-type': 'text/plain' } });
  },
};`;

test('a FixedLengthStream response goes with its expected length as Content-Length; one that ends short is cut', { timeout: 60_000 }, async () => {
  const t = await startServer({ 'fixed.js': APP }, (dir) => ({ apps: [app(dir, 'fixed', 'fixed.js')] }));
  try {
    const reply = await get(t.port, 'fixed.test', '/');
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-length'], '11');
    assert.equal(reply.headers['transfer-encoding'], undefined);
    assert.equal(reply.text, 'hello world');
    // Too few bytes: the stream errors at close, and the client does not get a whole response.
    await assert.rejects(get(t.port, 'fixed.test', '/?length=20'), /aborted|socket hang up|ECONNRESET/);
  } finally {
    await t.close();
  }
});

test('a FixedLengthStream request body goes with its expected length as Content-Length, not chunked', { timeout: 60_000 }, async () => {
  let seen: { headers: IncomingHttpHeaders; body: string } | undefined;
  const upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen = { headers: req.headers, body: Buffer.concat(chunks).toString() };
      res.end('stored');
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const to = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/object`;
  const t = await startServer({ 'fixed.js': APP }, (dir) => ({ apps: [app(dir, 'fixed', 'fixed.js', { fetchAllow: ['127.0.0.1'] })] }));
  try {
    const reply = await get(t.port, 'fixed.test', `/upload?to=${encodeURIComponent(to)}`);
    assert.equal(reply.text, 'stored');
    assert.equal(seen?.headers['content-length'], '11');
    assert.equal(seen?.headers['transfer-encoding'], undefined);
    assert.equal(seen?.body, 'hello world');
  } finally {
    await t.close();
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  }
});

test("import { env } from 'cloudflare:workers' is the app's env at the top level, the object fetch() gets", { timeout: 60_000 }, async () => {
  const t = await startServer(
    {
      'env.js': `
import { env } from 'cloudflare:workers';
const atLoad = env.GREETING;
export default {
  fetch(request, fetchEnv) {
    return Response.json({ atLoad, same: env === fetchEnv, frozen: Object.isFrozen(env), keys: Object.keys(env) });
  },
};`,
      'other.js': `import { DurableObject } from 'cloudflare:workers';\nexport default { fetch() { return new Response(String(DurableObject)); } };`,
    },
    (dir) => ({ apps: [app(dir, 'env', 'env.js', { env: { GREETING: 'hello' } })] }),
  );
  try {
    const reply = await get(t.port, 'env.test', '/');
    assert.deepEqual(JSON.parse(reply.text), { atLoad: 'hello', same: true, frozen: true, keys: ['GREETING'] });
    // What Workers' module has and NANO does not fails the load, naming it.
    await t.writeConfig({ apps: [app(t.dir, 'env', 'env.js'), app(t.dir, 'other', 'other.js')] });
    const result = await t.server.reload('test');
    assert.match(String(result.error ?? JSON.stringify(result)), /DurableObject/);
  } finally {
    await t.close();
  }
});

test('env.ASSETS.fetch() serves the app\'s assets directory: small and large files, 404, 304, HEAD', { timeout: 60_000 }, async () => {
  const large = Buffer.alloc(200 * 1024, 7);
  const t = await startServer(
    {
      'site.js': `
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname.startsWith('/api')) return new Response('api');
    // As Astro's build does for what no route claims.
    return env.ASSETS.fetch(request);
  },
};`,
    },
    (dir) => ({ apps: [app(dir, 'site', 'site.js', { assets: { directory: 'public' } })] }),
  );
  try {
    await mkdir(join(t.dir, 'public', 'blog'), { recursive: true });
    await writeFile(join(t.dir, 'public', 'style.css'), 'body{}');
    await writeFile(join(t.dir, 'public', 'blog', 'index.html'), '<h1>blog</h1>');
    await writeFile(join(t.dir, 'public', 'large.bin'), large);
    const css = await get(t.port, 'site.test', '/style.css');
    assert.equal(css.status, 200);
    assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
    assert.equal(css.text, 'body{}');
    assert.equal((await get(t.port, 'site.test', '/blog')).text, '<h1>blog</h1>');
    assert.equal((await get(t.port, 'site.test', '/api/x')).text, 'api');
    const big = await get(t.port, 'site.test', '/large.bin');
    assert.equal(big.status, 200);
    assert.ok(big.body.equals(large), `large.bin: ${big.body.length} bytes`);
    assert.equal((await get(t.port, 'site.test', '/missing')).status, 404);
    assert.equal((await get(t.port, 'site.test', '/%2e%2e/site.js')).status, 404);
    const again = await get(t.port, 'site.test', '/style.css', { headers: { 'if-none-match': String(css.headers['etag']) } });
    assert.equal(again.status, 304);
    const head = await get(t.port, 'site.test', '/style.css', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], '6');
    assert.equal(head.body.length, 0);
  } finally {
    await t.close();
  }
});
