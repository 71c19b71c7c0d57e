// Streaming end to end with backpressure: big bodies in both directions with flat memory, a slow
// client pausing the app's stream, and a proxied fetch that streams without buffering.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { createBrotliDecompress, createGunzip, gunzipSync } from 'node:zlib';
import { runInNewContext } from 'node:vm';
import { fileURLToPath } from 'node:url';
import { app, get, startServer, type TestServer } from './helpers.js';

const MiB = 1024 * 1024;
const SHA_APP = fileURLToPath(new URL('../../examples/upload/index.js', import.meta.url));

let t: TestServer;
let upstream: Server;
let upstreamPort = 0;
let upstreamDone = 0;

before(async () => {
  // The upstream trickles 10 chunks, 100 ms apart.
  upstream = createServer((_req, res) => {
    let i = 0;
    const timer = setInterval(() => {
      res.write(`part ${i}\n`);
      if (++i === 10) {
        clearInterval(timer);
        upstreamDone = Date.now();
        res.end();
      }
    }, 100);
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamPort = (upstream.address() as { port: number }).port;
  t = await startServer(
    {
      'big.js': `export default { fetch(request) {
        const total = Number(new URL(request.url).searchParams.get('mib')) * 1024 * 1024;
        let sent = 0, pulls = 0;
        return new Response(new ReadableStream({
          pull(c) { pulls++; c.enqueue(new Uint8Array(64 * 1024).fill(1)); sent += 64 * 1024; if (sent >= total) { c.close(); console.log('pulls ' + pulls); } },
        }, { highWaterMark: 2 }));
      } };`,
      'passthrough.js': `export default { async fetch(request) {
        const upstream = await fetch(new URL(request.url).searchParams.get('url'));
        return new Response(upstream.body, { status: upstream.status, headers: { 'x-via': 'nano' } });
      } };`,
      // The same chunk enqueued many times, and views of one buffer: they cross in one batch.
      'repeat.js': `export default { fetch() {
        const same = new TextEncoder().encode('abc');
        const shared = new TextEncoder().encode('0123456789');
        return new Response(new ReadableStream({
          start(c) {
            for (let i = 0; i < 1000; i++) c.enqueue(same);
            for (let i = 0; i < 10; i++) c.enqueue(shared.subarray(i, i + 1));
            c.enqueue(shared);
            c.close();
          },
        }));
      } };`,
      // One byte per chunk, as fast as the pump takes them.
      'tiny.js': `export default { fetch() {
        const one = new Uint8Array([120]);
        return new Response(new ReadableStream({ pull(c) { for (let i = 0; i < 1000; i++) c.enqueue(one.slice()); } }, { highWaterMark: 0 }));
      } };`,
      // Waits before it reads its body: the body's queue fills up to what the app granted.
      'late.js': `export default { async fetch(request) {
        await new Promise((r) => setTimeout(r, 1500));
        let n = 0;
        for await (const c of request.body) n += c.byteLength;
        return new Response('got ' + n);
      } };`,
      // An event stream whose first event comes 1.5 s after the Response (gzip-encoded with ?gzip).
      'events.js': `export default { fetch(request) {
        const url = new URL(request.url);
        if (url.pathname === '/sparse') {
          // Five events 300 ms apart, encoded as the query says.
          const { readable, writable } = new TransformStream();
          (async () => {
            const writer = writable.getWriter();
            for (let i = 1; i <= 5; i++) {
              await new Promise((resolve) => setTimeout(resolve, 300));
              await writer.write(new TextEncoder().encode('data: ' + i + '\\n\\n'));
            }
            await writer.close();
          })();
          return new Response(readable, { headers: { 'content-type': 'text/event-stream', 'content-encoding': url.searchParams.get('coding') } });
        }
        const { readable, writable } = new TransformStream();
        setTimeout(async () => {
          const writer = writable.getWriter();
          await writer.write(new TextEncoder().encode('data: late\\n\\n'));
          await writer.close();
        }, 1500);
        const headers = { 'content-type': 'text/event-stream' };
        if (new URL(request.url).searchParams.has('gzip')) headers['content-encoding'] = 'gzip';
        return new Response(readable, { headers });
      } };`,
      'proxy.js': `export default { async fetch(request) {
        const upstream = await fetch(new URL(request.url).searchParams.get('url'));
        return new Response(upstream.body.pipeThrough(new TransformStream()));
      } };`,
    },
    (dir) => ({
      server: { port: 0 },
      apps: [
        // A small heap: the isolate's garbage (one 64 KiB chunk per pull) is collected often.
        app(dir, 'big', 'big.js', { limits: { cpuMsPerRequest: 60_000, wallTimeMs: 120_000, memoryMb: 32 } }),
        { ...app(dir, 'upload', 'x.js', { limits: { cpuMsPerRequest: 120_000, wallTimeMs: 120_000 } }), module: SHA_APP },
        app(dir, 'proxy', 'proxy.js', { fetchAllow: ['127.0.0.1'] }),
        app(dir, 'repeat', 'repeat.js'),
        app(dir, 'tiny', 'tiny.js', { limits: { cpuMsPerRequest: 60_000, wallTimeMs: 60_000 } }),
        app(dir, 'late', 'late.js', { limits: { cpuMsPerRequest: 60_000, wallTimeMs: 60_000, memoryMb: 64 } }),
        app(dir, 'passthrough', 'passthrough.js', { fetchAllow: ['127.0.0.1'] }),
        app(dir, 'events', 'events.js'),
      ],
    }),
  );
});

after(async () => {
  await t.close();
  upstream.close();
});

test('a 256 MiB upload is hashed in the app as it streams in', { timeout: 120_000 }, async () => {
  const chunk = Buffer.alloc(MiB, 0x61);
  const total = 256;
  const expected = createHash('sha256');
  for (let i = 0; i < total; i++) expected.update(chunk);
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const reply = await new Promise<string>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: t.port, path: '/', method: 'POST', headers: { host: 'upload.test' } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    let sent = 0;
    const pump = (): void => {
      while (sent < total) {
        sent++;
        rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
  const growth = (rssPeak - rssBefore) / MiB;
  process.stdout.write(`# upload: 256 MiB hashed in the isolate; RSS growth ${growth.toFixed(1)} MiB\n`);
  assert.deepEqual(JSON.parse(reply), { sha256: expected.digest('hex'), bytes: total * MiB });
  // Not proportional to the body: bounded by the isolate's heap (its garbage between collections).
  assert.ok(growth < 128, `RSS grew ${growth.toFixed(1)} MiB for a 256 MiB upload`);
});

test('a chunk enqueued many times, and views of one buffer, arrive intact', async () => {
  const reply = await get(t.port, 'repeat.test');
  assert.equal(reply.status, 200);
  assert.equal(reply.text, 'abc'.repeat(1000) + '0123456789' + '0123456789');
});

// The slow client runs in its own process, so the RSS measured here is the server's alone (the
// 256 MiB the client receives would otherwise be counted as garbage of this process).
const SLOW_CLIENT = `
const { request } = require('node:http');
const [port, mib] = process.argv.slice(1).map(Number);
let received = 0, sincePause = 0;
request({ host: '127.0.0.1', port, path: '/?mib=' + mib, headers: { host: 'big.test' } }, (res) => {
  // Slow: take a chunk, then pause 2 ms every 4 MiB.
  res.on('data', (c) => {
    received += c.length;
    sincePause += c.length;
    if (sincePause >= 4 * 1024 * 1024) { sincePause = 0; res.pause(); setTimeout(() => res.resume(), 2); }
  });
  res.on('end', () => process.stdout.write(String(received)));
}).end();`;

test('a 256 MiB streamed response to a slow client: memory stays flat, the app is paused', { timeout: 120_000 }, async () => {
  const before = process.memoryUsage();
  let rssPeak = before.rss;
  let buffersPeak = before.arrayBuffers;
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    rssPeak = Math.max(rssPeak, now.rss);
    buffersPeak = Math.max(buffersPeak, now.arrayBuffers);
  }, 10);
  const received = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', SLOW_CLIENT, String(t.port), '256'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('error', reject);
    child.on('exit', () => resolve(Number(out)));
  }).finally(() => clearInterval(sampler));
  const growth = (rssPeak - before.rss) / MiB;
  const held = (buffersPeak - before.arrayBuffers) / MiB;
  process.stdout.write(`# slow client: 256 MiB streamed; server RSS growth ${growth.toFixed(1)} MiB, host-held body bytes at most ${held.toFixed(2)} MiB\n`);
  assert.equal(received, 256 * MiB);
  // The host holds no more than the pump's window (1 MiB) of the body at any time.
  assert.ok(held < 4, `the host held ${held.toFixed(2)} MiB of the body at once`);
  // The process as a whole: chunks the app made and already sent wait for the isolate's GC, which
  // V8 runs when they reach the app's memory limit (32 MiB here), so RSS may grow by that much
  // on top of the allocator's and the host heap's own (measured 37-44 MiB, sometimes 66-75).
  assert.ok(growth < 64 + 32, `RSS grew ${growth.toFixed(1)} MiB while a slow client read 256 MiB`);
});

