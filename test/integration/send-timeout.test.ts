// server.sendTimeoutMs: a client that stops taking response bytes is disconnected once its socket
// has been full that long, and the app's stream is cancelled; a slow client that keeps reading is not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startServer, until } from './helpers.js';

test('a client that takes no response bytes for sendTimeoutMs is disconnected; one that reads slowly is not', { timeout: 60_000 }, async () => {
  const t = await startServer(
    {
      'endless.js': `export default { fetch() {
        const chunk = new Uint8Array(64 * 1024).fill(97);
        return new Response(new ReadableStream({
          pull(c) { c.enqueue(chunk.slice()); },
          cancel(reason) { console.log('cancelled: ' + reason); },
        }, { highWaterMark: 0 }));
      } };`,
    },
    (dir) => ({
      server: { port: 0, sendTimeoutMs: 500 },
      apps: [{ name: 'endless', hostnames: ['endless.test'], module: `${dir}/endless.js`, limits: { cpuMsPerRequest: 60_000, wallTimeMs: 60_000 } }],
    }),
  );
  try {
    // Reads 256 KiB every 100 ms (2.5 MB/s, far slower than the app makes them): each of the host's
    // writes (up to 256 KiB) completes well within 500 ms.
    const slow = connect(t.port, '127.0.0.1');
    let slowBytes = 0;
    let slowClosed = false;
    slow.on('close', () => (slowClosed = true));
    slow.write('GET / HTTP/1.1\r\nHost: endless.test\r\n\r\n');
    let budget = 0;
    slow.on('data', (chunk: Buffer) => {
      slowBytes += chunk.length;
      budget -= chunk.length;
      if (budget <= 0) slow.pause();
    });
    const reader = setInterval(() => {
      budget = 256 * 1024;
      slow.resume();
    }, 100);

    // Never reads: its buffers fill, then the host's socket stays full.
    const stalled = connect(t.port, '127.0.0.1');
    stalled.write('GET / HTTP/1.1\r\nHost: endless.test\r\n\r\n');
    stalled.pause();
    // A paused socket does not see the host close it: the host's log and the app's cancel() tell.
    await until(() => t.logs.some((l) => l['msg'] === 'the client took no response bytes within server.sendTimeoutMs; the connection is closed'), 15_000, 'the log line');
    await until(() => t.logs.some((l) => l['app'] === 'endless' && /^cancelled: /.test(String(l['msg']))), 5_000, "the app's cancel()");
    stalled.destroy();

    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const before = slowBytes;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    clearInterval(reader);
    assert.equal(slowClosed, false, 'the slow reader is still connected');
    assert.ok(slowBytes - before > 1024 * 1024, `the slow reader got ${slowBytes - before} bytes in its last second`);
    assert.equal(t.logs.filter((l) => String(l['msg']).startsWith('the client took no response bytes')).length, 1, 'only the stalled client was cut');
    slow.destroy();
  } finally {
    await t.close();
  }
});
