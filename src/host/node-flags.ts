// The node flags the host process runs with (bin/nano-runtime.js adds them; `npm start` and the
// host bench pass the same list), and what they mean for the app isolates it creates.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * - `--no-node-snapshot`: isolated-vm needs it on Node 20 and later.
 * - `--harmony-rab-gsab-transfer`: ArrayBuffer.prototype.transfer on Node 20. The streams detach
 *   buffers with it (a byte stream's enqueue transfers the chunk's buffer); without it every
 *   request body chunk would fail to enqueue (assertHostNodeFlags refuses to start instead).
 * - `--initial-old-space-size=64`: a 64 MiB floor under the host heap's old-generation limit.
 *   The host's heap is small (~15-25 MB live) while its sockets churn through ArrayBuffers, which
 *   V8 counts against that limit until the next full GC: once a busy host had run its first full
 *   GCs, a 64 MiB upload echoed back ran a mark-compact every ~75 ms (40-50 per 14 transfers,
 *   `--trace-gc`), at 180-200 ms of CPU per transfer against ~100 without them. The floor applies
 *   to the host's heap only: see isolateHeapDefaults().
 */
export const HOST_NODE_FLAGS: readonly string[] = ['--no-node-snapshot', '--harmony-rab-gsab-transfer', '--initial-old-space-size=64'];

/**
 * V8 reads --initial-old-space-size when each isolate is created, so the host's floor would also
 * let every app isolate hold 64 MiB of garbage before its first full GC. The host's own heap was
 * configured at process start; from here on new isolates get V8's default again.
 */
export function isolateHeapDefaults(): void {
  setFlagsFromString('--initial-old-space-size=0');
}

/**
 * isolated-vm's handle objects have weak callbacks that need its environment for the process's
 * main isolate, and that environment is gone once Node tears the main isolate down after a
 * natural exit (the event loop ran dry; process.exit(), which the CLI uses, skips the teardown).
 * If V8 was in the middle of an incremental marking then, the teardown finishes it with a full
 * collection, the callbacks run, and the process aborts (`IsolateEnvironment::GetCurrent():
 * Assertion 'environment != nullptr'`; 2 of ~35 runs of send-timeout.test.ts, in
 * ~NodeMainInstance -> DetachCppHeap by the core dump). A full collection at 'exit' runs them
 * while the environment is there and leaves no marking in progress.
 */
export function collectBeforeTeardown(): void {
  if (registeredExitCollection) return;
  registeredExitCollection = true;
  process.once('exit', () => {
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
  });
}
let registeredExitCollection = false;

/** Throws a clear error when the process lacks what the runtime cannot work without. */
export function assertHostNodeFlags(): void {
  if (typeof (ArrayBuffer.prototype as { transfer?: unknown }).transfer !== 'function') {
    throw new Error(
      'NANO needs ArrayBuffer.prototype.transfer: on Node 20 run node with --harmony-rab-gsab-transfer (bin/nano-runtime.js and `npm start` add it).',
    );
  }
}
