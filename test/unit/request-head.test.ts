// A request head crosses into the isolate as one NUL-separated string (src/runtime/request-head.ts):
// every field must come back as it went.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { packRequestHead, unpackRequestHead, type RequestHead } from '../../src/runtime/request-head.js';

test('a head with headers and a body comes back field for field', () => {
  const head: RequestHead = {
    method: 'POST',
    url: 'http://user:pw@example.test:8080/a%20b/c?q=1&r=%C3%A9#frag',
    rawHeaders: ['Host', 'example.test:8080', 'X-Empty', '', 'X-Latin1', 'caf\u00e9 \t"quoted"', 'host', 'again'],
    body: true,
  };
  assert.deepEqual(unpackRequestHead(packRequestHead(head)), head);
});

test('a head without headers or a body', () => {
  const head: RequestHead = { method: 'GET', url: 'http://localhost/', rawHeaders: [], body: false };
  assert.deepEqual(unpackRequestHead(packRequestHead(head)), head);
});

test('empty header names and values keep their places', () => {
  const head: RequestHead = { method: 'GET', url: 'http://a/', rawHeaders: ['', '', 'b', ''], body: false };
  assert.deepEqual(unpackRequestHead(packRequestHead(head)).rawHeaders, ['', '', 'b', '']);
});
