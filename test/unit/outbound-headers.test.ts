// The headers an app's fetch() goes to undici with (requestHeadersToSend): the host frames the
// request, so the fields of the app's own connection stay behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestHeadersToSend } from '../../src/host/http-fetch.js';

test('connection fields, and those Connection names, are dropped in any case; the rest keep their order', () => {
  const headers: [string, string][] = [
    ['X-First', '1'],
    ['Transfer-Encoding', 'chunked'],
    ['Connection', 'keep-alive, X-Hop'],
    ['x-hop', 'gone'],
    ['Keep-Alive', 'timeout=5'],
    ['TE', 'trailers'],
    ['Upgrade', 'h2c'],
    ['Proxy-Connection', 'keep-alive'],
    ['Expect', '100-continue'],
    ['X-Last', '2'],
  ];
  assert.deepEqual(requestHeadersToSend(headers, true), [['X-First', '1'], ['X-Last', '2']]);
});

test("Content-Length: the known body's own (dropped), a streamed body's kept (an S3 upload needs it)", () => {
  const headers: [string, string][] = [['content-length', '10'], ['content-type', 'text/plain']];
  assert.deepEqual(requestHeadersToSend(headers, false), [['content-type', 'text/plain']]);
  assert.equal(requestHeadersToSend(headers, true), headers, 'nothing to drop: the same list');
});
