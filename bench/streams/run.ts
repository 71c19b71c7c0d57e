// The streams benchmark runner (`npm run bench`): bundles the child, runs every scenario for every
// implementation in its own child process, round-robin, then prints and records the medians.
//
//   npm run bench -- [--quick] [--filter a,b] [--impl a,b] [--rounds N] [--json FILE] [--readme]
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildBundles } from './build.js';
import { IMPLS, type ImplDef } from './impls.js';
import { DEFAULT_RESULTS, writeReadmeTable } from './readme.js';
import { aggregate, formatText, scenarioInfo, type Results } from './report.js';
import { scenarios } from './scenarios.js';
import type { BundlePaths, ChildRequest, ChildResult, RunRecord, Scenario } from './types.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Bounds: rounds per cell, one child's wall time, the whole run's wall time. */
const MODES = {
  quick: { rounds: 3, childTimeoutS: 30, budgetS: 180 },
  full: { rounds: 5, childTimeoutS: 120, budgetS: 20 * 60 },
} as const;

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    filter: { type: 'string' },
    impl: { type: 'string' },
    rounds: { type: 'string' },
    json: { type: 'string' },
    readme: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (args.help) {
  console.log(`npm run bench -- [options]
  --quick          smaller sizes and ${MODES.quick.rounds} rounds (about a minute)
  --filter a,b     scenarios whose name contains any of these (${scenarios.map((s) => s.name).join(', ')})
  --impl a,b       implementations (${IMPLS.map((i) => i.name).join(', ')})
  --rounds N       measured runs per scenario and implementation
  --json FILE      results file (default bench/results/streams.json)
  --readme         write the README table even for a partial or quick run`);
  process.exit(0);
}

const list = (value: string | undefined) => value?.split(',').map((s) => s.trim()).filter(Boolean);
const mode = args.quick ? 'quick' : 'full';
const limits = MODES[mode];
const rounds = args.rounds ? Math.max(1, Number.parseInt(args.rounds, 10)) : limits.rounds;

const filters = list(args.filter);
const selectedScenarios = scenarios.filter((s) => !filters || filters.some((f) => s.name.includes(f)));
const implNames = list(args.impl);
const unknownImpl = implNames?.find((name) => !IMPLS.some((i) => i.name === name));
if (unknownImpl) throw new Error(`unknown implementation ${unknownImpl} (known: ${IMPLS.map((i) => i.name).join(', ')})`);
const selectedImpls = IMPLS.filter((i) => !implNames || implNames.includes(i.name));
if (selectedScenarios.length === 0 || selectedImpls.length === 0) throw new Error('nothing selected');

// The same flags for every implementation: on Node 20, ArrayBuffer.prototype.transfer (O(1)
// detach for byte streams) is behind a flag.
const nodeFlags: string[] = [];
if (!('transfer' in ArrayBuffer.prototype)) nodeFlags.push('--harmony-rab-gsab-transfer');

function packageVersion(pkg: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(`${root}node_modules/${pkg}/package.json`, 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
}

/** Spawns one child and waits for its JSON line, bounded by the child timeout. */
function runChild(impl: ImplDef, request: ChildRequest): Promise<ChildResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...nodeFlags, ...impl.nodeFlags, request.bundles.child, JSON.stringify(request)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr = (stderr + s).slice(-2000)));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, limits.childTimeoutS * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return resolve({ status: 'error', reason: `timed out after ${limits.childTimeoutS} s` });
      const line = stdout.trim().split('\n').at(-1);
      try {
        if (line) return resolve(JSON.parse(line) as ChildResult);
      } catch {
        // Not our JSON line: fall through and report what the child said.
      }
      // An exit without a result is a stream that stalled with nothing left to run, or a crash.
      const why = signal ? `killed by ${signal}` : `exit code ${code}`;
      const said = stderr.trim().split('\n').slice(-3).join(' | ');
      resolve({ status: 'error', reason: `no result (${why})${said ? `: ${said}` : ''}` });
    });
  });
}

