// Event dispatch order for non-node targets, handlers, options, and reported exceptions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import { CustomEvent, Event, EventTarget, ErrorEvent } from '../../src/web/events.js';
import { AbortController } from '../../src/web/abort.js';
import { DOMException } from '../../src/web/dom-exception.js';
import { installDomBasics } from '../../src/web/install-dom.js';

const reported: unknown[] = [];
const global: Record<string, any> = {};
installDomBasics(global, {
  setTimeout: (cb, ms) => setTimeout(cb, ms) as unknown as number,
  clearTimeout: (id) => clearTimeout(id),
  queueTask: (cb) => setImmediate(cb),
  reportException: (e) => reported.push(e),
});

test('capture listeners run before non-capture ones, all AT_TARGET, in insertion order', () => {
  const target = new EventTarget();
  const log: string[] = [];
  target.addEventListener('x', (e) => log.push(`bubble1:${(e as Event).eventPhase}`));
  target.addEventListener('x', (e) => log.push(`capture1:${(e as Event).eventPhase}`), true);
  target.addEventListener('x', (e) => log.push(`bubble2:${(e as Event).eventPhase}`), { capture: false });
  target.addEventListener('x', (e) => log.push(`capture2:${(e as Event).eventPhase}`), { capture: true });
  const event = new Event('x');
  assert.equal(target.dispatchEvent(event), true);
  assert.deepEqual(log, ['capture1:2', 'capture2:2', 'bubble1:2', 'bubble2:2']);
  assert.equal(event.eventPhase, Event.NONE);
  assert.equal(event.currentTarget, null);
  assert.equal(event.target, target);
  assert.deepEqual(event.composedPath(), []);
});

test('duplicates are ignored; once removes before the call; listeners added during dispatch wait', () => {
  const target = new EventTarget();
  const log: string[] = [];
  const f = () => {
    log.push('f');
    target.addEventListener('x', () => log.push('late'));
  };
  target.addEventListener('x', f);
  target.addEventListener('x', f);
  target.addEventListener('x', () => log.push('once'), { once: true });
  target.dispatchEvent(new Event('x'));
  target.dispatchEvent(new Event('x'));
  assert.deepEqual(log, ['f', 'once', 'f', 'late']);
});

test('stopImmediatePropagation stops later listeners; stopPropagation does not at target', () => {
  const target = new EventTarget();
  const log: string[] = [];
  target.addEventListener('x', (e) => {
    log.push('a');
    (e as Event).stopPropagation();
  });
  target.addEventListener('x', (e) => {
    log.push('b');
    (e as Event).stopImmediatePropagation();
  });
  target.addEventListener('x', () => log.push('c'));
  const event = new Event('x');
  target.dispatchEvent(event);
  assert.deepEqual(log, ['a', 'b']);
  // The flags are cleared after dispatch.
  assert.equal(event.cancelBubble, false);
});

test('preventDefault: cancelable only, ignored in passive listeners; dispatchEvent returns !canceled', () => {
  const target = new EventTarget();
  target.addEventListener('p', (e) => (e as Event).preventDefault(), { passive: true });
  const passive = new Event('p', { cancelable: true });
  assert.equal(target.dispatchEvent(passive), true);
  assert.equal(passive.defaultPrevented, false);
  target.addEventListener('c', (e) => (e as Event).preventDefault());
  const notCancelable = new Event('c');
  assert.equal(target.dispatchEvent(notCancelable), true);
  const cancelable = new Event('c', { cancelable: true });
  assert.equal(target.dispatchEvent(cancelable), false);
  assert.equal(cancelable.defaultPrevented, true);
  assert.equal(cancelable.returnValue, false);
});

test('handleEvent objects are looked up at call time with this = the object', () => {
  const target = new EventTarget();
  const seen: unknown[] = [];
  const listener = {
    handleEvent(this: unknown, e: Event) {
      seen.push(this, e.currentTarget);
    },
  };
  target.addEventListener('x', listener);
  target.dispatchEvent(new Event('x'));
  assert.equal(seen[0], listener);
  assert.equal(seen[1], target);
});

