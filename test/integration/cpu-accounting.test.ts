// The CPU time an app's isolate uses, as the request log (cpuMs) and nano_isolate_cpu_seconds_total
// report it: every request its own, quick requests too, and none of it lost.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_TOKEN, app, get, startServer, type TestServer } from './helpers.js';

const APPS: Record<string, string> = {
  // A fixed amount of work (about a millisecond here): far less than the watch's 10 ms between checks.
  'work.js': `export default { fetch() { let x = 0; for (let i = 0; i < 300000; i++) x = (x * 31 + i) | 0; return new Response(String(x)); } };`,
};

let t: TestServer;

before(async () => {
  t = await startServer(APPS, (dir) => ({ server: { port: 0 }, admin: { port: 0, token: ADMIN_TOKEN }, apps: [app(dir, 'work', 'work.js')] }));
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
