// The properties, as functions of an implementation and fast-check run options, so the CI test
// (fixed seed, small budget) and the fuzzer (random seeds, long runs) share them.
import fc from 'fast-check';
import assert from 'node:assert/strict';
import {
  readableTrace, writableTrace, byteTrace, teeTrace, pipeTrace, transformTrace, chainTurnTrace,
  type ChainSetup, type ChainStageKind, type PipeImpl, type DiffOp, type WOp, type ByteOp, type TeeOp, type PipeOp, type PipeSetup, type TransformOp, type TransformSetup,
} from './trace.js';

/** The WHATWG streams classes the properties use (NANO's, or the polyfill's as an oracle). */
export interface Impl {
  ReadableStream: typeof ReadableStream;
  WritableStream: typeof WritableStream;
  TransformStream: typeof TransformStream;
}

export interface RunOptions {
  seed?: number;
  numRuns: number;
}

/** Lets pending microtasks (promise chains of bounded depth) run. */
export async function flush(turns = 30): Promise<void> {
  for (let i = 0; i < turns; i++) await null;
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const hwmArb = fc.integer({ min: 0, max: 6 });

type ReadableOp = { op: 'enqueue'; size: number } | { op: 'read' } | { op: 'flush' };
const readableOps: fc.Arbitrary<ReadableOp[]> = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant('enqueue' as const), size: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ op: fc.constant('read' as const) }),
    fc.record({ op: fc.constant('flush' as const) }),
  ),
  { maxLength: 40 },
);

/**
 * Readable: after every step desiredSize === highWaterMark - (sizes queued), never NaN; chunks are
 * read in enqueue order, exactly once; pull() is never re-entered while one is in flight, and is
 * called only when desiredSize > 0 or a read is waiting.
 */
export function readableQueue(impl: Impl, options: RunOptions): Promise<void> {
  return fc.assert(
    fc.asyncProperty(hwmArb, readableOps, fc.boolean(), async (hwm, ops, withPull) => {
      let controller!: ReadableStreamDefaultController<{ id: number; size: number }>;
      let pullInFlight = false;
      let waiting = 0;
      const queue: number[] = [];
      const rs = new impl.ReadableStream<{ id: number; size: number }>(
        {
          start: (c) => void (controller = c),
          pull: withPull
            ? async (c) => {
                assert.equal(pullInFlight, false, 'pull() is not called while one is in flight');
                assert.ok((c.desiredSize ?? 0) > 0 || waiting > 0, 'pull() only when there is room or a waiting read');
                pullInFlight = true;
                await flush(3);
                pullInFlight = false;
              }
            : undefined,
        },
        { highWaterMark: hwm, size: (chunk) => chunk.size },
      );
      const reader = rs.getReader();
      let nextId = 0;
      let expected = 0;
      const reads: Promise<void>[] = [];
      for (const step of ops) {
        if (step.op === 'enqueue') {
          controller.enqueue({ id: nextId++, size: step.size });
          if (waiting > 0) waiting--;
          else queue.push(step.size);
        } else if (step.op === 'read') {
          if (queue.length > 0) queue.shift();
          else waiting++;
          reads.push(
            reader.read().then((r) => {
              if (r.done) return;
              assert.equal(r.value.id, expected++, 'chunks come out in enqueue order, exactly once');
            }),
          );
        } else {
          await flush();
        }
        const desired = controller.desiredSize;
        assert.ok(typeof desired === 'number' && !Number.isNaN(desired));
        assert.equal(desired, hwm - sum(queue), 'desiredSize = highWaterMark - queue total');
      }
      controller.close();
      await Promise.all(reads);
      assert.equal(expected, Math.min(nextId, reads.length));
    }),
    options,
  );
}

