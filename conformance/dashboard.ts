/**
 * npm run conformance: the dashboard. Runs WPT four ways with the same harness, writes each
 * run's wptreport JSON to .wpt/ (keep them as CI artifacts), and renders CONFORMANCE.md:
 *   isolate   NANO in an isolated-vm isolate (what apps get), the default suites
 *   library   NANO as a library (a node:vm realm), the default suites
 *   node      Node's built-in streams, streams suite only (calibration)
 *   polyfill  web-streams-polyfill, streams suite only (calibration)
 * The calibration runs are reported, never judged (--no-expectations).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { writeConformance } from './report.js';

const RUN = fileURLToPath(new URL('./run.ts', import.meta.url));
const FLAGS = ['--no-node-snapshot', '--harmony-rab-gsab-transfer', '--import', 'tsx'];

const runs: { label: string; args: string[] }[] = [
  { label: 'isolate', args: ['--host', 'isolate'] },
  { label: 'library', args: ['--host', 'library'] },
  { label: 'node', args: ['--host', 'library', '--impl', 'node', '--suite', 'streams', '--no-expectations'] },
  { label: 'polyfill', args: ['--host', 'library', '--impl', 'polyfill', '--suite', 'streams', '--no-expectations'] },
];

mkdirSync('.wpt', { recursive: true });
const files: { label: string; file: string }[] = [];
for (const { label, args } of runs) {
  const file = `.wpt/${label}.json`;
  process.stderr.write(`conformance: running WPT (${label})\n`);
  // NANO's runs are judged by their own expectations; their exit code is reported, not fatal here.
  const result = spawnSync(process.execPath, [...FLAGS, RUN, ...args, '--json', file], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0 && !args.includes('--no-expectations')) process.stderr.write(`conformance: ${label}: unexpected results (see above)\n`);
  files.push({ label, file });
}
await writeConformance(files, {
  expectations: 'wpt/expectations.json',
  out: 'CONFORMANCE.md',
});
process.stderr.write('conformance: wrote CONFORMANCE.md\n');
