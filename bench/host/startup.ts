// Isolate startup: time to create an isolate and boot the full NANO runtime in it, and its heap
// when idle. Both startup modes (code cache: the default; V8 snapshot: opt-in) side by side.
// Run: npm run bench:startup (node --no-node-snapshot is required by isolated-vm).
import { writeFile, mkdir } from 'node:fs/promises';
import { NanoIsolate, type StartupMode } from '../../src/host/isolate/nano-isolate.js';

const RUNS = Number(process.env['RUNS'] ?? 41);
const MiB = 1024 * 1024;

async function measure(startup: StartupMode): Promise<{ medianMs: number; p90Ms: number; minMs: number; heapUsedMiB: number; heapTotalMiB: number }> {
  const times: number[] = [];
  let heap = { used: 0, total: 0 };
  // The first isolate compiles the bundle (and makes the code cache or snapshot): not counted.
  (await NanoIsolate.create({ startup })).dispose();
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const nano = await NanoIsolate.create({ startup });
    times.push(performance.now() - start);
    const stats = nano.isolate.getHeapStatisticsSync();
    heap = { used: stats.used_heap_size, total: stats.total_heap_size };
    nano.dispose();
  }
  times.sort((a, b) => a - b);
  return {
    medianMs: times[Math.floor(times.length / 2)]!,
    p90Ms: times[Math.floor(times.length * 0.9)]!,
    minMs: times[0]!,
    heapUsedMiB: heap.used / MiB,
    heapTotalMiB: heap.total / MiB,
  };
}

const results: Record<string, unknown> = {};
for (const mode of ['code-cache', 'snapshot'] as const) {
  const r = await measure(mode);
  results[mode] = r;
  process.stdout.write(
    `${mode.padEnd(10)}  median ${r.medianMs.toFixed(2)} ms  p90 ${r.p90Ms.toFixed(2)} ms  min ${r.minMs.toFixed(2)} ms  heap used ${r.heapUsedMiB.toFixed(2)} MiB (total ${r.heapTotalMiB.toFixed(2)} MiB)\n`,
  );
}
await mkdir('bench/results', { recursive: true });
await writeFile('bench/results/startup.json', JSON.stringify({ date: new Date().toISOString(), node: process.version, runs: RUNS, results }, null, 2) + '\n');
process.stdout.write('results: bench/results/startup.json\n');
