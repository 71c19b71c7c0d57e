// One measurement in a fresh process: open an implementation, warm the scenario up, time one
// full-size run, print one JSON line. The runner spawns one per run so no implementation
// inherits another's heap, JIT state or garbage.
import { Unavailable } from './host.js';
import { findImpl } from './impls.js';
import { findScenario } from './scenarios.js';
import type { ChildRequest, ChildResult, ScenarioHost } from './types.js';

const KiB = 1024;
/**
 * Warm-up runs repeat for at least this long, so the measured run is in the optimizing tier in
 * every scenario: a fixed share of the run's size is too little where each step moves 64 KiB
 * (a fifth of the byte scenarios is ~800 reads, and V8 tiers up on executed code, not bytes).
 * No collection is forced after it: a full GC resets V8's external-memory heuristics, and the
 * byte scenarios then measured GC scheduling (~30 ms for every implementation) instead of reads.
 */
const WARMUP_MS = 300;

async function measure(request: ChildRequest): Promise<ChildResult> {
  const scenario = findScenario(request.scenario);
  let host;
  try {
    host = await findImpl(request.impl).open(request.bundles);
  } catch (error) {
    if (error instanceof Unavailable) return { status: 'unavailable', reason: error.message };
    throw error;
  }
  const reason = host.unsupported(scenario);
  if (reason !== null) return { status: 'n/a', reason };

  // Smaller runs than the measured one, repeated until the hot loops reach the optimizing tier;
  // the probe as well, so that its timings are of optimized code too.
  const warmupStart = performance.now();
  for (let i = 0; i < PROBE_WARMUPS; i++) await host.probe();
  do await host.run(scenario, request.warmupSize);
  while (performance.now() - warmupStart < WARMUP_MS);

  const probeBefore = await timeProbe(host);
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const work = await host.run(scenario, request.size);
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  // Read before any collection: the committed heap is still sized for the run's peak.
  const heapMiB = host.heapMiB();
  // maxRSS is the process's high-water mark (KiB), warm-up and startup included.
  const rssPeakMiB = process.resourceUsage().maxRSS / KiB;
  const probeMs = (probeBefore + (await timeProbe(host))) / 2;
  return { status: 'ok', ms, cpuMs: (cpu.user + cpu.system) / 1000, probeMs, work, rssPeakMiB, heapMiB };
}

/** Runs of the speed probe before the warm-up: V8 optimizes its loop within the first. */
const PROBE_WARMUPS = 3;

async function timeProbe(host: ScenarioHost): Promise<number> {
  const start = performance.now();
  await host.probe();
  return performance.now() - start;
}

function reply(result: ChildResult): void {
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
}

// A stray rejection inside an implementation must fail this run, not hang it.
process.on('unhandledRejection', (error) => reply({ status: 'error', reason: `unhandled rejection: ${String(error)}` }));

const arg = process.argv[2];
if (!arg) {
  reply({ status: 'error', reason: 'usage: child.mjs <request JSON>' });
} else {
  measure(JSON.parse(arg) as ChildRequest).then(reply, (error: unknown) =>
    reply({ status: 'error', reason: error instanceof Error ? error.message : String(error) }),
  );
}
