// The Cache API (src/web/cache.ts, cache-storage.ts) in one realm, with an in-process fetch for
// add()/addAll(): matching (search, method, Vary), copies handed out, batches all or nothing; and
// the interfaces a script cannot construct.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setURLBridge } from '../../src/web/url.js';
import { nodeURLBridge } from '../../src/host/url-node.js';
import { Request } from '../../src/web/fetch/request.js';
import { Response } from '../../src/web/fetch/response.js';
import { Cache, setCacheFetch } from '../../src/web/cache.js';
import { CacheStorage, createCacheStorage } from '../../src/web/cache-storage.js';
import { Navigator, Performance, createNavigator, createPerformance } from '../../src/runtime/performance.js';

setURLBridge(nodeURLBridge);
const fetched: string[] = [];
setCacheFetch(async (request) => {
  fetched.push(request.url);
  if (request.url.endsWith('/missing')) return new Response('no', { status: 404 });
  if (request.url.endsWith('/vary-star')) return new Response('x', { headers: { Vary: '*' } });
  return new Response(`body of ${request.url}`);
});

async function freshCache(): Promise<Cache> {
  return (await createCacheStorage().open('t')) as Cache;
}

test('put() reads the whole body (the original is used); each match() hands out a new copy', async () => {
  const cache = await freshCache();
  const response = new Response('hello', { headers: { 'X-A': '1' } });
  await cache.put('http://h/a', response);
  assert.equal(response.bodyUsed, true);
  const first = (await cache.match('http://h/a'))!;
  const second = (await cache.match('http://h/a'))!;
  assert.notEqual(first, second);
  assert.equal(await first.text(), 'hello');
  assert.equal(await second.text(), 'hello', 'the stored bytes are not used up by the first copy');
  assert.equal(first.headers.get('x-a'), '1');
  assert.throws(() => first.headers.set('x-a', '2'), TypeError, 'a matched response has immutable headers');
});

test('match options: ignoreSearch, ignoreMethod, fragments never count', async () => {
  const cache = await freshCache();
  await cache.put('http://h/p?q=1', new Response('q'));
  assert.equal(await cache.match('http://h/p'), undefined);
  assert.equal(await (await cache.match('http://h/p', { ignoreSearch: true }))!.text(), 'q');
  assert.equal(await (await cache.match('http://h/p?q=1#frag'))!.text(), 'q');
  const post = new Request('http://h/p?q=1', { method: 'POST' });
  assert.equal(await cache.match(post), undefined);
  assert.notEqual(await cache.match(post, { ignoreMethod: true }), undefined);
});

test('Vary: a stored response matches only a request with the same values of the named headers', async () => {
  const cache = await freshCache();
  await cache.put(new Request('http://h/v', { headers: { Accept: 'text/html' } }), new Response('html', { headers: { Vary: 'Accept' } }));
  assert.equal(await cache.match(new Request('http://h/v', { headers: { Accept: 'text/plain' } })), undefined);
  assert.equal(await (await cache.match(new Request('http://h/v', { headers: { Accept: 'text/html' } })))!.text(), 'html');
  assert.notEqual(await cache.match('http://h/v', { ignoreVary: true }), undefined);
  await assert.rejects(cache.put('http://h/s', new Response('s', { headers: { Vary: 'Accept, *' } })), TypeError);
});

test('delete() removes exactly the matching entries (ignoreSearch too) and says whether it did', async () => {
  const cache = await freshCache();
  for (const url of ['http://h/a', 'http://h/a?x', 'http://h/b']) await cache.put(url, new Response(url));
  assert.equal(await cache.delete('http://h/a?y', { ignoreSearch: true }), true);
  assert.deepEqual((await cache.keys()).map((r) => r.url), ['http://h/b']);
  assert.equal(await cache.delete('http://h/a'), false);
  const keys = await cache.keys();
  assert.equal(Object.isFrozen(keys), true);
});

test('put() refuses non-GET, non-http(s), 206 and used bodies with a rejected promise', async () => {
  const cache = await freshCache();
  await assert.rejects(cache.put(new Request('http://h/x', { method: 'POST' }), new Response('')), TypeError);
  await assert.rejects(cache.put('data:,x', new Response('')), TypeError);
  await assert.rejects(cache.put('http://h/x', new Response('', { status: 206 })), TypeError);
  const used = new Response('u');
  await used.text();
  await assert.rejects(cache.put('http://h/x', used), TypeError);
  await assert.rejects(cache.put('http://h/x', 'not a response' as never), TypeError);
});

test('addAll(): fetched responses stored together, or none when one fails; a duplicate is an InvalidStateError', async () => {
  const cache = await freshCache();
  fetched.length = 0;
  await cache.addAll(['http://h/1', 'http://h/2']);
  assert.deepEqual(fetched, ['http://h/1', 'http://h/2']);
  assert.equal(await (await cache.match('http://h/2'))!.text(), 'body of http://h/2');
  await assert.rejects(cache.addAll(['http://h/3', 'http://h/missing']), TypeError);
  assert.equal(await cache.match('http://h/3'), undefined, 'nothing of a failed batch is stored');
  await assert.rejects(cache.add('http://h/vary-star'), TypeError);
  await assert.rejects(cache.addAll(['http://h/4', 'http://h/4']), (error: Error) => error.name === 'InvalidStateError');
  assert.equal(await cache.match('http://h/4'), undefined);
});

