// Instruction counts per chunk (or per 64 KiB for byte scenarios), NANO at a git ref against the
// working tree: the A/B for an optimisation on a machine whose timings spread 30-40% between runs.
//
//   npm run bench:instructions -- [--base REF] [--filter a,b] [--with node,fast] [--jobs N] [--top N]
//
// Each count is valgrind's (callgrind) instruction total for one process running a scenario
// once, set up as bench/valgrind.ts says. Two sizes per scenario: the
// difference divided by the extra items is the steady-state cost of one more item, free of
// startup and of the first compilations. Counts repeat within ~0.1% from run to run, so a
// change of 1% is a real change. They are a proxy: memory stalls and cache misses are not
// instructions, so the timed bench (npm run bench) stays the judge of speed.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { streamsOptions } from './build.js';
import { scenarios } from './scenarios.js';
import { callgrindArgs, collectedInstructions, requireValgrind, selfInstructionsByFunction } from '../valgrind.js';
import type { Scenario } from './types.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Other implementations, as modules exporting the classes the scenarios use (as impls.ts opens them). */
const OTHERS: Record<string, string> = {
  node: `export { ReadableStream, WritableStream, TransformStream, TextEncoderStream, TextDecoderStream } from 'node:stream/web';
export const Response = globalThis.Response;`,
  fast: `import * as fast from ${JSON.stringify(`${root}node_modules/experimental-fast-webstreams/src/index.js`)};
export const ReadableStream = fast.FastReadableStream, WritableStream = fast.FastWritableStream, TransformStream = fast.FastTransformStream;`,
  polyfill: `export * from ${JSON.stringify(`${root}node_modules/web-streams-polyfill/dist/ponyfill.mjs`)};`,
};

/**
 * Yardsticks from this repository, bundled as NANO is. floor: the least a default stream must do
 * per chunk in the read loop while keeping the standard's order (bench/streams/floor.ts).
 */
const BUNDLED: Record<string, string> = {
  floor: 'bench/streams/floor.ts',
};

const { values: args } = parseArgs({
  options: {
    base: { type: 'string', default: 'HEAD' },
    filter: { type: 'string' },
    with: { type: 'string' },
    jobs: { type: 'string', default: '2' },
    top: { type: 'string', default: '0' },
    help: { type: 'boolean', default: false },
  },
});

if (args.help) {
  console.log(`npm run bench:instructions -- [options]   (needs valgrind: apt-get install valgrind)
  --base REF    the git ref to compare the working tree with (default HEAD)
  --filter a,b  scenarios whose name contains any of these (${scenarios.map((s) => s.name).join(', ')})
  --with a,b    also count other implementations for scale: ${[...Object.keys(OTHERS), ...Object.keys(BUNDLED)].join(', ')}
  --jobs N      valgrind processes at once (default 2)
  --top N       also list the working tree's N costliest functions per item in each scenario`);
  process.exit(0);
}

requireValgrind('bench:instructions');

const others = args.with?.split(',').filter(Boolean) ?? [];
const unknown = others.find((name) => !(name in OTHERS) && !(name in BUNDLED));
if (unknown) {
  throw new Error(`--with: unknown implementation ${unknown} (known: ${[...Object.keys(OTHERS), ...Object.keys(BUNDLED)].join(', ')})`);
}
const filters = args.filter?.split(',').filter(Boolean);
const selected = scenarios.filter((s) => !filters || filters.some((f) => s.name.includes(f)));
if (selected.length === 0) throw new Error('no scenario selected');

/**
 * The two sizes: a quarter of the quick size and the quick size; for byte scenarios the quick
 * size and sixteen times it, since a quick size holds only a few hundred to two thousand 64 KiB
 * reads, and between a quarter of it and all of it V8 was still compiling: BYOB reads counted
 * ~150k instructions each that way, 12.7k with four times the quick size, 11.1k with sixteen
 * (byte-default reads 130k -> 88k, of which the 64 KiB memset is 66k; the Response 270k -> 211k).
 */
function sizes(scenario: Scenario): [number, number] {
  const quick = scenario.size.quick;
  return scenario.unit === 'bytes' ? [quick, quick * 16] : [Math.round(quick / 4), quick];
}

/** One item: a chunk, or 64 KiB of a byte scenario. */
function items(scenario: Scenario, size: number): number {
  return scenario.unit === 'bytes' ? size / (64 * 1024) : size;
}

const work = mkdtempSync(join(tmpdir(), 'nano-instructions-'));
const baseTree = join(work, 'base');

/** As the timed bench bundles NANO. */
async function bundle(entry: string, outfile: string): Promise<void> {
  await build({ ...streamsOptions, entryPoints: [entry], outfile, format: 'esm' });
}

interface Count {
  total: number;
  /** Self instructions per function, when profiled. */
  functions?: Map<string, number>;
}

/**
 * Instructions valgrind counted for one run of `scenario` at `size` against the classes `impl`
 * exports; with `profile`, per function as well.
 */
