// Blob URLs (URL.createObjectURL, the blob URL store, a Request's resolved entry), the Range
// header parser of blob: fetches, Subresource Integrity's metadata matching, and the header list
// a fetch() sends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { URL as RealmURL, setURLBridge } from '../../src/web/url.js';
import { nodeURLBridge } from '../../src/host/url-node.js';
import { Blob } from '../../src/web/blob.js';
import { resolveBlobURL } from '../../src/web/blob-url-store.js';
import { Request, fetchRequestParams } from '../../src/web/fetch/request.js';
import { parseSingleRangeHeaderValue } from '../../src/web/fetch/range.js';
import { bytesMatchMetadata, parseMetadata } from '../../src/web/fetch/integrity.js';
import { combineForTransmission } from '../../src/web/fetch/headers.js';
import { setSubtleBridge } from '../../src/web/crypto-subtle.js';
import { librarySubtleBridge } from '../../src/host/crypto-bridge.js';
import { setRandomSource } from '../../src/web/crypto.js';
import { randomBytes } from 'node:crypto';

setURLBridge(nodeURLBridge);
setSubtleBridge(librarySubtleBridge());
setRandomSource((n) => new Uint8Array(randomBytes(n)));
const URL = RealmURL as unknown as typeof globalThis.URL;

test('createObjectURL: blob:null/<uuid v4> without a location, unique, resolvable without the fragment', () => {
  const blob = new Blob(['x']);
  const a = URL.createObjectURL(blob as never);
  const b = URL.createObjectURL(blob as never);
  assert.match(a, /^blob:null\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(a, b);
  assert.equal(resolveBlobURL(a), blob);
  assert.throws(() => URL.createObjectURL('not a blob' as never), TypeError);
});

test('revokeObjectURL: only the exact URL revokes (a fragment makes another URL); a Request keeps its entry', () => {
  const blob = new Blob(['y']);
  const url = URL.createObjectURL(blob as never);
  URL.revokeObjectURL(`${url}#fragment`);
  assert.equal(resolveBlobURL(url), blob, 'a URL with a fragment is not the entry');
  const request = new Request(url);
  URL.revokeObjectURL(url);
  assert.equal(resolveBlobURL(url), null);
  assert.equal(fetchRequestParams(request).blobURLEntry, blob, 'resolved when the Request parsed its URL');
  assert.equal(fetchRequestParams(new Request(url)).blobURLEntry, null, 'a Request made after the revoke has none');
  URL.revokeObjectURL('not a url'); // a URL that does not parse is ignored
});

test('parseSingleRangeHeaderValue: the Fetch standard\'s grammar, whitespace only when allowed', () => {
  assert.deepEqual(parseSingleRangeHeaderValue('bytes=9-21', false), [9, 21]);
  assert.deepEqual(parseSingleRangeHeaderValue('bytes=11-', false), [11, null]);
  assert.deepEqual(parseSingleRangeHeaderValue('bytes=-8', false), [null, 8]);
  assert.deepEqual(parseSingleRangeHeaderValue('bytes \t= \t9 - 21', true), [9, 21]);
  assert.equal(parseSingleRangeHeaderValue('bytes=9-21 ', true), null, 'nothing may follow the end');
  assert.equal(parseSingleRangeHeaderValue('bytes= 9-21', false), null);
  assert.equal(parseSingleRangeHeaderValue('bytes=-', true), null, 'neither end');
  assert.equal(parseSingleRangeHeaderValue('bytes=5-3', true), null, 'start after end');
  assert.equal(parseSingleRangeHeaderValue('bytes=0-1,3-4', true), null, 'one range only');
  assert.equal(parseSingleRangeHeaderValue('Bytes=0-1', true), null, '"bytes" is case-sensitive');
});

test('parseMetadata: known algorithms (any case), options dropped, unknown ones skipped', () => {
  assert.deepEqual(parseMetadata(' SHA256-abc?opt  sha512-d-e_f md5-zz  nodash '), [
    { alg: 'sha256', val: 'abc' },
    { alg: 'sha512', val: 'd-e_f' },
  ]);
});

test('bytesMatchMetadata: the strongest algorithm decides; base64url and missing padding match', async () => {
  const bytes = new TextEncoder().encode('Top\n');
  const b64 = (alg: string) => createHash(alg).update(bytes).digest('base64');
  const sha256 = `sha256-${b64('sha256')}`;
  const sha512 = b64('sha512');
  assert.equal(await bytesMatchMetadata(bytes, ''), true, 'no metadata matches');
  assert.equal(await bytesMatchMetadata(bytes, 'md5-whatever'), true, 'only unknown algorithms: as none');
  assert.equal(await bytesMatchMetadata(bytes, sha256), true);
  assert.equal(await bytesMatchMetadata(bytes, `sha512-${sha512.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')}`), true);
  assert.equal(await bytesMatchMetadata(bytes, `${sha256} sha512-AAAA`), false, 'a wrong sha512 outranks a right sha256');
  assert.equal(await bytesMatchMetadata(bytes, `sha256-AAAA sha512-${sha512}`), true);
});

test('combineForTransmission: each name once, in its first casing, values combined', () => {
  // Array.from: the result is the runtime's list with no prototype (InternalList), compared by its pairs.
  assert.deepEqual(
    Array.from(combineForTransmission([['THIS-is-A-test', '1'], ['Accept', '*/*'], ['THIS-IS-A-TEST', '2']])),
    [['THIS-is-A-test', '1, 2'], ['Accept', '*/*']],
  );
});
