// The async iterator's fast paths (docs/fast-paths.md #21, #24) against the spec's own steps,
// which NANO takes for a chunk that is an object: a script must see the same values in the same
// microtask turns either way. The property test iteratorFastPath covers random sequences; these
// are the sequences it is unlikely to draw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nano from '../../src/streams/index.js';

type Wrap = (n: number) => unknown;
const primitive: Wrap = (n) => n;
const boxed: Wrap = (n) => ({ v: n });
const unwrap = (x: unknown): unknown => (typeof x === 'object' && x !== null ? (x as { v: number }).v : x);

/** Counts microtask turns so that each record says when it happened. */
function turnCounter(): { now: () => number; stop: () => void } {
  let turn = 0;
  let running = true;
  const tick = (): void => {
    turn++;
    if (running) queueMicrotask(tick);
  };
  queueMicrotask(tick);
  return { now: () => turn, stop: () => void (running = false) };
}

/**
 * The source's pull() calls next() on the iterator whose next() is pulling: per the spec the inner
 * next() starts its own read (the outer one has not yet become the ongoing promise) and gets the
 * chunk the pull just enqueued, the outer one the chunk it dequeued.
 */
async function nextFromPull(wrap: Wrap): Promise<string[]> {
  const seen: string[] = [];
  const clock = turnCounter();
  let it!: AsyncIterator<unknown>;
  let i = 0;
  const record = (label: string, p: Promise<IteratorResult<unknown>>): void =>
    void p.then((r) => seen.push(`${label}:${r.done ? 'done' : unwrap(r.value)}@${clock.now()}`));
  const rs = new nano.ReadableStream<unknown>(
    {
      start: (c) => c.enqueue(wrap(i++)),
      pull: (c) => {
        seen.push(`pull:${i}@${clock.now()}`);
        c.enqueue(wrap(i++));
        if (i === 2) record('inner', it.next());
        if (i === 4) c.close();
      },
    },
    { highWaterMark: 1 },
  );
  it = rs[Symbol.asyncIterator]();
  await null;
  record('outer', it.next());
  for (let k = 0; k < 20; k++) await null;
  record('after', it.next());
  for (let k = 0; k < 20; k++) await null;
  clock.stop();
  return seen;
}

test('async iterator: a next() called from pull() gets the chunk that pull enqueued (fast path = spec path)', async () => {
  const fast = await nextFromPull(primitive);
  assert.deepEqual(fast, await nextFromPull(boxed));
  assert.deepEqual(
    fast.filter((s) => !s.startsWith('pull')).map((s) => s.replace(/@\d+/, '')),
    ['inner:1', 'outer:0', 'after:2'],
  );
});

/**
 * A pull() that returns nothing while next() takes a buffered chunk: its completion job and the
 * iterator's run as one (#24). Other microtasks queued by the pull and by the reactions must keep
 * their places around both.
 */
async function pullCompletionOrder(wrap: Wrap, pullQueues: boolean): Promise<string[]> {
  const seen: string[] = [];
  let i = 0;
  const rs = new nano.ReadableStream<unknown>(
    {
      pull: (c) => {
        const n = i++;
        seen.push(`pull:${n}`);
        if (pullQueues) queueMicrotask(() => seen.push(`pull-task:${n}`));
        if (n < 5) c.enqueue(wrap(n));
        else c.close();
      },
    },
    { highWaterMark: 2 },
  );
  for (let k = 0; k < 10; k++) await null;
  const it = rs[Symbol.asyncIterator]();
  for (;;) {
    const p = it.next();
    queueMicrotask(() => seen.push('after-next:1'));
    Promise.resolve().then(() => seen.push('after-next:2')).then(() => seen.push('after-next:3'));
    const r = await p;
    seen.push(r.done ? 'done' : `value:${unwrap(r.value)}`);
    if (r.done) break;
  }
  return seen;
}

test('async iterator: a pull completing with the next result keeps every job in its turn (fast path = spec path)', async () => {
  for (const pullQueues of [false, true]) {
    const fast = await pullCompletionOrder(primitive, pullQueues);
    assert.deepEqual(fast, await pullCompletionOrder(boxed, pullQueues));
    assert.deepEqual(fast.filter((s) => s.startsWith('value')), ['value:0', 'value:1', 'value:2', 'value:3', 'value:4']);
  }
});