test('listener exceptions are reported and dispatch continues; the global gets an ErrorEvent', () => {
  const target = new EventTarget();
  const boom = new Error('boom');
  const log: string[] = [];
  let errorEvent: ErrorEvent | undefined;
  global.addEventListener('error', (e: ErrorEvent) => {
    errorEvent = e;
  });
  target.addEventListener('x', () => {
    throw boom;
  });
  target.addEventListener('x', () => log.push('after'));
  reported.length = 0;
  target.dispatchEvent(new Event('x'));
  assert.deepEqual(log, ['after']);
  assert.ok(errorEvent instanceof ErrorEvent);
  assert.equal(errorEvent!.error, boom);
  assert.equal(errorEvent!.message, 'Uncaught Error: boom');
  assert.equal(errorEvent!.isTrusted, true);
  // Not canceled: the host's log got it too.
  assert.deepEqual(reported, [boom]);
});

test('dispatching an event that is being dispatched throws InvalidStateError', () => {
  const target = new EventTarget();
  let thrown: unknown;
  target.addEventListener('x', (e) => {
    try {
      target.dispatchEvent(e as Event);
    } catch (error) {
      thrown = error;
    }
  });
  target.dispatchEvent(new Event('x'));
  assert.ok(thrown instanceof DOMException);
  assert.equal((thrown as DOMException).name, 'InvalidStateError');
  assert.equal((thrown as DOMException).code, 11);
});

test('signal option removes the listener when aborted', () => {
  const target = new EventTarget();
  const controller = new AbortController();
  let count = 0;
  target.addEventListener('x', () => count++, { signal: controller.signal });
  target.dispatchEvent(new Event('x'));
  controller.abort();
  target.dispatchEvent(new Event('x'));
  assert.equal(count, 1);
  assert.throws(() => target.addEventListener('x', () => {}, { signal: {} as AbortSignal }), TypeError);
});

test('EventTarget subclasses; CustomEvent detail; isTrusted is an own unforgeable accessor', () => {
  class Emitter extends EventTarget {}
  const emitter = new Emitter();
  let detail: unknown;
  emitter.addEventListener('c', (e) => (detail = (e as CustomEvent).detail));
  emitter.dispatchEvent(new CustomEvent('c', { detail: 42 }));
  assert.equal(detail, 42);
  const d = Object.getOwnPropertyDescriptor(new Event('x'), 'isTrusted')!;
  assert.equal(d.configurable, false);
  assert.equal(d.get, Object.getOwnPropertyDescriptor(new CustomEvent('y'), 'isTrusted')!.get);
  assert.equal(Object.prototype.toString.call(new Event('x')), '[object Event]');
  assert.throws(() => Event.prototype.preventDefault.call({}), /Illegal invocation/);
});

test("reportError's error event has its caller's location, and the stack hooks it borrows are left as they were", () => {
  const userPrepare = (): string => 'user formatted';
  const E = Error as ErrorConstructor & { prepareStackTrace?: unknown; stackTraceLimit: number };
  const before = { prepare: E.prepareStackTrace, limit: E.stackTraceLimit };
  E.prepareStackTrace = userPrepare;
  E.stackTraceLimit = 7;
  let seen: ErrorEvent | undefined;
  const listener = (e: Event): void => {
    seen = e as ErrorEvent;
    e.preventDefault();
  };
  global.addEventListener('error', listener);
  const reportedBefore = reported.length;
  try {
    // A script with a known name and layout: the call is on its line 3, column 5.
    vm.runInThisContext('(function (reportError) {\n\n    reportError(1);\n})', { filename: 'https://app.example/worker.js' })(global.reportError);
    assert.ok(seen !== undefined);
    assert.deepEqual([seen.filename, seen.lineno, seen.colno, seen.error], ['https://app.example/worker.js', 3, 5, 1]);
    assert.equal(E.prepareStackTrace, userPrepare, "the user's prepareStackTrace is back");
    assert.equal(E.stackTraceLimit, 7);
    assert.equal(new Error().stack, 'user formatted');
    assert.equal(reported.length, reportedBefore, 'cancelled: not reported to the host');
  } finally {
    global.removeEventListener('error', listener);
    E.prepareStackTrace = before.prepare;
    E.stackTraceLimit = before.limit;
  }
});
