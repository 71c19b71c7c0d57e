// An app's console output rate (src/host/log-rate.ts): a token bucket of bytes per second.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogRate } from '../../src/host/log-rate.js';

test('lines pass up to the burst, then drop until time refills the bucket; drops are reported once', () => {
  const rate = new LogRate(1000, 4, 0); // 1,000 bytes a second, bursts of 4,000
  for (let i = 0; i < 40; i++) assert.equal(rate.take(100, 0), true, `line ${i} is within the burst`);
  assert.equal(rate.take(100, 0), false, 'the burst is spent');
  assert.equal(rate.take(1, 0), false);
  assert.equal(rate.takeDropped()?.lines, 2);
  assert.equal(rate.takeDropped(), undefined, 'reported once');
  assert.equal(rate.take(100, 50), false, '50 ms refill 50 bytes: not enough for 100');
  assert.equal(rate.take(100, 100), true, '100 ms refill 100 bytes');
  assert.deepEqual(rate.takeDropped(), { lines: 1, bytes: 100 });
  // A long pause refills no more than the burst.
  for (let i = 0; i < 40; i++) assert.equal(rate.take(100, 1e6), true);
  assert.equal(rate.take(100, 1e6), false);
});
