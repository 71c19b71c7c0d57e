// Body chunks that are Uint8Array objects without being plain Uint8Arrays: instances of a
// subclass, as Node's Buffer and the Buffer polyfills bundled into framework builds (Nitro's
// h3) are. Fetch takes any Uint8Array object, so they go out as their bytes: in a served
// response (one at a time, batched from the queue, split when large) and in a fetch() upload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { app, get, startServer, type TestServer } from './helpers.js';

let t: TestServer;
let upstream: Server;
let upstreamPort = 0;

before(async () => {
  // Echoes what it was sent.
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => res.end(Buffer.concat(chunks)));
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamPort = (upstream.address() as { port: number }).port;
  const subclass = `class Bytes extends Uint8Array {}
    const text = (s) => { const b = new TextEncoder().encode(s); return new Bytes(b.buffer, b.byteOffset, b.length); };`;
  t = await startServer(
    {
      'respond.js': `${subclass}
      export default { fetch() {
        const big = new Bytes(300 * 1024).fill(122);
        return new Response(new ReadableStream({
          async start(c) {
            c.enqueue(text('one,'));
            await new Promise((r) => setTimeout(r, 10));
            // Queued together: they cross in one batch.
            c.enqueue(text('two,'));
            c.enqueue(new TextEncoder().encode('three,'));
            c.enqueue(text('four,'));
            await new Promise((r) => setTimeout(r, 10));
            c.enqueue(big);
            c.close();
          },
        }));
      } };`,
      'upload.js': `${subclass}
      export default { async fetch(request) {
        const body = new ReadableStream({ start(c) { c.enqueue(text('up')); c.enqueue(text('load')); c.close(); } });
        const reply = await fetch(new URL(request.url).searchParams.get('url'), { method: 'POST', body, duplex: 'half' });
        return new Response(await reply.text());
      } };`,
    },
    (dir) => ({
      server: { port: 0 },
      apps: [app(dir, 'respond', 'respond.js'), app(dir, 'upload', 'upload.js', { fetchAllow: ['127.0.0.1'] })],
    }),
  );
});

after(async () => {
  await t.close();
  upstream.close();
});

test("a streamed response's Uint8Array-subclass chunks reach the client", async () => {
  const reply = await get(t.port, 'respond.test');
  assert.equal(reply.status, 200);
  assert.equal(reply.text, 'one,two,three,four,' + 'z'.repeat(300 * 1024));
});

test("a fetch() upload's Uint8Array-subclass chunks reach the upstream", async () => {
  const reply = await get(t.port, 'upload.test', `/?url=${encodeURIComponent(`http://127.0.0.1:${upstreamPort}/`)}`);
  assert.equal(reply.status, 200);
  assert.equal(reply.text, 'upload');
});
