// AbortController and AbortSignal: https://dom.spec.whatwg.org/#aborting-ongoing-activities
// Abort algorithms run before the 'abort' event, dependent signals (AbortSignal.any) follow
// https://dom.spec.whatwg.org/#create-a-dependent-abort-signal.
import { defineInterface } from '../streams/webidl/interface.js';
import { DOMException } from './dom-exception.js';
import { Event, EventTarget, defineEventHandler, fireEvent, requireArguments, setSignalOps } from './events.js';

const TypeErrorCtor = TypeError;
const ReflectApply = Reflect.apply;
const SymbolIterator: typeof Symbol.iterator = Symbol.iterator;
const NumberIsFinite = Number.isFinite;
const MathFloor = Math.floor;

/** Timers for AbortSignal.timeout(), from the host (installDomBasics). */
export interface AbortTimerHooks {
  setTimeout(callback: () => void, ms: number): unknown;
}

let timerHooks: AbortTimerHooks | undefined;

export function setAbortTimerHooks(hooks: AbortTimerHooks): void {
  timerHooks = hooks;
}

interface SignalState {
  aborted: boolean;
  reason: unknown;
  /** Abort algorithms, in the order they were added (a Set keeps insertion order). */
  algorithms: Set<() => void>;
  dependent: boolean;
  /** Source signals of a dependent signal (never dependent themselves). */
  sources: AbortSignal[];
  /**
   * Dependent signals of a source signal, held weakly as the standard's "weak set" is: a
   * long-lived source (one controller for many requests) must not keep every dependent alive.
   */
  dependents: Set<WeakRef<AbortSignal>>;
  /** This dependent signal's WeakRef, the one its sources hold. */
  ref: WeakRef<AbortSignal> | undefined;
  /** An 'abort' listener or handler was added. */
  listened: boolean;
}

/**
 * The standard's garbage collection rule (https://dom.spec.whatwg.org/#abortsignal-garbage-collection):
 * a dependent signal with sources must not be collected while it has abort algorithms or abort
 * listeners. Such signals are held here, and only while that holds.
 */
const retained = new Set<AbortSignal>();

function updateRetention(signal: AbortSignal, s: SignalState): void {
  if (s.dependent && !s.aborted && s.sources.length > 0 && (s.algorithms.size > 0 || s.listened)) retained.add(signal);
  else retained.delete(signal);
}

/** A collected dependent leaves its sources' sets. */
const dependentsRegistry = new FinalizationRegistry<{ ref: WeakRef<AbortSignal>; sources: SignalState[] }>(({ ref, sources }) => {
  for (const source of sources) source.dependents.delete(ref);
});

/** Passed to AbortSignal's constructor by the platform; user code gets TypeError. */
const createToken = Symbol('AbortSignal.create');

let signalStateOf: (x: unknown) => SignalState | undefined;

function signalState(x: unknown, member: string, getter: boolean): SignalState {
  const s = signalStateOf(x);
  if (s === undefined) {
    throw new TypeErrorCtor(
      getter
        ? `Failed to read the '${member}' property from 'AbortSignal': Illegal invocation`
        : `Failed to execute '${member}' on 'AbortSignal': Illegal invocation`,
    );
  }
  return s;
}

/** @see https://dom.spec.whatwg.org/#interface-AbortSignal */
export class AbortSignal extends EventTarget {
  #state: SignalState;

  constructor(...args: unknown[]) {
    if (args[0] !== createToken) throw new TypeErrorCtor("Failed to construct 'AbortSignal': Illegal constructor");
    super();
    this.#state = { aborted: false, reason: undefined, algorithms: new Set(), dependent: false, sources: [], dependents: new Set(), ref: undefined, listened: false };
  }

  /** @see https://dom.spec.whatwg.org/#dom-abortsignal-abort */
  static abort(reason: unknown = undefined): AbortSignal {
    const signal = createAbortSignal();
    const s = signalStateOf(signal)!;
    s.aborted = true;
    s.reason = reason !== undefined ? reason : new DOMException('signal is aborted without reason', 'AbortError');
    return signal;
  }

  /** @see https://dom.spec.whatwg.org/#dom-abortsignal-timeout */
  static timeout(milliseconds: unknown): AbortSignal {
    requireArguments(arguments.length, 1, 'AbortSignal', 'timeout');
    const ms = enforceRangeUnsignedLongLong(milliseconds, 'timeout');
    const signal = createAbortSignal();
    if (timerHooks === undefined) throw new TypeErrorCtor("Failed to execute 'timeout' on 'AbortSignal': no timer available");
    timerHooks.setTimeout(() => {
      SignalAbort(signal, new DOMException('signal timed out', 'TimeoutError'));
    }, ms);
    return signal;
  }