/** Byte streams: BYOB reads with random views and `min` deliver exactly the bytes enqueued, honour min, never share buffers. */
export function byobReads(impl: Impl, options: RunOptions): Promise<void> {
  return fc.assert(
    fc.asyncProperty(
      fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 15 }),
      fc.array(fc.record({ size: fc.integer({ min: 1, max: 32 }), min: fc.integer({ min: 1, max: 32 }) }), { minLength: 1, maxLength: 30 }),
      async (chunkSizes, reads) => {
        let counter = 0;
        const enqueued: number[] = [];
        let index = 0;
        const rs = new impl.ReadableStream({
          type: 'bytes',
          pull(c: ReadableByteStreamController) {
            if (index >= chunkSizes.length) {
              c.close();
              c.byobRequest?.respond(0);
              return;
            }
            const bytes = new Uint8Array(chunkSizes[index++]!).map(() => counter++ & 255);
            enqueued.push(...bytes);
            c.enqueue(bytes);
          },
        } as never);
        const reader = rs.getReader({ mode: 'byob' });
        const received: number[] = [];
        const buffers = new Set<ArrayBufferLike>();
        for (const { size, min } of reads) {
          const m = Math.min(min, size);
          const { value, done } = await reader.read(new Uint8Array(size), { min: m });
          assert.ok(value !== undefined);
          assert.ok(!buffers.has(value.buffer), 'each read returns its own buffer');
          buffers.add(value.buffer);
          // A read answered by the close may carry the bytes that were filled (fewer than min).
          received.push(...value);
          if (done) break;
          assert.ok(value.length >= m, `min ${m} honoured (got ${value.length})`);
        }
        // Drain what is left with the default reader's sibling: another BYOB read loop.
        for (;;) {
          const { value, done } = await reader.read(new Uint8Array(64));
          received.push(...value!);
          if (done) break;
        }
        assert.deepEqual(received, enqueued, 'bytes delivered equal bytes enqueued, in order');
      },
    ),
    options,
  );
}

/** Writable: ready is pending exactly when desiredSize <= 0; writes settle in order; the sink sees each chunk once, in order. */
export function writableBackpressure(impl: Impl, options: RunOptions): Promise<void> {
  return fc.assert(
    fc.asyncProperty(
      hwmArb,
      fc.array(fc.oneof(fc.record({ op: fc.constant('write' as const), delay: fc.integer({ min: 0, max: 5 }) }), fc.record({ op: fc.constant('flush' as const) })), { maxLength: 30 }),
      async (hwm, ops) => {
        const seen: number[] = [];
        const delays: number[] = [];
        const ws = new impl.WritableStream<number>(
          {
            async write(chunk) {
              seen.push(chunk);
              await flush(delays[chunk] ?? 0);
            },
          },
          new CountQueuingStrategyOf(impl, hwm),
        );
        const writer = ws.getWriter();
        await flush();
        const settled: number[] = [];
        const writes: Promise<void>[] = [];
        let n = 0;
        for (const step of ops) {
          if (step.op === 'write') {
            const id = n++;
            delays[id] = step.delay;
            writes.push(writer.write(id).then(() => void settled.push(id)));
            continue;
          }
          // At a quiescent point (every sink write has had time to finish or is still waiting
          // on its delay), compare the ready promise's state with desiredSize.
          await flush();
          const desired = writer.desiredSize!;
          let readyResolved = false;
          void writer.ready.then(() => (readyResolved = true));
          await flush(2);
          if (writer.desiredSize === desired) {
            assert.equal(readyResolved, desired > 0, `ready is pending exactly when desiredSize (${desired}) <= 0`);
          }
        }
        await Promise.all(writes);
        assert.deepEqual(settled, [...settled].sort((a, b) => a - b), 'write promises settle in order');
        assert.deepEqual(seen, Array.from({ length: n }, (_, i) => i), 'the sink sees each chunk once, in order');
      },
    ),
    options,
  );
}

/** A CountQueuingStrategy-shaped object (the properties need no class from the implementation). */
class CountQueuingStrategyOf {
  readonly highWaterMark: number;
  constructor(_impl: Impl, hwm: number) {
    this.highWaterMark = hwm;
  }
  size(): number {
    return 1;
  }
}

