// AbortSignal / AbortController are other specs' interfaces. The streams reach them through
// these hooks, captured from the global at install: in Node library mode the host's classes,
// in an isolate NANO's own. The brand check calls the original `aborted` getter, which throws
// for anything that is not a real AbortSignal.
import { reflectApply } from './intrinsics.js';

export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason: unknown;
}

export interface AbortHooks {
  isAbortSignal(x: unknown): boolean;
  aborted(signal: AbortSignalLike): boolean;
  reason(signal: AbortSignalLike): unknown;
  /** "Add an abort algorithm"; returns a function that removes it. */
  addAlgorithm(signal: AbortSignalLike, algorithm: () => void): () => void;
  /** Creates an AbortController: its signal and its "signal abort" step. */
  createController(): { signal: AbortSignalLike; abort(reason: unknown): void } | undefined;
}

let hooks: AbortHooks | undefined;

/** Captures AbortSignal/AbortController from a global (its original prototype methods). */
export function captureAbortHooks(global: Record<string, any>): AbortHooks | undefined {
  const Signal = global.AbortSignal;
  const Controller = global.AbortController;
  if (typeof Signal !== 'function') return undefined;
  const abortedGetter = Object.getOwnPropertyDescriptor(Signal.prototype, 'aborted')?.get;
  const reasonGetter = Object.getOwnPropertyDescriptor(Signal.prototype, 'reason')?.get;
  const ET = global.EventTarget?.prototype ?? Signal.prototype;
  const add = ET.addEventListener as Function;
  const remove = ET.removeEventListener as Function;
  const ctlSignal = typeof Controller === 'function'
    ? Object.getOwnPropertyDescriptor(Controller.prototype, 'signal')?.get
    : undefined;
  const ctlAbort = typeof Controller === 'function' ? (Controller.prototype.abort as Function) : undefined;
  if (abortedGetter === undefined) return undefined;
  return {
    isAbortSignal(x) {
      if ((typeof x !== 'object' && typeof x !== 'function') || x === null) return false;
      try {
        reflectApply(abortedGetter, x, []);
        return true;
      } catch {
        return false;
      }
    },
    aborted: (s) => reflectApply(abortedGetter, s, []) as boolean,
    reason: (s) => (reasonGetter ? reflectApply(reasonGetter, s, []) : undefined),
    addAlgorithm(signal, algorithm) {
      const listener = () => algorithm();
      reflectApply(add, signal, ['abort', listener]);
      return () => reflectApply(remove, signal, ['abort', listener]);
    },
    createController() {
      if (Controller === undefined || ctlSignal === undefined || ctlAbort === undefined) return undefined;
      const c = new Controller();
      return { signal: reflectApply(ctlSignal, c, []) as AbortSignalLike, abort: (r) => reflectApply(ctlAbort, c, [r]) };
    },
  };
}

export function setAbortHooks(h: AbortHooks | undefined): void {
  hooks = h;
}

function current(): AbortHooks | undefined {
  if (hooks === undefined) hooks = captureAbortHooks(globalThis as Record<string, any>);
  return hooks;
}

export function isAbortSignal(x: unknown): x is AbortSignalLike {
  return current()?.isAbortSignal(x) ?? false;
}

export function signalAborted(signal: AbortSignalLike): boolean {
  return current()!.aborted(signal);
}

export function signalReason(signal: AbortSignalLike): unknown {
  return current()!.reason(signal);
}

export function addAbortAlgorithm(signal: AbortSignalLike, algorithm: () => void): () => void {
  return current()!.addAlgorithm(signal, algorithm);
}

export function createAbortController(): { signal: AbortSignalLike; abort(reason: unknown): void } | undefined {
  return current()?.createController();
}
