import { readFile } from 'node:fs/promises';
import type { FileResult, FileStatus, SubtestStatus } from './types.js';

/**
 * wpt/expectations.json: what is known not to pass, and why.
 *   { "/streams/x.any.js": { "status": "ERROR", "reason": "...",          (file level, optional)
 *                            "subtests": { "name": { "status": "FAIL", "reason": "..." } } } }
 * Anything not listed is expected to pass (file OK, subtests PASS). Every entry needs a reason.
 * Keys starting with "//" are comments.
 */
export interface FileExpectation {
  status?: FileStatus;
  reason?: string;
  subtests?: Record<string, SubtestExpectation>;
}
export interface SubtestExpectation {
  /** One status, or several for a result that legitimately varies. */
  status: SubtestStatus | SubtestStatus[];
  reason: string;
}
export type Expectations = Record<string, FileExpectation>;

/** A result that differs from its expectation. */
export interface Unexpected {
  test: string;
  subtest?: string;
  expected: string;
  actual: string;
  /** An expectation that no longer holds: the result is better than expected, or gone. */
  stale: boolean;
  message: string | null;
}

const FILE_STATUSES = ['OK', 'ERROR', 'TIMEOUT', 'CRASH', 'PRECONDITION_FAILED'];
const SUBTEST_STATUSES = ['PASS', 'FAIL', 'TIMEOUT', 'NOTRUN', 'PRECONDITION_FAILED'];

export async function loadExpectations(path: string): Promise<Expectations> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new Error(`cannot read the expectations file ${path} (or pass --no-expectations)`);
  }
  const raw = JSON.parse(text) as Record<string, unknown>;
  const problems: string[] = [];
  const out: Expectations = {};
  for (const [test, value] of Object.entries(raw)) {
    if (test.startsWith('//')) continue;
    if (!test.startsWith('/')) problems.push(`${test}: test ids start with "/" (e.g. /streams/piping/abort.any.js)`);
    const entry = value as FileExpectation;
    if (entry.status !== undefined) {
      if (!FILE_STATUSES.includes(entry.status)) problems.push(`${test}: unknown file status ${entry.status}`);
      if (!entry.reason?.trim()) problems.push(`${test}: a file status needs a "reason"`);
    }
    for (const [name, sub] of Object.entries(entry.subtests ?? {})) {
      const statuses = [sub.status].flat();
      if (statuses.length === 0 || statuses.some((s) => !SUBTEST_STATUSES.includes(s))) problems.push(`${test} / ${name}: bad status`);
      if (!sub.reason?.trim()) problems.push(`${test} / ${name}: needs a "reason"`);
    }
    out[test] = entry;
  }
  if (problems.length > 0) throw new Error(`${path} is invalid:\n  ${problems.join('\n  ')}`);
  return out;
}

/** Every result that differs from `expectations`; files that did not run are not judged. */
export function compare(results: readonly FileResult[], expectations: Expectations): Unexpected[] {
  const out: Unexpected[] = [];
  for (const result of results) {
    const entry = expectations[result.test] ?? {};
    const fileExpected = entry.status ?? 'OK';
    if (result.status !== fileExpected) {
      out.push({ test: result.test, expected: fileExpected, actual: result.status, stale: result.status === 'OK', message: result.message });
    }
    const listed = new Map(Object.entries(entry.subtests ?? {}));
    for (const subtest of result.subtests) {
      const expectation = listed.get(subtest.name);
      listed.delete(subtest.name);
      const expected = expectation ? [expectation.status].flat() : ['PASS'];
      if (!expected.includes(subtest.status)) {
        out.push({
          test: result.test,
          subtest: subtest.name,
          expected: expected.join('|'),
          actual: subtest.status,
          stale: subtest.status === 'PASS',
          message: subtest.message,
        });
      }
    }
    // Only an OK file reports all its subtests; after ERROR/TIMEOUT/CRASH some are simply missing.
    if (result.status === 'OK') {
      for (const [name, expectation] of listed) {
        out.push({ test: result.test, subtest: name, expected: [expectation.status].flat().join('|'), actual: 'MISSING', stale: true, message: null });
      }
    }
  }
  return out;
}