/** abort(reason) reaches the sink's abort once, with that exact value, whatever was written before. */
export function abortReason(impl: Impl, options: RunOptions): Promise<void> {
  return fc.assert(
    fc.asyncProperty(fc.anything(), fc.integer({ min: 0, max: 4 }), async (reason, writes) => {
      const aborts: unknown[] = [];
      const ws = new impl.WritableStream({ abort: (r) => void aborts.push(r) });
      const writer = ws.getWriter();
      for (let i = 0; i < writes; i++) writer.write(i).catch(() => {});
      await writer.abort(reason);
      assert.equal(aborts.length, 1);
      assert.equal(aborts[0], reason);
    }),
    options,
  );
}

/** cancel(reason) at the end of 0-3 TransformStreams reaches the source's cancel once, with that value. */
export function cancelReason(impl: Impl, options: RunOptions): Promise<void> {
  return fc.assert(
    fc.asyncProperty(fc.anything(), fc.integer({ min: 0, max: 3 }), async (reason, stages) => {
      const cancels: unknown[] = [];
      let rs: ReadableStream = new impl.ReadableStream({ cancel: (r) => void cancels.push(r) });
      for (let i = 0; i < stages; i++) rs = rs.pipeThrough(new impl.TransformStream());
      await rs.cancel(reason);
      await flush();
      assert.equal(cancels.length, 1, 'cancel reaches the source once, through every stage');
      assert.equal(cancels[0], reason);
    }),
    options,
  );
}

/** An error in the source reaches the sink's abort through a pipe chain, with that error. */
export function errorPropagation(impl: Impl, options: RunOptions): Promise<void> {
  return fc.assert(
    fc.asyncProperty(fc.string(), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 5 }), async (message, stages, before) => {
      const error = new Error(message);
      let sent = 0;
      let rs: ReadableStream<number> = new impl.ReadableStream<number>({
        pull(c) {
          if (sent === before) c.error(error);
          else c.enqueue(sent++);
        },
      });
      for (let i = 0; i < stages; i++) rs = rs.pipeThrough(new impl.TransformStream());
      const aborts: unknown[] = [];
      const seen: number[] = [];
      const piped = rs.pipeTo(new impl.WritableStream<number>({ write: (c) => void seen.push(c), abort: (r) => void aborts.push(r) }));
      await assert.rejects(piped, (e) => e === error);
      assert.deepEqual(aborts, [error], "the sink's abort gets the source's error, once");
      assert.deepEqual(seen, Array.from({ length: seen.length }, (_, i) => i), 'what arrived before the error is in order');
    }),
    options,
  );
}

/** Pipe chains: chunks arrive complete, in order, exactly once; what the chain buffers stays bounded by its highWaterMarks. */
export function pipeChains(impl: Impl, options: RunOptions): Promise<void> {
  return fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 60 }),
      // A TransformStream whose writable side has highWaterMark 0 never has room for a pipe to
      // write into: the pipe waits forever, in the reference implementation too (spec behaviour).
      fc.array(fc.record({ writable: fc.integer({ min: 1, max: 3 }), readable: fc.integer({ min: 0, max: 3 }), delay: fc.integer({ min: 0, max: 3 }) }), { minLength: 0, maxLength: 4 }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 0, max: 4 }),
      async (count, stages, sinkHwm, sourceHwm) => {
        let produced = 0;
        let consumed = 0;
        let maxInChain = 0;
        let rs: ReadableStream<number> = new impl.ReadableStream<number>(
          {
            pull(c) {
              c.enqueue(produced++);
              if (produced === count) c.close();
            },
          },
          { highWaterMark: sourceHwm },
        );
        for (const s of stages) {
          rs = rs.pipeThrough(
            new impl.TransformStream<number, number>(
              {
                async transform(chunk, c) {
                  await flush(s.delay);
                  c.enqueue(chunk);
                },
              },
              { highWaterMark: s.writable },
              { highWaterMark: s.readable },
            ),
          );
        }
        const got: number[] = [];
        await rs.pipeTo(
          new impl.WritableStream<number>(
            {
              async write(chunk) {
                maxInChain = Math.max(maxInChain, produced - consumed);
                got.push(chunk);
                await flush(2);
                consumed++;
              },
            },
            { highWaterMark: sinkHwm },
          ),
        );
        assert.deepEqual(got, Array.from({ length: count }, (_, i) => i), 'complete, in order, exactly once');
        // Each stage holds at most its two queues' highWaterMarks plus one chunk in flight; the
        // source and sink their own; pipes hold one read chunk each.
        const bound = sourceHwm + sinkHwm + sum(stages.map((s) => s.writable + s.readable + 1)) + (stages.length + 1) * 2 + 1;
        assert.ok(maxInChain <= bound, `buffered ${maxInChain} <= bound ${bound}`);
      },
    ),
    options,
  );
}

