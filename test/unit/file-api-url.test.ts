// URL / URLSearchParams basics (the realm classes, with the host URL bridge for IDNA).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { URL as RealmURL, URLSearchParams, setURLBridge } from '../../src/web/url.js';
import { nodeURLBridge } from '../../src/host/url-node.js';

setURLBridge(nodeURLBridge);
// Its accessors are defined from a table at install, so type it as the standard interface.
const URL = RealmURL as unknown as typeof globalThis.URL;

test('URL parses against a base, exposes parts and updates through setters', () => {
  const u = new URL('../b/c?x=1#h', 'https://user:pw@EXAMPLE.com:8443/a/z');
  assert.equal(u.href, 'https://user:pw@example.com:8443/b/c?x=1#h');
  assert.equal(u.origin, 'https://example.com:8443');
  assert.equal(u.pathname, '/b/c');
  u.port = '443';
  assert.equal(u.host, 'example.com');
  u.hash = '';
  assert.equal(u.href, 'https://user:pw@example.com/b/c?x=1');
  assert.equal(JSON.stringify(u), '"https://user:pw@example.com/b/c?x=1"');
  assert.throws(() => new URL('no scheme'), TypeError);
  assert.equal(URL.canParse('http://a'), true);
  assert.equal(URL.canParse('nope'), false);
  assert.equal(URL.parse('nope'), null);
});

test('searchParams stays in sync with the URL query', () => {
  const u = new URL('http://h/p?a=1&b=2&a=3');
  assert.deepEqual(u.searchParams.getAll('a'), ['1', '3']);
  u.searchParams.append('c', 'x y&z');
  assert.equal(u.search, '?a=1&b=2&a=3&c=x+y%26z');
  u.search = '?q=%F0%9F%98%80';
  assert.equal(u.searchParams.get('q'), '\u{1F600}');
  u.searchParams.delete('q');
  assert.equal(u.href, 'http://h/p');
});

test('URLSearchParams init forms, sort, size, stringifier', () => {
  const p = new URLSearchParams({ b: '2', a: '1' });
  p.sort();
  assert.equal(p.toString(), 'a=1&b=2');
  assert.equal(p.size, 2);
  assert.equal(new URLSearchParams([['x', '1'], ['x', '2']]).getAll('x').length, 2);
  assert.equal(new URLSearchParams('?%zz=+').get('%zz'), ' ');
  assert.throws(() => new URLSearchParams([['only-one']] as never), TypeError);
});
