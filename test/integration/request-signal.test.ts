// request.signal: aborted when the client disconnects before its response is done (while the app
// handles the request, or while the isolate streams the body), as Workers and Deno do; never
// after a response that completed. And the bundled router example (URLPattern routes, a slow
// route that stops when its client leaves).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { get, startServer, until } from './helpers.js';

const ROUTER_EXAMPLE = fileURLToPath(new URL('../../examples/router/index.js', import.meta.url));

const APP = `
let last;
export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === '/last') return new Response(String(last.aborted));
    last = request.signal;
    request.signal.addEventListener('abort', () => {
      const reason = request.signal.reason;
      console.log('aborted ' + url.pathname + ': ' + reason.name + ': ' + reason.message + ' ' + (reason instanceof DOMException));
    });
    if (url.pathname === '/wait') await new Promise(() => {});
    if (url.pathname === '/stream') {
      return new Response(new ReadableStream({ pull(c) { return new Promise((r) => setTimeout(r, 50)).then(() => c.enqueue(new Uint8Array(16))); } }));
    }
    return new Response('done');
  },
};`;

test('request.signal aborts when the client disconnects mid-handling or mid-body, and not after a completed response', { timeout: 30_000 }, async () => {
  const t = await startServer({ 'signal.js': APP }, (dir) => ({ apps: [{ name: 'signal', hostnames: ['signal.test'], module: `${dir}/signal.js` }] }));
  try {
    const leave = async (path: string, afterBytes: boolean) => {
      const socket = connect(t.port, '127.0.0.1');
      socket.write(`GET ${path} HTTP/1.1\r\nHost: signal.test\r\n\r\n`);
      if (afterBytes) await new Promise((resolve) => socket.once('data', resolve));
      else await new Promise((resolve) => setTimeout(resolve, 300));
      socket.destroy();
    };
    // The app is still handling the request.
    await leave('/wait', false);
    await until(() => t.logs.some((l) => l['msg'] === 'aborted /wait: AbortError: The client disconnected. true'), 5_000, 'the abort while handling');
    // The response head went out and its body streams from the isolate.
    await leave('/stream', true);
    await until(() => t.logs.some((l) => l['msg'] === 'aborted /stream: AbortError: The client disconnected. true'), 5_000, 'the abort while streaming');
    // A response that completed: its signal stays as it was, the connection closing afterwards too.
    assert.equal((await get(t.port, 'signal.test', '/done')).text, 'done');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal((await get(t.port, 'signal.test', '/last')).text, 'false');
    assert.equal(t.logs.filter((l) => String(l['msg']).startsWith('aborted /done')).length, 0);
  } finally {
    await t.close();
  }
});

test('the router example: URLPattern routes, JSON in and out, and a slow route that stops when its client leaves', { timeout: 30_000 }, async () => {
  const t = await startServer({}, () => ({ apps: [{ name: 'router', hostnames: ['router.test'], module: ROUTER_EXAMPLE }] }));
  try {
    assert.deepEqual(JSON.parse((await get(t.port, 'router.test', '/items/1')).text), { id: 1, name: 'first' });
    const created = await get(t.port, 'router.test', '/items', { body: JSON.stringify({ name: 'second' }), headers: { 'content-type': 'application/json' } });
    assert.equal(created.status, 201);
    assert.equal(created.headers['location'], '/items/2');
    assert.deepEqual(JSON.parse((await get(t.port, 'router.test', '/items')).text), [{ id: 1, name: 'first' }, { id: 2, name: 'second' }]);
    assert.equal((await get(t.port, 'router.test', '/items/x')).status, 404, 'the id group takes digits only');
    assert.equal((await get(t.port, 'router.test', '/items', { body: 'not json' })).status, 400);
    assert.equal((await get(t.port, 'router.test', '/nowhere')).status, 404);
    assert.deepEqual(JSON.parse((await get(t.port, 'router.test', '/slow?ms=50')).text), { waited: 50 });
    const socket = connect(t.port, '127.0.0.1');
    socket.write('GET /slow?ms=5000 HTTP/1.1\r\nHost: router.test\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.destroy();
    await until(() => t.logs.some((l) => l['msg'] === 'slow request stopped early: The client disconnected.'), 3_000, 'the early stop');
  } finally {
    await t.close();
  }
});
