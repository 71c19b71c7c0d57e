// Blob/File slicing across parts, stream() chunking, FormData multipart round trip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Blob, File, blobChunks, blobToBytes, createBlob, isBlob, isFile } from '../../src/web/blob.js';
import { FormData } from '../../src/web/form-data.js';
import { formDataBody, parseFormDataBody } from '../../src/web/fetch/form-data-body.js';
import { parseMimeType } from '../../src/web/mime-type.js';

const dec = (u: Uint8Array): string => new TextDecoder().decode(u);

test('slice across parts shares chunks and clamps', async () => {
  const b = new Blob(['abc', new Uint8Array([100, 101, 102]), new Blob(['ghi'])], { type: 'Text/Plain' });
  assert.equal(b.size, 9);
  assert.equal(b.type, 'text/plain');
  const s = b.slice(2, 7, 'X/Y');
  assert.equal(s.type, 'x/y');
  assert.equal(await s.text(), 'cdefg');
  assert.equal(await b.slice(-4).text(), 'fghi');
  assert.equal(await b.slice(5, 2).text(), '');
  assert.equal(await b.slice(-100, 100).text(), 'abcdefghi');
  // Slicing keeps views into the original parts (no eager concatenation).
  assert.equal(blobChunks(s).length, 3);
  assert.equal(dec(blobToBytes(s)), 'cdefg');
});

test('bytes()/arrayBuffer() give fresh copies; endings native converts CR/CRLF', async () => {
  const src = new Uint8Array([1, 2, 3]);
  const b = createBlob([src], 'a/b');
  assert.ok(isBlob(b));
  const out = await b.bytes();
  out[0] = 9;
  assert.deepEqual([...(await b.bytes())], [1, 2, 3]);
  assert.equal((await b.arrayBuffer()).byteLength, 3);
  assert.equal(await new Blob(['a\r\nb\rc'], { endings: 'native' }).text(), 'a\nb\nc');
  assert.throws(() => new Blob([], { endings: 'bogus' as never }), TypeError);
});

test('stream() yields bounded chunks that reassemble the blob', async () => {
  const big = new Uint8Array(200 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = i & 255;
  const b = new Blob([big.subarray(0, 1000), big.subarray(1000)]);
  const reader = b.stream().getReader();
  const sizes: number[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done || value === undefined) break;
    sizes.push(value.length);
    for (let i = 0; i < value.length; i++) assert.equal(value[i], (total + i) & 255);
    total += value.length;
  }
  assert.equal(total, big.length);
  assert.ok(sizes.length > 2);
  assert.ok(Math.max(...sizes) <= 64 * 1024);
});

test('File has name and lastModified and is a Blob', async () => {
  const f = new File(['x'], 'a/b.txt', { type: 'text/plain', lastModified: 42 });
  assert.ok(isFile(f) && isBlob(f) && f instanceof Blob);
  assert.equal(f.name, 'a/b.txt');
  assert.equal(f.lastModified, 42);
  assert.equal(Object.prototype.toString.call(f), '[object File]');
  assert.ok(!isFile(new Blob([])));
});

test('FormData multipart round trip keeps strings, files and filenames', async () => {
  const fd = new FormData();
  fd.append('a', 'one\r\ntwo');
  fd.append('f', new Blob(['hello'], { type: 'text/x' }), 'h"i.txt');
  fd.append('g', new Blob(['raw']));
  assert.equal((fd.get('g') as File).name, 'blob');
  const { bytes, boundary } = formDataBody(fd);
  // The HTML encoding algorithm escapes '"' in filenames; the parser undoes it.
  assert.match(dec(bytes), /filename="h%22i\.txt"\r\nContent-Type: text\/x\r\n/);
  const back = parseFormDataBody(bytes, parseMimeType(`multipart/form-data; boundary=${boundary}`));
  assert.equal(back.get('a'), 'one\r\ntwo');
  const f = back.get('f') as File;
  assert.ok(isFile(f));
  assert.equal(f.name, 'h"i.txt');
  assert.equal(f.type, 'text/x');
  assert.equal(await f.text(), 'hello');
  assert.equal(await (back.get('g') as File).text(), 'raw');
  assert.throws(() => parseFormDataBody(new TextEncoder().encode('garbage'), parseMimeType('multipart/form-data; boundary=zz')), TypeError);
});
