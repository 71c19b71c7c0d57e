// Workers' IdentityTransformStream and FixedLengthStream (src/web/identity-transform-stream.ts):
// byte pipes whose readable side is a byte stream, writes that complete once the bytes are taken,
// and a FixedLengthStream that holds its writer to the expected length.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReadableStream, TransformStream } from '../../src/streams/index.js';
import { FixedLengthStream, IdentityTransformStream, fixedLengthOf } from '../../src/web/identity-transform-stream.js';

const settledYet = async (promise: Promise<unknown>): Promise<boolean> => {
  let settled = false;
  promise.then(() => (settled = true), () => (settled = true));
  for (let i = 0; i < 10; i++) await null;
  return settled;
};

test('IdentityTransformStream: a TransformStream whose bytes pass through, BYOB readers included', async () => {
  const stream = new IdentityTransformStream();
  assert.ok(stream instanceof TransformStream);
  assert.equal(Object.prototype.toString.call(stream), '[object IdentityTransformStream]');
  assert.ok(stream.readable instanceof ReadableStream);
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader({ mode: 'byob' });
  const source = new Uint16Array([0x0201, 0x0403]);
  const write = writer.write(source);
  const { value } = await reader.read(new Uint8Array(3));
  assert.deepEqual([...value!], [1, 2, 3]);
  // The writer's buffer is its own still (the bytes were copied, not transferred).
  assert.equal(source.byteLength, 4);
  // Part of the chunk is still held: the write completes when the rest is taken.
  assert.equal(await settledYet(write), false);
  const rest = await reader.read(new Uint8Array(8));
  assert.deepEqual([...rest.value!], [4]);
  await write;
  await writer.close();
  assert.equal((await reader.read(new Uint8Array(1))).done, true);
});

test('IdentityTransformStream: a write completes once a reader took its bytes; highWaterMark lets bytes wait', async () => {
  const stream = new IdentityTransformStream();
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const write = writer.write(new Uint8Array([7, 8]));
  assert.equal(await settledYet(write), false);
  const { value } = await reader.read();
  assert.deepEqual([...value!], [7, 8]);
  await write;
  // With room for 4 bytes, a write of 3 completes at once, the next (7 held) waits.
  const roomy = new IdentityTransformStream({ highWaterMark: 4n });
  const w = roomy.writable.getWriter();
  await w.write(new Uint8Array(3));
  const second = w.write(new Uint8Array(4));
  assert.equal(await settledYet(second), false);
  const r = roomy.readable.getReader();
  assert.equal((await r.read()).value!.byteLength, 3);
  await second;
});

test('IdentityTransformStream: chunks other than bytes error both sides; cancel errors the writable side', async () => {
  const stream = new IdentityTransformStream();
  const writer = stream.writable.getWriter();
  await assert.rejects(writer.write('text' as never), TypeError);
  await assert.rejects(stream.readable.getReader().read(), TypeError);
  const other = new IdentityTransformStream();
  const otherWriter = other.writable.getWriter();
  const pending = otherWriter.write(new Uint8Array(1));
  await other.readable.cancel(new RangeError('gone'));
  await assert.rejects(pending, RangeError);
  await assert.rejects(otherWriter.closed, RangeError);
  assert.throws(() => new IdentityTransformStream({ highWaterMark: -1 }), RangeError);
});

test('FixedLengthStream: its expected length goes with its readable side; too many or too few bytes error it', async () => {
  assert.throws(() => new (FixedLengthStream as unknown as new () => unknown)(), TypeError);
  assert.throws(() => new FixedLengthStream(-1), RangeError);
  assert.throws(() => new FixedLengthStream(1.5), RangeError);
  const exact = new FixedLengthStream(5);
  assert.ok(exact instanceof IdentityTransformStream);
  assert.equal(Object.prototype.toString.call(exact), '[object FixedLengthStream]');
  assert.equal(fixedLengthOf(exact.readable), 5);
  assert.equal(fixedLengthOf(new IdentityTransformStream().readable), undefined);
  const collected = (async () => {
    const bytes: number[] = [];
    for await (const chunk of exact.readable) bytes.push(...(chunk as Uint8Array));
    return bytes;
  })();
  const writer = exact.writable.getWriter();
  await writer.write(new Uint8Array([1, 2]));
  await writer.write(new Uint8Array([3, 4, 5]).buffer);
  await writer.close();
  assert.deepEqual(await collected, [1, 2, 3, 4, 5]);

  const long = new FixedLengthStream(2n);
  const longWriter = long.writable.getWriter();
  const longRead = long.readable.getReader().read();
  await assert.rejects(longWriter.write(new Uint8Array(3)), /expected length of 2 bytes/);
  await assert.rejects(longRead, TypeError);

  const short = new FixedLengthStream(4);
  const shortWriter = short.writable.getWriter();
  const reader = short.readable.getReader();
  void shortWriter.write(new Uint8Array(3));
  assert.equal((await reader.read()).value!.byteLength, 3);
  await assert.rejects(shortWriter.close(), /closed after 3 of its expected 4 bytes/);
  await assert.rejects(reader.read(), TypeError);
});
