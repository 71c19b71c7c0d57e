// A pipe carrying chunks across identity TransformStreams (readable-stream/pipe.ts, docs/fast-paths.md
// #25): the streams must end up where the spec's steps leave them. Each case runs on NANO and on
// web-streams-polyfill (the reference the property tests use) and checks stated figures too, so
// a wrong capacity, a lost chunk or a stage left in the wrong state fails either way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nano from '../../src/streams/index.js';
import * as polyfill from 'web-streams-polyfill';

type Impl = typeof nano;
const impls: [string, Impl][] = [
  ['nano', nano],
  ['polyfill', polyfill as unknown as Impl],
];

async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A source that counts its pulls and enqueues on each one, until `limit`. */
function countingSource(impl: Impl, limit: number, hwm = 1) {
  const state = { pulls: 0, cancelled: [] as unknown[], controller: undefined as nano.ReadableStreamDefaultController<number> | undefined };
  const stream = new impl.ReadableStream(
    {
      start: (c) => void (state.controller = c as nano.ReadableStreamDefaultController<number>),
      pull: (c) => {
        c.enqueue(state.pulls++);
        if (state.pulls === limit) c.close();
      },
      cancel: (reason) => void state.cancelled.push(reason),
    },
    { highWaterMark: hwm },
  );
  return { stream, state };
}

test('a sink that never finishes its first write: the chain holds what its highWaterMarks say', async () => {
  for (const [name, impl] of impls) {
    const { stream, state } = countingSource(impl, 1000);
    const writes: number[] = [];
    const stages = [1, 2, 3.5].map((hwm) => new impl.TransformStream(undefined, { highWaterMark: hwm }));
    let chain: nano.ReadableStream<number> = stream;
    for (const ts of stages) chain = chain.pipeThrough(ts);
    const sink = new impl.WritableStream({
      write: (c) => {
        writes.push(c);
        return new Promise<void>(() => {});
      },
    });
    void chain.pipeTo(sink);
    await settle();
    // One chunk in the sink, 1 + 2 + 4 in the TransformStreams' writable sides, one queued in the source.
    assert.deepEqual(writes, [0], name);
    assert.equal(state.pulls, 1 + 1 + 2 + 4 + 1, name);
    assert.equal(state.controller!.desiredSize, 0, name);
  }
});

test('a closed source: every chunk in order, every TransformStream closed and released', async () => {
  for (const [name, impl] of impls) {
    const { stream } = countingSource(impl, 500);
    const stages = [0, 1, 2].map(() => new impl.TransformStream());
    let chain: nano.ReadableStream<number> = stream;
    for (const ts of stages) chain = chain.pipeThrough(ts);
    const seen: number[] = [];
    let closed = 0;
    await chain.pipeTo(
      new impl.WritableStream({
        write: async (c) => void seen.push(c),
        close: () => void closed++,
      }),
    );
    assert.deepEqual(seen, Array.from({ length: 500 }, (_, i) => i), name);
    assert.equal(closed, 1, name);
    for (const ts of stages) {
      assert.equal(ts.readable.locked, false, name);
      assert.equal(ts.writable.locked, false, name);
      assert.deepEqual(await ts.readable.getReader().read(), { value: undefined, done: true }, name);
      await ts.writable.getWriter().closed;
    }
  }
});

test('a sink error while chunks are held: the source is cancelled with it, each stage errored', async () => {
  for (const [name, impl] of impls) {
    const { stream, state } = countingSource(impl, 1000);
    const stages = [0, 1, 2].map(() => new impl.TransformStream());
    let chain: nano.ReadableStream<number> = stream;
    for (const ts of stages) chain = chain.pipeThrough(ts);
    const broke = new Error('sink broke');
    let writes = 0;
    const piped = chain.pipeTo(
      new impl.WritableStream({
        write: () => {
          writes++;
          // The third write fails once the chain is full behind it.
          return writes === 3 ? new Promise<void>((_, reject) => setTimeout(() => reject(broke), 5)) : undefined;
        },
      }),
    );
    await assert.rejects(piped, (e) => e === broke, name);
    await settle();
    assert.deepEqual(state.cancelled, [broke], name);
    assert.equal(writes, 3, name);
    for (const ts of stages) {
      await assert.rejects(ts.writable.getWriter().closed, (e) => e === broke, name);
      assert.deepEqual(await ts.readable.getReader().read(), { value: undefined, done: true }, name);
    }
  }
});

test('a source error: the sink is aborted with it after the chunks already read reach it', async () => {
  for (const [name, impl] of impls) {
    const boom = new Error('boom');
    let controller!: nano.ReadableStreamDefaultController<number>;
    const source = new impl.ReadableStream({ start: (c) => void (controller = c as nano.ReadableStreamDefaultController<number>) });
    const stages = [0, 1].map(() => new impl.TransformStream());
    let chain = source;
    for (const ts of stages) chain = chain.pipeThrough(ts);
    const seen: number[] = [];
    const aborted: unknown[] = [];
    const piped = chain.pipeTo(
      new impl.WritableStream({ write: (c) => void seen.push(c), abort: (r) => void aborted.push(r) }),
    );
    for (let i = 0; i < 5; i++) controller.enqueue(i);
    await settle();
    controller.error(boom);
    await assert.rejects(piped, (e) => e === boom, name);
    assert.deepEqual(seen, [0, 1, 2, 3, 4], name);
    assert.deepEqual(aborted, [boom], name);
    for (const ts of stages) await assert.rejects(ts.readable.getReader().closed, (e) => e === boom, name);
  }
});

