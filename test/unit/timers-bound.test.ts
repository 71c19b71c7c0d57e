// The realm's timers (src/runtime/timers.ts) against a fake host: an app's pending timers are
// bounded (each is a host timer too), and every way a timer ends frees its place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PENDING_TIMERS, Timers } from '../../src/runtime/timers.js';

test('pending timers are bounded; clearing, firing and internal tasks behave', () => {
  const armed = new Set<number>();
  const timers = new Timers({ timerStart: (id) => void armed.add(id), timerClear: (id) => void armed.delete(id), now: () => 0 }, globalThis);
  const ids: number[] = [];
  for (let i = 0; i < MAX_PENDING_TIMERS; i++) ids.push(timers.initialize(() => {}, 1000, [], false));
  assert.throws(() => timers.initialize(() => {}, 1000, [], false), RangeError);
  // The runtime's own tasks are not counted (they are not the app's to make at will).
  timers.queueInternal(() => {}, 0);
  // Clearing frees a place; so does a timeout that fired.
  timers.clear(ids[0]);
  const again = timers.initialize(() => {}, 1000, [], false);
  assert.throws(() => timers.initialize(() => {}, 1000, [], false), RangeError);
  timers.fire(ids[1]!);
  const interval = timers.initialize(() => {}, 10, [], true);
  // An interval that fires stays pending; cleared, it frees its place.
  timers.fire(interval);
  assert.throws(() => timers.initialize(() => {}, 1000, [], false), RangeError);
  timers.clear(interval);
  timers.initialize(() => {}, 1000, [], false);
  assert.ok(armed.has(again));
});

/** A fake host with a clock the test moves: the armed timers, and a way to fire what is due. */
function clockHost() {
  let now = 0;
  const armed = new Map<number, number>(); // id -> due
  const host = {
    timerStart: (id: number, ms: number) => void armed.set(id, now + ms),
    timerClear: (id: number) => void armed.delete(id),
    now: () => now,
  };
  return {
    host,
    armed,
    /** Moves the clock to `to`, firing due host timers one at a time, as the host would. */
    advance(timers: Timers, to: number) {
      for (;;) {
        let next: [number, number] | undefined;
        for (const [id, due] of armed) if (due <= to && (next === undefined || due < next[1])) next = [id, due];
        if (next === undefined) break;
        now = Math.max(now, next[1]);
        armed.delete(next[0]);
        timers.fire(next[0]);
      }
      now = to;
    },
  };
}

test('delayed internal tasks (AbortSignal.timeout) hold one host timer between them, and run in due order, a task each', () => {
  const { host, armed, advance } = clockHost();
  const timers = new Timers(host, globalThis);
  const ran: string[] = [];
  for (let i = 0; i < 100_000; i++) timers.queueInternal(() => {}, 1_000_000 + i);
  assert.equal(armed.size, 1, 'one host timer for 100,000 delayed tasks');
  const cleared = timers.queueInternal(() => ran.push('cleared'), 30);
  timers.queueInternal(() => ran.push('b 50'), 50);
  timers.queueInternal(() => ran.push('a 20'), 20);
  timers.queueInternal(() => ran.push('c 50'), 50);
  timers.clearInternal(cleared);
  assert.equal(armed.size, 1);
  advance(timers, 19);
  assert.deepEqual(ran, []);
  advance(timers, 20);
  assert.deepEqual(ran, ['a 20']);
  advance(timers, 60);
  assert.deepEqual(ran, ['a 20', 'b 50', 'c 50'], 'equal due times run in the order they were made; a cleared one never');
  // Each task ran from a host timer of its own (a task each, microtasks between them).
  assert.equal(armed.size, 1);
});

test('a delayed internal task longer than a host timer can wait (2^31 - 1 ms) does not run early', () => {
  const { host, armed, advance } = clockHost();
  const timers = new Timers(host, globalThis);
  let ran = false;
  timers.queueInternal(() => (ran = true), 3 * 2 ** 31);
  assert.equal([...armed.values()][0], 2 ** 31 - 1);
  advance(timers, 2 ** 32);
  assert.equal(ran, false, 'still waiting after 2^32 ms');
  assert.equal(armed.size, 1);
  advance(timers, 3 * 2 ** 31);
  assert.equal(ran, true);
  assert.equal(armed.size, 0, 'nothing armed once the heap is empty');
});