  /** @see https://dom.spec.whatwg.org/#dom-abortsignal-any */
  static any(signals: unknown): AbortSignal {
    requireArguments(arguments.length, 1, 'AbortSignal', 'any');
    return createDependentAbortSignal(convertSignalSequence(signals));
  }

  get aborted(): boolean {
    return signalState(this, 'aborted', true).aborted;
  }

  get reason(): unknown {
    return signalState(this, 'reason', true).reason;
  }

  /** @see https://dom.spec.whatwg.org/#dom-abortsignal-throwifaborted */
  throwIfAborted(): void {
    const s = signalState(this, 'throwIfAborted', false);
    if (s.aborted) throw s.reason;
  }

  declare onabort: ((this: AbortSignal, ev: Event) => unknown) | null;

  static {
    signalStateOf = (x) => (typeof x === 'object' && x !== null && #state in x ? x.#state : undefined);
  }
}

defineInterface(AbortSignal, 'AbortSignal');
defineEventHandler(AbortSignal.prototype, 'AbortSignal', 'abort', (x) => signalStateOf(x) !== undefined, (target) => abortListened(target));

let controllerSignal: (x: unknown) => AbortSignal | undefined;

/** @see https://dom.spec.whatwg.org/#interface-abortcontroller */
export class AbortController {
  #signal: AbortSignal;

  constructor() {
    this.#signal = createAbortSignal();
  }

  get signal(): AbortSignal {
    const signal = controllerSignal(this);
    if (signal === undefined) throw new TypeErrorCtor("Failed to read the 'signal' property from 'AbortController': Illegal invocation");
    return signal;
  }

  /** @see https://dom.spec.whatwg.org/#dom-abortcontroller-abort */
  abort(reason: unknown = undefined): void {
    const signal = controllerSignal(this);
    if (signal === undefined) throw new TypeErrorCtor("Failed to execute 'abort' on 'AbortController': Illegal invocation");
    SignalAbort(signal, reason);
  }