function count(impl: string, scenario: string, size: number, profile = false): Promise<Count> {
  const child = join(work, 'child.mjs');
  const out = profile ? join(work, `${scenario}-${size}.cg`) : '/dev/null';
  return new Promise((resolve, reject) => {
    const p = spawn('valgrind', callgrindArgs(out, ['--harmony-rab-gsab-transfer', child, impl, scenario, String(size)], profile), {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    p.stderr.on('data', (c: Buffer) => (err += c));
    p.on('error', reject);
    p.on('exit', (code) => {
      const total = collectedInstructions(err);
      const pid = /==(\d+)== Callgrind/.exec(err);
      if (code !== 0 || total === undefined || !pid) {
        reject(new Error(`${scenario} at ${size}: valgrind exited ${code}\n${err.slice(-2000)}`));
      } else if (profile) {
        const functions = selfInstructionsByFunction(out, Number(pid[1]));
        rmSync(out, { force: true });
        resolve({ total, functions });
      } else {
        resolve({ total });
      }
    });
  });
}

/** Runs the tasks `jobs` at a time. */
async function pool<T>(tasks: (() => Promise<T>)[], jobs: number): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
  return out;
}

try {
  execFileSync('git', ['worktree', 'add', '--detach', baseTree, args.base!], { cwd: root, stdio: 'ignore' });
  // The base bundle resolves nothing from node_modules, but keep imports working if it ever does.
  if (existsSync(join(root, 'node_modules'))) symlinkSync(join(root, 'node_modules'), join(baseTree, 'node_modules'));
  const nano = { base: join(work, 'base.mjs'), working: join(work, 'working.mjs') };
  const sides: { label: string; module: string }[] = [
    { label: args.base!, module: nano.base },
    { label: 'working tree', module: nano.working },
  ];
  for (const name of others) {
    const module = join(work, `${name}.mjs`);
    if (name in BUNDLED) await bundle(join(root, BUNDLED[name]!), module);
    else writeFileSync(module, OTHERS[name]!);
    sides.push({ label: name, module });
  }
  await bundle(join(baseTree, 'bench/streams/nano-entry.ts'), nano.base);
  await bundle(join(root, 'bench/streams/nano-entry.ts'), nano.working);
  // The working tree's scenarios for both sides, so only NANO differs.
  await bundle(join(root, 'bench/streams/scenarios.ts'), join(work, 'scenarios.mjs'));
  writeFileSync(
    join(work, 'child.mjs'),
    [
      `const impl = await import(process.argv[2]);`,
      `const { findScenario } = await import(${JSON.stringify(join(work, 'scenarios.mjs'))});`,
      `await findScenario(process.argv[3]).run(impl, Number(process.argv[4]));`,
    ].join('\n'),
  );

  // An implementation without a scenario's classes (fast has no text streams) counts as NaN.
  const top = Number(args.top);
  const tasks: (() => Promise<Count>)[] = [];
  for (const scenario of selected) {
    sides.forEach((side, j) => {
      const profile = top > 0 && j === 1;
      for (const size of sizes(scenario)) {
        tasks.push(() => count(side.module, scenario.name, size, profile).catch(() => ({ total: NaN })));
      }
    });
  }
  console.log(`instructions per item, ${args.base} vs working tree, ${selected.length} scenario(s), valgrind ${tasks.length} runs`);
  const counts = await pool(tasks, Number(args.jobs));

  const extraLabels = sides.slice(2).map((side) => side.label);
  console.log(`| scenario | item | ${args.base} | working tree | change |${extraLabels.map((l) => ` ${l} |`).join('')}`);
  console.log(`|---|---|--:|--:|--:|${extraLabels.map(() => '--:|').join('')}`);
  selected.forEach((scenario, i) => {
    const [small, large] = sizes(scenario);
    const extra = items(scenario, large) - items(scenario, small);
    const perItem = sides.map((_, j) => {
      const at = (i * sides.length + j) * 2;
      return (counts[at + 1]!.total - counts[at]!.total) / extra;
    });
    const [base, working] = perItem as [number, number];
    const change = Math.abs(working / base - 1) < 0.0005 ? '0.0' : `${working > base ? '+' : ''}${((working / base - 1) * 100).toFixed(1)}`;
    const item = scenario.unit === 'bytes' ? '64 KiB' : 'chunk';
    const rest = perItem.slice(2).map((n) => (Number.isNaN(n) ? ' n/a |' : ` ${Math.round(n)} |`)).join('');
    console.log(`| ${scenario.name} | ${item} | ${Math.round(base)} | ${Math.round(working)} | ${change}% |${rest}`);
  });
  if (top > 0) {
    selected.forEach((scenario, i) => {
      const [small, large] = sizes(scenario);
      const extra = items(scenario, large) - items(scenario, small);
      const at = (i * sides.length + 1) * 2;
      const fa = counts[at]!.functions;
      const fb = counts[at + 1]!.functions;
      if (!fa || !fb) return;
      const rows = [...new Set([...fa.keys(), ...fb.keys()])]
        .map((fn) => [fn, ((fb.get(fn) ?? 0) - (fa.get(fn) ?? 0)) / extra] as const)
        .sort((x, y) => y[1] - x[1])
        .slice(0, top);
      console.log(`\n${scenario.name}: the working tree's ${top} costliest functions per item (self instructions)`);
      for (const [fn, n] of rows) console.log(`${Math.round(n).toString().padStart(9)}  ${fn.slice(0, 150)}`);
    });
  }
} finally {
  try {
    execFileSync('git', ['worktree', 'remove', '--force', baseTree], { cwd: root, stdio: 'ignore' });
  } catch {
    // Already gone.
  }
  rmSync(work, { recursive: true, force: true });
}
