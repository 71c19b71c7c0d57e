import { readFile, writeFile } from 'node:fs/promises';
import type { Unexpected } from './expectations.js';
import type { FileResult } from './types.js';

/**
 * wpt/subtest-counts.json: how many subtests each file defined when it last ran completely, per
 * host ({ "isolate": { "/streams/x.any.js": 12 }, "library": { ... } }). A file whose tests are
 * defined late (after a chain of promises) can lose subtests to a timing change while every
 * subtest that did run passes; expectations alone cannot see that, so an OK file reporting fewer
 * subtests than recorded is an unexpected result. `npm run wpt -- --record-counts` rewrites the
 * host's counts from the run (for files that ran OK).
 */
export type SubtestCounts = Record<string, Record<string, number>>;

export const COUNTS_PATH = 'wpt/subtest-counts.json';

export async function loadCounts(path: string): Promise<SubtestCounts> {
  try {
    const raw = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    const out: SubtestCounts = {};
    for (const [host, counts] of Object.entries(raw)) if (!host.startsWith('//')) out[host] = counts as Record<string, number>;
    return out;
  } catch {
    return {};
  }
}

/** OK files of `results` that report fewer subtests than `counts` records. */
export function compareCounts(results: readonly FileResult[], counts: Record<string, number> | undefined): Unexpected[] {
  const out: Unexpected[] = [];
  if (counts === undefined) return out;
  for (const result of results) {
    const recorded = counts[result.test];
    if (result.status !== 'OK' || recorded === undefined || result.subtests.length >= recorded) continue;
    out.push({
      test: result.test,
      expected: `${recorded} subtests`,
      actual: `${result.subtests.length} subtests`,
      stale: false,
      message: 'the file defined fewer subtests than when the counts were recorded (some were lost, e.g. to timing)',
    });
  }
  return out;
}

/** Stores the subtest counts of the OK files of `results` as `host`'s, keeping other files'. */
export async function recordCounts(path: string, host: string, results: readonly FileResult[]): Promise<void> {
  const all = await loadCounts(path);
  const mine = { ...(all[host] ?? {}) };
  for (const result of results) if (result.status === 'OK') mine[result.test] = result.subtests.length;
  all[host] = Object.fromEntries(Object.entries(mine).sort(([a], [b]) => (a < b ? -1 : 1)));
  const text = JSON.stringify({ '//': 'Subtests per WPT file and host, as last recorded (npm run wpt -- --record-counts). See conformance/subtest-counts.ts.', ...all }, null, 1);
  await writeFile(path, text + '\n');
}