test('1-byte chunks to clients that do not read: the host holds a bounded number of them', { timeout: 60_000 }, async () => {
  // Each chunk costs the host far more than its byte (objects, a write-queue entry): the window
  // counts that cost, so a stalled response holds ~2,000 of them, not a million (1 MiB of bytes).
  // Measured before: 20 such clients took the host to 3.8 GB of RSS in 20 s.
  // What the host keeps, not the garbage of the chunks that went by: the heap after full GCs.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const retained = (): number => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  const before = retained();
  const sockets = Array.from({ length: 5 }, () => {
    const socket = connect(t.port, '127.0.0.1');
    socket.write('GET / HTTP/1.1\r\nHost: tiny.test\r\n\r\n');
    socket.pause(); // never read: the kernel's buffers fill, then the host's, then the app waits
    return socket;
  });
  let grown: number;
  try {
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    grown = (retained() - before) / MiB;
  } finally {
    for (const socket of sockets) socket.destroy();
  }
  process.stdout.write(`# 5 stalled 1-byte-chunk responses: host heap kept +${grown.toFixed(1)} MiB\n`);
  assert.ok(grown < 20, `the host kept ${grown.toFixed(1)} MiB`);
});

test("an upload of a million 1-byte chunks fits the app's memory: credit counts each chunk's cost", { timeout: 60_000 }, async () => {
  // Counted by bytes alone, the app's 1 MiB of credit let the host push a million chunks into the
  // isolate before the app read any: 64 MiB of isolate memory exceeded, the isolate (and every
  // request it served) gone, by one client's 6 MB of chunked upload (measured: 503).
  const reply = await new Promise<string>((resolve, reject) => {
    const socket = connect(t.port, '127.0.0.1');
    let text = '';
    socket.on('data', (c) => {
      text += c;
      if (/got \d+$/.test(text) || text.includes('"status":')) resolve(text);
    });
    socket.on('error', reject);
    socket.write('POST / HTTP/1.1\r\nHost: late.test\r\nTransfer-Encoding: chunked\r\n\r\n');
    const block = '1\r\nx\r\n'.repeat(10_000);
    for (let i = 0; i < 100; i++) socket.write(block);
    socket.write('0\r\n\r\n');
  });
  assert.match(reply, /^HTTP\/1\.1 200 /);
  assert.match(reply, /got 1000000$/);
});

