// request.signal: aborted when the client disconnects before its response is done (while the app
// handles the request, or while the isolate streams the body), as Workers and Deno do; never
// after a response that completed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { get, startServer, until } from './helpers.js';

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
