// Where the differential tests' oracle (web-streams-polyfill, a port of the reference
// implementation) departs from the spec, the case is kept here: NANO does what the spec says,
// and the oracle's divergence is asserted too, so that a fixed oracle shows up (then the
// workaround in trace.ts can go).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nano from '../../src/streams/index.js';
import * as polyfill from 'web-streams-polyfill';
import { flush } from './properties.js';

/**
 * A source piped into a sink whose controller errors it while a write is in flight: the
 * destination is "erroring", so its writer's desiredSize is null, and the spec's pipeTo says
 * "While WritableStreamDefaultWriterGetDesiredSize(writer) is ≤ 0 or is null, the user agent
 * must not read from reader" (https://streams.spec.whatwg.org/#readable-stream-pipe-to).
 * The read already pending takes the next chunk; the one after stays in the source's queue.
 * Found by differentialPipe (seed 42): [{sourceHwm 0, sinkHwm 2}, enqueue, sinkError, enqueue, enqueue].
 */
async function sourceDesiredAfterErroring(impl: typeof nano): Promise<number | null> {
  let source!: ReadableStreamDefaultController<number>;
  let sink!: WritableStreamDefaultController;
  const rs = new impl.ReadableStream<number>({ start: (c) => void (source = c) }, { highWaterMark: 0 });
  const ws = new impl.WritableStream<number>(
    { start: (c) => void (sink = c), write: () => new Promise<void>(() => {}) },
    { highWaterMark: 2 },
  );
  rs.pipeTo(ws).catch(() => {});
  await flush(100);
  source.enqueue(0); // written: the sink's write stays in flight; the pipe reads again (desiredSize 1)
  await flush(100);
  sink.error('sink broke'); // erroring: the write in flight never finishes
  await flush(100);
  source.enqueue(1); // taken by the read that was pending
  await flush(100);
  source.enqueue(2); // must stay queued: the destination's desiredSize is null
  await flush(100);
  return source.desiredSize;
}

test('pipeTo does not read from the source while the destination is erroring (oracle exception)', async () => {
  assert.equal(await sourceDesiredAfterErroring(nano), -1, 'NANO leaves the chunk in the source');
  assert.equal(
    await sourceDesiredAfterErroring(polyfill as unknown as typeof nano),
    0,
    'web-streams-polyfill 4.3 reads it (if this fails, the oracle is fixed: drop the workaround in pipeTrace)',
  );
});
