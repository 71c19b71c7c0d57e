// The realm's timers (src/runtime/timers.ts) against a fake host: an app's pending timers are
// bounded (each is a host timer too), and every way a timer ends frees its place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PENDING_TIMERS, Timers } from '../../src/runtime/timers.js';

test('pending timers are bounded; clearing, firing and internal tasks behave', () => {
  const armed = new Set<number>();
  const timers = new Timers({ timerStart: (id) => void armed.add(id), timerClear: (id) => void armed.delete(id) }, globalThis);
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
