// CompressionStream / DecompressionStream through the package entry, backed by node:zlib.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { createHash, randomBytes } from 'node:crypto';
import { CODEC_MEMORY_FACTOR, NanoIsolate } from '../../src/host/isolate/nano-isolate.js';
import { codecMemoryEstimate, createNodeCodec } from '../../src/host/codec-node.js';
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

test("the host's codec stops each call at its output cap and resumes where it stopped (push and finish)", () => {
  const original = new Uint8Array(8 * 1024 * 1024).map((_, i) => (i % 251 === 0 ? i & 0xff : 0));
  const MiB = 1024 * 1024;
  const cap = MiB;
  for (const [format, compress] of [['gzip', zlib.gzipSync], ['brotli', zlib.brotliCompressSync]] as const) {
    const packed = new Uint8Array(compress(original));
    const codec = createNodeCodec(format, 'decompress', cap)!;
    const parts: Uint8Array[] = [];
    let calls = 0;
    // All the input in one push: 8 MiB of output come back a part at a time.
    let result = codec.push(packed);
    for (;;) {
      calls++;
      const size = result.chunks.reduce((n, c) => n + c.byteLength, 0);
      assert.ok(size <= cap + 16 * 1024, `${format}: a call produced ${size} bytes`);
      parts.push(...result.chunks);
      if (!result.more) break;
      result = codec.resume();
    }
    result = codec.finish();
    while (result.more) result = codec.resume();
    parts.push(...result.chunks);
    assert.equal(codec.closed, true);
    assert.ok(calls >= 8, `${format}: ${calls} calls`);
    assert.deepEqual(new Uint8Array(Buffer.concat(parts)), original);
  }
  // Compression's finish can stop at the cap too: 8 MiB of noise compress to about as much.
  const noise = new Uint8Array(randomBytes(4 * MiB));
  const codec = createNodeCodec('deflate', 'compress', cap)!;
  const out: Uint8Array[] = [...codec.push(noise).chunks];
  let result = codec.resume();
  out.push(...result.chunks);
  while (result.more) out.push(...(result = codec.resume()).chunks);
  result = codec.finish();
  out.push(...result.chunks);
  while (result.more) out.push(...(result = codec.resume()).chunks);
  assert.deepEqual(new Uint8Array(zlib.inflateSync(Buffer.concat(out))), noise);
});

