import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import ivm from 'isolated-vm';
import { NanoIsolate } from '../../src/host/isolate/nano-isolate.js';
import { bundleEntry, type RealmBundle } from '../bundle.js';
import type { FileResult, FileStatus, Host, RunFileOptions, SubtestResult, TestFile } from '../types.js';
import { readWptUrlSync, urlPath } from './library-realm-host.js';
import { isServedOverHttp } from '../suites.js';
import { HANDLER_PATHS } from './wpt-handlers.js';
import { startWptServer, substitute, type WptServer } from './wpt-server.js';

export interface IsolateHostConfig {
  wptRoot: string;
  verbose: boolean;
  /** How long past its limit a file may take to report its own TIMEOUT before its isolate is disposed. */
  killGraceMs?: number;
}

const SUBTEST_STATUS: readonly SubtestResult['status'][] = ['PASS', 'FAIL', 'TIMEOUT', 'NOTRUN', 'PRECONDITION_FAILED'];
const HARNESS_STATUS: readonly FileStatus[] = ['OK', 'ERROR', 'TIMEOUT', 'PRECONDITION_FAILED'];
/** Room for the tests that allocate (a 256 MiB cap, as a worker might have). */
const MEMORY_LIMIT_MB = 256;

type Message =
  | { type: 'subtest'; subtest: { name: string; status: number; message: string | null } }
  | { type: 'done'; status: number; message: string | null; subtests: { name: string; status: number; message: string | null }[] };

let prelude: Promise<RealmBundle> | undefined;
const scripts = new Map<string, Promise<string>>();
/** A script's text; a `.sub.` file of a file served over HTTP with wptserve's substitutions, as the server would serve it. */
const source = (path: string, server?: WptServer): Promise<string> => {
  const sub = server !== undefined && /\.sub\.[^/]*$/.test(path);
  const key = sub ? `sub:${path}` : path;
  let text = scripts.get(key);
  if (!text) scripts.set(key, (text = readFile(path, 'utf8').then((t) => (sub ? substitute(t, [server.port, server.port2]) : t))));
  return text;
};

/**
 * The isolate host: each file runs in a fresh isolated-vm isolate booted with the NANO runtime,
 * exactly what an app gets, plus the WPT worker wrapper (isolate-prelude.ts). Isolates run on
 * their own threads, so this host needs no worker process; a stuck isolate is disposed.
 */
export class IsolateHost implements Host {
  constructor(private readonly config: IsolateHostConfig) {}

