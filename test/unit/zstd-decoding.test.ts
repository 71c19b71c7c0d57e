// Content-Encoding: zstd for outbound fetch() (src/host/zstd-decoding.ts): frames decoded a block
// at a time, windows over 8 MiB refused, bad and truncated content an error. The frames are
// written out here (a zstd encoder is not something every machine has); the first was made with
// the zstd command-line tool, the others by hand from RFC 8878's layout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isZstdOnly, zstdDecodedStream } from '../../src/host/zstd-decoding.js';

const hex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));
/** `zstd -19` of "Hello, zstd!\n": single segment, one raw block, a checksum. */
const HELLO = hex('28b52ffd240d69000048656c6c6f2c207a737464210a41b453b2');
const frameHeader = (windowDescriptor: number): string => `28b52ffd00${windowDescriptor.toString(16).padStart(2, '0')}`;
/** A raw last block holding "hello". */
const RAW_HELLO = '290000' + '68656c6c6f';
/** An RLE block regenerating 128 KiB of "a" (not last). */
const RLE_128K = '020010' + '61';
const RLE_128K_LAST = '030010' + '61';

/** A stream of `bytes` in parts of `part` bytes, counting the parts read. */
function source(bytes: Uint8Array, part: number): { stream: ReadableStream<Uint8Array>; reads: () => number; cancelled: () => unknown } {
  let at = 0;
  let reads = 0;
  let cancelled: unknown;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        reads++;
        if (at >= bytes.byteLength) return controller.close();
        controller.enqueue(bytes.slice(at, at + part));
        at += part;
      },
      cancel(reason) {
        cancelled = reason;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, reads: () => reads, cancelled: () => cancelled };
}

async function decodeAll(bytes: Uint8Array, part = 7): Promise<Uint8Array> {
  return new Uint8Array(await new Response(zstdDecodedStream(source(bytes, part).stream)).arrayBuffer());
}

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

test('zstd: a frame, two frames, a skippable frame between, in parts of any size', async () => {
  for (const part of [1, 5, 100]) {
    assert.equal(text(await decodeAll(HELLO, part)), 'Hello, zstd!\n', `parts of ${part}`);
    const two = new Uint8Array([...HELLO, ...hex('502a4d18' + '03000000' + 'aabbcc'), ...HELLO]);
    assert.equal(text(await decodeAll(two, part)), 'Hello, zstd!\nHello, zstd!\n', `parts of ${part}`);
  }
  // A window of exactly 8 MiB (descriptor 0x68: 2^23) is accepted.
  assert.equal(text(await decodeAll(hex(frameHeader(0x68) + RAW_HELLO))), 'hello');
});

test('zstd: a window over 8 MiB, a reserved block type, bad and truncated content are errors', async () => {
  await assert.rejects(decodeAll(hex(frameHeader(0x69) + RAW_HELLO)), /larger than 8 MiB/);
  await assert.rejects(decodeAll(hex(frameHeader(0x70) + RAW_HELLO)), /larger than 8 MiB/);
  await assert.rejects(decodeAll(hex(frameHeader(0x68) + '070000')), /reserved type/);
  await assert.rejects(decodeAll(HELLO.subarray(0, 20)), /ends within a frame/);
  await assert.rejects(decodeAll(hex('0102030405060708')), /not a zstd frame/);
  // A compressed block of garbage.
  await assert.rejects(decodeAll(hex(frameHeader(0x38) + '550000' + 'ffffffffffffffffffff')), TypeError);
  // A block larger than its frame's window (1 KiB, descriptor 0).
  await assert.rejects(decodeAll(hex(frameHeader(0x00) + '030020' + '61')), /larger than its window/);
});

test('zstd: output comes a block at a time, reading the input only as far as asked', async () => {
  // 20 RLE blocks of 128 KiB from 80 bytes: 2.5 MiB out.
  const blocks = RLE_128K.repeat(19) + RLE_128K_LAST;
  const { stream, reads } = source(hex(frameHeader(0x38) + blocks), 4);
  const reader = zstdDecodedStream(stream).getReader();
  const first = await reader.read();
  assert.equal(first.value!.byteLength, 128 * 1024);
  assert.ok(first.value!.every((b) => b === 0x61));
  // fzstd starts a frame once it holds 18 bytes: the header (6) and three blocks (12), in parts of
  // 4, are five reads; not the twenty-one the whole input takes.
  assert.ok(reads() <= 5, `${reads()} reads for the first block`);
  let total = first.value!.byteLength;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    assert.ok(value.byteLength <= 128 * 1024);
    total += value.byteLength;
  }
  assert.equal(total, 20 * 128 * 1024);
});

test('zstd: only a Content-Encoding of zstd alone is decoded', () => {
  assert.equal(isZstdOnly('zstd'), true);
  assert.equal(isZstdOnly(' ZSTD '), true);
  assert.equal(isZstdOnly('gzip, zstd'), false);
  assert.equal(isZstdOnly(null), false);
});

test('zstd: each frame window is reserved before it is decoded; a refusal errors the body and cancels the upstream', async () => {
  const input = source(new Uint8Array([...HELLO, ...hex(frameHeader(0x68) + RAW_HELLO)]), 5);
  const windows: number[] = [];
  const reader = zstdDecodedStream(input.stream, (window) => {
    windows.push(window);
    if (window > 1024) throw new TypeError('no room for ' + window);
  }).getReader();
  // HELLO is single-segment: its window is its content size, 13 bytes.
  assert.equal(text((await reader.read()).value!), 'Hello, zstd!\n');
  await assert.rejects(reader.read(), /no room for 8388608/);
  assert.deepEqual(windows, [13, 8 * 1024 * 1024]);
  assert.match(String(input.cancelled()), /no room for 8388608/);
});
