// URLPattern beyond WPT's data: WebIDL's overload choice with three arguments, the V8 bug the
// compiled regexps work around, and a string input parsed through the URL class's fast path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setURLBridge } from '../../src/web/url.js';
import { nodeURLBridge } from '../../src/host/url-node.js';
import { URLPattern } from '../../src/web/url-pattern.js';

setURLBridge(nodeURLBridge);

type Result = { inputs: unknown[]; pathname: { input: string; groups: Record<string, string | undefined> } };
const exec = (pattern: URLPattern, ...args: unknown[]): Result | null => (pattern.exec as (...a: unknown[]) => Result | null)(...args);

test('URLPattern: three constructor arguments take the base URL overload; two take a string or the options', () => {
  const P = URLPattern as unknown as new (...args: unknown[]) => URLPattern;
  assert.throws(() => new P('/x', undefined, {}), TypeError, 'the base URL "undefined" does not parse');
  assert.equal(new P('/x', 'https://a.example/', { ignoreCase: true }).test('https://a.example/X'), true);
  assert.throws(() => new P('/x', { ignoreCase: true }, undefined), TypeError, 'three arguments: the object is a base URL ("[object Object]")');
  assert.equal(new P('/x', 'https://a.example/', undefined).test('https://a.example/x'), true);
  assert.equal(new P({ pathname: '/X' }, { ignoreCase: true }).test('https://a.example/x'), true, 'two arguments, an object second: the options');
  assert.throws(() => new P('/x', { ignoreCase: true }), TypeError, 'a relative pattern without a base URL');
  assert.equal(new P({ pathname: '/x' }, undefined).pathname, '/x');
  assert.throws(() => new P({ pathname: '/x' }, undefined, {}), TypeError, 'three arguments: a base URL ("undefined") beside a URLPatternInit');
});

test('URLPattern: a named group in a component without a delimiter matches (Node 20 V8 never matches a quantified [^] under the v flag)', () => {
  for (const component of ['protocol', 'username', 'password', 'search', 'hash'] as const) {
    const pattern = new URLPattern({ [component]: ':name' });
    assert.equal(pattern[component], ':name', 'the pattern string is the standard one');
    const result = (pattern.exec as (input: object) => Record<string, { groups: Record<string, string> }> | null)({ [component]: 'foobar' });
    assert.equal(result?.[component]?.groups['name'], 'foobar', component);
  }
  assert.equal(new URLPattern({ protocol: ':name' }).test({ protocol: 'foobar' }), true);
});

test("URLPattern: a regexp group of the app's with a quantified [^] matches (the same V8 bug)", () => {
  const files = new URLPattern({ pathname: '/files/([^]+)' });
  assert.equal(files.pathname, '/files/([^]+)', 'the pattern string keeps the group as written');
  assert.deepEqual(exec(files, 'https://a.example/files/a/b.txt')?.pathname.groups, { 0: 'a/b.txt' });
  const rest = new URLPattern({ pathname: '/x/:rest([^]*)' });
  assert.deepEqual(exec(rest, 'https://a.example/x/')?.pathname.groups, { rest: '' });
  // A class that holds one (the v flag's nested classes) is left as it is.
  const inClass = new URLPattern({ pathname: '/([a[^]]+)' });
  assert.deepEqual(exec(inClass, 'https://a.example/a/b')?.pathname.groups, { 0: 'a/b' });
});

test('URLPattern: string inputs against routes, with and without a base URL', () => {
  const route = new URLPattern({ pathname: '/api/:version(v\\d+)/items/:id' });
  const hit = exec(route, 'https://example.com/api/v2/items/42?x=1');
  assert.deepEqual(hit?.pathname, { input: '/api/v2/items/42', groups: { version: 'v2', id: '42' } });
  assert.deepEqual(exec(route, '/api/v3/items/7', 'https://example.com/base')?.inputs, ['/api/v3/items/7', 'https://example.com/base']);
  assert.equal(exec(route, 'https://example.com/api/x2/items/42'), null);
  assert.equal(exec(route, 'not a url'), null);
  assert.equal(exec(route, '/api/v1/items/1', 'not a base'), null);
});
