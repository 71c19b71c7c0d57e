// The benchmark scenarios. Each is a plain function of an implementation's classes, so the same
// code runs in a Node child (library mode) and, bundled as a script, inside a V8 isolate: no
// imports beyond types, no Node APIs, only what every JS realm has.
import type { ReadableStreamDefaultReader } from 'node:stream/web';
import type { Scenario, StreamsImpl } from './types.js';

const KiB = 1024;
const MiB = 1024 * KiB;
/** The view size for byte scenarios: a typical socket/file read. */
const BYTE_CHUNK = 64 * KiB;

/** Scenarios check what came through, so a fast but wrong implementation shows as an error. */
function expectEqual(actual: number, expected: number, what: string): void {
  if (actual !== expected) throw new Error(`${what}: expected ${expected}, got ${actual}`);
}

/** A source of `n` numbers, one enqueue per pull: the per-chunk path, not the queue, is measured. */
function countingSource(impl: StreamsImpl, n: number) {
  let i = 0;
  return new impl.ReadableStream<number>({
    pull(controller) {
      controller.enqueue(i++);
      if (i === n) controller.close();
    },
  });
}

async function drain(reader: ReadableStreamDefaultReader<unknown>): Promise<number> {
  let count = 0;
  for (;;) {
    const result = await reader.read();
    if (result.done) return count;
    count++;
  }
}

/**
 * A byte source of `total` bytes that answers each pull through the BYOB request, whether the
 * reader brought the view (BYOB) or the stream allocated it (autoAllocateChunkSize). The bytes are
 * left as they are: the streams' cost per read is measured, not a memset.
 */
function byteSource(impl: StreamsImpl, total: number, autoAllocate: boolean) {
  let produced = 0;
  return new impl.ReadableStream({
    type: 'bytes',
    ...(autoAllocate ? { autoAllocateChunkSize: BYTE_CHUNK } : {}),
    pull(controller) {
      const request = controller.byobRequest;
      if (!request?.view) throw new Error('pull without a BYOB request');
      const n = Math.min(request.view.byteLength, total - produced);
      request.respond(n);
      produced += n;
      if (produced === total) controller.close();
    },
  });
}

const readLoop: Scenario = {
  name: 'read-loop',
  title: 'default reader, one enqueue per pull',
  unit: 'chunks',
  size: { full: 1e6, quick: 2e5 },
  unsupported: () => null,
  async run(impl, n) {
    const count = await drain(countingSource(impl, n).getReader());
    expectEqual(count, n, 'chunks read');
    return { chunks: count, bytes: 0 };
  },
};

const enqueueBurst: Scenario = {
  name: 'enqueue-burst',
  title: 'enqueue all in start() (highWaterMark Infinity), then read',
  unit: 'chunks',
  // Both sizes keep the queue well past 20k entries, where array-backed queues turn quadratic.
  size: { full: 1e5, quick: 5e4 },
  unsupported: () => null,
  async run(impl, n) {
    const stream = new impl.ReadableStream<number>(
      {
        start(controller) {
          for (let i = 0; i < n; i++) controller.enqueue(i);
          controller.close();
        },
      },
      { highWaterMark: Infinity },
    );
    const count = await drain(stream.getReader());
    expectEqual(count, n, 'chunks read');
    return { chunks: count, bytes: 0 };
  },
};

const asyncIteration: Scenario = {
  name: 'async-iteration',
  title: 'for await over the stream',
  unit: 'chunks',
  size: { full: 1e6, quick: 2e5 },
  unsupported: () => null,
  async run(impl, n) {
    let count = 0;
    for await (const _ of countingSource(impl, n)) count++;
    expectEqual(count, n, 'chunks iterated');
    return { chunks: count, bytes: 0 };
  },
};

