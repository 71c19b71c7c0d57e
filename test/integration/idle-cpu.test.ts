// An isolate with no request in flight may still run (timers started by a request or by the
// module's top level): past cpuMsPerRequest of CPU time with no request, it is recreated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get, startServer, until } from './helpers.js';

test('CPU burned with no request in flight (a timer left running) recreates the isolate; the app answers after', { timeout: 60_000 }, async () => {
  const burner = `let started = false;
    export default { fetch() {
      if (!started) {
        started = true;
        setInterval(() => { const until = Date.now() + 40; while (Date.now() < until); }, 50);
      }
      return new Response('started');
    } };`;
  const t = await startServer({ 'burner.js': burner }, (dir) => ({
    apps: [{ name: 'burner', hostnames: ['burner.test'], module: `${dir}/burner.js`, limits: { cpuMsPerRequest: 300 } }],
  }));
  try {
    assert.equal((await get(t.port, 'burner.test', '/')).text, 'started');
    await until(() => t.logs.some((l) => l['app'] === 'burner' && l['msg'] === 'the app used more than cpuMsPerRequest of CPU time with no request in flight'), 10_000, 'the idle CPU limit');
    const kills = await t.server.metrics.registry.getSingleMetricAsString('nano_limit_exceeded_total');
    assert.match(kills, /nano_limit_exceeded_total\{app="burner",limit="cpu"\} 1/);
    // A fresh isolate serves the next request (and starts its own timer, watched the same way).
    assert.equal((await get(t.port, 'burner.test', '/')).text, 'started');
  } finally {
    await t.close();
  }
});
