// The host bench: NANO against a plain node:http server doing the same work, one server process
// at a time on 127.0.0.1, the load generator in this process. Every run is bounded in time.
// Each figure is the median of ROUNDS (3) rounds that interleave the servers.
//   hello, env: requests/s with autocannon (64 connections, DURATION s)
//   stream: MB/s of a 64 MiB streamed response (64 KiB chunks)
//   echo:   MB/s of a 64 MiB upload echoed back through a TransformStream
//   proxy:  MB/s of a 64 MiB response fetched from an upstream (the plain server) and streamed back
// Cloudflare's workerd (the npm `workerd` package, a dev dependency, or WORKERD_BIN) serves the same
// apps in a third column; when it is missing the column says so.
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { writeFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { findWorkerd, startWorkerd } from './workerd.js';

const DURATION = Number(process.env['DURATION'] ?? 5);
const MIB = 64;
const CHILD = fileURLToPath(new URL('./server-child.ts', import.meta.url));

function startServer(mode: 'node' | 'nano'): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--no-node-snapshot', '--harmony-rab-gsab-transfer', '--import', 'tsx', CHILD, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c) => {
      out += c;
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve({ port: JSON.parse(line!).port, child });
    });
    child.once('exit', (code) => reject(new Error(`${mode} server exited (${code})`)));
  });
}

async function rps(port: number, host: string): Promise<number> {
  const result = await autocannon({ url: `http://127.0.0.1:${port}/`, connections: 64, duration: DURATION, headers: { host } });
  return result.requests.average;
}

/** Downloads (or uploads then downloads) MIB MiB; returns MB/s (median of 3). */
async function transfer(port: number, host: string, path: string, upload: boolean): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    const bytes = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, method: upload ? 'POST' : 'GET', headers: { host } }, (res) => {
        let n = 0;
        res.on('data', (c: Buffer) => (n += c.length));
        res.on('end', () => resolve(n));
        res.on('error', reject);
      });
      req.on('error', reject);
      if (upload) {
        const chunk = Buffer.alloc(64 * 1024, 98);
        let sent = 0;
        const pump = (): void => {
          while (sent < MIB * 1024 * 1024) {
            sent += chunk.length;
            if (!req.write(chunk)) return void req.once('drain', pump);
          }
          req.end();
        };
        pump();
      } else req.end();
    });
    if (bytes !== MIB * 1024 * 1024) throw new Error(`${host}${path}: got ${bytes} bytes`);
    runs.push(bytes / 1e6 / ((performance.now() - start) / 1000));
  }
  return runs.sort((a, b) => a - b)[1]!;
}

type Mode = 'node' | 'nano' | 'workerd';
const rows: { scenario: string; unit: string; node: number; nano: number; workerd: number | null }[] = [];
const workerdBin = findWorkerd();
const modes: Mode[] = workerdBin ? ['node', 'nano', 'workerd'] : ['node', 'nano'];

/** Starts one server; `target(app)` gives the port and Host header that reach that app. */
async function start(mode: Mode): Promise<{ target: (app: string) => { port: number; host: string }; child: ChildProcess }> {
  if (mode === 'workerd') {
    const { ports, child } = await startWorkerd(workerdBin!);
    return { target: (app) => ({ port: ports[app]!, host: 'localhost' }), child };
  }
  const { port, child } = await startServer(mode);
  return { target: (app) => ({ port, host: mode === 'node' ? `${app}.x` : `${app}.bench` }), child };
}

const ROUNDS = Number(process.env['ROUNDS'] ?? 3);
const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

const upstream = await startServer('node');
const servers: { mode: Mode; target: (app: string) => { port: number; host: string }; child: ChildProcess }[] = [];
try {
  // Every server runs for the whole bench (an idle one costs nothing) so that rounds can
  // interleave them: a slow patch of the machine then hurts all columns, not one.
  for (const mode of modes) servers.push({ mode, ...(await start(mode)) });
  const samples: Record<string, Record<string, number[]>> = { node: {}, nano: {}, workerd: {} };
  const record = (mode: Mode, scenario: string, value: number) => (samples[mode]![scenario] ??= []).push(value);
  for (const { target } of servers) await rps(target('hello').port, target('hello').host); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const { mode, target } of servers) {
      const run = (app: string, path: string, upload: boolean) => transfer(target(app).port, target(app).host, path, upload);
      record(mode, 'hello', await rps(target('hello').port, target('hello').host));
      record(mode, 'env', await rps(target('env').port, target('env').host));
      record(mode, 'stream', await run('stream', `/?mib=${MIB}`, false));
      record(mode, 'echo', await run('echo', '/', true));
      record(mode, 'proxy', await run('proxy', `/?url=${encodeURIComponent(`http://127.0.0.1:${upstream.port}/?mib=${MIB}`)}`, false));
    }
  }
  const results: Record<string, Record<string, number>> = { node: {}, nano: {}, workerd: {} };
  for (const mode of modes) for (const [scenario, xs] of Object.entries(samples[mode]!)) results[mode]![scenario] = median(xs);
  const units: Record<string, string> = { hello: 'req/s', env: 'req/s', stream: 'MB/s', echo: 'MB/s', proxy: 'MB/s' };
  for (const scenario of Object.keys(units)) {
    rows.push({ scenario, unit: units[scenario]!, node: results['node']![scenario]!, nano: results['nano']![scenario]!, workerd: results['workerd']![scenario] ?? null });
  }
} finally {
  for (const { child } of servers) child.kill('SIGKILL');
  upstream.child.kill('SIGKILL');
}

process.stdout.write('scenario  unit   plain node   NANO        NANO/node  workerd     NANO/workerd\n');
for (const r of rows) {
  const w = r.workerd === null ? 'not installed' : `${r.workerd.toFixed(0).padStart(10)}   ${(r.nano / r.workerd).toFixed(2).padStart(6)}x`;
  process.stdout.write(`${r.scenario.padEnd(9)} ${r.unit.padEnd(6)} ${r.node.toFixed(0).padStart(10)}   ${r.nano.toFixed(0).padStart(10)}   ${(r.nano / r.node).toFixed(2).padStart(6)}x   ${w}\n`);
}
await mkdir('bench/results', { recursive: true });
await writeFile('bench/results/host.json', JSON.stringify({ date: new Date().toISOString(), node: process.version, durationS: DURATION, rounds: ROUNDS, mib: MIB, rows }, null, 2) + '\n');
process.stdout.write('results: bench/results/host.json\n');
