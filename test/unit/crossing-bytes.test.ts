// Bytes an isolate hands the host (response and fetch bodies, compression input, host text
// decoding). A host call copies a typed array together with its whole ArrayBuffer, so a small view
// of a large buffer must cross as a copy of its own bytes (a body streamed as 64 KiB views of one
// 32 MiB buffer took 6.6 s and held the host's event loop 400 ms at a time), and a large chunk
// must cross in parts (one 32 MiB chunk held it 28 ms, 120 ms when gzip-encoded on the way out).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossingBytes } from '../../src/web/buffer-source.js';
import { BodyChannels, type HostBodySink } from '../../src/runtime/body-channels.js';
import { hostCompressionCodec } from '../../src/runtime/codec-bridge.js';
import type { HostApi, HostCodecResult } from '../../src/runtime/host-api.js';
import type { DispatchResult } from '../../src/runtime/serve.js';
import { ReadableStream } from '../../src/streams-ponyfill.js';
import { TextDecoder, setTextCodecBridge } from '../../src/web/encoding/text-decoder.js';
import { nodeTextCodec } from '../../src/host/text-codec-node.js';

const MiB = 1024 * 1024;

function pattern(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + (i >> 8)) & 255;
  return bytes;
}

test('crossingBytes: a view of at least half its buffer crosses as it is; a smaller one, or shared memory, as a copy of its bytes', () => {
  const big = pattern(MiB);
  assert.equal(crossingBytes(big, 0, MiB), big, 'a whole buffer is not copied');
  const half = crossingBytes(big, 1024, MiB / 2);
  assert.equal(half.buffer, big.buffer, 'half of the buffer crosses as a view');
  assert.deepEqual([half.byteOffset, half.byteLength], [1024, MiB / 2]);
  const small = crossingBytes(big.subarray(100), 5, 4096);
  assert.equal(small.buffer.byteLength, 4096, 'a small view gets a buffer of its own size');
  assert.deepEqual(small, big.subarray(105, 105 + 4096));
  const shared = new Uint8Array(new SharedArrayBuffer(16));
  shared.set([1, 2, 3]);
  const fromShared = crossingBytes(shared, 0, 16);
  assert.ok(fromShared.buffer instanceof ArrayBuffer);
  assert.deepEqual([...fromShared.subarray(0, 4)], [1, 2, 3, 0]);
  // The copy reads no patched species or prototype methods.
  const patched = big.subarray(0, 10);
  Object.defineProperty(patched, 'constructor', { get: () => assert.fail('constructor read') });
  assert.deepEqual(crossingBytes(patched, 0, 10), big.subarray(0, 10));
});

/** A sink that records every crossing and acknowledges only when told. */
function recordingSink() {
  const crossings: Uint8Array[][] = [];
  let ended = false;
  const sink: HostBodySink = {
    write: (_id, chunks) => void crossings.push(chunks),
    end: () => void (ended = true),
    error: (_id, message) => assert.fail(message),
  };
  return { sink, crossings, ended: () => ended };
}

test('an outgoing body: views of one large buffer each cross with a buffer of their own size', async () => {
  const big = pattern(8 * MiB);
  let at = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= big.length) return controller.close();
      // Several at a time, so some cross together (takeBuffered).
      for (let i = 0; i < 3 && at < big.length; i++, at += 64 * 1024) controller.enqueue(big.subarray(at, at + 64 * 1024));
    },
  });
  const channels = new BodyChannels();
  const { sink, crossings, ended } = recordingSink();
  const done = channels.pump(1, body as never, sink, () => {});
  // Acknowledge each crossing as the host's socket would.
  let acked = 0;
  while (!ended()) {
    await new Promise((resolve) => setImmediate(resolve));
    for (; acked < crossings.length; acked++) channels.ack(1, crossings[acked]!.reduce((n, c) => n + c.byteLength + 512, 0));
  }
  await done;
  const chunks = crossings.flat();
  for (const chunk of chunks) assert.equal(chunk.buffer.byteLength, chunk.byteLength, 'no crossing carries the whole 8 MiB buffer');
  assert.ok(crossings.some((c) => c.length > 1), 'buffered chunks still share a crossing');
  assert.deepEqual(Buffer.concat(chunks), Buffer.from(big));
});