/**
 * The sequence `npm run fuzz` found when the merged job ran the pull's completion steps after the
 * iterator's (a deliberate mutation): a chunk enqueued right after next() sets [[pullAgain]], so
 * the turn of the next pull() shows when the completion steps ran.
 */
async function enqueueAfterNext(wrap: Wrap): Promise<string[]> {
  const seen: string[] = [];
  const clock = turnCounter();
  let controller!: ReadableStreamDefaultController<unknown>;
  let pulls = 0;
  const rs = new nano.ReadableStream<unknown>(
    { start: (c) => void (controller = c), pull: () => void seen.push(`pull#${++pulls}@${clock.now()}`) },
    { highWaterMark: 2 },
  );
  controller.enqueue(wrap(0));
  for (let k = 0; k < 10; k++) await null;
  const it = rs[Symbol.asyncIterator]();
  void it.next().then((r) => seen.push(`next:${unwrap(r.value)}@${clock.now()}`));
  controller.enqueue(wrap(1));
  for (let k = 0; k < 10; k++) await null;
  clock.stop();
  return seen;
}

test('async iterator: a pull made again after next() runs in the same turn (fast path = spec path)', async () => {
  const fast = await enqueueAfterNext(primitive);
  assert.deepEqual(fast, await enqueueAfterNext(boxed));
  assert.equal(fast.filter((s) => s.startsWith('pull')).length, 3);
});

/**
 * Ledger #29: a pipe's write requests and a TransformStream's backpressure change promises are
 * reused once fulfilled with nothing attached. A pipe whose source closes or errors while its
 * last write is in flight must still wait for that write, the one it holds: the same events in
 * the same order as web-streams-polyfill, which makes a promise per write (the turns of a pipe's
 * reads and writes are the implementation's: pipeTo's loop runs "in parallel").
 */
async function shutdownAfterReusedWrites(impl: typeof nano, end: 'close' | 'error', through: boolean): Promise<string[]> {
  const seen: string[] = [];
  const clock = turnCounter();
  let controller!: ReadableStreamDefaultController<number>;
  const source = new impl.ReadableStream<number>({ start: (c) => void (controller = c) });
  let finishSlowWrite!: () => void;
  const dest = new impl.WritableStream<number>({
    write(chunk) {
      seen.push(`write:${chunk}@${clock.now()}`);
      if (chunk === 5) return new Promise<void>((resolve) => (finishSlowWrite = resolve));
      return undefined;
    },
    close: () => void seen.push(`close@${clock.now()}`),
    abort: (r) => void seen.push(`abort:${String(r)}@${clock.now()}`),
  });
  const readable = through
    ? source.pipeThrough(new impl.TransformStream<number, number>({ transform: (c, ctl) => ctl.enqueue(c) }))
    : source;
  const piped = readable.pipeTo(dest).then(
    () => seen.push(`piped@${clock.now()}`),
    (e) => seen.push(`rejected:${String(e)}@${clock.now()}`),
  );
  for (let i = 0; i <= 5; i++) {
    controller.enqueue(i);
    for (let k = 0; k < 12; k++) await null;
  }
  if (end === 'close') controller.close();
  else controller.error('boom');
  for (let k = 0; k < 12; k++) await null;
  seen.push(`finishing@${clock.now()}`);
  finishSlowWrite();
  await piped;
  clock.stop();
  return seen;
}

test('pipe: a shutdown waits for the last write after write requests were reused (same turns as the polyfill)', async () => {
  const polyfill = (await import('web-streams-polyfill')) as unknown as typeof nano;
  for (const end of ['close', 'error'] as const) {
    for (const through of [false, true]) {
      const seen = await shutdownAfterReusedWrites(nano, end, through);
      const order = (events: string[]): string[] => events.map((s) => s.replace(/@\d+$/, ''));
      assert.deepEqual(order(seen), order(await shutdownAfterReusedWrites(polyfill, end, through)), `${end}, through a TransformStream: ${through}`);
      // The close or abort comes after the slow write was let finish.
      const finishing = seen.findIndex((s) => s.startsWith('finishing'));
      const last = seen.findIndex((s) => /^(close|abort)/.test(s));
      assert.ok(finishing >= 0 && last > finishing, seen.join(' '));
    }
  }
});
