// Isolate startup: time to create an isolate and boot the full NANO runtime in it, its heap when
// idle, and then its first request (an app registered and one GET served through the runtime's
// request path), which is what a cold start costs a client. Startup modes side by side: the code
// cache (the default, runtimeCodeCache), no code cache (the bundle compiled in full: for scale),
// and the V8 snapshot (opt-in).
// Run: npm run bench:startup (node --no-node-snapshot is required by isolated-vm).
import { writeFile, mkdir } from 'node:fs/promises';
import { NanoIsolate, type StartupMode } from '../../src/host/isolate/nano-isolate.js';

const RUNS = Number(process.env['RUNS'] ?? 41);
const MiB = 1024 * 1024;

/** Not the code cache's warm-up app: JSON, a header read, a query parameter. */
const FIRST_APP = `({ fetch(request, env) {
  const url = new URL(request.url);
  return Response.json({ path: url.pathname, q: url.searchParams.get('q'), agent: request.headers.get('user-agent') });
} })`;
const HEAD = { method: 'GET', url: 'http://bench.example/first?q=1', rawHeaders: ['host', 'bench.example', 'user-agent', 'bench'], body: false };

type Mode = StartupMode | 'no-cache';

function stats(times: number[]): { median: number; p90: number; min: number } {
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, p90: times[Math.floor(times.length * 0.9)]!, min: times[0]! };
}

async function measure(mode: Mode) {
  const create = () => (mode === 'no-cache' ? NanoIsolate.create({ startup: 'code-cache' }, false) : NanoIsolate.create({ startup: mode }));
  const boot: number[] = [];
  const first: number[] = [];
  let heap = { used: 0, total: 0 };
  // The first isolate compiles the bundle (and makes the code cache or snapshot): not counted.
  (await create()).dispose();
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const nano = await create();
    boot.push(performance.now() - start);
    const idle = nano.isolate.getHeapStatisticsSync();
    heap = { used: idle.used_heap_size, total: idle.total_heap_size };
    const served = performance.now();
    const result = await nano.serveOne(FIRST_APP, HEAD);
    first.push(performance.now() - served);
    if (!('head' in result) || result.head.status !== 200) throw new Error(`first request failed: ${JSON.stringify(result)}`);
    nano.dispose();
  }
  return { bootMs: stats(boot), firstRequestMs: stats(first), heapUsedMiB: heap.used / MiB, heapTotalMiB: heap.total / MiB };
}

const results: Record<string, unknown> = {};
for (const mode of ['code-cache', 'no-cache', 'snapshot'] as const) {
  const r = await measure(mode);
  results[mode] = r;
  process.stdout.write(
    `${mode.padEnd(10)}  boot median ${r.bootMs.median.toFixed(2)} ms  p90 ${r.bootMs.p90.toFixed(2)} ms  min ${r.bootMs.min.toFixed(2)} ms` +
      `  first request median ${r.firstRequestMs.median.toFixed(2)} ms  p90 ${r.firstRequestMs.p90.toFixed(2)} ms` +
      `  heap used ${r.heapUsedMiB.toFixed(2)} MiB (total ${r.heapTotalMiB.toFixed(2)} MiB)\n`,
  );
}
await mkdir('bench/results', { recursive: true });
await writeFile('bench/results/startup.json', JSON.stringify({ date: new Date().toISOString(), node: process.version, runs: RUNS, results }, null, 2) + '\n');
process.stdout.write('results: bench/results/startup.json\n');
