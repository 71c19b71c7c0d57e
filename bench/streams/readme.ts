// Puts the markdown table between the README's bench markers. Run directly, it regenerates the
// table from a results file without measuring again:
//   node --import tsx bench/streams/readme.ts [bench/results/streams.json]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatMarkdown, type Results } from './report.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
export const DEFAULT_RESULTS = `${root}bench/results/streams.json`;
const README = `${root}README.md`;
const START = '<!-- bench:streams:start -->';
const END = '<!-- bench:streams:end -->';

/** Writes the table into README.md, or into bench/results/streams.md when the README has no markers. */
export function writeReadmeTable(results: Results): string {
  const table = formatMarkdown(results);
  const readme = existsSync(README) ? readFileSync(README, 'utf8') : '';
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start === -1 || end < start) {
    const fallback = `${root}bench/results/streams.md`;
    writeFileSync(fallback, `${table}\n`);
    return fallback;
  }
  writeFileSync(README, `${readme.slice(0, start + START.length)}\n${table}\n${readme.slice(end)}`);
  return README;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2] ?? DEFAULT_RESULTS;
  const written = writeReadmeTable(JSON.parse(readFileSync(file, 'utf8')) as Results);
  console.log(`bench table from ${file} written to ${written}`);
}
