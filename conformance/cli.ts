import { parseArgs } from 'node:util';
import { IMPL_NAMES, type ImplName } from './impls.js';
import { DEFAULT_SUITES, SUITES } from './suites.js';

export const HOST_NAMES = ['isolate', 'library'] as const;
export type HostName = (typeof HOST_NAMES)[number];

export interface CliOptions {
  filters: string[];
  suites: string[];
  impl: ImplName;
  host: HostName;
  json: string;
  /** undefined: no expectations (exit status then only reflects crashes of the harness). */
  expectations: string | undefined;
  timeoutMs: number;
  jobs: number;
  verbose: boolean;
  list: boolean;
  /** Rewrite this host's wpt/subtest-counts.json entries from the run. */
  recordCounts: boolean;
}

export const USAGE = `usage: npm run wpt -- [FILTER...] [options]
  FILTER              path prefix or glob under the WPT root, e.g. streams/piping or 'streams/**/tee*'
  --suite NAME        run this suite (repeatable): ${Object.keys(SUITES).join(', ')}; default: ${DEFAULT_SUITES.join(', ')}
  --impl NAME         ${IMPL_NAMES.join(' | ')} (default nano; node and polyfill calibrate the harness)
  --host NAME         where files run: isolate (a fresh isolated-vm isolate with the NANO runtime, default)
                      or library (a fresh node:vm context with NANO's globals)
  --json FILE         wptreport JSON output (default .wpt-results.json)
  --expectations FILE expected failures (default wpt/expectations.json with --impl nano, none otherwise)
  --no-expectations   report only; exit 0 whatever the results
  --timeout SECONDS   per-file limit (default 30; doubled for META timeout=long)
  --jobs N            worker processes (default 2)
  --list              print the selected files and exit
  --record-counts     store each OK file's subtest count for this host in wpt/subtest-counts.json
                      (an OK file with fewer subtests than recorded is an unexpected result)
  --verbose           forward the tests' console output to stderr`;

export function parseCli(argv: readonly string[]): CliOptions {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      suite: { type: 'string', multiple: true },
      impl: { type: 'string', default: 'nano' },
      host: { type: 'string', default: 'isolate' },
      json: { type: 'string', default: '.wpt-results.json' },
      expectations: { type: 'string' },
      'no-expectations': { type: 'boolean', default: false },
      timeout: { type: 'string', default: '30' },
      jobs: { type: 'string', default: '2' },
      list: { type: 'boolean', default: false },
      'record-counts': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    process.exit(0);
  }
  const impl = oneOf(values.impl, IMPL_NAMES, '--impl');
  const suites = values.suite ?? [...DEFAULT_SUITES];
  for (const suite of suites) if (!SUITES[suite]) throw new Error(`unknown suite ${suite}; known: ${Object.keys(SUITES).join(', ')}`);
  const defaultExpectations = impl === 'nano' ? 'wpt/expectations.json' : undefined;
  return {
    filters: positionals,
    suites,
    impl,
    host: oneOf(values.host, HOST_NAMES, '--host'),
    json: values.json,
    expectations: values['no-expectations'] ? undefined : (values.expectations ?? defaultExpectations),
    timeoutMs: positive(values.timeout, '--timeout') * 1000,
    jobs: positive(values.jobs, '--jobs'),
    verbose: values.verbose,
    list: values.list,
    recordCounts: values['record-counts'],
  };
}

function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`${flag} must be one of ${allowed.join(', ')}`);
  return value as T;
}

function positive(value: string, flag: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new Error(`${flag} must be a positive number`);
  return n;
}