test('CacheStorage: open() shares a list, has/keys/delete, match() across caches in order, caches.default apart', async () => {
  const storage = createCacheStorage();
  const a1 = await storage.open('a');
  const a2 = await storage.open('a');
  assert.notEqual(a1, a2);
  await a1.put('http://h/x', new Response('from a'));
  assert.equal(await (await a2.match('http://h/x'))!.text(), 'from a');
  const b = await storage.open('b');
  await b.put('http://h/x', new Response('from b'));
  assert.equal(await (await storage.match('http://h/x'))!.text(), 'from a');
  assert.equal(await (await storage.match('http://h/x', { cacheName: 'b' }))!.text(), 'from b');
  assert.equal(await storage.match('http://h/x', { cacheName: 'none' }), undefined);
  assert.deepEqual(await storage.keys(), ['a', 'b']);
  assert.equal(await storage.has('a'), true);
  assert.equal(await storage.delete('a'), true);
  assert.equal(await storage.delete('a'), false);
  assert.deepEqual(await storage.keys(), ['b']);
  assert.equal(storage.default, storage.default);
  await storage.default.put('http://h/d', new Response('d'));
  assert.equal(await storage.match('http://h/d'), undefined, 'the default cache is not a named one');
});

test('interfaces without a constructor: length 0, and a script cannot make one', () => {
  for (const ctor of [Cache, CacheStorage, Performance, Navigator]) {
    assert.equal(ctor.length, 0, `${ctor.name}.length`);
    assert.throws(() => new (ctor as unknown as new () => object)(), TypeError);
  }
  assert.equal(createPerformance({ now: () => 5, timeOrigin: 1 }).now(), 5);
  assert.equal(createNavigator({ userAgent: 'x' }).userAgent, 'x');
});

test('caches.default follows the responses\' caching headers, as Workers\' cache does; named caches keep what they are given', async () => {
  const storage = createCacheStorage();
  const cache = storage.default;
  const named = await storage.open('n');
  const put = async (path: string, headers: Record<string, string>, status = 200) => {
    await cache.put(`http://h/${path}`, new Response('x', { status, headers }));
    await named.put(`http://h/${path}`, new Response('x', { status, headers }));
    return [(await cache.match(`http://h/${path}`)) !== undefined, (await named.match(`http://h/${path}`)) !== undefined];
  };
  // Not stored: no-store, no-cache, private, a Set-Cookie, a max-age of 0, an expired Expires, a status with no default time.
  assert.deepEqual(await put('no-store', { 'cache-control': 'public, no-store' }), [false, true]);
  assert.deepEqual(await put('no-cache', { 'cache-control': 'no-cache' }), [false, true]);
  assert.deepEqual(await put('private', { 'cache-control': 'private, max-age=60' }), [false, true]);
  assert.deepEqual(await put('cookie', { 'cache-control': 'max-age=60', 'set-cookie': 'a=1' }), [false, true]);
  assert.deepEqual(await put('zero', { 'cache-control': 'max-age=0' }), [false, true]);
  assert.deepEqual(await put('expired', { expires: 'Thu, 01 Jan 1970 00:00:00 GMT' }), [false, true]);
  assert.deepEqual(await put('invalid-expires', { expires: '0' }), [false, true]);
  assert.deepEqual(await put('teapot', {}, 418), [false, true]);
  assert.deepEqual(await put('aged', { 'cache-control': 'max-age=60', age: '60' }), [false, true]);
  // Stored: a default time for 200 and 404, max-age, s-maxage over max-age, a future Expires,
  // and a Set-Cookie response marked private=Set-Cookie, kept without its cookie.
  assert.deepEqual(await put('plain', {}), [true, true]);
  assert.deepEqual(await put('missing', {}, 404), [true, true]);
  assert.deepEqual(await put('shared', { 'cache-control': 'max-age=0, s-maxage=60' }), [true, true]);
  assert.deepEqual(await put('future', { expires: new Date(Date.now() + 60_000).toUTCString() }), [true, true]);
  assert.deepEqual(await put('cookie-private', { 'cache-control': 'max-age=60, private="Set-Cookie"', 'set-cookie': 'a=1' }), [true, true]);
  assert.equal((await cache.match('http://h/cookie-private'))!.headers.get('set-cookie'), null);
  assert.equal((await named.match('http://h/cookie-private'))!.headers.get('set-cookie'), 'a=1');
  // A stored response goes once it is stale: match, matchAll and keys no longer see it.
  assert.deepEqual(await put('short', { 'cache-control': 'max-age=1' }), [true, true]);
  assert.deepEqual(await put('short2', { 'cache-control': 'max-age=1' }), [true, true]);
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  assert.equal(await cache.match('http://h/short'), undefined);
  assert.equal((await cache.matchAll('http://h/short')).length, 0);
  assert.equal((await cache.keys()).some((r) => r.url.endsWith('/short')), false);
  assert.notEqual(await named.match('http://h/short'), undefined);
  // An app replacing Date.now does not keep one fresh.
  const realNow = Date.now;
  Date.now = () => 0;
  try {
    assert.equal(await cache.match('http://h/short2'), undefined);
  } finally {
    Date.now = realNow;
  }
});