  static {
    controllerSignal = (x) => (typeof x === 'object' && x !== null && #signal in x ? x.#signal : undefined);
  }
}

defineInterface(AbortController, 'AbortController');

// Abort operations

export function createAbortSignal(): AbortSignal {
  return new AbortSignal(createToken);
}

export function isAbortController(x: unknown): x is AbortController {
  return controllerSignal(x) !== undefined;
}

export function isAbortSignal(x: unknown): x is AbortSignal {
  return signalStateOf(x) !== undefined;
}

export function signalIsAborted(signal: AbortSignal): boolean {
  return signalStateOf(signal)!.aborted;
}

export function signalReason(signal: AbortSignal): unknown {
  return signalStateOf(signal)!.reason;
}

/**
 * https://dom.spec.whatwg.org/#abortsignal-add: runs when the signal aborts, before the
 * 'abort' event. Returns the "remove" handle.
 */
export function addAbortAlgorithm(signal: AbortSignal, algorithm: () => void): () => void {
  const s = signalStateOf(signal)!;
  // Step 1.
  if (s.aborted) return () => {};
  // Step 2.
  const set = s.algorithms;
  set.add(algorithm);
  updateRetention(signal, s);
  // https://dom.spec.whatwg.org/#abortsignal-remove
  return () => {
    set.delete(algorithm);
    updateRetention(signal, s);
  };
}

/** For tests: how many dependents a signal holds (live or not yet collected), and how many signals the GC rule retains. */
export function abortSignalCounts(signal: AbortSignal): { dependents: number; retained: number } {
  return { dependents: signalStateOf(signal)!.dependents.size, retained: retained.size };
}

/** https://dom.spec.whatwg.org/#abortsignal-signal-abort */
export function SignalAbort(signal: AbortSignal, reason: unknown): void {
  const s = signalStateOf(signal)!;
  // Step 1.
  if (s.aborted) return;
  // Step 2.
  s.aborted = true;
  s.reason = reason !== undefined ? reason : new DOMException('signal is aborted without reason', 'AbortError');
  // Step 3.
  const dependentSignalsToAbort: AbortSignal[] = [];
  // Step 4.
  for (const ref of s.dependents) {
    const dependentSignal = ref.deref();
    if (dependentSignal === undefined) continue;
    const ds = signalStateOf(dependentSignal)!;
    if (!ds.aborted) {
      ds.aborted = true;
      ds.reason = s.reason;
      dependentSignalsToAbort.push(dependentSignal);
    }
  }
  // A source that has aborted keeps no dependents.
  s.dependents = new Set();
  // Step 5.
  RunAbortSteps(signal, s);
  // Step 6.
  for (const dependentSignal of dependentSignalsToAbort) RunAbortSteps(dependentSignal, signalStateOf(dependentSignal)!);
}

/** https://dom.spec.whatwg.org/#run-the-abort-steps */
function RunAbortSteps(signal: AbortSignal, s: SignalState): void {
  // Step 1. (An algorithm added while these run is not run: the signal is aborted already.)
  const algorithms = s.algorithms;
  s.algorithms = new Set();
  for (const algorithm of algorithms) algorithm();
  // Step 2 (emptied above). Step 3.
  fireEvent(signal, new Event('abort'));
  // An aborted dependent needs its sources no more, nor they it.
  if (s.ref !== undefined) for (const source of s.sources) signalStateOf(source)!.dependents.delete(s.ref);
  s.sources = [];
  retained.delete(signal);
}

/** https://dom.spec.whatwg.org/#create-a-dependent-abort-signal */
export function createDependentAbortSignal(signals: readonly AbortSignal[]): AbortSignal {
  // Step 1.
  const resultSignal = createAbortSignal();
  const rs = signalStateOf(resultSignal)!;
  // Step 2.
  for (const signal of signals) {
    const ss = signalStateOf(signal)!;
    if (ss.aborted) {
      rs.aborted = true;
      rs.reason = ss.reason;
      return resultSignal;
    }
  }
  // Step 3.
  rs.dependent = true;
  let ref: WeakRef<AbortSignal> | undefined;
  // Step 4 (4.1 for a source signal, 4.2 for a dependent one's sources). The result is new, so
  // only its own short list of sources needs a duplicate check; a source's set never grows by
  // more than one entry per dependent (a Set of WeakRefs: O(1) however many it has).
  const appendSource = (sourceSignal: AbortSignal): void => {
    if (rs.sources.includes(sourceSignal)) return;
    rs.sources.push(sourceSignal);
    // The WeakRef only for a signal that has sources (most requests follow none).
    ref ??= rs.ref = new WeakRef(resultSignal);
    signalStateOf(sourceSignal)!.dependents.add(ref);
  };
  for (const signal of signals) {
    const ss = signalStateOf(signal)!;
    if (!ss.dependent) appendSource(signal);
    else for (const sourceSignal of ss.sources) appendSource(sourceSignal);
  }
  if (ref !== undefined) dependentsRegistry.register(resultSignal, { ref, sources: rs.sources.map((source) => signalStateOf(source)!) });
  // Step 5.
  return resultSignal;
}

/** sequence<AbortSignal>: iterate the argument, each element must be an AbortSignal. */
function convertSignalSequence(value: unknown): AbortSignal[] {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) {
    throw new TypeErrorCtor("Failed to execute 'any' on 'AbortSignal': The provided value cannot be converted to a sequence.");
  }
  const method = (value as { [Symbol.iterator]?: unknown })[SymbolIterator];
  if (typeof method !== 'function') {
    throw new TypeErrorCtor("Failed to execute 'any' on 'AbortSignal': The object must have a callable @@iterator property.");
  }
  const iterator = ReflectApply(method, value, []) as Iterator<unknown>;
  if ((typeof iterator !== 'object' && typeof iterator !== 'function') || iterator === null) {
    throw new TypeErrorCtor("Failed to execute 'any' on 'AbortSignal': The iterator is not an object.");
  }
  const next = iterator.next;
  const out: AbortSignal[] = [];
  for (;;) {
    const result = ReflectApply(next, iterator, []) as IteratorResult<unknown>;
    if ((typeof result !== 'object' && typeof result !== 'function') || result === null) {
      throw new TypeErrorCtor("Failed to execute 'any' on 'AbortSignal': The iterator result is not an object.");
    }
    if (result.done) break;
    const item = result.value;
    if (!isAbortSignal(item)) {
      throw new TypeErrorCtor("Failed to execute 'any' on 'AbortSignal': Failed to convert value to 'AbortSignal'.");
    }
    out.push(item);
  }
  return out;
}

/** [EnforceRange] unsigned long long: https://webidl.spec.whatwg.org/#abstract-opdef-converttoint */
function enforceRangeUnsignedLongLong(value: unknown, op: string): number {
  const x = +(value as number);
  if (!NumberIsFinite(x)) {
    throw new TypeErrorCtor(`Failed to execute '${op}' on 'AbortSignal': Value is not of type 'unsigned long long'.`);
  }
  const int = x < 0 ? -MathFloor(-x) : MathFloor(x);
  if (int < 0 || int > 9007199254740991) {
    throw new TypeErrorCtor(`Failed to execute '${op}' on 'AbortSignal': Value is outside the 'unsigned long long' value range.`);
  }
  return int === 0 ? 0 : int;
}

// EventTarget's options.signal uses the internal algorithms (run before the 'abort' event).
setSignalOps({
  isAbortSignal,
  aborted: (signal) => signalStateOf(signal)!.aborted,
  addAlgorithm: (signal, algorithm) => void addAbortAlgorithm(signal as AbortSignal, algorithm),
  abortListened,
});

function abortListened(signal: object): void {
  const s = signalStateOf(signal)!;
  s.listened = true;
  updateRetention(signal as AbortSignal, s);
}