  async runFile(file: TestFile, options: RunFileOptions): Promise<FileResult> {
    const timeoutMs = file.long ? options.timeoutMs * 2 : options.timeoutMs;
    const started = performance.now();
    const seen: SubtestResult[] = [];
    const { wptRoot, verbose } = this.config;
    const grace = this.config.killGraceMs ?? 5_000;
    prelude ??= bundleEntry(fileURLToPath(new URL('../realm/isolate-prelude.ts', import.meta.url)), '__wptPrelude');

    let nano: NanoIsolate | undefined;
    // A served file's subtest names may hold the server's ports: reported as the template's
    // names, so that expectations and counts do not depend on the ports of one run.
    const server = await startWptServer(wptRoot);
    let unsubstitute = (text: string): string => text;
    let settle!: (status: FileStatus, message: string | null, subtests: SubtestResult[]) => void;
    const result = new Promise<FileResult>((resolve) => {
      let settled = false;
      settle = (status, message, subtests) => {
        if (settled) return;
        settled = true;
        clearTimeout(harnessTimer);
        clearTimeout(killTimer);
        nano?.dispose();
        resolve({ test: file.id, status, message, subtests, duration: Math.round(performance.now() - started) });
      };
    });
    // At the limit, testharness's timeout() marks what is unfinished; past the grace, dispose.
    const harnessTimer = setTimeout(() => {
      nano?.context.eval('typeof timeout === "function" && timeout()', { timeout: 1000 }).catch(() => {});
    }, timeoutMs);
    const killTimer = setTimeout(
      () => settle('TIMEOUT', `no result ${timeoutMs / 1000}s + ${grace / 1000}s after start; isolate disposed`, seen),
      timeoutMs + grace,
    );

    try {
      const served = isServedOverHttp(file.id);
      if (served) unsubstitute = unsubstituter(server);
      nano = await NanoIsolate.create({
        memoryLimitMb: MEMORY_LIMIT_MB,
        // The wptserve handlers (wpt-handlers.ts) are on this machine's loopback.
        fetchAllow: ['127.0.0.1'],
        log: verbose ? (level, text) => process.stderr.write(`[${file.id} ${level}] ${text}\n`) : undefined,
      });
      const { context } = nano;
      const onMessage = (json: string): void => {
        const message = JSON.parse(json) as Message;
        if (message.type === 'subtest') {
          seen.push(toSubtest(message.subtest, unsubstitute));
        } else {
          settle(HARNESS_STATUS[message.status] ?? 'ERROR', message.message, message.subtests.map((t) => toSubtest(t, unsubstitute)));
        }
      };
      await context.global.set('__wptHost_report', new ivm.Callback(onMessage, { ignored: true }));
      // Synchronous: a host function given to an isolate cannot answer with a promise.
      await context.global.set(
        '__wptHost_read',
        new ivm.Callback((href: string) => {
          const bytes = readWptUrlSync(wptRoot, href);
          return bytes === null ? null : new ivm.ExternalCopy(new Uint8Array(bytes)).copyInto({ release: true });
        }),
      );
      const info = {
        scope: file.scope,
        title: file.path.slice(file.path.lastIndexOf('/') + 1).split('.')[0]!,
        location: locationOf(file, wptRoot, served ? server.origin : WPT_ORIGIN),
        handlers: { origin: server.origin, paths: HANDLER_PATHS },
        served,
      };
      const bundle = await prelude;
      await context.eval(
        `(function () { ${bundle.code}\n__wptPrelude.setupIsolateRealm(${JSON.stringify(info)}); })()`,
        { filename: 'wpt:isolate-prelude' },
      );
      // Each file as its own classic script (global let/const, 'use strict' per file, named by
      // its URL in stack traces, as a browser names it); testharness waits for done()
      // (explicit_done), as in a worker.
      const origin = served ? server.origin : WPT_ORIGIN;
      await this.#script(nano, `${wptRoot}/resources/testharness.js`, `${origin}/resources/testharness.js`, timeoutMs);
      await context.eval('__wptHookHarness()');
      try {
        const sub = served ? server : undefined;
        for (const script of file.scripts) await this.#script(nano, script, origin + urlPath(wptRoot, script), timeoutMs, undefined, sub);
        await this.#script(nano, file.path, origin + urlPath(wptRoot, file.path), timeoutMs, file.inline, sub);
      } catch (error) {
        const message = (error as Error).message ?? String(error);
        await context.evalClosure('__wptScriptError($0)', [message], { arguments: { copy: true } }).catch(() => {});
      }
      await context.eval('done()', { timeout: timeoutMs }).catch(() => {});
    } catch (error) {
      settle('CRASH', `isolate setup failed: ${(error as Error).stack ?? String(error)}`, seen);
    }
    // A disposed isolate (memory limit, catastrophic error) never completes: report it.
    const watchdog = setInterval(() => {
      if (nano?.isolate.isDisposed) settle('CRASH', 'the isolate was disposed (memory limit?) while running the file', seen);
    }, 250);
    const done = await result;
    clearInterval(watchdog);
    return done;
  }

  /** Runs the script at `path`, or `inline` (an .html file's inline script) in its name. */
  async #script(nano: NanoIsolate, path: string, filename: string, timeoutMs: number, inline?: string, server?: WptServer): Promise<void> {
    const script = await nano.isolate.compileScript(inline ?? (await source(path, server)), { filename });
    try {
      await script.run(nano.context, { timeout: timeoutMs });
    } finally {
      script.release();
    }
  }

  async close(): Promise<void> {}
}

function toSubtest(t: { name: string; status: number; message: string | null }, unsubstitute: (text: string) => string): SubtestResult {
  return { name: unsubstitute(t.name), status: SUBTEST_STATUS[t.status] ?? 'FAIL', message: t.message === null ? null : unsubstitute(t.message) };
}

/** The inverse of wpt-server.ts's substitute() for the server's address. */
function unsubstituter(server: WptServer): (text: string) => string {
  const port = `127.0.0.1:${server.port}`;
  const port2 = `127.0.0.1:${server.port2}`;
  // Then the ports alone (after another host: blob:http://www.not-served.invalid:PORT/).
  return (text) =>
    text
      .replaceAll(port, '{{host}}:{{ports[http][0]}}')
      .replaceAll(port2, '{{host}}:{{ports[http][1]}}')
      .replaceAll(`:${server.port}`, ':{{ports[http][0]}}')
      .replaceAll(`:${server.port2}`, ':{{ports[http][1]}}');
}

/** wptserve's origin, the files' location unless they are served over HTTP (suites.ts). */
const WPT_ORIGIN = 'http://web-platform.test';

/** The file's WorkerLocation fields, as wptserve would give them. */
function locationOf(file: TestFile, root: string, serverOrigin: string): Record<'href' | 'origin' | 'protocol' | 'host' | 'hostname' | 'port' | 'pathname' | 'search' | 'hash', string> {
  const url = new URL(`${serverOrigin}${urlPath(root, file.path)}${file.variant ?? ''}`);
  const { href, origin, protocol, host, hostname, port, pathname, search } = url;
  return { href, origin, protocol, host, hostname, port, pathname, search, hash: '' };
}
