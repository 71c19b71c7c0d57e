/**
 * npm run wpt -- [FILTER...] [options]   (see cli.ts for the options)
 *
 * Runs WPT .any.js files, each in a fresh realm with testharness.js, against the chosen
 * streams implementation; prints progress on stderr and a summary on stdout; writes a
 * wptreport JSON; exits 1 on any result that differs from wpt/expectations.json.
 */
import { fileURLToPath } from 'node:url';
import { readManifest, verifyTree } from '../scripts/wpt/manifest.js';
import { MANIFEST_PATH, wptRoot } from '../scripts/wpt/paths.js';
import { bundleEntry } from './bundle.js';
import { parseCli, USAGE, type CliOptions } from './cli.js';
import { discover } from './discover.js';
import { compare, loadExpectations } from './expectations.js';
import { COUNTS_PATH, compareCounts, loadCounts, recordCounts } from './subtest-counts.js';
import { createHost } from './hosts/index.js';
import { loadImpl } from './impls.js';
import { runPool } from './pool.js';
import { SUITES } from './suites.js';
import { formatSummary, passedCount } from './summary.js';
import type { FileResult, Host } from './types.js';
import { writeReport } from './wptreport.js';

async function main(options: CliOptions): Promise<number> {
  const root = wptRoot();
  try {
    await verifyTree(root, await readManifest(MANIFEST_PATH));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\nRun \`npm run wpt:fetch\` to fetch the pinned WPT files into ${root}.\n`);
    return 2;
  }
  const files = await discover(root, options.suites.flatMap((s) => SUITES[s]!), options.filters);
  if (options.list) {
    for (const file of files) process.stdout.write(`${file.id}\n`);
    return 0;
  }
  if (files.length === 0) {
    process.stderr.write('wpt: no test file matches\n');
    return 2;
  }
  const expectations = options.expectations ? await loadExpectations(options.expectations) : undefined;

  const started = Date.now();
  const prelude = await bundleEntry(fileURLToPath(new URL('./realm/prelude.ts', import.meta.url)), '__nanoPrelude');
  const impl = await loadImpl(options.impl);
  const jobs = Math.min(options.jobs, files.length);
  const hosts: Host[] = Array.from({ length: jobs }, () => createHost(options.host, { prelude, impl, wptRoot: root, verbose: options.verbose }));
  let done = 0;
  const results = await runPool(files, hosts, { timeoutMs: options.timeoutMs, verbose: options.verbose }, (result) => {
    done++;
    process.stderr.write(`[${done}/${files.length}] ${progressLine(result)}\n`);
  });
  await Promise.all(hosts.map((host) => host.close()));

  await writeReport(options.json, { impl: options.impl, host: options.host, suites: options.suites, filters: options.filters }, results, started);
  if (options.recordCounts) await recordCounts(COUNTS_PATH, options.host, results);
  // The subtest counts are checked with the expectations (NANO's own runs).
  const unexpected = expectations
    ? [...compare(results, expectations), ...compareCounts(results, (await loadCounts(COUNTS_PATH))[options.host])]
    : undefined;
  process.stdout.write(formatSummary(results, unexpected));
  process.stderr.write(`wpt: ${((Date.now() - started) / 1000).toFixed(1)} s, report in ${options.json}\n`);
  return unexpected && unexpected.length > 0 ? 1 : 0;
}

function progressLine(result: FileResult): string {
  const status = result.status === 'OK' ? '' : ` ${result.status}`;
  return `${result.test} ${passedCount(result)}/${result.subtests.length}${status} (${result.duration} ms)`;
}

let options: CliOptions;
try {
  options = parseCli(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
  process.exit(2);
}
main(options).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`wpt: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 2;
  },
);