/** tee: both branches see the same sequence. */
export function teeSequence(impl: Impl, options: RunOptions): Promise<void> {
  return fc.assert(
    fc.asyncProperty(fc.array(fc.integer(), { maxLength: 30 }), fc.boolean(), async (values, readOneFirst) => {
      const rs = new impl.ReadableStream<number>({
        start(c) {
          for (const v of values) c.enqueue(v);
          c.close();
        },
      });
      const [a, b] = rs.tee();
      const read = async (s: ReadableStream<number>) => {
        const out: number[] = [];
        for await (const v of s as unknown as AsyncIterable<number>) out.push(v);
        return out;
      };
      // One branch read to the end before the other, or both at once: the same sequences.
      const [ra, rb] = readOneFirst ? [await read(a), await read(b)] : await Promise.all([read(a), read(b)]);
      assert.deepEqual(ra, values);
      assert.deepEqual(rb, values);
    }),
    options,
  );
}

/** A byte stream's tee: both branches get equal bytes, in distinct buffers. */
export function teeBytes(impl: Impl, options: RunOptions): Promise<void> {
  return fc.assert(
    fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 20 }), { maxLength: 10 }), async (byteChunks) => {
      const bytes = new impl.ReadableStream({
        type: 'bytes',
        start(c: ReadableByteStreamController) {
          for (const n of byteChunks) c.enqueue(new Uint8Array(n).fill(n));
          c.close();
        },
      } as never);
      const [x, y] = bytes.tee();
      const rx = x.getReader();
      const ry = y.getReader();
      for (;;) {
        const [cx, cy] = await Promise.all([rx.read(), ry.read()]);
        assert.equal(cx.done, cy.done);
        if (cx.done) break;
        assert.deepEqual([...(cx.value as Uint8Array)], [...(cy.value as Uint8Array)]);
        assert.notEqual((cx.value as Uint8Array).buffer, (cy.value as Uint8Array).buffer, 'distinct buffers');
      }
    }),
    options,
  );
}

// Differential testing against the oracle (the reference implementation's port).

/**
 * Invariants of a readable-side trace, whichever implementation made it: desiredSize is never
 * NaN, and null only once the stream has been errored (a step `errorN:ok`, or a BYOB read that
 * errors it).
 */
export function checkDesired(trace: readonly string[]): void {
  let errored = false;
  for (const line of trace) {
    if (/^error\d+:ok/.test(line)) errored = true;
    // A BYOB read with `min` more than the bytes left in a closing stream errors it (spec
    // ReadableByteStreamControllerPullInto, when [[closeRequested]]): that read is rejected with a TypeError.
    const byob = /^(readByob\d+):ok/.exec(line);
    if (byob && trace.includes(`${byob[1]}:rejected(TypeError)`)) errored = true;
    assert.ok(!line.includes('desired=NaN'), `desiredSize is never NaN: ${line}`);
    if (line.includes('desired=null')) assert.ok(errored, `desiredSize is null only when errored: ${line}`);
  }
}

export const diffOps: fc.Arbitrary<DiffOp[]> = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: fc.record({ op: fc.constant('enqueue' as const), v: fc.integer({ min: 0, max: 99 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('close' as const) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('error' as const) }) },
    { weight: 4, arbitrary: fc.record({ op: fc.constant('read' as const) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('cancel' as const) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('releaseLock' as const) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('getReader' as const) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('flush' as const) }) },
  ),
  { maxLength: 25 },
);

