// Paired host A/B: NANO at a git ref against the working tree, with plain node:http beside them,
// serving one bench app under autocannon in short runs, each on a fresh server process, that
// alternate between the three (the two NANO builds swap places every round), so a slow stretch of
// this shared machine hits all of them alike. With a clean tree and --base HEAD both sides run the
// same code: the noise floor.
// Prints each server's median req/s and CPU µs per request, and the working tree's ratio to the
// ref per pair of adjacent runs: on a machine whose req/s swing 30% between minutes, the pairs
// agreeing in direction is the evidence, not one median.
//
//   npm run bench:host-ab -- [--base REF] [--app hello|env|api] [--warm APPS] [--rounds N] [--duration S] [--rate N]
import { execFileSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { cpuMicros, startServerChild, stopProcess } from './server-process.js';

const { values: args } = parseArgs({
  options: {
    base: { type: 'string', default: 'HEAD' },
    app: { type: 'string', default: 'hello' },
    warm: { type: 'string' },
    rounds: { type: 'string', default: '8' },
    duration: { type: 'string', default: '3' },
    rate: { type: 'string', default: '0' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(`npm run bench:host-ab -- [options]
  --base REF       the git ref to compare the working tree with (default HEAD)
  --app NAME       the bench app (hello, env, api; default hello); both trees run the working
                   tree's bench server and apps (bench/host/server-child.ts, apps/)
  --warm APPS      the apps loaded, in order, before each measured run (default: the bench app);
                   hello,env is what npm run bench:host does before it measures hello
  --rounds N       rounds, each one run per server (default 8)
  --duration S     seconds per autocannon run, 64 connections (default 3)
  --rate N         offer N requests per second in all (default 0: as many as the server takes); at a
                   rate every server keeps up with, CPU per request compares work at equal batching`);
  process.exit(0);
}

const root = fileURLToPath(new URL('../../', import.meta.url));
const rounds = Number(args.rounds);
const duration = Number(args.duration);
const work = mkdtempSync(join(tmpdir(), 'nano-host-ab-'));
const baseTree = join(work, 'base');

interface Server {
  label: string;
  child: ChildProcess;
  port: number;
  host: string;
  mode: 'node' | 'nano';
}

const warmApps = (args.warm ?? args.app!).split(',').filter(Boolean);
const hostOf = (mode: 'node' | 'nano', app: string): string => (mode === 'node' ? `${app}.x` : `${app}.bench`);

/** Starts bench/host/server-child.ts of the tree at `dir` (its dist/ must be built). */
async function start(label: string, dir: string, mode: 'node' | 'nano'): Promise<Server> {
  const { port, child } = await startServerChild(dir, mode);
  return { label, child, port, host: hostOf(mode, args.app!), mode };
}

/** The api app's upstream (a plain node server), started when an api run needs it. */
let upstream: { port: number; child: ChildProcess } | undefined;
const pathOf = (host: string): string => (host.startsWith('api.') ? `/?url=${encodeURIComponent(`http://127.0.0.1:${upstream!.port}/?json`)}` : '/');

async function load(s: Server, seconds: number, host = s.host): Promise<{ rps: number; cpu: number }> {
  const before = cpuMicros(s.child.pid)!;
  const rate = Number(args.rate);
  const result = await autocannon({ url: `http://127.0.0.1:${s.port}${pathOf(host)}`, connections: 64, duration: seconds, headers: { host }, ...(rate > 0 ? { overallRate: rate } : {}) });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${s.label}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return { rps: result.requests.average, cpu: (cpuMicros(s.child.pid)! - before) / result.requests.total };
}

/** Seconds of load on a fresh server before its measured run (JIT, new-space sizing). */
const WARM_UP_S = 2;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const fixed = (xs: number[]): string => xs.map((x) => x.toFixed(2)).join(' ');

/** One side of the comparison: where its server runs from, and its figures per round. */
interface Side {
  label: string;
  dir: string;
  mode: 'node' | 'nano';
  rps: number[];
  cpu: number[];
}

let running: Server | undefined;
try {
  execFileSync('git', ['worktree', 'add', '--detach', baseTree, args.base!], { cwd: root, stdio: 'ignore' });
  if (existsSync(join(root, 'node_modules'))) symlinkSync(join(root, 'node_modules'), join(baseTree, 'node_modules'));
  // The harness is the working tree's on both sides (older trees lack apps it measures).
  copyFileSync(join(root, 'bench/host/server-child.ts'), join(baseTree, 'bench/host/server-child.ts'));
  cpSync(join(root, 'bench/host/apps'), join(baseTree, 'bench/host/apps'), { recursive: true });
  if ([args.app!, ...warmApps].includes('api')) upstream = await startServerChild(root, 'node');
  // Each tree's server runs its own dist/ (host) and src/runtime (the isolate bundle).
  for (const dir of [baseTree, root]) execFileSync('npm', ['run', 'build'], { cwd: dir, stdio: 'ignore' });
  const node: Side = { label: 'node', dir: root, mode: 'node', rps: [], cpu: [] };
  const base: Side = { label: args.base!, dir: baseTree, mode: 'nano', rps: [], cpu: [] };
  const working: Side = { label: 'working tree', dir: root, mode: 'nano', rps: [], cpu: [] };
  for (let round = 0; round < rounds; round++) {
    // A fresh server process per run, alone on the machine: servers left running side by side
    // measured the same code 10-30% apart (the one started later costing more CPU per request).
    // Node first, then the two NANO builds, in alternating order.
    for (const side of round % 2 === 0 ? [node, base, working] : [node, working, base]) {
      running = await start(side.label, side.dir, side.mode);
      for (const app of warmApps) await load(running, WARM_UP_S, hostOf(side.mode, app));
      const { rps, cpu } = await load(running, duration);
      side.rps.push(rps);
      side.cpu.push(cpu);
      await stopProcess(running.child);
      running = undefined;
    }
  }
  const sides = [node, base, working];
  console.log(`app ${args.app} (after ${warmApps.join(', ')}), ${rounds} rounds of ${duration} s per server, 64 connections${Number(args.rate) > 0 ? `, ${args.rate} req/s offered` : ''}\n`);
  console.log('| server | req/s (median) | / node (median of pairs) | CPU µs per request |');
  console.log('|---|--:|--:|--:|');
  for (const s of sides) {
    console.log(`| ${s.label} | ${Math.round(median(s.rps)).toLocaleString('en-US')} | ${median(s.rps.map((x, i) => x / node.rps[i]!)).toFixed(3)} | ${median(s.cpu).toFixed(1)} |`);
  }
  const rpsPairs = working.rps.map((x, i) => x / base.rps[i]!);
  const cpuPairs = working.cpu.map((x, i) => x / base.cpu[i]!);
  console.log(`\nworking tree / ${args.base}: req/s ${median(rpsPairs).toFixed(3)} (pairs: ${fixed(rpsPairs)}), CPU per request ${median(cpuPairs).toFixed(3)} (pairs: ${fixed(cpuPairs)})`);
  console.log(`working tree / node per round: ${fixed(working.rps.map((x, i) => x / node.rps[i]!))}`);
} finally {
  running?.child.kill('SIGKILL');
  upstream?.child.kill('SIGKILL');
  try {
    execFileSync('git', ['worktree', 'remove', '--force', baseTree], { cwd: root, stdio: 'ignore' });
  } catch {
    // Already gone.
  }
  rmSync(work, { recursive: true, force: true });
}
