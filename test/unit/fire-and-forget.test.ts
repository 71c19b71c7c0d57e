// Calls the isolate makes to the host without waiting (src/runtime/host-api.ts FIRE_AND_FORGET):
// isolated-vm queues them and runs all that queued up in one host task, so after every
// FIRE_AND_FORGET_RUN of them the isolate waits on a barrier, and the host never has more than
// that many waiting (a million setTimeout/clearTimeout pairs queued 2.4 GB and held its event
// loop 12.9 s).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import ivm from 'isolated-vm';
import { NanoIsolate } from '../../src/host/isolate/nano-isolate.js';
import { FIRE_AND_FORGET_RUN } from '../../src/runtime/host-api.js';

test('no more than FIRE_AND_FORGET_RUN fire-and-forget calls wait for the host at any time', async () => {
  // The isolate counts the lines it has logged in shared memory; the host compares with those it ran.
  const issued = new Int32Array(new SharedArrayBuffer(4));
  let ran = 0;
  let most = 0;
  const nano = await NanoIsolate.create({
    memoryLimitMb: 64,
    log: () => {
      ran++;
      most = Math.max(most, Atomics.load(issued, 0) - ran);
    },
  });
  try {
    await nano.context.global.set('issued', new ivm.ExternalCopy(issued.buffer).copyInto({ release: true }));
    // 20,000 console lines: each a fire-and-forget call (no log rate in this isolate).
    await nano.context.eval(`const count = new Int32Array(issued); for (let i = 0; i < 20000; i++) { Atomics.add(count, 0, 1); console.log('line ' + i); }`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(ran, 20_000);
    assert.ok(most <= FIRE_AND_FORGET_RUN, `${most} calls were waiting for the host at once`);
  } finally {
    nano.dispose();
  }
});