/** GET through app `host` of the trickling upstream: the body, its headers, and when its first byte came. */
function readFromUpstream(host: string): Promise<{ firstByte: number; body: string; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port: t.port, path: `/?url=${encodeURIComponent(`http://127.0.0.1:${upstreamPort}/`)}`, headers: { host } }, (res) => {
      let firstByte = 0;
      let body = '';
      res.on('data', (c) => {
        if (firstByte === 0) firstByte = Date.now();
        body += c;
      });
      res.on('end', () => resolve({ firstByte, body, headers: res.headers }));
      res.on('error', reject);
    }).on('error', reject).end();
  });
}

test('a proxied fetch streams: the first bytes reach the client before the upstream has finished', { timeout: 30_000 }, async () => {
  const { firstByte, body } = await readFromUpstream('proxy.test');
  assert.equal(body, Array.from({ length: 10 }, (_, i) => `part ${i}\n`).join(''));
  assert.ok(upstreamDone - firstByte >= 500, `first byte ${upstreamDone - firstByte} ms before the upstream ended`);
});

test('a fetch() body returned untouched is piped host to host, still streaming', { timeout: 30_000 }, async () => {
  const { firstByte, body, headers } = await readFromUpstream('passthrough.test');
  const via = String(headers['x-via']);
  assert.equal(via, 'nano', "the app's own headers are sent");
  assert.equal(body, Array.from({ length: 10 }, (_, i) => `part ${i}\n`).join(''));
  assert.ok(upstreamDone - firstByte >= 500, 'streamed, not buffered');
  assert.ok(t.logs.some((l) => l['app'] === 'passthrough' && l['msg'] === 'response body piped host to host'), 'the bytes never entered the isolate');
  // A body the app reads is not piped: the proxy app (pipeThrough) streams through the isolate.
  assert.ok(!t.logs.some((l) => l['app'] === 'proxy' && l['msg'] === 'response body piped host to host'));
});