function measureOnce(impl: ImplDef, scenario: Scenario, size: number, bundles: BundlePaths): Promise<ChildResult> {
  // A fifth of the work: enough iterations for V8 to optimize the hot loops even in the byte
  // scenarios, which make few reads per MiB.
  const warmupSize = Math.max(1, Math.round(size / 5));
  return runChild(impl, { impl: impl.name, scenario: scenario.name, size, warmupSize, bundles });
}

function describe(result: ChildResult): string {
  return result.status === 'ok' ? `${result.ms.toFixed(1)} ms` : `${result.status}: ${result.reason}`;
}

async function main(): Promise<void> {
  const started = performance.now();
  const loadStart = os.loadavg()[0]!;
  const bundles: BundlePaths = await buildBundles();
  const sizes = new Map(selectedScenarios.map((s) => [s.name, args.quick ? s.size.quick : s.size.full]));

  const runs: RunRecord[] = [];
  // Cells (and whole implementations) that cannot succeed are not spawned again in later rounds.
  const settled = new Map<string, ChildResult>();
  const unavailable = new Map<string, ChildResult>();
  let truncated = false;

  const total = rounds * selectedScenarios.length * selectedImpls.length;
  console.error(
    `streams bench: ${mode}, ${rounds} rounds x ${selectedScenarios.length} scenarios x ${selectedImpls.length} implementations ` +
      `(${total} children at most, budget ${limits.budgetS} s), load average ${loadStart.toFixed(2)}`,
  );

  outer: for (let round = 1; round <= rounds; round++) {
    for (const [index, scenario] of selectedScenarios.entries()) {
      // Rotate the order each time so no implementation always runs first (or right after a
      // particular other one) while the machine's load drifts.
      const shift = (round + index) % selectedImpls.length;
      const order = [...selectedImpls.slice(shift), ...selectedImpls.slice(0, shift)];
      for (const impl of order) {
        if ((performance.now() - started) / 1000 > limits.budgetS) {
          truncated = true;
          break outer;
        }
        const key = `${scenario.name}/${impl.name}`;
        const known = unavailable.get(impl.name) ?? settled.get(key);
        if (known) {
          if (round === 1) runs.push({ ...known, impl: impl.name, scenario: scenario.name, round });
          continue;
        }
        const result = await measureOnce(impl, scenario, sizes.get(scenario.name)!, bundles);
        runs.push({ ...result, impl: impl.name, scenario: scenario.name, round });
        console.error(`[${round}/${rounds}] ${scenario.name.padEnd(18)} ${impl.name.padEnd(13)} ${describe(result)}`);
        if (result.status === 'unavailable') unavailable.set(impl.name, result);
        else if (result.status !== 'ok') settled.set(key, result);
      }
    }
  }

  const infos = selectedScenarios.map((s) => scenarioInfo(s, sizes.get(s.name)!));
  const cpus = os.cpus();
  const results: Results = {
    meta: {
      date: new Date().toISOString(),
      mode,
      rounds,
      node: `Node ${process.version}`,
      nodeFlags,
      cpus: `${cpus.length} x ${cpus[0]?.model.trim() ?? 'unknown CPU'}`,
      loadavg: { start: loadStart, end: os.loadavg()[0]! },
      durationS: (performance.now() - started) / 1000,
      truncated,
      impls: selectedImpls.map((i) => ({ name: i.name, title: i.title, pkg: i.pkg, version: i.pkg && packageVersion(i.pkg) })),
    },
    scenarios: infos,
    cells: aggregate(
      infos,
      selectedImpls.map((i) => i.name),
      runs,
    ),
    runs,
  };

  const jsonFile = args.json ?? DEFAULT_RESULTS;
  mkdirSync(dirname(jsonFile), { recursive: true });
  writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
  console.log(formatText(results));
  console.log(`\nresults: ${jsonFile}`);

  // Only a complete full run speaks for the project in the README; --readme overrides.
  const complete = mode === 'full' && !truncated && !filters && !implNames;
  if (complete || args.readme) console.log(`table: ${writeReadmeTable(results)}`);
  else console.log('table: README not updated (quick or partial run; --readme to force)');
}

await main();
