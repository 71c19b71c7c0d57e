// What the log says about an app's errors. A promise an app rejects and never handles is logged as
// "Uncaught (in promise)", as Workers and browsers report it: in a request, in a timer, after a
// subtle call (before, isolated-vm's report of it, the failure of the call that ran the task, was
// dropped). Stack positions name the author's files, not the bundle's lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get, startServer, until } from './helpers.js';

test('unhandled rejections in requests, timers and after crypto.subtle are logged; handled ones are not', { timeout: 60_000 }, async () => {
  const t = await startServer(
    {
      'reject.js': `export default { async fetch(request) {
        const { pathname } = new URL(request.url);
        if (pathname === '/request') Promise.reject(new TypeError('lost in a request'));
        if (pathname === '/string') Promise.reject('a plain string reason');
        if (pathname === '/timer') setTimeout(() => { (async () => { throw new RangeError('lost in a timer'); })(); }, 5);
        if (pathname === '/subtle') crypto.subtle.digest('SHA-256', new Uint8Array(4)).then(() => { throw new SyntaxError('lost after digest'); });
        if (pathname === '/handled') {
          const late = Promise.reject(new Error('handled later'));
          await null;
          late.catch(() => {});
          Promise.reject(new Error('handled at once')).catch(() => {});
        }
        return new Response('answered ' + pathname);
      } };`,
    },
    (dir) => ({ apps: [{ name: 'reject', hostnames: ['reject.test'], module: `${dir}/reject.js` }] }),
  );
  try {
    const uncaught = () => t.logs.filter((l) => l['app'] === 'reject' && l['source'] === 'console' && /^Uncaught \(in promise\)/.test(String(l['msg'])));
    // Handled ones first: nothing may be logged for them.
    assert.equal((await get(t.port, 'reject.test', '/handled')).text, 'answered /handled');
    await until(() => t.logs.some((l) => l['app'] === 'reject' && l['msg'] === 'request'), 5_000, 'the request finished');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(uncaught(), [], 'a rejection handled in the same task is not reported');

    const cases: [path: string, expected: RegExp][] = [
      ['/request', /^Uncaught \(in promise\) TypeError: lost in a request\n\s+at /],
      ['/string', /^Uncaught \(in promise\) a plain string reason$/],
      ['/timer', /^Uncaught \(in promise\) RangeError: lost in a timer\n\s+at /],
      ['/subtle', /^Uncaught \(in promise\) SyntaxError: lost after digest\n\s+at /],
    ];
    for (const [path, expected] of cases) {
      const before = uncaught().length;
      assert.equal((await get(t.port, 'reject.test', path)).status, 200, `${path} is answered`);
      await until(() => uncaught().length > before, 5_000, `the rejection of ${path} is logged`);
      const line = uncaught().at(-1)!;
      assert.match(String(line['msg']), expected);
      assert.equal(line['level'], 'error');
    }
  } finally {
    await t.close();
  }
});

test("an uncaught error's stack names the imported file, line and column it was thrown at, not the bundle's", { timeout: 60_000 }, async () => {
  const t = await startServer(
    {
      'entry.js': "import { route } from './routes.js';\nexport default { fetch(request) { return route(request); } };\n",
      'routes.js': "export function route(request) {\n  const x = 1;\n  throw new TypeError('bad route ' + x);\n}\n",
    },
    (dir) => ({ apps: [{ name: 'mapped', hostnames: ['mapped.test'], module: `${dir}/entry.js` }] }),
  );
  try {
    assert.equal((await get(t.port, 'mapped.test', '/')).status, 500);
    await until(() => t.logs.some((l) => l['app'] === 'mapped' && /^Uncaught \(in fetch\)/.test(String(l['msg']))), 5_000, 'the error logged');
    const line = String(t.logs.find((l) => l['app'] === 'mapped' && /^Uncaught \(in fetch\)/.test(String(l['msg'])))!['msg']);
    assert.match(line, /^Uncaught \(in fetch\) TypeError: bad route 1\n\s+at route \(\S*\/routes\.js:3:9\)\n\s+at Object\.fetch \(\S*\/entry\.js:2:42\)/);
    assert.doesNotMatch(line, /app:/, 'no position left in the bundle');
  } finally {
    await t.close();
  }
});

test('a response cut after its head (the app went over its CPU limit mid-body) is logged with the status the client got, and the cut said', { timeout: 60_000 }, async () => {
  const t = await startServer(
    {
      'spin.js': `export default { fetch() {
        let sent = false;
        return new Response(new ReadableStream({ pull(c) {
          if (!sent) { sent = true; c.enqueue(new TextEncoder().encode('first part\\n')); return; }
          for (;;) {}
        } }));
      } };`,
    },
    (dir) => ({ apps: [{ name: 'spin', hostnames: ['spin.test'], module: `${dir}/spin.js`, limits: { cpuMsPerRequest: 100 } }] }),
  );
  try {
    const reply = await get(t.port, 'spin.test', '/').catch((error: Error) => error);
    // The head went out (200); then the connection is reset mid-body.
    assert.ok(reply instanceof Error || reply.status === 200, `the client saw the 200 head or a reset: ${reply instanceof Error ? reply.message : reply.status}`);
    await until(() => t.logs.some((l) => l['app'] === 'spin' && l['msg'] === 'request'), 10_000, 'the request logged');
    const request = t.logs.find((l) => l['app'] === 'spin' && l['msg'] === 'request')!;
    assert.equal(request['status'], 200, 'the status the client got (it was logged 503)');
    const cut = t.logs.find((l) => l['app'] === 'spin' && l['msg'] === 'the response was cut after its head was sent; the connection is reset');
    assert.ok(cut, 'the cut is logged');
    assert.match(String(cut!['reason']), /CPU time limit/);
    const total = await t.server.metrics.registry.getSingleMetricAsString('nano_requests_total');
    assert.match(total, /nano_requests_total\{app="spin",status="200"\} 1/);
  } finally {
    await t.close();
  }
});