test('an outgoing body: a large chunk crosses in parts of at most 256 KiB, no more than the window ahead of the acknowledgements', async () => {
  const big = pattern(3 * MiB + 7);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(big);
      controller.close();
    },
  });
  const channels = new BodyChannels();
  const { sink, crossings, ended } = recordingSink();
  const done = channels.pump(2, body as never, sink, () => {});
  await new Promise((resolve) => setImmediate(resolve));
  // Unacknowledged, the pump stops once the 1 MiB window is full.
  assert.equal(crossings.length, 4);
  let acked = 0;
  while (!ended()) {
    for (; acked < crossings.length; acked++) channels.ack(2, crossings[acked]![0]!.byteLength + 512);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await done;
  assert.equal(crossings.length, 13);
  for (const crossing of crossings) {
    assert.equal(crossing.length, 1);
    assert.ok(crossing[0]!.byteLength <= 256 * 1024);
    assert.ok(crossing[0]!.buffer.byteLength <= 2 * crossing[0]!.byteLength, 'a part does not carry the whole buffer');
  }
  assert.deepEqual(Buffer.concat(crossings.flat()), Buffer.from(big));
});

test('compression input: a small view of a large buffer reaches the host as its own bytes', () => {
  const pushed: Uint8Array[] = [];
  const host = {
    codecCreate: () => 1,
    codecPush: (_id: number, bytes: Uint8Array): HostCodecResult => (pushed.push(bytes), { chunks: [], error: undefined }),
    codecFinish: (): HostCodecResult => ({ chunks: [], error: undefined }),
    codecResume: (): HostCodecResult => ({ chunks: [], error: undefined }),
    codecClose: () => {},
  } as unknown as HostApi;
  const codec = hostCompressionCodec(host).create('gzip', 'compress')!;
  const big = pattern(4 * MiB);
  codec.push(big.subarray(10, 1010));
  codec.push(big.subarray(1, 1 + 2 * MiB + 5));
  assert.deepEqual(pushed.map((b) => b.byteLength), [1000, MiB, MiB, 5]);
  for (const bytes of pushed) assert.ok(bytes.buffer.byteLength <= 2 * bytes.byteLength, `a ${bytes.byteLength}-byte push carried a ${bytes.buffer.byteLength}-byte buffer`);
  assert.deepEqual(Buffer.concat(pushed.slice(1)), Buffer.from(big.subarray(1, 1 + 2 * MiB + 5)));
});

test("a host text decoder's input: a small view of a large buffer reaches the host as its own bytes", () => {
  const real = nodeTextCodec();
  const seen: Uint8Array[] = [];
  setTextCodecBridge({ ...real, decoderDecode: (id, bytes, stream) => (seen.push(bytes), real.decoderDecode(id, bytes, stream)) });
  try {
    const big = new Uint8Array(4 * MiB).fill(0x41);
    big.set([0x82, 0xa0], 100); // Shift_JIS hiragana A
    assert.equal(new TextDecoder('shift_jis').decode(big.subarray(99, 103)), 'A\u3042A');
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.buffer.byteLength, 4);
  } finally {
    setTextCodecBridge(undefined);
    real.close();
  }
});