// node:http holds a head until the first body bytes: an event stream's client (EventSource's
// 'open', a proxy's header timeout) waited for the first event. Workers and Deno send the head
// once the app returns its Response.
for (const path of ['/', '/?gzip']) {
  test(`a streamed response's head reaches the client before its first body bytes (${path})`, { timeout: 10_000 }, async () => {
    const started = Date.now();
    const { headAt, bodyAt, body, headers } = await new Promise<{ headAt: number; bodyAt: number; body: Buffer; headers: IncomingHttpHeaders }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: t.port, path, headers: { host: 'events.test', 'accept-encoding': 'gzip' } }, (res) => {
        const headAt = Date.now() - started;
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ headAt, bodyAt: Date.now() - started, body: Buffer.concat(parts), headers: res.headers }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(headers['content-type'], 'text/event-stream');
    assert.ok(headAt < 1_000, `the head came after ${headAt} ms`);
    assert.ok(bodyAt >= 1_400, `the body ended after ${bodyAt} ms`);
    const text = path === '/' ? body.toString() : gunzipSync(body).toString();
    assert.equal(text, 'data: late\n\n');
  });
}

// An encoder holds small input back until it has enough: an encoded event stream reached the
// client all at once when it ended (1.5 s here). An encoder idle for a tick now flushes.
for (const coding of ['gzip', 'br'] as const) {
  test(`an encoded (${coding}) event stream reaches the client event by event, not at its end`, { timeout: 10_000 }, async () => {
    const started = Date.now();
    const arrivals: { at: number; text: string }[] = [];
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: t.port, path: `/sparse?coding=${coding}`, headers: { host: 'events.test', 'accept-encoding': coding } }, (res) => {
        assert.equal(res.headers['content-encoding'], coding);
        const decoder = coding === 'gzip' ? createGunzip() : createBrotliDecompress();
        decoder.on('data', (c: Buffer) => arrivals.push({ at: Date.now() - started, text: c.toString() }));
        decoder.on('end', resolve);
        decoder.on('error', reject);
        res.pipe(decoder);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(arrivals.map((a) => a.text).join(''), 'data: 1\n\ndata: 2\n\ndata: 3\n\ndata: 4\n\ndata: 5\n\n');
    // The first event is written at ~300 ms and the stream ends at ~1500 ms.
    const first = arrivals.find((a) => a.text.includes('data: 1'))!;
    assert.ok(first.at < 1_000, `the first event was decoded at ${first.at} ms (${JSON.stringify(arrivals)})`);
    assert.ok(arrivals.length >= 4, `the events came in ${arrivals.length} parts: ${JSON.stringify(arrivals)}`);
  });
}
