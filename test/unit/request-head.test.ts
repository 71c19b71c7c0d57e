// A request head crosses into the isolate as one NUL-separated string (src/runtime/request-head.ts):
// every field must come back as it went, the URL parts each in their own place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { packRequestHead, unpackRequestHead, type RequestHead } from '../../src/runtime/request-head.js';

const url = 'http://user:pw@example.test:8080/a%20b/c?q=1&r=%C3%A9#frag';
const parsed = new URL(url);
const urlParts = {
  href: parsed.href,
  origin: parsed.origin,
  protocol: parsed.protocol,
  username: parsed.username,
  password: parsed.password,
  host: parsed.host,
  hostname: parsed.hostname,
  port: parsed.port,
  pathname: parsed.pathname,
  search: parsed.search,
  hash: parsed.hash,
};

test('a head with URL parts, headers and a body comes back field for field', () => {
  const head: RequestHead = {
    method: 'POST',
    url,
    urlParts,
    rawHeaders: ['Host', 'example.test:8080', 'X-Empty', '', 'X-Latin1', 'caf\u00e9 \t"quoted"', 'host', 'again'],
    body: true,
  };
  assert.deepEqual(unpackRequestHead(packRequestHead(head)), head);
});

test('a head without URL parts, headers or a body', () => {
  const head: RequestHead = { method: 'GET', url: 'http://localhost/', rawHeaders: [], body: false };
  assert.deepEqual(unpackRequestHead(packRequestHead(head)), head);
});

test('every URL part keeps its own name (no two parts share a value here)', () => {
  const distinct = Object.fromEntries(Object.keys(urlParts).map((name) => [name, `<${name}>`])) as typeof urlParts;
  const back = unpackRequestHead(packRequestHead({ method: 'GET', url, urlParts: distinct, rawHeaders: ['a', 'b'], body: false }));
  assert.deepEqual(back.urlParts, distinct);
  assert.deepEqual(back.rawHeaders, ['a', 'b']);
});