export function differentialReadable(nano: Impl, oracle: Impl, options: RunOptions): Promise<void> {
  return fc.assert(
    fc.asyncProperty(hwmArb, fc.boolean(), diffOps, async (hwm, withPull, ops) => {
      const [mine, theirs] = [await readableTrace(nano, hwm, withPull, ops), await readableTrace(oracle, hwm, withPull, ops)];
      checkDesired(mine);
      assert.deepEqual(mine, theirs);
    }),
    options,
  );
}

/**
 * The same operations read through the async iterator (next, return), once with numbers as
 * chunks and once with each number inside an object: a primitive already queued takes a fast
 * path (docs/fast-paths.md #21), an object the spec's own steps, and nothing a script can see may
 * differ. (web-streams-polyfill 4 is no oracle here: it rejects return() while a next() is pending,
 * as WebIDL once did; WebIDL now chains it after the pending next(), as NANO and Node do.)
 */
export function iteratorFastPath(nano: Impl, options: RunOptions): Promise<void> {
  return fc.assert(
    fc.asyncProperty(hwmArb, fc.boolean(), diffOps, async (hwm, withPull, ops) => {
      const [primitive, boxed] = [await readableTrace(nano, hwm, withPull, ops, 'iterator'), await readableTrace(nano, hwm, withPull, ops, 'iterator-boxed')];
      checkDesired(primitive);
      assert.deepEqual(primitive, boxed);
    }),
    options,
  );
}

export const writableOps: fc.Arbitrary<WOp[]> = fc.array(
  fc.oneof(
    { weight: 5, arbitrary: fc.record({ op: fc.constant('write' as const), v: fc.integer({ min: 0, max: 99 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('close' as const) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('abort' as const) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('ready' as const) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('flush' as const) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('sinkError' as const) }) },
  ),
  { maxLength: 25 },
);

export function differentialWritable(nano: Impl, oracle: Impl, options: RunOptions): Promise<void> {
  return fc.assert(
    fc.asyncProperty(hwmArb, writableOps, async (hwm, ops) => {
      assert.deepEqual(await writableTrace(nano, hwm, ops), await writableTrace(oracle, hwm, ops));
    }),
    options,
  );
}

export const byteOps: fc.Arbitrary<ByteOp[]> = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: fc.record({ op: fc.constant('enqueue' as const), n: fc.integer({ min: 1, max: 12 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('close' as const) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('error' as const) }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('read' as const) }) },
    {
      weight: 4,
      arbitrary: fc.record({
        op: fc.constant('readByob' as const),
        size: fc.integer({ min: 1, max: 16 }),
        min: fc.integer({ min: 1, max: 16 }),
        offset: fc.integer({ min: 0, max: 3 }),
      }),
    },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('respond' as const), n: fc.integer({ min: 0, max: 16 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('respondWithNewView' as const), n: fc.integer({ min: 0, max: 16 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('cancel' as const) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('releaseLock' as const) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('getReader' as const), byob: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('flush' as const) }) },
  ),
  { maxLength: 25 },
);

/** Byte streams: BYOB and default reads, respond/respondWithNewView, min, offsets, autoAllocateChunkSize: the same trace. */
export function differentialBytes(nano: Impl, oracle: Impl, options: RunOptions): Promise<void> {
  return fc.assert(
    fc.asyncProperty(hwmArb, fc.constantFrom(0, 0, 4, 9), fc.boolean(), byteOps, async (hwm, auto, withPull, ops) => {
      const mine = await byteTrace(nano, hwm, auto, withPull, ops);
      checkDesired(mine);
      assert.deepEqual(mine, await byteTrace(oracle, hwm, auto, withPull, ops));
    }),
    options,
  );
}

export const teeOps: fc.Arbitrary<TeeOp[]> = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: fc.record({ op: fc.constant('enqueue' as const), v: fc.integer({ min: 0, max: 99 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('close' as const) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('error' as const) }) },
    { weight: 5, arbitrary: fc.record({ op: fc.constant('read' as const), branch: fc.constantFrom(0 as const, 1 as const) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('cancel' as const), branch: fc.constantFrom(0 as const, 1 as const) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('flush' as const) }) },
  ),
  { maxLength: 25 },
);

