// The Body fast path (docs/fast-paths.md #10): a body given as bytes makes no stream until asked,
// and nothing a script can observe differs from the spec's stream-based algorithm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setURLBridge, URLSearchParams } from '../../src/web/url.js';
import { ReadableStream } from '../../src/streams/index.js';
import { nodeURLBridge } from '../../src/host/url-node.js';
import { Request } from '../../src/web/fetch/request.js';
import { Response, responseBody } from '../../src/web/fetch/response.js';
import { takeKnownBytes } from '../../src/web/fetch/body.js';
import { Headers } from '../../src/web/fetch/headers.js';

setURLBridge(nodeURLBridge);

test('text() of a bytes body: bodyUsed, then body is a locked, disturbed, closed stream', async () => {
  const res = new Response('hello');
  assert.equal(await res.text(), 'hello');
  assert.equal(res.bodyUsed, true);
  const body = res.body!;
  assert.equal(body.locked, true, 'as reading it would have left it: locked');
  await assert.rejects(res.text(), TypeError);
  assert.throws(() => res.clone(), TypeError);
});

test('body asked for first: the stream carries the bytes, and consuming after reading fails', async () => {
  const res = new Response('abc');
  const reader = res.body!.getReader();
  const { value } = await reader.read();
  assert.deepEqual([...value!], [97, 98, 99]);
  assert.equal(res.bodyUsed, true);
  await assert.rejects(res.arrayBuffer(), TypeError);
});

test('clone() of a bytes body: independent copies', async () => {
  const original = new Response(new Uint8Array([1, 2, 3]));
  const clone = original.clone();
  const a = new Uint8Array(await original.arrayBuffer());
  a[0] = 99;
  assert.deepEqual([...new Uint8Array(await clone.arrayBuffer())], [1, 2, 3]);
});

test('the BufferSource given is copied at construction', async () => {
  const bytes = new Uint8Array([1, 2, 3]);
  const res = new Response(bytes);
  bytes[0] = 42;
  assert.deepEqual([...(await res.bytes())], [1, 2, 3]);
});

test('a Request made from another takes its body and leaves it used', async () => {
  const first = new Request('http://example.com/', { method: 'POST', body: 'payload' });
  const second = new Request(first);
  assert.equal(first.bodyUsed, true);
  assert.equal(await second.text(), 'payload');
  assert.throws(() => new Request(first), TypeError);
});

// NANO's own classes (as in a realm): Node's global ReadableStream would be a mere string here.
test('takeKnownBytes: the server takes known bytes once; a stream body has none', () => {
  const res = new Response('xyz');
  assert.deepEqual([...takeKnownBytes(responseBody(res))!], [120, 121, 122]);
  assert.equal(takeKnownBytes(responseBody(res)), null, 'taken once');
  assert.equal(res.bodyUsed, true);
  const streamed = new Response(new ReadableStream());
  assert.equal(takeKnownBytes(responseBody(streamed)), null);
});

test('Content-Type comes from the body kind unless set; json() and formData() round trips', async () => {
  assert.equal(new Response('t').headers.get('content-type'), 'text/plain;charset=UTF-8');
  assert.equal(new Response(new URLSearchParams('a=1')).headers.get('content-type'), 'application/x-www-form-urlencoded;charset=UTF-8');
  assert.equal(new Response('t', { headers: { 'content-type': 'x/y' } }).headers.get('content-type'), 'x/y');
  assert.deepEqual(await Response.json({ a: [1] }).json(), { a: [1] });
  const fd = await new Response(new URLSearchParams('a=1&b=%20')).formData();
  assert.deepEqual([...fd], [['a', '1'], ['b', ' ']]);
});

/** A multipart body with one field, `a` = `1`, between `--${boundary}` delimiters. */
function multipart(boundary: string): string {
  return `--${boundary}\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--${boundary}--\r\n`;
}

