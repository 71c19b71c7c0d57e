// The runtime's code cache (runtimeCodeCache): made once per process after a throwaway isolate
// booted the runtime and served a request, so it holds the functions that ran, not only the
// bundle's top level; every later isolate compiles the runtime from it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import ivm from 'isolated-vm';
import { NanoIsolate, runtimeCodeCache } from '../../src/host/isolate/nano-isolate.js';
import { runtimeBundle } from '../../src/host/isolate/runtime-bundle.js';

test('the code cache holds the functions the warm-up ran, and new isolates take it', async () => {
  const warm = await runtimeCodeCache();
  assert.ok(warm, 'the warm-up made a code cache');
  // What a cache made when the bundle is first compiled holds (the top level and little more).
  const { snapshotCode, filename } = await runtimeBundle();
  const bare = new ivm.Isolate({ memoryLimit: 64 });
  let atCompile: number;
  try {
    const script = await bare.compileScript(snapshotCode, { filename, produceCachedData: true });
    atCompile = (script as unknown as { cachedData: ivm.ExternalCopy<ArrayBuffer> }).cachedData.copy().byteLength;
  } finally {
    bare.dispose();
  }
  const warmBytes = warm.copy().byteLength;
  // Measured: ~230 KB at compile time, ~310 KB after the warm-up. Had the second compile missed
  // V8's compilation cache, it would have made the compile-time cache again.
  assert.ok(warmBytes > atCompile * 1.1, `warm cache ${warmBytes} bytes, compile-time cache ${atCompile}`);

  const nano = await NanoIsolate.create();
  try {
    assert.equal(nano.codeCacheRejected, false, 'V8 took the cache');
    const result = await nano.serveOne(
      `({ fetch(request, env) { return Response.json({ url: request.url, ua: request.headers.get('user-agent') }); } })`,
      { method: 'GET', url: 'http://cache.test/a?b=1', rawHeaders: ['user-agent', 'probe'], body: false },
    );
    assert.ok('head' in result, JSON.stringify(result));
    assert.equal(result.head.status, 200);
    assert.equal(result.head.latin1, JSON.stringify({ url: 'http://cache.test/a?b=1', ua: 'probe' }));
  } finally {
    nano.dispose();
  }
});
