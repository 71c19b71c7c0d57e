// Where the Streams standard (with WebIDL) reaches a state its own assertions rule out, NANO
// settles every promise instead of throwing from an unrelated call or leaving one pending. Each
// case names the sequence that finds it; docs/property-tests.md has the reasoning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nano from '../../src/streams/index.js';

async function flush(turns = 30): Promise<void> {
  for (let i = 0; i < turns; i++) await null;
}

/**
 * next(), enqueue, next() (chained onto the first), a pause, next(): the first next()'s
 * fulfillment steps cleared the ongoing promise while the second was chained, so the third starts
 * a read of its own and two reads are pending. Found by `npm run fuzz` (iteratorFastPath, seed
 * 1130482203): controller.error() threw a TypeError from the second release of the reader and
 * the third next() never settled.
 */
async function twoPendingIteratorReads(end: 'close' | 'error'): Promise<string[]> {
  const seen: string[] = [];
  let controller!: ReadableStreamDefaultController<number>;
  const rs = new nano.ReadableStream<number>({ start: (c) => void (controller = c) }, { highWaterMark: 0 });
  const it = rs[Symbol.asyncIterator]();
  const record = (label: string, p: Promise<IteratorResult<number>>) =>
    p.then(
      (r) => void seen.push(`${label}:${r.done ? 'done' : r.value}`),
      (e) => void seen.push(`${label}:rejected(${String(e)})`),
    );
  record('next0', it.next());
  controller.enqueue(7);
  record('next1', it.next());
  await flush();
  record('next2', it.next());
  if (end === 'close') controller.close();
  else controller.error('boom');
  await flush();
  record('next3', it.next());
  await flush();
  seen.push(`locked=${rs.locked}`);
  return seen;
}

test('async iterator: an error with two reads pending rejects both (no throw from error())', async () => {
  assert.deepEqual(await twoPendingIteratorReads('error'), [
    'next0:7',
    'next2:rejected(boom)',
    'next1:rejected(boom)',
    'next3:done',
    'locked=false',
  ]);
});

test('async iterator: a close with two reads pending ends both (no throw from close())', async () => {
  assert.deepEqual(await twoPendingIteratorReads('close'), ['next0:7', 'next2:done', 'next1:done', 'next3:done', 'locked=false']);
});
