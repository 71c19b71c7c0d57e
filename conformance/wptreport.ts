import { readFile, writeFile } from 'node:fs/promises';
import { arch, platform, release } from 'node:os';
import { WPT_COMMIT } from '../scripts/wpt/paths.js';
import type { FileResult } from './types.js';

/** The wptreport JSON that wpt.fyi ingests (plus fields it ignores, kept for CONFORMANCE.md). */
export interface WptReport {
  run_info: Record<string, string | string[]>;
  time_start: number;
  time_end: number;
  results: FileResult[];
}

export interface RunInfo {
  impl: string;
  host: string;
  suites: string[];
  filters: string[];
}

export async function writeReport(path: string, info: RunInfo, results: readonly FileResult[], timeStart: number): Promise<void> {
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  const report: WptReport = {
    run_info: {
      product: info.impl === 'nano' ? 'nano' : `nano-harness-${info.impl}`,
      browser_version: pkg.version,
      revision: WPT_COMMIT,
      os: platform(),
      os_version: release(),
      processor: arch(),
      node: process.version,
      impl: info.impl,
      host: info.host,
      suites: info.suites,
      filters: info.filters,
    },
    time_start: timeStart,
    time_end: Date.now(),
    results: [...results],
  };
  await writeFile(path, JSON.stringify(report, null, 1) + '\n');
}

export async function readReport(path: string): Promise<WptReport> {
  return JSON.parse(await readFile(path, 'utf8')) as WptReport;
}
