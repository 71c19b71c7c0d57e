// An app's console output rate (src/runtime/log-rate.ts): a token bucket of bytes per second.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogRate } from '../../src/runtime/log-rate.js';

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

test("in an isolate the console keeps the rate: lines over it never cross to the host, which hears their count once per microtask round", async () => {
  const { NanoIsolate } = await import('../../src/host/isolate/nano-isolate.js');
  const crossed: string[] = [];
  const dropped: [number, number][] = [];
  const nano = await NanoIsolate.create({
    memoryLimitMb: 32,
    log: (_level, text) => void crossed.push(text),
    logDropped: (lines, bytes) => void dropped.push([lines, bytes]),
    // Bursts of 4 s: 400 characters, so 4 lines of 100; a line's worth refills in a second.
    logBytesPerSecond: 100,
  });
  try {
    await nano.context.eval(`for (let i = 0; i < 100; i++) console.log(String(i).padStart(100, '-'));`);
    await nano.context.eval(`for (let i = 0; i < 10; i++) console.log(String(i).padStart(100, '+'));`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(crossed.length, 4);
    assert.deepEqual(dropped, [[96, 9600], [10, 1000]]);
  } finally {
    nano.dispose();
  }
});