// Found by the differential pipe property: a pipeTo with preventCancel whose destination errors
// leaves the TransformStream it read from with the backpressure its pending read had cleared, so a
// later chunk moves on into the readable side, and the pipe into it can finish on the source's error.
test('preventCancel: a sink error leaves the TransformStream as the spec does', async () => {
  for (const [name, impl] of impls) {
    let controller!: nano.ReadableStreamDefaultController<number>;
    let sinkController!: nano.WritableStreamDefaultController;
    const source = new impl.ReadableStream({ start: (c) => void (controller = c as nano.ReadableStreamDefaultController<number>) }, { highWaterMark: 0 });
    const ts = new impl.TransformStream();
    const piped = source
      .pipeThrough(ts)
      .pipeTo(new impl.WritableStream({ start: (c) => void (sinkController = c) }), { preventCancel: true });
    await settle();
    sinkController.error('sink broke');
    await assert.rejects(piped, (e) => e === 'sink broke', name);
    controller.enqueue(0);
    await settle();
    controller.error('boom');
    await settle();
    assert.equal(source.locked, false, name);
    assert.equal(ts.writable.locked, false, name);
    await assert.rejects(ts.readable.getReader().read(), (e) => e === 'boom', name);
  }
});

test('a source error with preventAbort: the last pipe waits for the write it has in flight', async () => {
  for (const [name, impl] of impls) {
    let controller!: nano.ReadableStreamDefaultController<number>;
    const source = new impl.ReadableStream({ start: (c) => void (controller = c as nano.ReadableStreamDefaultController<number>) }, { highWaterMark: 0 });
    let finishWrite!: () => void;
    const sink = new impl.WritableStream({ write: () => new Promise<void>((resolve) => void (finishWrite = resolve)) });
    let settled = false;
    const piped = source
      .pipeThrough(new impl.TransformStream())
      .pipeTo(sink, { preventAbort: true });
    piped.catch(() => {}).finally(() => void (settled = true));
    controller.enqueue(0);
    await settle();
    controller.error('boom');
    await settle();
    // "Wait until every chunk that has been read has been written": write(0) is still in flight.
    assert.equal(settled, false, name);
    assert.equal(sink.locked, true, name);
    finishWrite();
    await assert.rejects(piped, (e) => e === 'boom', name);
    assert.equal(sink.locked, false, name);
  }
});

/** Runs `scenario` on both implementations; their logs must be equal. */
async function sameOnBoth(scenario: (impl: Impl, log: string[]) => Promise<void>): Promise<string[]> {
  const logs: string[][] = [];
  for (const [, impl] of impls) {
    const log: string[] = [];
    await scenario(impl, log);
    logs.push(log);
  }
  assert.deepEqual(logs[0], logs[1]);
  return logs[0]!;
}

test('an abort signal on the pipe into the first TransformStream, with chunks held', async () => {
  const log = await sameOnBoth(async (impl, log) => {
    const { stream, state } = countingSource(impl, 1000);
    const abort = new AbortController();
    const stages = [0, 1, 2].map(() => new impl.TransformStream());
    let chain = stream.pipeThrough(stages[0], { signal: abort.signal });
    for (const ts of stages.slice(1)) chain = chain.pipeThrough(ts);
    const pending: (() => void)[] = [];
    const piped = chain.pipeTo(
      new impl.WritableStream({
        write: (c) => {
          log.push(`write ${c}`);
          return new Promise<void>((resolve) => void pending.push(resolve));
        },
        abort: (r) => void log.push(`abort ${r}`),
        close: () => void log.push('close'),
      }),
    );
    piped.then(() => log.push('resolved'), (e) => log.push(`rejected ${e}`));
    await settle();
    log.push(`pulls ${state.pulls}`);
    abort.abort('stop');
    await settle();
    while (pending.length > 0) {
      pending.shift()!();
      await settle();
    }
    log.push(`pulls ${state.pulls} cancelled ${state.cancelled.join()}`);
    for (const ts of stages) log.push(`locked ${ts.readable.locked} ${ts.writable.locked}`);
  });
  assert.ok(log.includes('rejected stop') && log.includes('abort stop'), log.join('; '));
});

test('a chain that ends in a TransformStream read by script, then cancelled', async () => {
  const log = await sameOnBoth(async (impl, log) => {
    const { stream, state } = countingSource(impl, 1000);
    const stages = [0, 1, 2].map(() => new impl.TransformStream());
    let chain: nano.ReadableStream<number> = stream;
    for (const ts of stages) chain = chain.pipeThrough(ts);
    const reader = chain.getReader();
    for (let i = 0; i < 3; i++) log.push(JSON.stringify(await reader.read()));
    await settle();
    log.push(`pulls ${state.pulls}`);
    await reader.cancel('enough');
    await settle();
    log.push(`pulls ${state.pulls} cancelled ${state.cancelled.join()}`);
    for (const ts of stages) log.push(`locked ${ts.readable.locked} ${ts.writable.locked}`);
  });
  // Three chunks read; one in each TransformStream's writable side, one queued in the source.
  assert.ok(log.includes('pulls 7 cancelled enough'), log.join('; '));
});
