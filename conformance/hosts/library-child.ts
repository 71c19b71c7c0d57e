/**
 * A library-mode worker process: runs the files its parent sends, one at a time, each in a
 * fresh node:vm context with testharness.js. A process of its own keeps asynchronous failures
 * (uncaught exceptions, unhandled rejections) attributable to the one file running, and lets
 * the parent kill a file that hangs the event loop.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as webStreams from 'node:stream/web';
import vm from 'node:vm';
import type { RealmBundle } from '../bundle.js';
import type { RealmImpl } from '../impls.js';
import type { RealmHooks, RealmHost } from '../realm/contract.js';
import type { FileStatus, SubtestResult, SubtestStatus, TestFile } from '../types.js';
import type { FromChild, ToChild } from './library-protocol.js';
import { realmHost, urlPath } from './library-realm-host.js';
import { libraryBridge } from './library-bridge.js';

type Init = Extract<ToChild, { type: 'init' }>;

/** testharness's numeric statuses, by index. */
const SUBTEST_STATUS: readonly SubtestStatus[] = ['PASS', 'FAIL', 'TIMEOUT', 'NOTRUN', 'PRECONDITION_FAILED'];
const HARNESS_STATUS: readonly FileStatus[] = ['OK', 'ERROR', 'TIMEOUT', 'PRECONDITION_FAILED'];

/** The realm-side shapes of testharness objects the host reads. */
interface HarnessTest { name: string; status: number; message: string | null }
interface HarnessStatus { status: number; message: string | null }
interface Harness {
  add_result_callback(callback: (test: HarnessTest) => void): void;
  add_completion_callback(callback: (tests: HarnessTest[], status: HarnessStatus) => void): void;
  done(): void;
  timeout(): void;
}

let init: Init | undefined;
let current: { hooks: RealmHooks } | undefined;

const send = (message: FromChild): void => void process.send!(message);

process.on('message', (message: ToChild) => {
  if (message.type === 'init') {
    init = message;
    send({ type: 'ready' });
  } else {
    try {
      runFile(init!, message.file, message.timeoutMs);
    } catch (error) {
      // The realm could not be set up: a harness bug, not a test result.
      current = undefined;
      send({ type: 'done', status: 'CRASH', message: `realm setup failed: ${(error as Error).stack ?? String(error)}`, subtests: [] });
    }
  }
});

// Attribute asynchronous failures to the running file, as a browser reports them to its page.
// A rejected promise from an older, finished realm (its prototype is not the current realm's
// nor the host's) is ignored: its file has already been scored.
process.on('unhandledRejection', (reason, promise) => {
  const proto: unknown = Object.getPrototypeOf(promise);
  if (current && (proto === current.hooks.promisePrototype || proto === Promise.prototype)) {
    current.hooks.reportRejection(reason, promise);
  }
});
process.on('uncaughtException', (error) => {
  if (current) current.hooks.reportError(error);
  else process.stderr.write(`wpt: uncaught exception between files: ${error.stack ?? String(error)}\n`);
});

/** The files' origin (library-realm-host.ts gives each file its location there). */
const WPT_ORIGIN = 'http://web-platform.test';

function runFile(config: Init, file: TestFile, timeoutMs: number): void {
  const context = vm.createContext({}, { name: file.id });
  const evaluate = (code: string, filename: string): unknown =>
    vm.runInContext(code, context, { filename, timeout: timeoutMs });

  const prelude = evaluateBundle(evaluate, config.prelude) as { setupRealm(host: RealmHost): RealmHooks };
  const hooks = prelude.setupRealm(realmHost(config.wptRoot, file, config.verbose));
  const run = { hooks };
  current = run;
  installImpl(evaluate, context, config.impl);

  // Each script named by its URL, as a browser names it (stack traces, reportError's location).
  evaluate(readFileSync(join(config.wptRoot, 'resources', 'testharness.js'), 'utf8'), `${WPT_ORIGIN}/resources/testharness.js`);
  // Taken now, so a test that reassigns `done` or `timeout` on its global cannot unhook us.
  const { add_result_callback, add_completion_callback, done, timeout } = context as unknown as Harness;
  let finished = false;
  // testharness's shell environment has no timeout of its own: at the limit, its timeout()
  // marks the unfinished tests TIMEOUT/NOTRUN and completes with status TIMEOUT.
  const timer = setTimeout(() => timeout(), timeoutMs);
  add_result_callback((test) => send({ type: 'subtest', subtest: subtestResult(test) }));
  add_completion_callback((tests, status) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    hooks.dispose();
    if (current === run) current = undefined;
    send({
      type: 'done',
      status: HARNESS_STATUS[status.status] ?? 'ERROR',
      message: status.message ?? null,
      subtests: tests.map(subtestResult),
    });
  });

  // As the .any.js worker wrapper: importScripts() each include, then the file, then done().
  // A script that throws stops the rest, and is reported like an uncaught error.
  try {
    for (const script of file.scripts) evaluate(readFileSync(script, 'utf8'), WPT_ORIGIN + urlPath(config.wptRoot, script));
    evaluate(file.inline ?? readFileSync(file.path, 'utf8'), WPT_ORIGIN + urlPath(config.wptRoot, file.path));
    done();
  } catch (error) {
    hooks.reportError(error);
  }
}

function subtestResult(test: HarnessTest): SubtestResult {
  return { name: test.name, status: SUBTEST_STATUS[test.status] ?? 'FAIL', message: test.message ?? null };
}

/** Evaluates an IIFE bundle without leaving its exports on the global; returns them. */
function evaluateBundle(evaluate: (code: string, filename: string) => unknown, bundle: RealmBundle): unknown {
  if (!bundle.globalName) return evaluate(bundle.code, bundle.filename);
  return evaluate(`(function () { ${bundle.code}\nreturn ${bundle.globalName}; })()`, bundle.filename);
}

function installImpl(evaluate: (code: string, filename: string) => unknown, context: object, impl: RealmImpl): void {
  if (impl.kind === 'node-builtins') {
    for (const [name, value] of Object.entries(webStreams)) {
      Object.defineProperty(context, name, { value, writable: true, enumerable: false, configurable: true });
    }
    return;
  }
  const exports = evaluateBundle(evaluate, impl.bundle) as { setup?: (global: object, bridge: object) => void } | undefined;
  exports?.setup?.(vm.runInContext('globalThis', context) as object, libraryBridge());
}

// The parent went away (finished or died): nothing more will be asked of us.
process.on('disconnect', () => process.exit(0));
