// Work the host does for an app outside its isolate (zlib, the host's text decoders, WebCrypto on
// the threadpool) counts against the app's CPU limit: the isolate's own clock does not see it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get, startServer } from './helpers.js';

test("the host's crypto work for a request counts against its cpuMsPerRequest", { timeout: 60_000 }, async () => {
  const app = `export default { async fetch(request) {
    const rounds = Number(new URL(request.url).searchParams.get('rounds'));
    const key = await crypto.subtle.importKey('raw', new Uint8Array(16), 'PBKDF2', false, ['deriveBits']);
    for (let i = 0; i < rounds; i++) await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-512', salt: new Uint8Array(16), iterations: 100000 }, key, 256);
    return new Response('derived ' + rounds);
  } };`;
  const t = await startServer({ 'kdf.js': app }, (dir) => ({
    apps: [{ name: 'kdf', hostnames: ['kdf.test'], module: `${dir}/kdf.js`, limits: { cpuMsPerRequest: 300, wallTimeMs: 30_000 } }],
  }));
  try {
    // One derivation (tens of ms on the threadpool) is within the limit.
    assert.equal((await get(t.port, 'kdf.test', '/?rounds=1')).text, 'derived 1');
    // Eighty, one after another: seconds of host CPU, barely any in the isolate.
    const reply = await get(t.port, 'kdf.test', '/?rounds=80', { timeoutMs: 30_000 });
    assert.equal(reply.status, 503);
    assert.match(reply.text, /CPU time limit/);
  } finally {
    await t.close();
  }
});