test('in an isolate, a DecompressionStream whose output crosses in many parts gives every byte in order', async () => {
  const original = new Uint8Array(6 * 1024 * 1024 + 123).map((_, i) => (i % 4093 === 0 ? (i >> 12) & 0xff : 0));
  const packed = zlib.gzipSync(original);
  const nano = await NanoIsolate.create({ memoryLimitMb: 128 });
  try {
    await nano.evaluate(`globalThis.out = undefined;
      (async () => {
        const ds = new DecompressionStream('gzip');
        const writer = ds.writable.getWriter();
        writer.write(new Uint8Array([${[...packed].join(',')}]));
        writer.close();
        const parts = [];
        for await (const chunk of ds.readable) parts.push(chunk);
        const all = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
        let at = 0;
        for (const p of parts) { all.set(p, at); at += p.byteLength; }
        return [...new Uint8Array(await crypto.subtle.digest('SHA-256', all))].map((b) => b.toString(16).padStart(2, '0')).join('');
      })().then((hex) => (globalThis.out = hex), (e) => (globalThis.out = 'failed: ' + e));
      0`, 'decompress.js');
    let out: unknown;
    while ((out = await nano.evaluate('globalThis.out', 'poll.js')) === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(out, createHash('sha256').update(original).digest('hex'));
  } finally {
    nano.dispose();
  }
});

test("an isolate's open compression contexts are bounded by CODEC_MEMORY_FACTOR x its memory; dropped streams are closed once collected", async () => {
  const nano = await NanoIsolate.create({ memoryLimitMb: 16 });
  const MiB = 1024 * 1024;
  const budget = CODEC_MEMORY_FACTOR * 16 * MiB;
  const deflate = codecMemoryEstimate('deflate-raw', 'compress')!;
  try {
    // Streams made, written to (so zlib's memory is touched) and dropped, as fast as the app can.
    const made = await nano.context.eval(
      `(async () => {
        const data = new Uint8Array(4096).map((_, i) => (i * 7919) % 251);
        let made = 0;
        try {
          for (;;) {
            const cs = new CompressionStream('deflate-raw');
            cs.readable.getReader().read();
            await cs.writable.getWriter().write(data);
            made++;
          }
        } catch (e) {
          return made + ' ' + e.name;
        }
      })()`,
      { promise: true },
    );
    assert.equal(made, `${Math.floor(budget / deflate)} RangeError`, 'the budget stops the loop');
    assert.ok(nano.codecBytes <= budget);
    // Once the isolate collects the dropped streams (some garbage, then a task), their contexts close.
    await nano.context.eval(
      `(async () => { let junk = []; for (let i = 0; i < 200; i++) junk.push(new Array(10000).fill(i)); junk = null; await new Promise((r) => setTimeout(r, 20)); })()`,
      { promise: true },
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(nano.codecBytes, 0, 'every dropped context was closed');
    // Finished, cancelled and failed streams give their share back at once.
    const outcomes = await nano.context.eval(
      `(async () => {
        const finished = new CompressionStream('deflate');
        const [, bytes] = await Promise.all([
          finished.writable.getWriter().close(),
          new Response(finished.readable).arrayBuffer(),
        ]);
        const cancelled = new DecompressionStream('brotli');
        await cancelled.readable.cancel();
        // deflate has one member: bytes after its end are "trailing data" (not an engine error).
        const trailing = new DecompressionStream('deflate');
        const writer = trailing.writable.getWriter();
        const failed = writer.write(new Uint8Array([...new Uint8Array(bytes), 1, 2, 3])).then(() => 'written', (e) => e.name);
        trailing.readable.getReader().read().catch(() => {});
        return [bytes.byteLength > 0, await failed].join(' ');
      })()`,
      { promise: true },
    );
    assert.equal(outcomes, 'true TypeError');
    assert.equal(nano.codecBytes, 0, 'finished, cancelled and failed contexts are closed');
  } finally {
    nano.dispose();
  }
});

test("the host's codec gives its engine input a step at a time and stops a capped call after a few ms of work", () => {
  // 32 MiB of zeros compress to ~32 KiB: the output cap alone would let one call take it all.
  const zeros = new Uint8Array(32 * 1024 * 1024);
  const codec = createNodeCodec('gzip', 'compress', 1024 * 1024)!;
  let result = codec.push(zeros);
  assert.equal(result.more, true, 'the first call stops before the input is all taken');
  const out = [...result.chunks];
  let calls = 1;
  while (result.more) {
    result = codec.resume();
    out.push(...result.chunks);
    calls++;
  }
  result = codec.finish();
  out.push(...result.chunks);
  while (result.more) out.push(...(result = codec.resume()).chunks);
  assert.ok(calls > 2, `${calls} calls`);
  assert.deepEqual(new Uint8Array(zlib.gunzipSync(Buffer.concat(out))), zeros);
});

test('in an isolate, a chunk larger than one host call crosses in parts: output in order, trailing data still a TypeError', async () => {
  // Noise: its deflate data is over 1 MiB as well.
  const packed = zlib.deflateSync(randomBytes(2 * 1024 * 1024));
  const nano = await NanoIsolate.create({ memoryLimitMb: 128 });
  try {
    const result = await nano.context.eval(
      `(async () => {
        const original = new Uint8Array(5 * 1024 * 1024 + 17).map((_, i) => (i * 2654435761) >>> 24);
        const hex = async (bytes) => [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
        // Compressed in one write of 5 MiB, decompressed again: every byte in order.
        const round = await new Response(new Blob([original]).stream().pipeThrough(new CompressionStream('gzip')).pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
        // The app's deflate data (over 1 MiB) with bytes after its end, in one write.
        const packed = new Uint8Array($0);
        const ds = new DecompressionStream('deflate');
        const writer = ds.writable.getWriter();
        const written = writer.write(new Uint8Array([...packed, 1, 2, 3])).then(() => 'written', (e) => e.name);
        const read = new Response(ds.readable).arrayBuffer().then(() => 'read', (e) => e.name);
        return [await hex(round) === await hex(original), await written, await read].join(' ');
      })()`.replace('$0', JSON.stringify([...packed])),
      { promise: true },
    );
    assert.ok(packed.byteLength > 1024 * 1024, 'the compressed chunk crosses in parts too');
    assert.equal(result, 'true TypeError TypeError');
  } finally {
    nano.dispose();
  }
});

test('in an isolate: many small writes to a CompressionStream (gathered before the host) decompress to the input, in order', async () => {
  const nano = await NanoIsolate.create({ memoryLimitMb: 64 });
  try {
    const b64 = (await nano.context.eval(
      `(async () => {
        const cs = new CompressionStream('gzip');
        const writer = cs.writable.getWriter();
        const out = new Response(cs.readable).arrayBuffer();
        const chunk = new Uint8Array(1000);
        for (let i = 0; i < 3000; i++) {
          for (let j = 0; j < chunk.length; j++) chunk[j] = (i * 31 + j * 7) & 255;
          await writer.write(chunk); // the same buffer each time: each write's bytes must be its own
        }
        await writer.close();
        const bytes = new Uint8Array(await out);
        let s = ''; for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
        return btoa(s);
      })()`,
      { promise: true },
    )) as string;
    const expected = new Uint8Array(3000 * 1000);
    for (let i = 0; i < 3000; i++) for (let j = 0; j < 1000; j++) expected[i * 1000 + j] = (i * 31 + j * 7) & 255;
    assert.deepEqual(new Uint8Array(zlib.gunzipSync(Buffer.from(b64, 'base64'))), expected);
  } finally {
    nano.dispose();
  }
});
