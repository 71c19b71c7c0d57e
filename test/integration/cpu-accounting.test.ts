// The CPU time an app's isolate uses, as the request log (cpuMs) and nano_isolate_cpu_seconds_total
// report it: every request its own, quick requests too, and none of it lost.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_TOKEN, app, get, startServer, type TestServer } from './helpers.js';

const APPS: Record<string, string> = {
  // A fixed amount of work (about a millisecond here): far less than the watch's 10 ms between checks.
  'work.js': `export default { fetch() { let x = 0; for (let i = 0; i < 300000; i++) x = (x * 31 + i) | 0; return new Response(String(x)); } };`,
  // An event stream (an event every 100 ms, 30 of them) beside requests of ~20 ms of CPU each.
  'mixed.js': `export default { fetch(request) {
    if (new URL(request.url).pathname === '/heavy') {
      const until = Date.now() + 20;
      let x = 0;
      while (Date.now() < until) x = (x * 31 + 7) | 0;
      return new Response(String(x));
    }
    const encoder = new TextEncoder();
    let n = 0;
    let timer;
    const body = new ReadableStream({
      start(controller) {
        timer = setInterval(() => {
          controller.enqueue(encoder.encode('data: ' + n + '\\n\\n'));
          if (++n === 30) { clearInterval(timer); controller.close(); }
        }, 100);
      },
      cancel() { clearInterval(timer); },
    });
    return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
  } };`,
};

let t: TestServer;

before(async () => {
  t = await startServer(APPS, (dir) => ({ server: { port: 0 }, admin: { port: 0, token: ADMIN_TOKEN }, apps: [app(dir, 'work', 'work.js'), app(dir, 'mixed', 'mixed.js', { limits: { cpuMsPerRequest: 300 } })] }));
});

after(async () => {
  await t.close();
});

async function metricSeconds(): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${t.adminPort}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  const match = /^nano_isolate_cpu_seconds_total\{app="work"\} (\S+)$/m.exec(await res.text());
  return match === null ? 0 : Number(match[1]);
}

test('quick requests one after another: each is logged with its own CPU time, and the metric has all of it', async () => {
  const n = 40;
  const before = await metricSeconds();
  for (let i = 0; i < n; i++) assert.equal((await get(t.port, 'work.test')).status, 200);
  const logged = t.logs.filter((l) => l['app'] === 'work' && l['msg'] === 'request').map((l) => Number(l['cpuMs']));
  assert.equal(logged.length, n);
  // Before: the CPU was shared out every 10 ms among the requests in flight then, so a request
  // that came and went between two checks was logged at 0 (most of them) and another at its CPU.
  const zero = logged.filter((ms) => ms === 0).length;
  assert.equal(zero, 0, `cpuMs logged: ${logged.join(', ')}`);
  // The metric has what the requests were logged at (each log line rounds to 0.1 ms), and the
  // CPU after the last request (idle, no request's) is counted once the watch stops.
  const sum = logged.reduce((a, b) => a + b, 0) / 1000;
  const counted = (await metricSeconds()) - before;
  assert.ok(counted >= sum - n * 0.00005, `metric ${counted} s, requests ${sum} s`);
});

test("a long-lived stream is charged the CPU of its own work, not a share of other requests': it outlives their load", { timeout: 30_000 }, async () => {
  const stream = get(t.port, 'mixed.test', '/events', { timeoutMs: 20_000 });
  // Four clients of ~20 ms requests back to back while the stream runs (~3 s): the isolate busy.
  let heavy = 0;
  let running = true;
  const clients = Array.from({ length: 4 }, async () => {
    while (running) {
      const reply = await get(t.port, 'mixed.test', '/heavy');
      assert.equal(reply.status, 200);
      heavy++;
    }
  });
  const events = await stream;
  running = false;
  await Promise.all(clients);
  // Before: every 10 ms interval was shared by all five requests in flight, so the stream was
  // charged a fifth of the load (~0.5 s), past its 300 ms, and the isolate was recycled mid-stream.
  assert.equal(events.text.split('\n\n').filter((e) => e.startsWith('data: ')).length, 30, `the stream was cut: ${JSON.stringify(events.text.slice(-80))}`);
  assert.ok(heavy > 40, `only ${heavy} heavy requests ran beside the stream`);
  assert.ok(!t.logs.some((l) => l['app'] === 'mixed' && /recycl/i.test(String(l['msg']))), 'the isolate was recycled');
  const logged = t.logs.find((l) => l['app'] === 'mixed' && l['msg'] === 'request' && String(l['url']).startsWith('/events'));
  assert.ok(Number(logged?.['cpuMs']) < 300, `the stream was logged at ${String(logged?.['cpuMs'])} ms of CPU`);
});
