// Installs the DOM basics on an isolate's global: DOMException, the event classes, abort,
// structuredClone, MessageChannel and reportError. The host provides timers and tasks.
import { setAbortHooks, type AbortHooks } from '../streams/webidl/abort-signal.js';
import { exposeInterface } from '../streams/webidl/interface.js';
import { DOMException } from './dom-exception.js';
import {
  CustomEvent,
  ErrorEvent,
  Event,
  EventTarget,
  PromiseRejectionEvent,
  adoptAsGlobalEventTarget,
  isEvent,
  isEventTarget,
} from './events.js';
import {
  AbortController,
  AbortSignal,
  SignalAbort,
  addAbortAlgorithm,
  createAbortSignal,
  isAbortController,
  isAbortSignal,
  setAbortTimerHooks,
  signalIsAborted,
  signalReason,
} from './abort.js';
import { isCrossOriginIsolated, registerPlatformObject, structuredClone } from './structured-clone.js';
import { setStructuredClone } from '../streams/abstract-ops/ecmascript.js';
import { MessageChannel, MessageEvent, MessagePort, isMessageChannel, setMessageTaskQueue } from './message-channel.js';
// ReadableStream, WritableStream and TransformStream become transferable (registered on import).
import './transferable-streams.js';
import { reportError, setHostExceptionReporter } from './report-error.js';

/** What the host gives the DOM basics (implemented by the runtime from host timers). */
export interface DomHooks {
  /** Runs `callback` once after `ms` milliseconds, as a task. */
  setTimeout(callback: () => void, ms: number): number;
  clearTimeout(id: number): void;
  /** Queues a task (a macrotask: after the current microtask checkpoint). */
  queueTask(callback: () => void): void;
  /** Logs an exception no 'error' listener handled (uncaught in a listener, reportError()). */
  reportException?(error: unknown): void;
}

const ObjectDefineProperty = Object.defineProperty;

let platformObjectsRegistered = false;

/** The interfaces installDomBasics exposes, by name. */
export const domInterfaces = {
  DOMException,
  Event,
  EventTarget,
  CustomEvent,
  ErrorEvent,
  PromiseRejectionEvent,
  MessageEvent,
  AbortController,
  AbortSignal,
  MessageChannel,
  MessagePort,
} as const;

/** AbortSignal as the streams see it: abort algorithms, which run before the 'abort' event. */
export function streamsAbortHooks(): AbortHooks {
  return {
    isAbortSignal: (x) => isAbortSignal(x),
    aborted: (s) => signalIsAborted(s as AbortSignal),
    reason: (s) => signalReason(s as AbortSignal),
    addAlgorithm: (s, algorithm) => addAbortAlgorithm(s as AbortSignal, algorithm),
    createController() {
      const signal = createAbortSignal();
      return { signal, abort: (reason: unknown) => SignalAbort(signal, reason) };
    },
  };
}

/**
 * Puts the DOM basics on `global` and makes the global an EventTarget (the target of
 * reportError's 'error' events). Call it after the streams' install(): the streams then use
 * these AbortSignals' abort algorithms.
 */
export function installDomBasics(global: object, hooks: DomHooks): void {
  for (const [name, ctor] of Object.entries(domInterfaces)) exposeInterface(global, name, ctor);
  // Operations of the global: writable, enumerable, configurable.
  for (const [name, fn] of [
    ['structuredClone', structuredClone],
    ['reportError', reportError],
  ] as const) {
    ObjectDefineProperty(global, name, { value: fn, writable: true, enumerable: true, configurable: true });
  }
  // WindowOrWorkerGlobalScope's readonly crossOriginIsolated: false in NANO's isolates, which is
  // why a SharedArrayBuffer does not clone (structured-clone.ts).
  const getCrossOriginIsolated = (): boolean => isCrossOriginIsolated();
  ObjectDefineProperty(getCrossOriginIsolated, 'name', { value: 'get crossOriginIsolated' });
  ObjectDefineProperty(global, 'crossOriginIsolated', { get: getCrossOriginIsolated, enumerable: true, configurable: true });

  // The global is an EventTarget. Its prototype stays what it is (a plain object's, as a
  // ShadowRealm's global: idlharness decides which interfaces are exposed from that); the
  // EventTarget methods become own properties, which work on it since it is adopted above.
  adoptAsGlobalEventTarget(global);
  if (!(EventTarget.prototype as object).isPrototypeOf(global)) {
    for (const name of ['addEventListener', 'removeEventListener', 'dispatchEvent'] as const) {
      ObjectDefineProperty(global, name, {
        value: EventTarget.prototype[name],
        writable: true,
        enumerable: true,
        configurable: true,
      });
    }
  }

  setAbortTimerHooks({ setTimeout: (callback, ms) => hooks.setTimeout(callback, ms) });
  setMessageTaskQueue((callback) => hooks.queueTask(callback));
  setHostExceptionReporter(hooks.reportException?.bind(hooks));
  setAbortHooks(streamsAbortHooks());
  // The streams' StructuredClone (tee with cloneForBranch2) uses this realm's structuredClone.
  setStructuredClone(structuredClone as never);

  // Platform objects that are neither serializable nor transferable (structuredClone throws).
  if (platformObjectsRegistered) return;
  platformObjectsRegistered = true;
  registerPlatformObject('Event', isEvent);
  registerPlatformObject('EventTarget', isEventTarget);
  // Private-field lookups: a getter called on the wrong object throws (a TypeError per object cloned).
  registerPlatformObject('AbortController', isAbortController);
  registerPlatformObject('MessageChannel', isMessageChannel);
}
