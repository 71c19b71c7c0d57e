// Dispatch results cross from the isolate to the host as one JSON text plus the known body bytes
// (src/runtime/dispatch-results.ts): every field must come back as it went.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INLINE_BODY_MAX, packDispatchResults, unpackDispatchResults } from '../../src/runtime/dispatch-results.js';
import type { DispatchResult } from '../../src/runtime/host-api.js';

const body = new Uint8Array([72, 105, 0, 34, 92, 10, 128, 255]);
/** One byte more than travels inside the text: every byte value, repeated. */
const large = Uint8Array.from({ length: INLINE_BODY_MAX + 1 }, (_, i) => i % 256);
const results: [number, DispatchResult][] = [
  [1, { head: { status: 200, statusText: 'OK', headers: ['content-type', 'text/plain', 'set-cookie', 'a=1', 'set-cookie', 'b="2"'], body: false, bytes: body }, settled: true }],
  [7, { head: { status: 200, statusText: 'OK', headers: [], body: false, bytes: large } }],
  [2, { head: { status: 204, statusText: '', headers: [], body: false } }],
  [3, { head: { status: 200, statusText: 'Streamed \u00e9', headers: ['x-quote', '"\\\u00ff', 'x-tab', 'a\tb\u0001'], body: true } }],
  // An outbound fetch's id is negative.
  [4, { head: { status: 502, statusText: 'Bad Gateway', headers: [], body: false, hostBody: -7 } }],
  // encodeBody: 'manual' (the bytes are encoded already).
  [8, { head: { status: 200, statusText: '', headers: ['content-encoding', 'gzip'], body: true, manual: true } }],
  [5, { error: 'TypeError: bad \u0000 "thing"\n\ud800 lone surrogate', settled: true }],
  [6, { error: '' }],
];

/** What the host gets: a small body as latin1 text (one character per byte), a large one as bytes. */
const received: [number, DispatchResult][] = results.map(([id, result]) => {
  if (!('head' in result) || result.head.bytes === undefined || result.head.bytes.byteLength > INLINE_BODY_MAX) return [id, result];
  const { bytes, ...head } = result.head;
  return [id, { ...result, head: { ...head, latin1: String.fromCharCode(...bytes) } }];
});

test('dispatch results round-trip through packDispatchResults / unpackDispatchResults', () => {
  const [text, bytes] = packDispatchResults(results);
  assert.equal(typeof text, 'string');
  assert.equal(bytes.length, 1);
  assert.equal(bytes[0], large, 'a large body travels beside the text, not inside it');
  assert.deepEqual(unpackDispatchResults(text, bytes), received);
  assert.deepEqual(unpackDispatchResults(...packDispatchResults([])), []);
});

test('a small body comes back byte for byte as latin1 text', () => {
  const [text, bytes] = packDispatchResults([results[0]!]);
  const [[, result]] = unpackDispatchResults(text, bytes) as unknown as [[number, { head: { latin1: string } }]];
  assert.deepEqual(Buffer.from(result.head.latin1, 'latin1'), Buffer.from(body));
});

test("an app's toJSON on Object.prototype or Array.prototype does not reach the packed text", () => {
  const proto = Object.prototype as { toJSON?: () => unknown };
  const arrayProto = Array.prototype as unknown as { toJSON?: () => unknown };
  proto.toJSON = () => 'hijacked';
  arrayProto.toJSON = () => 'hijacked';
  try {
    const [text, bytes] = packDispatchResults(results);
    assert.deepEqual(unpackDispatchResults(text, bytes), received);
  } finally {
    delete proto.toJSON;
    delete arrayProto.toJSON;
  }
});
