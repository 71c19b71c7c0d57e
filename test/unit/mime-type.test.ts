// MIME types (src/web/mime-type.ts) and data: URLs (src/web/fetch/data-url.ts) beyond WPT's
// tables (mimesniff/mime-types, fetch/data-urls): the steps WPT reaches only through fetch().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractMimeType, parseMimeType, serializeMimeType } from '../../src/web/mime-type.js';
import { processDataURL } from '../../src/web/fetch/data-url.js';

const roundTrip = (s: string): string | null => {
  const parsed = parseMimeType(s);
  return parsed === null ? null : serializeMimeType(parsed);
};

test('parse and serialize: case, whitespace, quoted values, first parameter wins', () => {
  assert.equal(roundTrip(' Text/HTML ; Charset="utf-8" ; charset=gbk '), 'text/html;charset=utf-8');
  assert.equal(roundTrip('x/x;y="a\\"b\\\\c"'), 'x/x;y="a\\"b\\\\c"');
  assert.equal(roundTrip('x/x;y=;z=1'), 'x/x;z=1');
  assert.equal(roundTrip('x/x;y="";z=1'), 'x/x;y="";z=1');
  assert.equal(roundTrip('x/x;y="unterminated'), 'x/x;y=unterminated');
  assert.equal(roundTrip('/x'), null);
  assert.equal(roundTrip('x/'), null);
  assert.equal(roundTrip('x y/z'), null);
});

test('extract a MIME type: comma-split values, */* skipped, the charset carried over for the same essence', () => {
  const extract = (v: string | null) => {
    const m = extractMimeType(v);
    return m === null ? null : serializeMimeType(m);
  };
  assert.equal(extract(null), null);
  assert.equal(extract('text/plain;charset=gbk, text/plain'), 'text/plain;charset=gbk');
  assert.equal(extract('text/plain;charset=gbk, text/html'), 'text/html');
  assert.equal(extract('text/html, */*'), 'text/html');
  assert.equal(extract('text/html;x=",", bogus'), 'text/html;x=","');
  assert.equal(extract(''), null);
});

test('data: URL processor: percent-decoding, base64, the default type, failures', () => {
  const text = (bytes: Uint8Array) => String.fromCharCode(...bytes);
  const plain = processDataURL('data:,A%20b#frag')!;
  assert.equal(serializeMimeType(plain.mimeType), 'text/plain;charset=US-ASCII');
  assert.equal(text(plain.body), 'A b');
  const b64 = processDataURL('data:image/png ; BASE64,AQID')!;
  assert.equal(serializeMimeType(b64.mimeType), 'image/png');
  assert.deepEqual([...b64.body], [1, 2, 3]);
  assert.equal(serializeMimeType(processDataURL('data:;charset=utf-8,x')!.mimeType), 'text/plain;charset=utf-8');
  assert.equal(processDataURL('data:;base64,A'), null);
  assert.equal(processDataURL('data:text/plain'), null);
});
