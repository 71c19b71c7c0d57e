import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RealmBundle } from '../bundle.js';
import type { RealmImpl } from '../impls.js';
import type { FileResult, FileStatus, Host, RunFileOptions, SubtestResult, TestFile } from '../types.js';
import type { FromChild, ToChild } from './library-protocol.js';

export interface LibraryHostConfig {
  prelude: RealmBundle;
  impl: RealmImpl;
  wptRoot: string;
  verbose: boolean;
  /** How long past its limit a file may take to report its own TIMEOUT before its worker is killed. */
  killGraceMs?: number;
}

const CHILD = fileURLToPath(new URL('./library-child.ts', import.meta.url));

/**
 * Library mode: each file runs in a fresh node:vm context inside a worker process
 * (hosts/library-child.ts). The worker is reused across files and replaced when a file
 * crashes it or has to be killed.
 */
export class LibraryHost implements Host {
  #child: ChildProcess | undefined;
  #ready: Promise<ChildProcess> | undefined;

  constructor(private readonly config: LibraryHostConfig) {}

  async runFile(file: TestFile, options: RunFileOptions): Promise<FileResult> {
    const child = await this.#start();
    const timeoutMs = file.long ? options.timeoutMs * 2 : options.timeoutMs;
    const started = performance.now();
    const seen: SubtestResult[] = [];
    const grace = this.config.killGraceMs ?? 5_000;
    return new Promise((resolve) => {
      const finish = (status: FileStatus, message: string | null, subtests: SubtestResult[]): void => {
        clearTimeout(killTimer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve({ test: file.id, status, message, subtests, duration: Math.round(performance.now() - started) });
      };
      const onMessage = (message: FromChild): void => {
        if (message.type === 'subtest') seen.push(message.subtest);
        else if (message.type === 'done') finish(message.status, message.message, message.subtests);
      };
      const onExit = (code: number | null, signal: string | null): void => {
        this.#forget(child);
        finish('CRASH', `worker exited (${signal ?? `code ${code}`}) while running the file`, seen);
      };
      // The realm is stuck (e.g. a synchronous loop): only killing its process stops it.
      const killTimer = setTimeout(() => {
        this.#forget(child);
        child.kill('SIGKILL');
        finish('TIMEOUT', `no result ${timeoutMs / 1000}s + ${grace / 1000}s after start; worker killed`, seen);
      }, timeoutMs + grace);
      child.on('message', onMessage);
      child.on('exit', onExit);
      child.send({ type: 'run', file, timeoutMs } satisfies ToChild);
    });
  }

  async close(): Promise<void> {
    const child = this.#child;
    this.#forget(child);
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.disconnect();
      await exited;
    }
  }

  #start(): Promise<ChildProcess> {
    this.#ready ??= new Promise((resolve, reject) => {
      const child = fork(CHILD, [], {
        // --expose-gc: common/gc.js then really collects (it uses `self.gc` when present).
        // --harmony-rab-gsab-transfer: ArrayBuffer.prototype.transfer on Node 20 (detaching buffers).
        execArgv: ['--import', import.meta.resolve('tsx'), '--expose-gc', '--harmony-rab-gsab-transfer'],
        // The child's own output goes to our stderr: stdout is the summary's.
        stdio: ['ignore', 2, 2, 'ipc'],
        serialization: 'advanced',
      });
      this.#child = child;
      child.once('message', () => resolve(child));
      child.once('exit', (code) => reject(new Error(`library worker exited during start (code ${code})`)));
      const { prelude, impl, wptRoot, verbose } = this.config;
      const init: ToChild = { type: 'init', prelude, impl, wptRoot, verbose };
      child.send(init);
    });
    return this.#ready;
  }

  #forget(child: ChildProcess | undefined): void {
    if (child && this.#child === child) {
      this.#child = undefined;
      this.#ready = undefined;
    }
  }
}