/** tee(): reads and cancels on either branch interleaved with the source's enqueue/close/error: the same trace. */
export function differentialTee(nano: Impl, oracle: Impl, options: RunOptions): Promise<void> {
  return fc.assert(
    fc.asyncProperty(hwmArb, fc.boolean(), teeOps, async (hwm, withPull, ops) => {
      const mine = await teeTrace(nano, hwm, withPull, ops);
      checkDesired(mine);
      assert.deepEqual(mine, await teeTrace(oracle, hwm, withPull, ops));
    }),
    options,
  );
}

export const pipeSetup: fc.Arbitrary<PipeSetup> = fc.record({
  sourceHwm: fc.integer({ min: 0, max: 3 }),
  // Readable highWaterMark 0 (the default) half the time: such a TransformStream (no transformer
  // algorithms) is one a pipe may carry chunks across (readable-stream/pipe.ts).
  // A transform() that enqueues half the time: a pipe's write into the next stage then meets
  // the stage's pull completion (docs/fast-paths.md #26).
  stages: fc.array(
    fc.tuple(fc.integer({ min: 1, max: 3 }), fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3 })), fc.boolean()),
    { maxLength: 3 },
  ),
  sinkHwm: fc.integer({ min: 0, max: 3 }),
  preventClose: fc.boolean(),
  preventAbort: fc.boolean(),
  preventCancel: fc.boolean(),
  signal: fc.boolean(),
  firstSignal: fc.boolean(),
});

