// CompressionStream / DecompressionStream through the package entry, backed by node:zlib.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { CompressionStream, DecompressionStream, ReadableStream } from '../../src/streams-ponyfill.js';

async function collect(readable: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of readable) parts.push(chunk);
  return new Uint8Array(Buffer.concat(parts));
}

async function through(stream: { writable: WritableStream<ArrayBufferView>; readable: ReadableStream<Uint8Array> }, chunks: Uint8Array[]): Promise<Uint8Array> {
  const writer = stream.writable.getWriter();
  const done = collect(stream.readable);
  for (const chunk of chunks) void writer.write(chunk).catch(() => {});
  void writer.close().catch(() => {});
  return done;
}

const text = new TextEncoder().encode('NANO streams '.repeat(5000));

for (const format of ['gzip', 'deflate', 'deflate-raw', 'brotli'] as const) {
  test(`${format}: compress then decompress round-trips, and node:zlib agrees`, async () => {
    const compressed = await through(new CompressionStream(format) as never, [text.subarray(0, 1000), text.subarray(1000)]);
    assert.ok(compressed.length < text.length / 10, 'repetitive input compresses');
    const viaZlib = {
      gzip: zlib.gunzipSync,
      deflate: zlib.inflateSync,
      'deflate-raw': zlib.inflateRawSync,
      brotli: zlib.brotliDecompressSync,
    }[format](compressed);
    assert.deepEqual(new Uint8Array(viaZlib), text);
    // Decompression fed one byte at a time.
    const pieces = Array.from(compressed, (b) => new Uint8Array([b]));
    assert.deepEqual(await through(new DecompressionStream(format) as never, pieces), text);
  });
}

test('decompression: trailing data, truncated data and corrupt data are TypeErrors', async () => {
  const gz = zlib.gzipSync('hello');
  for (const input of [Buffer.concat([gz, Buffer.from([0])]), gz.subarray(0, gz.length - 1), Buffer.from('not gzip')]) {
    await assert.rejects(through(new DecompressionStream('gzip') as never, [new Uint8Array(input)]), TypeError);
  }
});

test('output chunks are Uint8Arrays each spanning their own buffer', async () => {
  const cs = new CompressionStream('gzip');
  const writer = cs.writable.getWriter();
  void writer.write(new Uint8Array(200_000).map((_, i) => (i * 7919) % 251));
  void writer.close();
  const buffers = new Set<ArrayBufferLike>();
  for await (const chunk of cs.readable as unknown as AsyncIterable<Uint8Array>) {
    assert.ok(chunk instanceof Uint8Array);
    assert.equal(chunk.byteOffset, 0);
    assert.equal(chunk.byteLength, chunk.buffer.byteLength);
    assert.ok(!buffers.has(chunk.buffer), 'no buffer is shared between chunks');
    buffers.add(chunk.buffer);
  }
  assert.ok(buffers.size > 1);
});

test('bad formats and bad chunks', async () => {
  assert.throws(() => new CompressionStream('zip' as never), TypeError);
  assert.throws(() => new (DecompressionStream as unknown as new () => unknown)(), TypeError);
  const cs = new CompressionStream('deflate');
  const writer = cs.writable.getWriter();
  // The readable side has no buffer (highWaterMark 0): the transform runs once a read asks for it.
  const read = cs.readable.getReader().read();
  await assert.rejects(writer.write('a string' as never), TypeError);
  await assert.rejects(read, TypeError);
});
