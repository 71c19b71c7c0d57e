// performance.now() in an isolate (src/runtime/performance.ts CoarsenedClock): the host's clock,
// read again only once CLOCK_RESYNC_MS of Date.now() has passed (a host call waits for the host's
// event loop), advancing with Date.now() in between, never backwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLOCK_RESYNC_MS, CoarsenedClock } from '../../src/runtime/performance.js';

function fakes() {
  const state = { host: 1000.25, date: 5_000_000, hostReads: 0 };
  const clock = new CoarsenedClock(
    () => (state.hostReads++, state.host),
    () => state.date,
  );
  /** Real time passing: both clocks move. */
  const pass = (ms: number) => {
    state.host += ms;
    state.date += ms;
  };
  return { state, clock, pass };
}

test('one host read per CLOCK_RESYNC_MS of reads; in between time advances with Date.now()', () => {
  const { state, clock, pass } = fakes();
  assert.equal(clock.now(), 1000.25);
  for (let i = 0; i < 1000; i++) clock.now();
  assert.equal(state.hostReads, 1, 'a thousand reads within the same millisecond: one host call');
  pass(7);
  assert.equal(clock.now(), 1007.25, 'advanced with Date.now(), keeping the host\'s fraction');
  assert.equal(state.hostReads, 1);
  pass(CLOCK_RESYNC_MS);
  assert.equal(clock.now(), 1007.25 + CLOCK_RESYNC_MS);
  assert.equal(state.hostReads, 2, 'read again after CLOCK_RESYNC_MS');
});

test('a wall-clock step (either way) makes the next read the host\'s, and a result is never below the last', () => {
  const { state, clock, pass } = fakes();
  clock.now();
  pass(10);
  const before = clock.now();
  // The wall clock steps back an hour: the host's monotonic clock is read instead.
  state.date -= 3_600_000;
  pass(1);
  assert.equal(clock.now(), before + 1);
  assert.equal(state.hostReads, 2);
  // It steps forward an hour: again the host's, not the jump.
  state.date += 3_600_000;
  pass(1);
  assert.equal(clock.now(), before + 2);
  assert.equal(state.hostReads, 3);
  // A step forward smaller than CLOCK_RESYNC_MS shows until the next read, then time holds still rather than go back.
  state.date += 20;
  const ahead = clock.now();
  assert.equal(ahead, before + 22);
  pass(CLOCK_RESYNC_MS);
  const after = clock.now();
  assert.ok(after >= ahead, 'never backwards');
});
