// An app's console output is bounded by its log rate (limits.logKbPerSecond): lines past it are
// dropped, counted in the metrics and reported once lines pass again; another app is not affected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get, sleep, startServer } from './helpers.js';

test("an app logging past its rate loses the excess lines, counted and reported; another app's lines all arrive", { timeout: 60_000 }, async () => {
  const flood = `export default { fetch(request) {
    const n = Number(new URL(request.url).searchParams.get('n'));
    for (let i = 0; i < n; i++) console.log(String(i).padStart(100, '-'));
    return new Response('logged ' + n);
  } };`;
  const t = await startServer({ 'flood.js': flood, 'calm.js': flood }, (dir) => ({
    apps: [
      { name: 'flood', hostnames: ['flood.test'], module: `${dir}/flood.js`, limits: { logKbPerSecond: 1 } },
      { name: 'calm', hostnames: ['calm.test'], module: `${dir}/calm.js` },
    ],
  }));
  try {
    // 1 KiB a second with bursts of 4 KiB: 40 of the 100 lines of 100 characters fit.
    assert.equal((await get(t.port, 'flood.test', '/?n=100')).text, 'logged 100');
    assert.equal((await get(t.port, 'calm.test', '/?n=100')).text, 'logged 100');
    const lines = (app: string) => t.logs.filter((l) => l['app'] === app && l['source'] === 'console');
    assert.equal(lines('flood').length, 40);
    assert.equal(lines('calm').length, 100, 'the other app has its own rate');
    const metric = await t.server.metrics.registry.getSingleMetricAsString('nano_app_log_lines_dropped_total');
    assert.match(metric, /nano_app_log_lines_dropped_total\{app="flood"\} 60/);
    assert.doesNotMatch(metric, /app="calm"/);
    // After a pause the bucket has room again: the next line passes, after one report of the loss.
    await sleep(300);
    await get(t.port, 'flood.test', '/?n=1');
    const report = t.logs.find((l) => l['app'] === 'flood' && typeof l['droppedLines'] === 'number');
    assert.deepEqual([report?.['droppedLines'], report?.['droppedBytes']], [60, 6000]);
    assert.equal(lines('flood').length, 41);
  } finally {
    await t.close();
  }
});
