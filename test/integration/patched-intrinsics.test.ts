// An app that patches JavaScript built-ins at its top level breaks its own code, not the
// platform's: the runtime's request handling and web APIs keep using the intrinsics it captured
// before any app code ran, and a request still gets its response (or a clean 500, never a hang).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, get, type TestServer } from './helpers.js';

/** The app's own references, taken before it patches anything. */
const CAPTURE = `const { Response: R, URL: U, Error: E, Object: O, FormData: FD } = globalThis;\nlet armed = false;`;

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

/** A handler that returns without awaiting: the runtime's own path from the call to the host. */
const SYNC_HANDLER = `
export default {
  fetch(request) {
    armed = true;
    if (new U(request.url).pathname === '/throw') throw new E('boom');
    return new R('pong', { status: 202 });
  },
};
`;

test('a thenable trap on Object.prototype and throwing Array methods: every request is answered (was: none, 504)', async (t) => {
  const throwing = (what: string) => `function () { throw new E('patched ${what}'); }`;
  server = await startServer(
    {
      // Never calls back: resolving any promise with an object waits forever.
      'thenable.js': `${CAPTURE}\nObject.prototype.then = function () {};\n${SYNC_HANDLER}`,
      // Throws once a request came: the app's bundle itself iterates an array as it loads.
      'iterator.js': `${CAPTURE}\nconst values = Array.prototype.values;\nArray.prototype[Symbol.iterator] = function () { if (armed) throw new E('patched iterator'); return values.call(this); };\n${SYNC_HANDLER}`,
      'push.js': `${CAPTURE}\nArray.prototype.push = ${throwing('push')};\n${SYNC_HANDLER}`,
      'index.js': `${CAPTURE}\nfor (const i of ['0', '1', '2']) O.defineProperty(Array.prototype, i, { set: ${throwing('index setter')}, configurable: true });\n${SYNC_HANDLER}`,
    },
    (dir) => ({
      apps: ['thenable', 'iterator', 'push', 'index'].map((name) => ({ name, hostnames: [`${name}.test`], module: `${dir}/${name}.js`, limits: { wallTimeMs: 8_000 } })),
    }),
  );
  t.after(() => server.close());
  for (const name of ['thenable', 'iterator', 'push', 'index']) {
    const ok = await get(server.port, `${name}.test`, '/', { timeoutMs: 5_000 });
    assert.equal(ok.status, 202, `${name}: ${ok.text}`);
    assert.equal(ok.text, 'pong');
    const failed = await get(server.port, `${name}.test`, '/throw', { timeoutMs: 5_000 });
    assert.equal(failed.status, 500, `${name}: ${failed.text}`);
  }
});

test('a Promise.prototype.then that throws: a streamed body that fails ends its response (was: the client waited forever)', async (t) => {
  const app = `${CAPTURE}
const { ReadableStream: RS, setTimeout: later } = globalThis;
const then = Promise.prototype.then;
Promise.prototype.then = function () { throw new E('patched then'); };
export default {
  fetch() {
    // The pull's promise is adopted through its \`then\` (WebIDL), so the body errors.
    return new R(new RS({ async pull(c) { await new Promise((r) => later(r, 1)); c.enqueue(new Uint8Array([1])); c.close(); } }));
  },
};`;
  server = await startServer({ 'then.js': app }, (dir) => ({ apps: [{ name: 'then', hostnames: ['then.test'], module: `${dir}/then.js` }] }));
  t.after(() => server.close());
  const outcome = await get(server.port, 'then.test', '/', { timeoutMs: 5_000 }).then(
    (r) => `answered ${r.status}`,
    (e: Error) => e.message,
  );
  assert.notEqual(outcome, 'request timed out');
});
