// The host bench: NANO against a plain node:http server doing the same work, one server process
// at a time on 127.0.0.1, the load generator in this process. Every run is bounded in time.
// Each figure is the median of ROUNDS (3) rounds that interleave the servers; SCENARIOS=hello,env
// runs only those. With the req/s figures, the server process's CPU µs per request (from /proc).
//   hello, env: requests/s with autocannon (64 connections, DURATION s)
//   stream: MB/s of a 64 MiB streamed response (64 KiB chunks)
//   echo:   MB/s of a 64 MiB upload echoed back through a TransformStream
//   proxy:  MB/s of a 64 MiB response fetched from an upstream (the plain server) and streamed back
//   api:    requests/s of an app that fetches a small JSON document from that upstream, parses it
//           and answers JSON (an API gateway's request; the plain server uses Node's fetch)
// Cloudflare's workerd (the npm `workerd` package, a dev dependency, or WORKERD_BIN) serves the same
// apps in a third column; when it is missing the column says so.
import type { ChildProcess } from 'node:child_process';
import { writeFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { findWorkerd, startWorkerd } from './workerd.js';
import { cpuMicros, startServerChild, stopProcess, transferOnce } from './server-process.js';

const DURATION = Number(process.env['DURATION'] ?? 5);
/** Seconds of load on each req/s scenario's app before its measured runs. */
const WARM_UP_S = 2;
/** Milliseconds of unmeasured transfers before each transfer scenario's measured ones. */
const WARM_UP_TRANSFER_MS = 4000;
/** SCENARIOS=hello,env runs only those (the others are left out of the table and the JSON). */
const ONLY = process.env['SCENARIOS']?.split(',').filter(Boolean);
const wanted = (scenario: string): boolean => ONLY === undefined || ONLY.includes(scenario);
const MIB = 64;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Requests per second, and the server's CPU µs per request (the server process `pid`, all threads). */
async function rps(port: number, host: string, pid?: number, seconds = DURATION, path = '/'): Promise<{ rps: number; cpu: number | undefined }> {
  const before = cpuMicros(pid);
  const result = await autocannon({ url: `http://127.0.0.1:${port}${path}`, connections: 64, duration: seconds, headers: { host } });
  const after = cpuMicros(pid);
  const cpu = before !== undefined && after !== undefined && result.requests.total > 0 ? (after - before) / result.requests.total : undefined;
  return { rps: result.requests.average, cpu };
}

/**
 * Downloads (or uploads then downloads) MIB MiB; returns MB/s (median of 3), after unmeasured
 * warm-up transfers for WARM_UP_TRANSFER_MS on the fresh server: NANO's echo climbed from ~240 to
 * ~550 MB/s over its first ten transfers (64 MiB each) in a fresh process, Node's did not climb.
 */
async function transfer(port: number, host: string, path: string, upload: boolean): Promise<number> {
  const runs: number[] = [];
  const warmUntil = performance.now() + WARM_UP_TRANSFER_MS;
  while (runs.length < 3) {
    const warming = performance.now() < warmUntil;
    const start = performance.now();
    const bytes = await transferOnce(port, host, path, upload, MIB);
    if (!warming) runs.push(bytes / 1e6 / ((performance.now() - start) / 1000));
  }
  return runs.sort((a, b) => a - b)[1]!;
}

type Mode = 'node' | 'nano' | 'workerd';
interface Row {
  scenario: string;
  unit: string;
  node: number;
  nano: number;
  workerd: number | null;
  /** Server CPU µs per request (user + system, every thread of its process; medians), for the req/s scenarios. */
  cpuUsPerRequest?: Record<string, number>;
}
const rows: Row[] = [];
const workerdBin = findWorkerd();
const modes: Mode[] = workerdBin ? ['node', 'nano', 'workerd'] : ['node', 'nano'];

/** Starts one server; `target(app)` gives the port and Host header that reach that app. */
async function start(mode: Mode): Promise<{ target: (app: string) => { port: number; host: string }; child: ChildProcess }> {
  if (mode === 'workerd') {
    const { ports, child } = await startWorkerd(workerdBin!);
    return { target: (app) => ({ port: ports[app]!, host: 'localhost' }), child };
  }
  const { port, child } = await startServerChild(ROOT, mode);
  return { target: (app) => ({ port, host: mode === 'node' ? `${app}.x` : `${app}.bench` }), child };
}

const ROUNDS = Number(process.env['ROUNDS'] ?? 3);
const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

const upstream = await startServerChild(ROOT, 'node');
let running: ChildProcess | undefined;
try {
  const samples: Record<string, Record<string, number[]>> = { node: {}, nano: {}, workerd: {} };
  const cpuSamples: Record<string, Record<string, number[]>> = { node: {}, nano: {}, workerd: {} };
  const record = (mode: Mode, scenario: string, value: number) => (samples[mode]![scenario] ??= []).push(value);
  // Rounds interleave the servers, so a slow patch of the machine hurts all columns, not one. Each
  // run has a fresh server process alone on the machine: servers left running side by side
  // measured the same NANO code 10-30% apart in CPU per request (bench:host-ab), the one started
  // later costing more.
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of modes) {
      const { target, child } = await start(mode);
      running = child;
      // Warm-up: each app of a req/s scenario (in NANO and workerd each app is its own isolate, compiled cold).
      const apiPath = `/?url=${encodeURIComponent(`http://127.0.0.1:${upstream.port}/?json`)}`;
      const pathOf = (app: string): string => (app === 'api' ? apiPath : '/');
      for (const app of ['hello', 'env', 'api'].filter(wanted)) await rps(target(app).port, target(app).host, undefined, WARM_UP_S, pathOf(app));
      const run = (app: string, path: string, upload: boolean) => transfer(target(app).port, target(app).host, path, upload);
      const load = async (app: string): Promise<void> => {
        const { rps: value, cpu } = await rps(target(app).port, target(app).host, child.pid, DURATION, pathOf(app));
        record(mode, app, value);
        if (cpu !== undefined) (cpuSamples[mode]![app] ??= []).push(cpu);
      };
      if (wanted('hello')) await load('hello');
      if (wanted('env')) await load('env');
      if (wanted('stream')) record(mode, 'stream', await run('stream', `/?mib=${MIB}`, false));
      if (wanted('echo')) record(mode, 'echo', await run('echo', '/', true));
      if (wanted('proxy')) record(mode, 'proxy', await run('proxy', `/?url=${encodeURIComponent(`http://127.0.0.1:${upstream.port}/?mib=${MIB}`)}`, false));
      if (wanted('api')) await load('api');
      await stopProcess(child);
      running = undefined;
    }
  }
  const results: Record<string, Record<string, number>> = { node: {}, nano: {}, workerd: {} };
  for (const mode of modes) for (const [scenario, xs] of Object.entries(samples[mode]!)) results[mode]![scenario] = median(xs);
  const units: Record<string, string> = { hello: 'req/s', env: 'req/s', stream: 'MB/s', echo: 'MB/s', proxy: 'MB/s', api: 'req/s' };
  for (const scenario of Object.keys(units).filter(wanted)) {
    const row: Row = { scenario, unit: units[scenario]!, node: results['node']![scenario]!, nano: results['nano']![scenario]!, workerd: results['workerd']![scenario] ?? null };
    const cpu = Object.fromEntries(modes.filter((m) => cpuSamples[m]![scenario]).map((m) => [m, Math.round(median(cpuSamples[m]![scenario]!) * 10) / 10]));
    if (Object.keys(cpu).length > 0) row.cpuUsPerRequest = cpu;
    rows.push(row);
  }
} finally {
  running?.kill('SIGKILL');
  upstream.child.kill('SIGKILL');
}

process.stdout.write('scenario  unit   plain node   NANO        NANO/node  workerd     NANO/workerd\n');
for (const r of rows) {
  const w = r.workerd === null ? 'not installed' : `${r.workerd.toFixed(0).padStart(10)}   ${(r.nano / r.workerd).toFixed(2).padStart(6)}x`;
  process.stdout.write(`${r.scenario.padEnd(9)} ${r.unit.padEnd(6)} ${r.node.toFixed(0).padStart(10)}   ${r.nano.toFixed(0).padStart(10)}   ${(r.nano / r.node).toFixed(2).padStart(6)}x   ${w}\n`);
}
for (const r of rows) {
  if (r.cpuUsPerRequest === undefined) continue;
  const cells = Object.entries(r.cpuUsPerRequest).map(([mode, us]) => `${mode} ${us} µs`);
  process.stdout.write(`${r.scenario}: server CPU per request (all threads): ${cells.join(', ')}\n`);
}
await mkdir('bench/results', { recursive: true });
await writeFile('bench/results/host.json', JSON.stringify({ date: new Date().toISOString(), node: process.version, durationS: DURATION, rounds: ROUNDS, mib: MIB, rows }, null, 2) + '\n');
process.stdout.write('results: bench/results/host.json\n');