const pipeChain: Scenario = {
  name: 'pipe-chain',
  title: 'source -> 3 identity TransformStreams -> WritableStream',
  unit: 'chunks',
  size: { full: 2e5, quick: 5e4 },
  unsupported: () => null,
  async run(impl, n) {
    let count = 0;
    await countingSource(impl, n)
      .pipeThrough(new impl.TransformStream<number, number>())
      .pipeThrough(new impl.TransformStream<number, number>())
      .pipeThrough(new impl.TransformStream<number, number>())
      .pipeTo(
        new impl.WritableStream<number>({
          write() {
            count++;
          },
        }),
      );
    expectEqual(count, n, 'chunks written');
    return { chunks: count, bytes: 0 };
  },
};

const transformChain: Scenario = {
  name: 'transform-chain',
  title: 'source -> 3 TransformStreams whose transform() enqueues chunk + 1 -> WritableStream',
  unit: 'chunks',
  size: { full: 2e5, quick: 5e4 },
  unsupported: () => null,
  async run(impl, n) {
    let count = 0;
    let sum = 0;
    const stage = () =>
      new impl.TransformStream<number, number>({
        transform(chunk, controller) {
          controller.enqueue(chunk + 1);
        },
      });
    await countingSource(impl, n)
      .pipeThrough(stage())
      .pipeThrough(stage())
      .pipeThrough(stage())
      .pipeTo(
        new impl.WritableStream<number>({
          write(chunk) {
            count++;
            sum += chunk;
          },
        }),
      );
    expectEqual(count, n, 'chunks written');
    // Each chunk went through every transform: 0..n-1, each plus 3.
    expectEqual(sum, (n * (n - 1)) / 2 + 3 * n, 'sum of chunks');
    return { chunks: count, bytes: 0 };
  },
};

const byobRead: Scenario = {
  name: 'byob-read',
  title: 'byte stream, BYOB reader reusing one 64 KiB buffer',
  unit: 'bytes',
  // Few reads per MiB, so even the quick size must be large to time more than a few ms.
  size: { full: 256 * MiB, quick: 128 * MiB },
  unsupported: () => null,
  async run(impl, total) {
    const reader = byteSource(impl, total, false).getReader({ mode: 'byob' });
    let buffer = new ArrayBuffer(BYTE_CHUNK);
    let bytes = 0;
    let chunks = 0;
    for (;;) {
      const { value, done } = await reader.read(new Uint8Array(buffer));
      if (done || !value) break;
      bytes += value.byteLength;
      chunks++;
      // The read transferred the buffer; its new home is value.buffer.
      buffer = value.buffer as ArrayBuffer;
    }
    expectEqual(bytes, total, 'bytes read');
    return { chunks, bytes };
  },
};

const byteDefaultRead: Scenario = {
  name: 'byte-default-read',
  title: 'byte stream, default reader, autoAllocateChunkSize 64 KiB',
  unit: 'bytes',
  size: { full: 256 * MiB, quick: 64 * MiB },
  unsupported: () => null,
  async run(impl, total) {
    const reader = byteSource(impl, total, true).getReader();
    let bytes = 0;
    let chunks = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      bytes += (value as Uint8Array).byteLength;
      chunks++;
    }
    expectEqual(bytes, total, 'bytes read');
    return { chunks, bytes };
  },
};

const tee: Scenario = {
  name: 'tee',
  title: 'tee(), both branches read concurrently',
  unit: 'chunks',
  size: { full: 5e5, quick: 1e5 },
  unsupported: () => null,
  async run(impl, n) {
    const [a, b] = countingSource(impl, n).tee();
    const [countA, countB] = await Promise.all([drain(a.getReader()), drain(b.getReader())]);
    expectEqual(countA, n, 'chunks read from branch 1');
    expectEqual(countB, n, 'chunks read from branch 2');
    return { chunks: n, bytes: 0 };
  },
};

const writeLoop: Scenario = {
  name: 'write-loop',
  title: 'writer.write() after each writer.ready',
  unit: 'chunks',
  size: { full: 1e6, quick: 2e5 },
  unsupported: () => null,
  async run(impl, n) {
    let count = 0;
    const writer = new impl.WritableStream<number>({
      write() {
        count++;
      },
    }).getWriter();
    for (let i = 0; i < n; i++) {
      await writer.ready;
      // Not awaited: backpressure is honoured through `ready`, as the spec's examples do.
      void writer.write(i);
    }
    await writer.close();
    expectEqual(count, n, 'chunks written');
    return { chunks: count, bytes: 0 };
  },
};

