// Hot reload and bad configs: add, change and remove apps while serving; a bad config changes
// nothing; the watcher picks up edits to the config file and to app modules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { ADMIN_TOKEN, app, get, startServer, until } from './helpers.js';
import { NanoServer } from '../../src/host/server.js';
import { createLogger } from '../../src/host/logger.js';
import { Writable } from 'node:stream';
import { connect } from 'node:net';

const v = (text: string) => `export default { fetch() { return new Response(${JSON.stringify(text)}); } };`;

test('reload adds, changes and removes apps; the old version drains; a bad config is refused', async () => {
  const t = await startServer({ 'a.js': v('a1'), 'b.js': v('b1'), 'slow.js': `export default { async fetch() { await new Promise((r) => setTimeout(r, 300)); return new Response('slow done'); } };` }, (dir) => ({
    server: { port: 0 },
    admin: { port: 0, token: ADMIN_TOKEN },
    apps: [app(dir, 'a', 'a.js'), app(dir, 'b', 'b.js'), app(dir, 'slow', 'slow.js')],
  }));
  try {
    const { dir } = t;
    assert.equal((await get(t.port, 'a.test')).text, 'a1');
    // An in-flight request to an app about to be replaced must still finish.
    const inFlight = get(t.port, 'slow.test');
    await new Promise((r) => setTimeout(r, 50));
    await t.writeApp('a2.js', v('a2'));
    await t.writeApp('slow2.js', v('slow2'));
    await t.writeApp('c.js', v('c1'));
    await t.writeConfig({
      server: { port: 0 },
      admin: { port: 0, token: ADMIN_TOKEN },
      apps: [app(dir, 'a', 'a2.js'), app(dir, 'slow', 'slow2.js'), app(dir, 'c', 'c.js')],
    });
    const result = await t.server.reload('test');
    assert.deepEqual({ ok: result.ok, added: result.added, changed: result.changed.sort(), removed: result.removed }, { ok: true, added: ['c'], changed: ['a', 'slow'], removed: ['b'] });
    assert.equal((await inFlight).text, 'slow done', 'the replaced version finished its request');
    assert.equal((await get(t.port, 'a.test')).text, 'a2');
    assert.equal((await get(t.port, 'c.test')).text, 'c1');
    assert.equal((await get(t.port, 'b.test')).status, 404);
    assert.equal((await get(t.port, 'slow.test')).text, 'slow2');

    // A config that fails validation changes nothing, and says why.
    await writeFile(join(dir, 'nano.config.json'), JSON.stringify({ apps: [{ name: 'a', hostnames: ['not a host'], module: 'x.js' }] }));
    const bad = await t.server.reload('test');
    assert.equal(bad.ok, false);
    assert.match(bad.error!, /apps\[0\]\.hostnames\[0\]: must be a hostname/);
    assert.equal((await get(t.port, 'a.test')).text, 'a2');
    // An app that fails to load (syntax error) refuses the whole reload too.
    await t.writeApp('broken.js', 'export default { fetch( { ');
    await t.writeConfig({ server: { port: 0 }, apps: [app(dir, 'a', 'broken.js')] });
    const broken = await t.server.reload('test');
    assert.equal(broken.ok, false);
    assert.match(broken.error!, /cannot bundle/);
    assert.equal((await get(t.port, 'c.test')).text, 'c1');
    // The admin API reports the failure; metrics count it.
    const apps = JSON.parse((await get(t.adminPort, '127.0.0.1', '/apps', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text);
    assert.match(apps.lastReloadError, /cannot bundle/);
    const metrics = (await get(t.adminPort, '127.0.0.1', '/metrics', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text;
    assert.match(metrics, /nano_config_reload_failures_total 2/);
  } finally {
    await t.close();
  }
});

// Top-level await: the app is ready once its module settled. One that rejects, or never settles
// (within wallTimeMs), fails to load as a syntax error does, and the running version stays.
test('a module whose top-level await rejects or never settles is refused; one that settles loads', async () => {
  const t = await startServer({ 'a.js': v('a1') }, (dir) => ({ server: { port: 0 }, apps: [app(dir, 'a', 'a.js')] }));
  try {
    const { dir } = t;
    for (const [file, code, error] of [
      ['rejects.js', "await Promise.reject(new Error('no config'));\nexport default {};", /failed to start: .*no config/],
      ['hangs.js', 'await new Promise(() => {});\nexport default {};', /failed to start: .*top-level await did not settle within 300 ms/],
    ] as const) {
      await t.writeApp(file, code);
      await t.writeConfig({ server: { port: 0 }, apps: [app(dir, 'a', file, { limits: { wallTimeMs: 300 } })] });
      const result = await t.server.reload('test');
      assert.equal(result.ok, false, file);
      assert.match(result.error!, error);
      assert.equal((await get(t.port, 'a.test')).text, 'a1');
    }
    await t.writeApp('settles.js', "const text = await Promise.resolve('a2');\nexport default { fetch() { return new Response(text); } };");
    await t.writeConfig({ server: { port: 0 }, apps: [app(dir, 'a', 'settles.js')] });
    assert.equal((await t.server.reload('test')).ok, true);
    assert.equal((await get(t.port, 'a.test')).text, 'a2');
  } finally {
    await t.close();
  }
});

test("a removed app's heap gauge goes with it; the apps still there keep theirs", async () => {
  const t = await startServer({ 'a.js': v('a1'), 'b.js': v('b1') }, (dir) => ({
    server: { port: 0 },
    admin: { port: 0, token: ADMIN_TOKEN },
    apps: [app(dir, 'a', 'a.js'), app(dir, 'b', 'b.js')],
  }));
  try {
    const heap = async () => {
      const text = (await get(t.adminPort, '127.0.0.1', '/metrics', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text;
      return [...text.matchAll(/^nano_isolate_heap_bytes\{app="([^"]+)"\} (\d+)$/gm)].map((m) => m[1]!).sort();
    };
    assert.deepEqual(await heap(), ['a', 'b']);
    await t.writeConfig({ server: { port: 0 }, admin: { port: 0, token: ADMIN_TOKEN }, apps: [app(t.dir, 'a', 'a.js')] });
    assert.deepEqual((await t.server.reload('test')).removed, ['b']);
    // Before: b's last heap figure stayed, a dashboard summing the gauge counted an app long gone.
    assert.deepEqual(await heap(), ['a']);
  } finally {
    await t.close();
  }
});

test('the watcher reloads on a config edit and on an app module edit', async () => {
  const t = await startServer({ 'w.js': v('w1') }, (dir) => ({ server: { port: 0 }, apps: [app(dir, 'w', 'w.js')] }), { watch: true });
  try {
    assert.equal((await get(t.port, 'w.test')).text, 'w1');
    await t.writeApp('w.js', v('w2'));
    await until(() => t.logs.some((l) => l['msg'] === 'config applied' && (l['changed'] as string[]).includes('w')), 5000, 'module edit reload');
    assert.equal((await get(t.port, 'w.test')).text, 'w2');
    await t.writeConfig({ server: { port: 0 }, apps: [app(t.dir, 'w', 'w.js', { hostnames: ['renamed.test'] })] });
    await until(() => t.logs.filter((l) => l['msg'] === 'config applied').length >= 3, 5000, 'config edit reload');
    assert.equal((await get(t.port, 'renamed.test')).text, 'w2');
  } finally {
    await t.close();
  }
});

test('the watcher handles an edit once: the stat poll that sees it after fs.watch reloads nothing more', async () => {
  const t = await startServer({ 'once.js': v('o1') }, (dir) => ({ server: { port: 0 }, apps: [app(dir, 'once', 'once.js')] }), { watch: true });
  const watchReloads = () => t.logs.filter((l) => l['msg'] === 'config applied' && l['trigger'] === 'watch');
  try {
    await t.writeApp('once.js', v('o2'));
    await until(() => watchReloads().length >= 1, 5000, 'the reload after the edit');
    assert.equal((await get(t.port, 'once.test')).text, 'o2');
    // Past the poll's interval (1 s): before, its sight of the same edit was a second reload.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    assert.equal(watchReloads().length, 1, 'one reload per edit');
    const reloads = await t.server.metrics.registry.getSingleMetricAsString('nano_config_reloads_total');
    assert.match(reloads, /nano_config_reloads_total(\{[^}]*\})? 2\b/, 'the start and the one edit');
  } finally {
    await t.close();
  }
});

test('the watcher reloads when a file the app module imports changes, also one it starts importing', async () => {
  const t = await startServer(
    { 'entry.js': "import { text } from './text.js';\nexport default { fetch() { return new Response(text); } };", 'text.js': "export const text = 'v1';" },
    (dir) => ({ server: { port: 0 }, apps: [app(dir, 'imp', 'entry.js')] }),
    { watch: true },
  );
  const reloads = () => t.logs.filter((l) => l['msg'] === 'config applied' && (l['changed'] as string[]).includes('imp')).length;
  try {
    assert.equal((await get(t.port, 'imp.test')).text, 'v1');
    // The new import first: it is watched only once a bundle names it.
    await t.writeApp('suffix.js', "export const suffix = '-a';");
    await t.writeApp('text.js', "import { suffix } from './suffix.js';\nexport const text = 'v2' + suffix;");
    await until(() => reloads() >= 1, 5000, 'reload after an imported file changed');
    assert.equal((await get(t.port, 'imp.test')).text, 'v2-a');
    // A file first imported by that reload is watched from then on.
    await t.writeApp('suffix.js', "export const suffix = '-b';");
    await until(() => reloads() >= 2, 5000, 'reload after a newly imported file changed');
    assert.equal((await get(t.port, 'imp.test')).text, 'v2-b');
  } finally {
    await t.close();
  }
});

test('a bad config at start: start() rejects naming the problem, nothing listens', async () => {
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const cases: [object | string, RegExp][] = [
    ['{ not json', /not valid JSON/],
    [{ apps: [{ name: 'x', hostnames: [], module: 'x.js' }] }, /apps\[0\]\.hostnames: needs at least one hostname/],
    [{ apps: [{ name: 'x', hostnames: ['x.test'], module: '/does/not/exist.js' }] }, /cannot bundle/],
    [{ server: { port: 'eighty' }, apps: [] }, /server\.port: /],
    [{ server: { headersTimeoutMs: 20_000, requestTimeoutMs: 10_000 }, apps: [] }, /server\.headersTimeoutMs: must be at most server\.requestTimeoutMs \(10000\)/],
    // A module that exports nothing (a service worker's addEventListener('fetch') script) and one
    // without a default export say what an app must export (before, the first was "Cannot read
    // properties of undefined (reading 'default')").
    [{ apps: [{ name: 'x', hostnames: ['x.test'], module: 'sw.js' }] }, /The app module must export default \{ fetch\(request, env, ctx\) \}/],
    [{ apps: [{ name: 'x', hostnames: ['x.test'], module: 'named.js' }] }, /The app module must export default \{ fetch\(request, env, ctx\) \}/],
  ];
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const dir = await mkdtemp(join(tmpdir(), 'nano-bad-'));
  await writeFile(join(dir, 'sw.js'), "addEventListener('fetch', (event) => event.respondWith(new Response('sw')));");
  await writeFile(join(dir, 'named.js'), 'export function fetch() { return new Response(\'named\'); }');
  for (const [config, pattern] of cases) {
    const path = join(dir, 'c.json');
    await writeFile(path, typeof config === 'string' ? config : JSON.stringify(config));
    const server = new NanoServer({ configPath: path, log: createLogger({ destination: sink }), watch: false });
    await assert.rejects(server.start(), (e: Error) => pattern.test(e.message));
  }
});

test("reload applies the server's timeouts, sendTimeoutMs (to apps it does not replace too) and the admin token; listening addresses wait for a restart", { timeout: 60_000 }, async () => {
  const endless = `export default { fetch() {
    const chunk = new Uint8Array(64 * 1024).fill(97);
    return new Response(new ReadableStream({ pull(c) { c.enqueue(chunk.slice()); } }, { highWaterMark: 0 }));
  } };`;
  const config = (dir: string, server: object, token: string, adminPort = 0) => ({
    server: { port: 0, ...server },
    admin: { port: adminPort, token },
    apps: [{ name: 'endless', hostnames: ['endless.test'], module: `${dir}/endless.js`, limits: { cpuMsPerRequest: 60_000, wallTimeMs: 60_000 } }],
  });
  const rotated = 'rotated-token-0123456789';
  const t = await startServer({ 'endless.js': endless }, (dir) => config(dir, {}, ADMIN_TOKEN));
  try {
    await t.writeConfig(config(t.dir, { headersTimeoutMs: 500, keepAliveTimeoutMs: 700, sendTimeoutMs: 500 }, rotated, 1));
    const result = await t.server.reload('test');
    assert.equal(result.ok, true);
    assert.deepEqual(result.unchanged, ['endless'], 'the app is not replaced');
    assert.deepEqual(result.applied.sort(), ['admin.token', 'server.headersTimeoutMs', 'server.keepAliveTimeoutMs', 'server.sendTimeoutMs']);
    assert.deepEqual(result.restartNeeded, ['admin.port']);
    assert.ok(t.logs.some((l) => l['msg'] === 'config applied, but these settings take effect only at the next start'));

    // The admin API takes the rotated token, not the old one.
    const auth = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
    assert.equal((await get(t.adminPort, '127.0.0.1', '/apps', auth(ADMIN_TOKEN))).status, 401);
    assert.equal((await get(t.adminPort, '127.0.0.1', '/apps', auth(rotated))).status, 200);

    // headersTimeoutMs: a request whose headers never end gets its 408 within the new 500 ms
    // (and the connection checks' 1 s), not the old 10 s.
    const slowloris = connect(t.port, '127.0.0.1');
    let answer = '';
    slowloris.on('data', (chunk: Buffer) => (answer += chunk));
    slowloris.write('GET / HTTP/1.1\r\nHost: endless.test\r\n');
    await until(() => answer.startsWith('HTTP/1.1 408'), 4_000, 'the 408');
    slowloris.destroy();

    // sendTimeoutMs reaches the app the reload kept: a client that never reads is cut after 500 ms.
    const stalled = connect(t.port, '127.0.0.1');
    stalled.write('GET / HTTP/1.1\r\nHost: endless.test\r\n\r\n');
    stalled.pause();
    await until(() => t.logs.some((l) => l['msg'] === 'the client took no response bytes within server.sendTimeoutMs; the connection is closed' && l['sendTimeoutMs'] === 500), 15_000, 'the cut');
    stalled.destroy();
  } finally {
    await t.close();
  }
});
