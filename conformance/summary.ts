import type { Unexpected } from './expectations.js';
import { suiteOf } from './suites.js';
import type { FileResult } from './types.js';

export interface Totals {
  files: number;
  okFiles: number;
  passed: number;
  total: number;
}

export function passedCount(result: FileResult): number {
  return result.subtests.filter((s) => s.status === 'PASS').length;
}

/** Per-suite totals, in first-seen order, plus an `all` row. */
export function totalsBySuite(results: readonly FileResult[]): Map<string, Totals> {
  const rows = new Map<string, Totals>();
  const all: Totals = { files: 0, okFiles: 0, passed: 0, total: 0 };
  for (const result of results) {
    const suite = suiteOf(result.test);
    const row = rows.get(suite) ?? { files: 0, okFiles: 0, passed: 0, total: 0 };
    for (const t of [row, all]) {
      t.files++;
      if (result.status === 'OK') t.okFiles++;
      t.passed += passedCount(result);
      t.total += result.subtests.length;
    }
    rows.set(suite, row);
  }
  rows.set('all', all);
  return rows;
}

/** The stdout summary: a table per suite, the files that did not finish OK, the unexpected. */
export function formatSummary(results: readonly FileResult[], unexpected: readonly Unexpected[] | undefined): string {
  const lines = ['', '| suite | files OK | subtests passed | % |', '| --- | --- | --- | --- |'];
  for (const [suite, t] of totalsBySuite(results)) {
    const pct = t.total === 0 ? '-' : ((100 * t.passed) / t.total).toFixed(1);
    lines.push(`| ${suite} | ${t.okFiles}/${t.files} | ${t.passed}/${t.total} | ${pct} |`);
  }
  const broken = results.filter((r) => r.status !== 'OK');
  if (broken.length > 0) {
    lines.push('', 'Files not OK:');
    for (const r of broken) lines.push(`  ${r.status} ${r.test}${r.message ? `: ${oneLine(r.message)}` : ''}`);
  }
  if (unexpected) {
    lines.push('', unexpected.length === 0 ? 'No unexpected results.' : `${unexpected.length} unexpected results:`);
    for (const u of unexpected) {
      const what = u.stale ? 'UNEXPECTED PASS (stale expectation)' : 'UNEXPECTED';
      const where = u.subtest === undefined ? u.test : `${u.test} | ${u.subtest}`;
      lines.push(`  ${what} ${u.actual} (expected ${u.expected}) ${where}${u.message ? `\n      ${oneLine(u.message)}` : ''}`);
    }
  }
  return lines.join('\n') + '\n';
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}
