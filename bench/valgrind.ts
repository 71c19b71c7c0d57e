// Counting instructions under valgrind (callgrind), shared by the streams and host instruction
// benches: the same deterministic setup for both, so their figures mean the same thing.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

/** Exits with a clear message when valgrind is not installed. */
export function requireValgrind(script: string): void {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
  } catch {
    console.error(`${script} needs valgrind (Debian: apt-get install valgrind).`);
    process.exit(1);
  }
}

/**
 * valgrind's arguments to run `node <nodeArgs>` once and count its instructions: V8
 * single-threaded (compilation and GC on the main thread, so they are counted and happen at the
 * same points every time) with fixed seeds (hash tables and Math.random behave the same in every
 * run). `perfMap` makes V8 name its generated code in /tmp/perf-<pid>.map.
 */
export function callgrindArgs(outFile: string, nodeArgs: string[], perfMap = false): string[] {
  return [
    '--tool=callgrind',
    // V8 writes machine code at run time.
    '--smc-check=all-non-file',
    `--callgrind-out-file=${outFile}`,
    process.execPath,
    '--single-threaded',
    ...(perfMap ? ['--perf-basic-prof'] : []),
    '--hash-seed=1',
    '--random-seed=1',
    ...nodeArgs,
  ];
}

/** The instruction total callgrind reports on stderr when the process ends. */
export function collectedInstructions(stderr: string): number | undefined {
  const m = /Collected : (\d+)/.exec(stderr);
  return m ? Number(m[1]) : undefined;
}

/**
 * Self instructions per function in a callgrind output (callgrind_annotate), JIT code named from
 * the perf map V8 wrote for process `pid` (callgrindArgs with perfMap), which is then removed.
 */
export function selfInstructionsByFunction(file: string, pid: number): Map<string, number> {
  const map: [number, number, string][] = [];
  try {
    for (const line of readFileSync(`/tmp/perf-${pid}.map`, 'utf8').split('\n')) {
      const m = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line);
      if (m) map.push([parseInt(m[1]!, 16), parseInt(m[2]!, 16), m[3]!]);
    }
  } finally {
    rmSync(`/tmp/perf-${pid}.map`, { force: true });
  }
  map.sort((a, b) => a[0] - b[0]);
  const name = (addr: number): string => {
    let lo = 0;
    let hi = map.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (map[mid]![0] <= addr) lo = mid + 1;
      else hi = mid - 1;
    }
    const e = map[hi];
    return e && addr < e[0] + e[1] ? `JS ${e[2]}` : 'JS (unnamed code)';
  };
  const out = new Map<string, number>();
  const text = execFileSync('callgrind_annotate', ['--threshold=100', file], { encoding: 'utf8', maxBuffer: 1 << 28 });
  for (const line of text.split('\n')) {
    const m = /^\s*([\d,]+) \([^)]*\)\s+(.*)$/.exec(line);
    if (!m || line.includes('PROGRAM TOTALS')) continue;
    let fn = m[2]!.trim();
    const jit = /^\?\?\?:0x([0-9a-f]+) \[\?\?\?\]$/.exec(fn);
    if (jit) fn = name(parseInt(jit[1]!, 16));
    out.set(fn, (out.get(fn) ?? 0) + Number(m[1]!.replace(/,/g, '')));
  }
  return out;
}
