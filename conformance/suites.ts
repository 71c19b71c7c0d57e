import { globToRegExp } from './glob.js';

/**
 * The WPT suites the harness knows, by name, and the ones `npm run wpt` runs by default.
 * Adding a suite is one line (its folder must be in scripts/wpt/wpt-paths.ts).
 */
export const SUITES: Readonly<Record<string, readonly string[]>> = {
  streams: ['streams/**/*.any.js'],
  'encoding-streams': ['encoding/streams/*.any.js'],
  compression: ['compression/*.any.js'],
};

export const DEFAULT_SUITES: readonly string[] = ['streams', 'encoding-streams', 'compression'];

/** The suite a test id belongs to (first match in SUITES order), for per-suite totals. */
export function suiteOf(testId: string): string {
  const path = testId.replace(/^\//, '').replace(/\?.*$/, '');
  for (const [name, globs] of Object.entries(SUITES)) if (globs.some((glob) => globToRegExp(glob).test(path))) return name;
  return 'other';
}