/** Mixed ASCII and multi-byte text so the codecs do real work; each chunk is a few dozen bytes. */
const TEXTS = ['hello, streams ', 'grüße aus dem isolate ', 'δοκιμή ροής ', '流式传输测试 ', 'emoji 🚀🌊 ok '];

const textCodecs: Scenario = {
  name: 'text-codecs',
  title: 'strings -> TextEncoderStream -> TextDecoderStream -> strings',
  unit: 'chunks',
  size: { full: 2e5, quick: 5e4 },
  unsupported: (impl) =>
    impl.TextEncoderStream && impl.TextDecoderStream ? null : 'no TextEncoderStream/TextDecoderStream',
  async run(impl, n) {
    const Encoder = impl.TextEncoderStream!;
    const Decoder = impl.TextDecoderStream!;
    let i = 0;
    let charsIn = 0;
    const source = new impl.ReadableStream<string>({
      pull(controller) {
        const text = TEXTS[i++ % TEXTS.length]!;
        charsIn += text.length;
        controller.enqueue(text);
        if (i === n) controller.close();
      },
    });
    const reader = source.pipeThrough(new Encoder()).pipeThrough(new Decoder()).getReader();
    let charsOut = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      charsOut += value.length;
    }
    // The decoder may regroup chunks; the characters must all come out.
    expectEqual(charsOut, charsIn, 'characters decoded');
    return { chunks: n, bytes: 0 };
  },
};

const RESPONSE_CHUNK = 16 * KiB;

const responseArrayBuffer: Scenario = {
  name: 'response-body',
  title: 'new Response(stream).arrayBuffer(), 16 KiB chunks',
  unit: 'bytes',
  size: { full: 64 * MiB, quick: 16 * MiB },
  unsupported: (impl) => (impl.Response ? null : 'no Response'),
  async run(impl, total) {
    let produced = 0;
    let chunks = 0;
    const body = new impl.ReadableStream<Uint8Array>({
      pull(controller) {
        const n = Math.min(RESPONSE_CHUNK, total - produced);
        // A fresh chunk each time: a Response may keep (or transfer) what it was given.
        controller.enqueue(new Uint8Array(n));
        produced += n;
        chunks++;
        if (produced === total) controller.close();
      },
    });
    const buffer = await new impl.Response!(body).arrayBuffer();
    expectEqual(buffer.byteLength, total, 'body bytes');
    return { chunks, bytes: total };
  },
};

/** In report order. */
export const scenarios: readonly Scenario[] = [
  readLoop,
  enqueueBurst,
  asyncIteration,
  pipeChain,
  transformChain,
  byobRead,
  byteDefaultRead,
  tee,
  writeLoop,
  textCodecs,
  responseArrayBuffer,
];

/**
 * The machine-speed probe (child.ts times it just before and just after each measured run, in
 * the same realm or isolate): a fixed, implementation-free loop of promises and their jobs,
 * the work every scenario is made of. This machine's vCPUs switch between two speeds
 * about 1.9x apart for seconds at a time, whatever runs (the README's bench notes), so a run's
 * time divided by its probe's is a figure two runs can be compared by whichever speed each got.
 */
export async function speedProbe(): Promise<number> {
  let sum = 0;
  for (let i = 0; i < SPEED_PROBE_ITERATIONS; i++) sum += await Promise.resolve(i).then(probeStep);
  expectEqual(sum, (SPEED_PROBE_ITERATIONS * (SPEED_PROBE_ITERATIONS + 1)) / 2, 'probe sum');
  return sum;
}

/** About 10 ms at this machine's faster speed. */
const SPEED_PROBE_ITERATIONS = 100_000;
const probeStep = (i: number): number => i + 1;

export function findScenario(name: string): Scenario {
  const scenario = scenarios.find((s) => s.name === name);
  if (!scenario) throw new Error(`unknown scenario ${name}`);
  return scenario;
}
