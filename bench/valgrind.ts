// Counting instructions under valgrind (callgrind), shared by the streams and host instruction
// benches: the same deterministic setup for both, so their figures mean the same thing.
import { execFileSync } from 'node:child_process';

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
