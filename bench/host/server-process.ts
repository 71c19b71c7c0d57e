// A bench server process (bench/host/server-child.ts of one tree) and its CPU time, shared by the
// host bench and the paired A/B bench.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Starts `dir`'s bench/host/server-child.ts as `mode` (NANO from that tree's dist/); resolves when it listens. */
export function startServerChild(dir: string, mode: 'node' | 'nano'): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--no-node-snapshot', '--harmony-rab-gsab-transfer', '--import', 'tsx', join(dir, 'bench/host/server-child.ts'), mode], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c;
      if (out.includes('\n')) resolve({ port: (JSON.parse(out.split('\n')[0]!) as { port: number }).port, child });
    });
    child.once('exit', (code) => reject(new Error(`the ${mode} server in ${dir} exited (${code}) before listening`)));
  });
}

/** Kills a server and waits until it is gone. */
export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  return gone;
}

/** Linux's USER_HZ, the unit of /proc's CPU times. */
const CLOCK_TICKS = 100;

/** The process's CPU time (user + system, all its threads) in µs, from /proc; undefined where there is none. */
export function cpuMicros(pid: number | undefined): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS) * 1e6;
  } catch {
    return undefined;
  }
}
