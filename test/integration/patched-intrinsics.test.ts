// An app that patches JavaScript built-ins at its top level breaks its own code, not the
// platform's: the runtime's request handling and web APIs keep using the intrinsics it captured
// before any app code ran, and a request still gets its response (or a clean 500, never a hang).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, get, type TestServer } from './helpers.js';

/** The app's own references, taken before it patches anything. */
const CAPTURE = `const { Response: R, URL: U, Error: E, Object: O, FormData: FD } = globalThis;`;

/** A handler that uses only what CAPTURE took: a body read, a URL, headers, a JSON body. */
const HANDLER = `
export default {
  async fetch(request) {
    const path = new U(request.url).pathname;
    if (path === '/sync') return syncResponse();
    if (path === '/throw') throw new E('boom');
    if (path === '/form') { const form = new FD(); form.append('a', '1'); return new R(form); }
    const body = await request.text();
    const res = R.json({ got: body, path, a: request.headers.get('X-A') }, { status: 201, headers: { 'x-b': '2' } });
    return res;
  },
};
function syncResponse() { return new R('pong', { status: 202, statusText: 'Fine', headers: { 'x-c': '3', 'Set-Cookie': 'k=v' } }); }
`;

function appWith(patch: string): string {
  return `${CAPTURE}\n${patch}\n${HANDLER}`;
}

let server: TestServer;

async function check(host: string): Promise<void> {
  const r = await get(server.port, host, '/p', { method: 'POST', body: 'hello', headers: { 'x-a': '1' }, timeoutMs: 5_000 });
  assert.equal(r.status, 201, `${host}: ${r.text}`);
  assert.deepEqual(JSON.parse(r.text), { got: 'hello', path: '/p', a: '1' });
  assert.equal(r.headers['x-b'], '2');
  const s = await get(server.port, host, '/sync', { timeoutMs: 5_000 });
  assert.equal(s.status, 202, `${host}: ${s.text}`);
  assert.equal(s.text, 'pong');
  assert.deepEqual(s.headers['set-cookie'], ['k=v']);
  const t = await get(server.port, host, '/throw', { timeoutMs: 5_000 });
  assert.equal(t.status, 500, `${host}: ${t.text}`);
  const f = await get(server.port, host, '/form', { timeoutMs: 5_000 });
  assert.equal(f.status, 200, `${host}: ${f.text}`);
  assert.match(f.text, /name="a"\r\n\r\n1\r\n/);
}

test('an app that replaces the ECMAScript globals (throwing getters) is still served', async (t) => {
  const names = ['Object', 'Array', 'Promise', 'Reflect', 'Math', 'Number', 'String', 'Symbol', 'JSON', 'Error', 'TypeError', 'RangeError', 'Map', 'Set', 'WeakMap', 'Uint8Array', 'ArrayBuffer', 'DataView', 'RegExp', 'Date', 'crypto'];
  const patch = `const define = O.defineProperty; for (const name of ${JSON.stringify(names)}) define(globalThis, name, { get() { throw new E('patched global ' + name); }, configurable: true });`;
  server = await startServer({ 'globals.js': appWith(patch) }, (dir) => ({
    apps: [{ name: 'globals', hostnames: ['globals.test'], module: `${dir}/globals.js` }],
  }));
  t.after(() => server.close());
  await check('globals.test');
});