export const pipeOps: fc.Arbitrary<PipeOp[]> = fc.array(
  fc.oneof(
    { weight: 5, arbitrary: fc.record({ op: fc.constant('enqueue' as const), v: fc.integer({ min: 0, max: 99 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('close' as const) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('error' as const) }) },
    { weight: 4, arbitrary: fc.record({ op: fc.constant('sinkDone' as const) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('sinkError' as const) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('abortSignal' as const) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('flush' as const) }) },
  ),
  { maxLength: 20 },
);

/** Pipe chains through TransformStreams with prevent* options, sink errors and abort signals: the same state at every quiescent point. */
export function differentialPipe(nano: Impl, oracle: Impl, options: RunOptions): Promise<void> {
  return fc.assert(
    fc.asyncProperty(pipeSetup, pipeOps, async (setup, ops) => {
      const mine = await pipeTrace(nano, setup, ops);
      checkDesired(mine);
      const theirs = await pipeTrace(oracle, setup, ops);
      if (!setup.firstSignal) assert.deepEqual(mine, theirs);
      // One signal aborting two pipes: each pipe's actions wait for its own writes to settle,
      // a timing the spec leaves to the implementation, so the events within a step may come in
      // either order (NANO without carrying differed from the oracle here too); the events and
      // the state after each step must still be the same.
      else assert.deepEqual(sortedWithinSteps(mine), sortedWithinSteps(theirs));
    }),
    options,
  );
}

/** The trace with the events between two step records (`op<n>:...`) sorted. */
function sortedWithinSteps(trace: string[]): string[] {
  const out: string[] = [];
  let events: string[] = [];
  for (const line of trace) {
    if (/^[a-zA-Z]+\d+:/.test(line) || line.startsWith('locked=')) {
      out.push(...events.sort(), line);
      events = [];
    } else {
      events.push(line);
    }
  }
  out.push(...events.sort());
  return out;
}

export const transformSetup: fc.Arbitrary<TransformSetup> = fc.record({
  writableHwm: fc.integer({ min: 0, max: 3 }),
  readableHwm: fc.integer({ min: 0, max: 3 }),
  transform: fc.constantFrom('none' as const, 'sync' as const, 'value' as const, 'async' as const, 'mixed' as const),
});

const transformOp = {
  write: { weight: 6, arbitrary: fc.record({ op: fc.constant('write' as const), v: fc.integer({ min: 0, max: 20 }) }) },
  read: { weight: 5, arbitrary: fc.record({ op: fc.constant('read' as const) }) },
  close: { weight: 1, arbitrary: fc.record({ op: fc.constant('close' as const) }) },
  ready: { weight: 2, arbitrary: fc.record({ op: fc.constant('ready' as const) }) },
  flush: { weight: 3, arbitrary: fc.record({ op: fc.constant('flush' as const) }) },
  abort: { weight: 1, arbitrary: fc.record({ op: fc.constant('abort' as const) }) },
  cancel: { weight: 1, arbitrary: fc.record({ op: fc.constant('cancel' as const) }) },
  error: { weight: 1, arbitrary: fc.record({ op: fc.constant('error' as const) }) },
  terminate: { weight: 1, arbitrary: fc.record({ op: fc.constant('terminate' as const) }) },
};

/** Writes of anything but 13, the chunk the traced transforms throw on. */
const writeNoThrow = {
  weight: 6,
  arbitrary: fc.record({ op: fc.constant('write' as const), v: fc.integer({ min: 0, max: 19 }).map((v) => (v >= 13 ? v + 1 : v)) }),
};

/**
 * Sequences with abort/cancel, or with what clears the transformer's algorithms (error,
 * terminate, a transform that throws), not both: when the clearing comes before an abort's or
 * cancel's steps run, the spec performs the cleared cancel algorithm; the oracle then leaves the
 * abort pending forever, NANO settles it (oracle-exceptions.test.ts).
 */
const common = [transformOp.read, transformOp.close, transformOp.ready, transformOp.flush];
export const transformOps: fc.Arbitrary<TransformOp[]> = fc.oneof(
  fc.array(fc.oneof(writeNoThrow, ...common, transformOp.abort, transformOp.cancel), { maxLength: 30 }),
  fc.array(fc.oneof(transformOp.write, ...common, transformOp.error, transformOp.terminate), { maxLength: 30 }),
);

/** A TransformStream written and read by script: the same trace, microtask turn for turn, as the reference. */
export function differentialTransform(nano: Impl, oracle: Impl, options: RunOptions): Promise<void> {
  return fc.assert(
    fc.asyncProperty(transformSetup, transformOps, async (setup, ops) => {
      assert.deepEqual(await transformTrace(nano, setup, ops), await transformTrace(oracle, setup, ops));
    }),
    options,
  );
}

export const chainSetup: fc.Arbitrary<ChainSetup> = fc.record({
  sourceHwm: fc.integer({ min: 0, max: 2 }),
  chunks: fc.integer({ min: 0, max: 6 }),
  asyncPull: fc.boolean(),
  stages: fc.array(
    fc.record({
      kind: fc.constantFrom<ChainStageKind>('enqueue', 'double', 'microtasks', 'later', 'desired', 'identity'),
      writableHwm: fc.integer({ min: 1, max: 2 }),
      readableHwm: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 })),
    }),
    { minLength: 1, maxLength: 4 },
  ),
  // Not 0: a pipe never reads for a destination whose desired size stays 0.
  sinkHwm: fc.integer({ min: 1, max: 2 }),
  asyncSink: fc.boolean(),
});

/**
 * docs/fast-paths.md #26 and #27 against the steps they replace: a pipe's write job and a pull
 * completion queued right behind it (#26) or right before it (#27) run as one job. Every call
 * into script, and the microtasks the transforms queue, must come in the same microtask turn with
 * the joining on and off; and across the runs each joining must have happened.
 */
export async function pipeWriteJoin(
  nano: Impl,
  joins: { enabled: boolean; afterWrite: number; beforeWrite: number },
  options: RunOptions,
): Promise<void> {
  const { afterWrite, beforeWrite } = joins;
  await fc.assert(
    fc.asyncProperty(chainSetup, async (setup) => {
      joins.enabled = false;
      let spec: string[];
      try {
        spec = await chainTurnTrace(nano as unknown as PipeImpl, setup);
      } finally {
        joins.enabled = true;
      }
      assert.deepEqual(await chainTurnTrace(nano as unknown as PipeImpl, setup), spec);
    }),
    options,
  );
  assert.ok(joins.afterWrite > afterWrite, 'no run joined a pull completion after a pipe write (#26)');
  assert.ok(joins.beforeWrite > beforeWrite, 'no run joined a pull completion before a pipe write (#27)');
}