test('formData(): the boundary comes from the extracted MIME type (quoted-string escapes, parameter case, combined headers)', async () => {
  // A quoted boundary whose value has an escaped character: the MIME type parser unescapes it.
  let res = new Response(multipart('a"b'), { headers: { 'Content-Type': 'multipart/form-data; BOUNDARY="a\\"b"' } });
  assert.equal((await res.formData()).get('a'), '1');
  // Two Content-Type values combined by append: "extract a MIME type" takes the last one.
  const headers = new Headers();
  headers.append('Content-Type', 'text/plain');
  headers.append('Content-Type', 'multipart/form-data; boundary=zz');
  res = new Response(multipart('zz'), { headers });
  assert.equal((await res.formData()).get('a'), '1');
  // The essence is matched case-insensitively, after the parser lowercases it.
  res = new Response('x=%20y', { headers: { 'Content-Type': 'Application/X-WWW-Form-Urlencoded;charset=utf-8' } });
  assert.equal((await res.formData()).get('x'), ' y');
});

test("formData(): a file part's type is its Content-Type, lowercased, and text/plain when the part has none", async () => {
  const body =
    '--zz\r\nContent-Disposition: form-data; name="bare"; filename="x.bin"\r\n\r\nDATA\r\n' +
    '--zz\r\nContent-Disposition: form-data; name="typed"; filename="y.csv"\r\nContent-Type: Text/CSV\r\n\r\na,b\r\n' +
    '--zz\r\nContent-Disposition: form-data; name="field"\r\n\r\nv\r\n--zz--\r\n';
  const fd = await new Response(body, { headers: { 'Content-Type': 'multipart/form-data; boundary=zz' } }).formData();
  const bare = fd.get('bare') as File;
  assert.equal(bare.name, 'x.bin');
  assert.equal(bare.type, 'text/plain');
  assert.equal(await bare.text(), 'DATA');
  assert.equal((fd.get('typed') as File).type, 'text/csv');
  assert.equal(fd.get('field'), 'v');
});

test('formData(): no MIME type, another essence, or no usable boundary is a TypeError', async () => {
  const cases: (string | null)[] = [
    null,
    'text/plain',
    'multipart/form-data',
    'multipart/form-data; boundary=',
    'multipart/form-data; boundary = zz', // "boundary " is not a parameter name
    'multipart/form-data boundary=zz',
    // The last value wins and only a charset carries over from an earlier one of the same essence.
    'multipart/form-data; boundary=zz, multipart/form-data',
  ];
  for (const type of cases) {
    const res = new Response(multipart('zz'));
    if (type === null) res.headers.delete('Content-Type');
    else res.headers.set('Content-Type', type);
    await assert.rejects(res.formData(), TypeError, `Content-Type: ${type}`);
  }
});

// Fetch's "fully read" takes any Uint8Array object: an instance of a subclass (Node's Buffer, the
// Buffer polyfills bundlers inline, which Nitro's readFormData enqueues) is one.
test('a body stream of Uint8Array-subclass chunks is read; bytes() is a plain Uint8Array', async () => {
  class Bytes extends Uint8Array {}
  const stream = (...chunks: unknown[]) =>
    new ReadableStream({
      start(c) {
        for (const chunk of chunks) c.enqueue(chunk);
        c.close();
      },
    });
  const one = await new Response(stream(Bytes.from([104, 105]))).bytes();
  assert.equal(Object.getPrototypeOf(one), Uint8Array.prototype);
  assert.deepEqual([...one], [104, 105]);
  assert.equal(await new Response(stream(Bytes.from([97]), new Uint8Array([98]), Bytes.from([99]))).text(), 'abc');
  const fd = await new Response(stream(new Bytes(new TextEncoder().encode('a=1&b=2'))), {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  }).formData();
  assert.deepEqual([...fd], [['a', '1'], ['b', '2']]);
  // Other views stay TypeErrors: only [[TypedArrayName]] "Uint8Array" is a body chunk.
  await assert.rejects(new Response(stream(new Uint16Array(1))).text(), TypeError);
  await assert.rejects(new Response(stream(new DataView(new ArrayBuffer(1)))).text(), TypeError);
  await assert.rejects(new Response(stream(Object.create(Uint8Array.prototype))).text(), TypeError);
});
