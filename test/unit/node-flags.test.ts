// The host's node flags (src/host/node-flags.ts): the host heap's old-generation floor stays out
// of the app isolates, and a process without ArrayBuffer.prototype.transfer refuses to start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NANO_ISOLATE = new URL('../../src/host/isolate/nano-isolate.ts', import.meta.url).href;

/**
 * In a child with `flags`: optionally loads the host's isolate module, then churns garbage in a
 * fresh isolate (128 MiB limit) and prints its heap's average size meanwhile, in MiB.
 */
async function isolateAverageHeapMb(flags: string[], loadHost: boolean): Promise<number> {
  const script = `
    import { createRequire } from 'node:module';
    ${loadHost ? `await import(${JSON.stringify(NANO_ISOLATE)});` : ''}
    const ivm = createRequire(${JSON.stringify(ROOT + 'package.json')})('isolated-vm');
    const isolate = new ivm.Isolate({ memoryLimit: 128 });
    const context = isolate.createContextSync();
    context.evalSync('globalThis.ring = []; globalThis.churn = (n) => { for (let i = 0; i < n; i++) ring[i % 2000] = new Array(100).fill(i); };');
    let sum = 0;
    for (let round = 0; round < 60; round++) {
      context.evalSync('churn(10000)');
      sum += isolate.getHeapStatisticsSync().total_heap_size;
    }
    console.log(sum / 60 / 1048576);`;
  const { stdout } = await run(process.execPath, [...flags, '--import', 'tsx', '--input-type=module', '--eval', script], { cwd: ROOT, timeout: 60_000 });
  return Number(stdout.trim());
}

test("the host heap's --initial-old-space-size floor is not an app isolate's", async () => {
  const flags = ['--no-node-snapshot', '--harmony-rab-gsab-transfer', '--initial-old-space-size=64'];
  // Without the host module the flag reaches the isolate: garbage piles up to the floor between
  // its full GCs (measured: ~35 MiB on average; this side shows the measurement tells them apart).
  const withFloor = await isolateAverageHeapMb(flags, false);
  // Loading the host's isolate module restores V8's default for the isolates made after it
  // (measured: ~12 MiB, the same with the machine's two cores busy).
  const hosted = await isolateAverageHeapMb(flags, true);
  assert.ok(withFloor > 28, `an isolate under the flag averaged ${withFloor.toFixed(1)} MiB`);
  assert.ok(hosted < 20, `an app isolate averaged ${hosted.toFixed(1)} MiB`);
});

test('without ArrayBuffer.prototype.transfer the host refuses to start, with a reason', async () => {
  const script = `
    const { NanoIsolate } = await import(${JSON.stringify(NANO_ISOLATE)});
    try { await NanoIsolate.create(); console.log('created'); } catch (error) { console.log(error.message); }`;
  const { stdout } = await run(process.execPath, ['--no-node-snapshot', '--import', 'tsx', '--input-type=module', '--eval', script], { cwd: ROOT, timeout: 60_000 });
  assert.match(stdout, /NANO needs ArrayBuffer\.prototype\.transfer: on Node 20 run node with --harmony-rab-gsab-transfer/);
});

test("npm start passes the host's node flags (package.json cannot import them)", async () => {
  const { HOST_NODE_FLAGS } = await import('../../src/host/node-flags.js');
  const { readFileSync } = await import('node:fs');
  const start = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }).scripts['start']!;
  for (const flag of HOST_NODE_FLAGS) assert.ok(start.split(' ').includes(flag), `npm start lacks ${flag}`);
});
