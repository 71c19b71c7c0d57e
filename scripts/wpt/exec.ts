import { spawn, spawnSync } from 'node:child_process';

/** Runs a command with its output on our stderr (progress for the user); rejects on failure. */
export function run(cmd: string, args: readonly string[], cwd?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', process.stderr, process.stderr] });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? `exit ${code}`})`)),
    );
  });
}

/** Runs a command and returns its stdout; rejects with its stderr on failure. */
export function capture(cmd: string, args: readonly string[], cwd?: string): string {
  const result = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${result.stderr.trim()}`);
  return result.stdout;
}

/** True when `cmd` can be started (e.g. apt-get exists on this system). */
export function available(cmd: string): boolean {
  return spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
}
