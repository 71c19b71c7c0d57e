// A bench server process (bench/host/server-child.ts of one tree) and its CPU time, shared by the
// host bench and the paired A/B bench.
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

/** The flags every bench server gets (the plain Node server nothing more: Node as people run it). */
const BASE_FLAGS = ['--no-node-snapshot', '--harmony-rab-gsab-transfer'];

/**
 * The node flags NANO runs with in tree `dir` (its src/host/node-flags.ts, as bin/nano-runtime.js
 * passes them), so a paired run compares each tree as it would be deployed; older trees had none.
 */
async function nanoFlags(dir: string): Promise<readonly string[]> {
  const file = join(dir, 'src/host/node-flags.ts');
  if (!existsSync(file)) return BASE_FLAGS;
  return ((await import(pathToFileURL(file).href)) as { HOST_NODE_FLAGS: readonly string[] }).HOST_NODE_FLAGS;
}

/**
 * Starts `dir`'s bench/host/server-child.ts as `mode` (NANO from that tree's dist/), with
 * `extraFlags` after its own; resolves when it listens. What the child prints after its port line
 * (`--trace-gc` output, say) goes to `onOutput`.
 */
export async function startServerChild(
  dir: string,
  mode: 'node' | 'nano',
  extraFlags: readonly string[] = [],
  onOutput?: (text: Buffer) => void,
): Promise<{ port: number; child: ChildProcess }> {
  const flags = mode === 'nano' ? await nanoFlags(dir) : BASE_FLAGS;
  const child = spawn(process.execPath, [...flags, ...extraFlags, '--import', 'tsx', join(dir, 'bench/host/server-child.ts'), mode], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let listening = false;
    child.stdout!.on('data', (c: Buffer) => {
      onOutput?.(c);
      if (listening) return;
      out += c;
      const port = /\{"port":(\d+)\}/.exec(out);
      if (port === null) return;
      listening = true;
      resolve({ port: Number(port[1]), child });
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

/**
 * One transfer of `mib` MiB through the server on `port` (Host header `host`): a download of
 * `path`, or an upload of 64 KiB chunks honouring backpressure whose response is read back.
 * Resolves with the bytes received; rejects when they are not `mib` MiB.
 */
export function transferOnce(port: number, host: string, path: string, upload: boolean, mib: number): Promise<number> {
  const total = mib * 1024 * 1024;
  return new Promise<number>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: upload ? 'POST' : 'GET', headers: { host } }, (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => (n += c.length));
      res.on('end', () => (n === total ? resolve(n) : reject(new Error(`${host}${path}: got ${n} bytes`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (!upload) return void req.end();
    const chunk = Buffer.alloc(64 * 1024, 98);
    let sent = 0;
    const pump = (): void => {
      while (sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}