test('a known body over 1 MiB streams in parts, framed by its own length; a smaller one goes with the head', async () => {
  const { Server } = await import('../../src/runtime/serve.js');
  const { packRequestHead } = await import('../../src/runtime/request-head.js');
  const { Response } = await import('../../src/web/fetch/response.js');
  const { setURLBridge } = await import('../../src/web/url.js');
  const { nodeURLBridge } = await import('../../src/host/url-node.js');
  setURLBridge(nodeURLBridge);
  const crossings: Uint8Array[][] = [];
  let ended = false;
  const host = {
    responseWrite: (_id: number, chunks: Uint8Array[]) => void crossings.push(chunks),
    responseEnd: () => void (ended = true),
    responseError: (_id: number, message: string) => assert.fail(message),
    bodyPull: () => {},
    bodyCancel: () => {},
    waitUntilSettled: () => {},
    log: (_level: string, text: string) => assert.fail(text),
  };
  const channels = new BodyChannels();
  const server = new Server(host, channels);
  const large = pattern(3 * MiB);
  server.registerApp({ fetch: (request: { url: string }) => new Response(request.url.endsWith('/large') ? large : 'small', { headers: { 'content-length': '7', 'x-a': '1' } }) });
  const head = (path: string) => packRequestHead({ method: 'GET', url: `http://app.test${path}`, rawHeaders: [], body: false });

  // The result comes through a callback (serve.ts says why).
  const dispatch = (id: number, packed: string) => new Promise<DispatchResult>((resolve) => server.dispatch(id, packed, resolve));
  const small = await dispatch(1, head('/small'));
  assert.ok('head' in small);
  assert.equal(small.head.body, false);
  assert.equal(new TextDecoder().decode(small.head.bytes), 'small');

  const result = await dispatch(2, head('/large'));
  assert.ok('head' in result);
  assert.equal(result.head.body, true, 'the large body streams');
  assert.equal(result.head.bytes, undefined);
  // The app's Content-Length is replaced by the body's, as the host does for a known body.
  assert.deepEqual(result.head.headers, ['x-a', '1', 'content-length', String(3 * MiB)]);
  server.responseStart(2);
  let acked = 0;
  while (!ended) {
    await new Promise((resolve) => setImmediate(resolve));
    for (; acked < crossings.length; acked++) channels.ack(2, crossings[acked]![0]!.byteLength + 512);
  }
  for (const crossing of crossings) assert.ok(crossing.length === 1 && crossing[0]!.byteLength <= 256 * 1024);
  assert.deepEqual(Buffer.concat(crossings.flat()), Buffer.from(large));
});

test('compression input gathers in the isolate up to 64 KiB per host call (a copy: the app may reuse its buffer); decompression input goes at once', () => {
  const pushed: Uint8Array[] = [];
  let finished = 0;
  const host = {
    codecCreate: () => 1,
    codecPush: (_id: number, bytes: Uint8Array): HostCodecResult => (pushed.push(bytes.slice()), { chunks: [Uint8Array.of(pushed.length)], error: undefined }),
    codecFinish: (): HostCodecResult => (finished++, { chunks: [Uint8Array.of(99)], error: undefined }),
    codecResume: (): HostCodecResult => ({ chunks: [], error: undefined }),
    codecClose: () => {},
  } as unknown as HostApi;
  const compress = hostCompressionCodec(host).create('gzip', 'compress')!;
  const chunk = new Uint8Array(1024);
  const outputs: number[][] = [];
  for (let i = 0; i < 100; i++) {
    chunk.fill(i & 255); // the same buffer, changed after each write
    outputs.push(compress.push(chunk).chunks.map((c) => c[0]!));
  }
  assert.equal(pushed.length, 1, '64 KiB gathered: one host call for the first 64 writes');
  assert.equal(pushed[0]!.byteLength, 64 * 1024);
  assert.deepEqual(outputs[63], [1], 'its output comes back with the write that filled it');
  assert.deepEqual(outputs.filter((o) => o.length > 0).length, 1);
  assert.deepEqual([...compress.finish().chunks.map((c) => c[0])], [2, 99], 'finish sends the rest, then finishes');
  assert.equal(pushed[1]!.byteLength, 36 * 1024);
  // Every byte in order, as written at each write (not the buffer's last contents).
  const all = Buffer.concat(pushed);
  for (let i = 0; i < 100; i++) assert.equal(all[i * 1024], i & 255);
  // A chunk that does not fit goes after what was gathered, in order.
  pushed.length = 0;
  const again = hostCompressionCodec(host).create('gzip', 'compress')!;
  again.push(new Uint8Array(1000).fill(1));
  again.push(new Uint8Array(70_000).fill(2));
  assert.deepEqual(pushed.map((p) => [p.byteLength, p[0]]), [[1000, 1], [70_000, 2]]);
  // Decompression: each push is a host call.
  pushed.length = 0;
  const decompress = hostCompressionCodec(host).create('gzip', 'decompress')!;
  decompress.push(new Uint8Array(10));
  decompress.push(new Uint8Array(10));
  assert.equal(pushed.length, 2);
});
