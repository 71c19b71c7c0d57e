// ctx.waitUntil after the response: its work has limits.waitUntilMs, and its CPU time is the
// request's (cpuMsPerRequest), so work that never settles or never stops cannot stay forever.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get, startServer, until } from './helpers.js';

test('waitUntil work that never settles is no longer waited for after waitUntilMs; CPU it burns after the response counts', { timeout: 60_000 }, async () => {
  const t = await startServer(
    {
      'forever.js': `export default { fetch(request, env, ctx) { ctx.waitUntil(new Promise(() => {})); return new Response('answered'); } };`,
      'burn.js': `export default { fetch(request, env, ctx) {
        ctx.waitUntil((async () => {
          for (;;) {
            const until = Date.now() + 20;
            while (Date.now() < until);
            await new Promise((resolve) => setTimeout(resolve, 1));
          }
        })());
        return new Response('answered');
      } };`,
    },
    (dir) => ({
      apps: [
        { name: 'forever', hostnames: ['forever.test'], module: `${dir}/forever.js`, limits: { waitUntilMs: 300 } },
        { name: 'burn', hostnames: ['burn.test'], module: `${dir}/burn.js`, limits: { cpuMsPerRequest: 200, waitUntilMs: 60_000 } },
      ],
    }),
  );
  try {
    assert.equal((await get(t.port, 'forever.test', '/')).text, 'answered');
    await until(() => t.logs.some((l) => l['app'] === 'forever' && l['msg'] === 'request'), 5_000, 'the request finished');
    assert.ok(t.logs.some((l) => l['app'] === 'forever' && l['msg'] === 'ctx.waitUntil work did not settle within limits.waitUntilMs; it is no longer waited for'));
    const inFlight = await t.server.metrics.registry.getSingleMetricAsString('nano_requests_in_flight');
    assert.match(inFlight, /nano_requests_in_flight\{app="forever"\} 0/);

    assert.equal((await get(t.port, 'burn.test', '/')).text, 'answered');
    await until(() => t.logs.some((l) => l['app'] === 'burn' && /exceeded its cpu limit/.test(String(l['msg']))), 10_000, 'the CPU limit');
  } finally {
    await t.close();
  }
});
