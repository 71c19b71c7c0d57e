// Instructions per request, NANO against a plain node:http server serving the same app: the
// host-side A/B for a machine where requests per second swing 15-30% between runs.
//
//   npm run bench:host-instructions -- [--app hello|env] [--requests 15000,35000] [--servers nano,node] [--top N]
//
// Each server runs under valgrind (callgrind) in its own process, set up as bench/valgrind.ts
// says, and serves exactly N requests (autocannon, 16 connections, keep-alive) before it is
// stopped; the difference between two N, divided by the extra requests, is the cost of one more
// request across every thread of the server (main thread, isolate threads), free of startup and
// first compilations. Kernel work (socket reads and writes) is not counted. Unlike the streams
// counts these vary 10-17% between runs (measured 165.8k and 193.4k for the same code; with one
// connection, so one request per crossing, 241k and 265k): batching and V8's time-driven GC work
// differ under valgrind's slow clock, so they locate costs rather than prove small changes. With
// --top, the functions that cost the most per request, JavaScript ones named through V8's perf
// map (which also makes V8 log every moved object, inflating the scavenger's share).
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { callgrindArgs, collectedInstructions, requireValgrind, selfInstructionsByFunction } from '../valgrind.js';

const CHILD = fileURLToPath(new URL('./server-child.ts', import.meta.url));
const SERVERS = ['nano', 'node'] as const;
type Server = (typeof SERVERS)[number];

const { values: args } = parseArgs({
  options: {
    app: { type: 'string', default: 'hello' },
    requests: { type: 'string', default: '15000,35000' },
    servers: { type: 'string', default: 'nano,node' },
    top: { type: 'string', default: '0' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (args.help) {
  console.log(`npm run bench:host-instructions -- [options]   (needs valgrind: apt-get install valgrind)
  --app NAME         the bench app to request (hello, env; default hello)
  --requests N1,N2   the two request counts (default 15000,35000)
  --servers a,b      ${SERVERS.join(', ')} (default both)
  --top N            also list the N functions costing the most per request
  --keep             keep the callgrind files (their folder is printed; with --top, V8's perf maps
                     beside them) for callgrind_annotate, e.g. --tree=caller to find who calls a function`);
  process.exit(0);
}

requireValgrind('bench:host-instructions');

const [small, large] = args.requests!.split(',').map(Number) as [number, number];
if (!(small > 0 && large > small)) throw new Error('--requests wants two counts, the second larger');
const servers = args.servers!.split(',').filter(Boolean) as Server[];
const bad = servers.find((s) => !SERVERS.includes(s));
if (bad) throw new Error(`unknown server ${bad} (known: ${SERVERS.join(', ')})`);
const top = Number(args.top);
const work = mkdtempSync(join(tmpdir(), 'nano-host-instructions-'));

interface Run {
  /** Instructions callgrind counted in the whole process. */
  total: number;
  /** The callgrind output, for --top. */
  file: string;
  pid: number;
}

/** Starts `server` under callgrind, sends `requests` requests, stops it; returns its count. */
async function run(server: Server, requests: number): Promise<Run> {
  const file = join(work, `${server}-${requests}.cg`);
  const nodeArgs = ['--no-node-snapshot', '--harmony-rab-gsab-transfer', '--import', 'tsx', CHILD, server];
  const child = spawn('valgrind', callgrindArgs(file, nodeArgs, top > 0), { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c;
      if (out.includes('\n')) resolve((JSON.parse(out.split('\n')[0]!) as { port: number }).port);
    });
    void exited.then((code) => reject(new Error(`${server} exited (${code}) before listening\n${err.slice(-2000)}`)));
  });
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/`,
    connections: 16,
    amount: requests,
    timeout: 120,
    headers: { host: `${args.app}.bench` },
  });
  if (result['2xx'] !== requests) throw new Error(`${server}: ${result['2xx']} of ${requests} requests answered 2xx`);
  // server-child exits on SIGTERM, so callgrind writes its totals.
  child.kill('SIGTERM');
  await exited;
  const total = collectedInstructions(err);
  const pid = /==(\d+)== Callgrind/.exec(err);
  if (total === undefined || !pid) throw new Error(`${server}: no callgrind totals\n${err.slice(-2000)}`);
  return { total, file, pid: Number(pid[1]) };
}

try {
  console.log(`instructions per request, app ${args.app}, ${small} and ${large} requests per server, under valgrind (minutes)`);
  const perRequest = new Map<Server, number>();
  for (const server of servers) {
    // The two sizes at once: callgrind serialises a process's threads, so two processes use both cores.
    const [a, b] = await Promise.all([run(server, small), run(server, large)]);
    perRequest.set(server, (b.total - a.total) / (large - small));
    if (top > 0) {
      if (args.keep) for (const r of [a, b]) copyFileSync(`/tmp/perf-${r.pid}.map`, join(work, `${server}-${r === a ? small : large}.perf-${r.pid}.map`));
      const fa = selfInstructionsByFunction(a.file, a.pid);
      const fb = selfInstructionsByFunction(b.file, b.pid);
      const rows = [...new Set([...fa.keys(), ...fb.keys()])]
        .map((fn) => [fn, ((fb.get(fn) ?? 0) - (fa.get(fn) ?? 0)) / (large - small)] as const)
        .sort((x, y) => y[1] - x[1])
        .slice(0, top);
      console.log(`\n${server}: the ${top} functions with the most instructions per request (self)`);
      for (const [fn, n] of rows) console.log(`${Math.round(n).toString().padStart(9)}  ${fn.slice(0, 150)}`);
    }
  }
  console.log('\n| server | instructions per request |');
  console.log('|---|--:|');
  for (const [server, n] of perRequest) console.log(`| ${server} | ${Math.round(n).toLocaleString('en-US')} |`);
  const nano = perRequest.get('nano');
  const node = perRequest.get('node');
  if (nano !== undefined && node !== undefined) console.log(`\nNANO / node: ${(nano / node).toFixed(2)}x`);
} finally {
  if (args.keep) console.log(`\ncallgrind files kept in ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
