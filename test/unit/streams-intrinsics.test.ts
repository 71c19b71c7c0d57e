// The streams read ArrayBuffer and view internals through intrinsics captured at install
// (webidl/intrinsics.ts), so that a script patching the prototypes changes nothing they see.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nano from '../../src/streams/index.js';

test('BYOB read(): a resizable buffer is refused by its internal slot, not by a script-visible `resizable`', async () => {
  const byteStream = () =>
    new nano.ReadableStream({
      type: 'bytes',
      pull(c) {
        c.byobRequest!.respond(1);
      },
    });
  // A resizable buffer's view is not an IDL ArrayBufferView without [AllowResizable].
  const resizable = new (ArrayBuffer as unknown as new (n: number, o: object) => ArrayBuffer)(4, { maxByteLength: 8 });
  await assert.rejects(byteStream().getReader({ mode: 'byob' }).read(new Uint8Array(resizable)), TypeError);
  // A script redefining `resizable` changes neither answer.
  const descriptor = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'resizable')!;
  Object.defineProperty(ArrayBuffer.prototype, 'resizable', { get: () => true, configurable: true });
  try {
    const { value } = await byteStream().getReader({ mode: 'byob' }).read(new Uint8Array(4));
    assert.equal(value!.byteLength, 1);
  } finally {
    Object.defineProperty(ArrayBuffer.prototype, 'resizable', descriptor);
  }
});
