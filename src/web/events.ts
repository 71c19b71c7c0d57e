// DOM events for targets that are not nodes: Event, EventTarget, CustomEvent
// (https://dom.spec.whatwg.org/#events) and HTML's ErrorEvent and PromiseRejectionEvent
// (https://html.spec.whatwg.org/multipage/webappapis.html#the-errorevent-interface).
// A non-node target's "get the parent" returns null, so an event path has exactly one entry.
//
// Hidden state: each Event holds one #state record, each EventTarget one #state record; the
// records are reached by other modules of the runtime (abort, message-channel, report-error)
// through the module-level accessors below, never through anything user code can see.
import { defineInterface } from '../streams/webidl/interface.js';
import { DOMException } from './dom-exception.js';

const ObjectDefineProperty = Object.defineProperty;
const ReflectApply = Reflect.apply;
const TypeErrorCtor = TypeError;
const ArrayPrototypeSlice = Array.prototype.slice;
const ArrayPrototypeSplice = Array.prototype.splice;
const ArrayPrototypeIndexOf = Array.prototype.indexOf;
const WeakMapCtor = WeakMap;
const WeakMapGet = WeakMap.prototype.get;
const WeakMapSet = WeakMap.prototype.set;
const MathFloor = Math.floor;
const NumberIsFinite = Number.isFinite;

// The time origin: performance.now() when the realm has it, else the wall clock from install.
const perf = (globalThis as { performance?: { now(): number } }).performance;
const perfNow = perf !== undefined && typeof perf.now === 'function' ? perf.now : undefined;
const DateNow = Date.now;
const dateOrigin = DateNow();
function now(): number {
  return perfNow !== undefined ? (ReflectApply(perfNow, perf, []) as number) : DateNow() - dateOrigin;
}

// ---------------------------------------------------------------------------------------------
// WebIDL conversions used by the event interfaces

export function toDOMString(value: unknown): string {
  if (typeof value === 'symbol') throw new TypeErrorCtor('Cannot convert a Symbol value to a string');
  return `${value as string}`;
}

/** https://webidl.spec.whatwg.org/#es-unsigned-long (no [EnforceRange]/[Clamp]). */
export function toUnsignedLong(value: unknown): number {
  const x = +(value as number);
  if (!NumberIsFinite(x) || x === 0) return 0;
  const int = x < 0 ? -MathFloor(-x) : MathFloor(x);
  const mod = int % 4294967296;
  return mod < 0 ? mod + 4294967296 : mod;
}

/** A dictionary argument: undefined/null is an empty dictionary, other non-objects throw. */
export function dictionaryObject(value: unknown, iface: string, op: string | null): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' && typeof value !== 'function') {
    throw new TypeErrorCtor(
      op === null
        ? `Failed to construct '${iface}': The provided value is not of type '${iface}Init'.`
        : `Failed to execute '${op}' on '${iface}': parameter is not an object.`,
    );
  }
  return value as Record<string, unknown>;
}

export interface EventInitRecord {
  bubbles: boolean;
  cancelable: boolean;
  composed: boolean;
}

/** EventInit's members, in WebIDL's order (inherited first, then lexicographic). */
export function convertEventInit(dict: Record<string, unknown> | undefined): EventInitRecord {
  if (dict === undefined) return { bubbles: false, cancelable: false, composed: false };
  const bubbles = !!dict.bubbles;
  const cancelable = !!dict.cancelable;
  const composed = !!dict.composed;
  return { bubbles, cancelable, composed };
}

export function requireArguments(count: number, required: number, iface: string, op: string | null): void {
  if (count >= required) return;
  const what = `${required} argument${required === 1 ? '' : 's'} required, but only ${count} present.`;
  throw new TypeErrorCtor(op === null ? `Failed to construct '${iface}': ${what}` : `Failed to execute '${op}' on '${iface}': ${what}`);
}

// ---------------------------------------------------------------------------------------------
// Event

/** An event's internal state: https://dom.spec.whatwg.org/#concept-event */
export interface EventState {
  type: string;
  target: object | null;
  relatedTarget: object | null;
  currentTarget: object | null;
  eventPhase: number;
  /** The event path's invocation targets while dispatching (one for non-node targets). */
  path: object[];
  stopPropagation: boolean;
  stopImmediatePropagation: boolean;
  canceled: boolean;
  inPassiveListener: boolean;
  composed: boolean;
  initialized: boolean;
  dispatch: boolean;
  bubbles: boolean;
  cancelable: boolean;
  isTrusted: boolean;
  timeStamp: number;
}

const NONE = 0;
const CAPTURING_PHASE = 1;
const AT_TARGET = 2;
const BUBBLING_PHASE = 3;

/** Set by a subclass constructor just before super(): its already-converted EventInit members. */
let pendingInit: EventInitRecord | undefined;

/** For subclasses: convert the base members, then hand them to Event's constructor. */
export function preconvertedEventInit(init: EventInitRecord): void {
  pendingInit = init;
}

let eventStateOf: (x: unknown) => EventState | undefined;

function eventState(x: unknown, member: string): EventState {
  const s = eventStateOf(x);
  if (s === undefined) throw new TypeErrorCtor(`Failed to execute '${member}' on 'Event': Illegal invocation`);
  return s;
}

function eventGetterState(x: unknown, attr: string): EventState {
  const s = eventStateOf(x);
  if (s === undefined) throw new TypeErrorCtor(`Failed to read the '${attr}' property from 'Event': Illegal invocation`);
  return s;
}

// [LegacyUnforgeable] readonly attribute boolean isTrusted: one getter shared by all events,
// installed on each instance.
const isTrustedGetter = {
  get isTrusted(): boolean {
    return eventGetterState(this, 'isTrusted').isTrusted;
  },
};
const isTrustedDescriptor: PropertyDescriptor = {
  get: Object.getOwnPropertyDescriptor(isTrustedGetter, 'isTrusted')!.get!,
  set: undefined,
  enumerable: true,
  configurable: false,
};

/** @see https://dom.spec.whatwg.org/#interface-event */
export class Event {
  #state: EventState;

  constructor(type: unknown, eventInitDict: unknown = undefined) {
    let init = pendingInit;
    pendingInit = undefined;
    let t: string;
    if (init === undefined) {
      requireArguments(arguments.length, 1, 'Event', null);
      t = toDOMString(type);
      init = convertEventInit(dictionaryObject(eventInitDict, 'Event', null));
    } else {
      t = type as string;
    }
    // https://dom.spec.whatwg.org/#inner-event-creation-steps
    this.#state = {
      type: t,
      target: null,
      relatedTarget: null,
      currentTarget: null,
      eventPhase: NONE,
      path: [],
      stopPropagation: false,
      stopImmediatePropagation: false,
      canceled: false,
      inPassiveListener: false,
      composed: init.composed,
      initialized: true,
      dispatch: false,
      bubbles: init.bubbles,
      cancelable: init.cancelable,
      isTrusted: false,
      timeStamp: now(),
    };
    ObjectDefineProperty(this, 'isTrusted', isTrustedDescriptor);
  }

  get type(): string {
    return eventGetterState(this, 'type').type;
  }

  get target(): object | null {
    return eventGetterState(this, 'target').target;
  }

  /** Legacy alias of target. */
  get srcElement(): object | null {
    return eventGetterState(this, 'srcElement').target;
  }

  get currentTarget(): object | null {
    return eventGetterState(this, 'currentTarget').currentTarget;
  }

  /** @see https://dom.spec.whatwg.org/#dom-event-composedpath */
  composedPath(): object[] {
    const s = eventState(this, 'composedPath');
    // With a one-entry path (non-node targets) the composed path is « currentTarget ».
    if (s.path.length === 0 || s.currentTarget === null) return [];
    return [s.currentTarget];
  }

  get eventPhase(): number {
    return eventGetterState(this, 'eventPhase').eventPhase;
  }

  stopPropagation(): void {
    eventState(this, 'stopPropagation').stopPropagation = true;
  }

  get cancelBubble(): boolean {
    return eventGetterState(this, 'cancelBubble').stopPropagation;
  }

  set cancelBubble(value: unknown) {
    const s = eventGetterState(this, 'cancelBubble');
    if (value) s.stopPropagation = true;
  }

  stopImmediatePropagation(): void {
    const s = eventState(this, 'stopImmediatePropagation');
    s.stopPropagation = true;
    s.stopImmediatePropagation = true;
  }

  get bubbles(): boolean {
    return eventGetterState(this, 'bubbles').bubbles;
  }

  get cancelable(): boolean {
    return eventGetterState(this, 'cancelable').cancelable;
  }

  get returnValue(): boolean {
    return !eventGetterState(this, 'returnValue').canceled;
  }

  set returnValue(value: unknown) {
    const s = eventGetterState(this, 'returnValue');
    if (!value) setCanceledFlag(s);
  }

  preventDefault(): void {
    setCanceledFlag(eventState(this, 'preventDefault'));
  }

  get defaultPrevented(): boolean {
    return eventGetterState(this, 'defaultPrevented').canceled;
  }

  get composed(): boolean {
    return eventGetterState(this, 'composed').composed;
  }

  declare readonly isTrusted: boolean;

  get timeStamp(): number {
    return eventGetterState(this, 'timeStamp').timeStamp;
  }

  /** @see https://dom.spec.whatwg.org/#dom-event-initevent */
  initEvent(type: unknown, bubbles: unknown = false, cancelable: unknown = false): void {
    const s = eventState(this, 'initEvent');
    requireArguments(arguments.length, 1, 'Event', 'initEvent');
    const t = toDOMString(type);
    if (s.dispatch) return;
    initializeEvent(s, t, !!bubbles, !!cancelable);
  }

  declare static readonly NONE: 0;
  declare static readonly CAPTURING_PHASE: 1;
  declare static readonly AT_TARGET: 2;
  declare static readonly BUBBLING_PHASE: 3;
  declare readonly NONE: 0;
  declare readonly CAPTURING_PHASE: 1;
  declare readonly AT_TARGET: 2;
  declare readonly BUBBLING_PHASE: 3;

  static {
    eventStateOf = (x) => (typeof x === 'object' && x !== null && #state in x ? x.#state : undefined);
  }
}

/** https://dom.spec.whatwg.org/#set-the-canceled-flag */
function setCanceledFlag(s: EventState): void {
  if (s.cancelable && !s.inPassiveListener) s.canceled = true;
}

/** https://dom.spec.whatwg.org/#concept-event-initialize */
export function initializeEvent(s: EventState, type: string, bubbles: boolean, cancelable: boolean): void {
  s.initialized = true;
  s.stopPropagation = false;
  s.stopImmediatePropagation = false;
  s.canceled = false;
  s.isTrusted = false;
  s.target = null;
  s.type = type;
  s.bubbles = bubbles;
  s.cancelable = cancelable;
}

export function getEventState(x: unknown): EventState | undefined {
  return eventStateOf(x);
}

export function isEvent(x: unknown): x is Event {
  return eventStateOf(x) !== undefined;
}

defineInterface(Event, 'Event');
for (const [key, value] of [
  ['NONE', NONE],
  ['CAPTURING_PHASE', CAPTURING_PHASE],
  ['AT_TARGET', AT_TARGET],
  ['BUBBLING_PHASE', BUBBLING_PHASE],
] as const) {
  const desc = { value, writable: false, enumerable: true, configurable: false };
  ObjectDefineProperty(Event, key, desc);
  ObjectDefineProperty(Event.prototype, key, desc);
}

// ---------------------------------------------------------------------------------------------
// EventTarget

/** https://dom.spec.whatwg.org/#concept-event-listener */
export interface EventListenerRecord {
  type: string;
  callback: object;
  capture: boolean;
  passive: boolean;
  once: boolean;
  signal: object | null;
  removed: boolean;
}

interface EventHandlerRecord {
  value: unknown;
  listener: EventListenerRecord | null;
}

export interface TargetState {
  listeners: EventListenerRecord[];
  /** Event handlers (onabort, onmessage...), by event type. */
  handlers: Map<string, EventHandlerRecord> | undefined;
}

/** The AbortSignal operations EventTarget needs (options.signal), set by abort.ts. */
export interface SignalOps {
  isAbortSignal(x: unknown): boolean;
  aborted(signal: object): boolean;
  addAlgorithm(signal: object, algorithm: () => void): void;
  /** An 'abort' listener was added to `signal` (it must then outlive its last reference). */
  abortListened(signal: object): void;
}

let signalOps: SignalOps | undefined;

export function setSignalOps(ops: SignalOps): void {
  signalOps = ops;
}

/** "Report the exception", set by report-error.ts at install. */
let reportExceptionHook: (error: unknown) => void = () => {};

export function setExceptionReporter(report: (error: unknown) => void): void {
  reportExceptionHook = report;
}

export function reportListenerException(error: unknown): void {
  reportExceptionHook(error);
}

/** The global object: an operation called with a null/undefined `this` acts on it (WebIDL). */
let globalObject: object | undefined;
/** Targets that were not created by the EventTarget constructor (the global object). */
const adoptedTargets = new WeakMapCtor<object, TargetState>();

let targetStateOf: (x: unknown) => TargetState | undefined;

function targetState(x: unknown, member: string): TargetState {
  const target = x === undefined || x === null ? globalObject : x;
  const s = targetStateOf(target);
  if (s === undefined) throw new TypeErrorCtor(`Failed to execute '${member}' on 'EventTarget': Illegal invocation`);
  return s;
}

/** What TypeScript callers may pass; any value is converted at run time as WebIDL says. */
export type EventListenerCallback = ((event: any) => unknown) | { handleEvent(event: any): unknown };
export interface AddEventListenerOptions {
  capture?: boolean;
  once?: boolean;
  passive?: boolean;
  signal?: unknown;
}

/** @see https://dom.spec.whatwg.org/#interface-eventtarget */
export class EventTarget {
  #state: TargetState = { listeners: [], handlers: undefined };

  /** @see https://dom.spec.whatwg.org/#dom-eventtarget-addeventlistener */
  addEventListener(
    type: string,
    callback: EventListenerCallback | null,
    options: boolean | AddEventListenerOptions | undefined = undefined,
  ): void {
    const target = this ?? globalObject;
    const s = targetState(target, 'addEventListener');
    requireArguments(arguments.length, 2, 'EventTarget', 'addEventListener');
    const t = toDOMString(type);
    const cb = convertListener(callback, 'addEventListener');
    const { capture, passive, once, signal } = flattenMore(options);
    addAnEventListener(s, { type: t, callback: cb as object, capture, passive, once, signal, removed: false });
    if (t === 'abort' && cb !== null && signalOps !== undefined && signalOps.isAbortSignal(target)) signalOps.abortListened(target as object);
  }

  /** @see https://dom.spec.whatwg.org/#dom-eventtarget-removeeventlistener */
  removeEventListener(
    type: string,
    callback: EventListenerCallback | null,
    options: boolean | { capture?: boolean } | undefined = undefined,
  ): void {
    const target = this ?? globalObject;
    const s = targetState(target, 'removeEventListener');
    requireArguments(arguments.length, 2, 'EventTarget', 'removeEventListener');
    const t = toDOMString(type);
    const cb = convertListener(callback, 'removeEventListener');
    const capture = flatten(options);
    if (cb === null) return;
    const list = s.listeners;
    for (let i = 0; i < list.length; i++) {
      const l = list[i]!;
      if (l.type === t && l.callback === cb && l.capture === capture) {
        removeAnEventListener(s, l);
        return;
      }
    }
  }

  /** @see https://dom.spec.whatwg.org/#dom-eventtarget-dispatchevent */
  dispatchEvent(event: Event): boolean {
    const target = (this ?? globalObject) as object;
    targetState(target, 'dispatchEvent');
    requireArguments(arguments.length, 1, 'EventTarget', 'dispatchEvent');
    const es = eventStateOf(event);
    if (es === undefined) {
      throw new TypeErrorCtor("Failed to execute 'dispatchEvent' on 'EventTarget': parameter 1 is not of type 'Event'.");
    }
    // Step 1.
    if (es.dispatch || !es.initialized) {
      throw new DOMException(
        "Failed to execute 'dispatchEvent' on 'EventTarget': The event is already being dispatched or was not initialized.",
        'InvalidStateError',
      );
    }
    // Step 2.
    es.isTrusted = false;
    // Step 3.
    return dispatch(target, event as Event, es);
  }

  static {
    targetStateOf = (x) => {
      if (typeof x !== 'object' && typeof x !== 'function') return undefined;
      if (x === null) return undefined;
      if (#state in x) return x.#state;
      return ReflectApply(WeakMapGet, adoptedTargets, [x]) as TargetState | undefined;
    };
  }
}

defineInterface(EventTarget, 'EventTarget');

export function getTargetState(x: unknown): TargetState | undefined {
  return targetStateOf(x);
}

export function isEventTarget(x: unknown): x is EventTarget {
  return targetStateOf(x) !== undefined;
}

/**
 * Makes an object that the EventTarget constructor did not create (the global object) an event
 * target, and the object `this`-less operation calls act on.
 */
export function adoptAsGlobalEventTarget(global: object): void {
  if (targetStateOf(global) === undefined) {
    ReflectApply(WeakMapSet, adoptedTargets, [global, { listeners: [], handlers: undefined }]);
  }
  globalObject = global;
}

export function getGlobalObject(): object | undefined {
  return globalObject;
}

/** WebIDL callback interface `EventListener?`: null or any object (callable or not). */
function convertListener(callback: unknown, op: string): object | null {
  if (callback === undefined || callback === null) return null;
  if (typeof callback !== 'object' && typeof callback !== 'function') {
    throw new TypeErrorCtor(`Failed to execute '${op}' on 'EventTarget': parameter 2 is not of type 'Object'.`);
  }
  return callback;
}

/** https://dom.spec.whatwg.org/#concept-flatten-options */
function flatten(options: unknown): boolean {
  if (typeof options === 'boolean') return options;
  const dict = dictionaryObject(options, 'EventTarget', 'removeEventListener');
  return dict === undefined ? false : !!dict.capture;
}

/** https://dom.spec.whatwg.org/#event-flatten-more (members read in IDL order). */
function flattenMore(options: unknown): { capture: boolean; passive: boolean; once: boolean; signal: object | null } {
  if (typeof options === 'boolean') return { capture: options, passive: false, once: false, signal: null };
  const dict = dictionaryObject(options, 'EventTarget', 'addEventListener');
  if (dict === undefined) return { capture: false, passive: false, once: false, signal: null };
  const capture = !!dict.capture;
  const once = !!dict.once;
  const passiveValue = dict.passive;
  // A passive value that is not given is null: "the default passive value", false for
  // every target that is not a node or a window.
  const passive = passiveValue === undefined ? false : !!passiveValue;
  const signalValue = dict.signal;
  let signal: object | null = null;
  if (signalValue !== undefined) {
    if (signalOps === undefined || !signalOps.isAbortSignal(signalValue)) {
      throw new TypeErrorCtor(
        "Failed to execute 'addEventListener' on 'EventTarget': Failed to read the 'signal' property from 'AddEventListenerOptions': Failed to convert value to 'AbortSignal'.",
      );
    }
    signal = signalValue as object;
  }
  return { capture, passive, once, signal };
}

/** https://dom.spec.whatwg.org/#add-an-event-listener */
export function addAnEventListener(s: TargetState, listener: EventListenerRecord): void {
  // Step 2.
  if (listener.signal !== null && signalOps!.aborted(listener.signal)) return;
  // Step 3.
  if (listener.callback === null) return;
  // Step 4.
  const list = s.listeners;
  for (let i = 0; i < list.length; i++) {
    const l = list[i]!;
    if (l.type === listener.type && l.callback === listener.callback && l.capture === listener.capture) return;
  }
  list.push(listener);
  // Step 5.
  if (listener.signal !== null) signalOps!.addAlgorithm(listener.signal, () => removeAnEventListener(s, listener));
}

/** https://dom.spec.whatwg.org/#remove-an-event-listener */
export function removeAnEventListener(s: TargetState, listener: EventListenerRecord): void {
  listener.removed = true;
  const i = ReflectApply(ArrayPrototypeIndexOf, s.listeners, [listener]) as number;
  if (i !== -1) ReflectApply(ArrayPrototypeSplice, s.listeners, [i, 1]);
}

/** Whether a target has a listener for `type` (for the GC rules of AbortSignal, ports). */
export function hasListenerFor(s: TargetState, type: string): boolean {
  for (const l of s.listeners) if (l.type === type) return true;
  return false;
}

/**
 * https://dom.spec.whatwg.org/#concept-event-dispatch, for a target whose "get the parent"
 * returns null: the path is « target », so capture and bubble listeners all run AT_TARGET
 * (capture listeners first).
 */
export function dispatch(target: object, event: Event, s: EventState = eventStateOf(event)!): boolean {
  // Step 1.
  s.dispatch = true;
  // Steps 2-5: targetOverride is target; there is no relatedTarget nor touch targets.
  // Step 6: the event path is « target » with shadow-adjusted target = target.
  s.path = [target];
  // Steps 14-15: capturing pass (the one struct has a shadow-adjusted target: AT_TARGET).
  s.eventPhase = AT_TARGET;
  invoke(target, event, s, 'capturing');
  // Step 16: bubbling pass.
  s.eventPhase = AT_TARGET;
  invoke(target, event, s, 'bubbling');
  // Steps 7 and 8 in spirit: target stays; Step 7-12 cleanup.
  s.eventPhase = NONE;
  s.currentTarget = null;
  s.path = [];
  s.dispatch = false;
  s.stopPropagation = false;
  s.stopImmediatePropagation = false;
  // Step 13.
  return !s.canceled;
}

/** Fires a trusted event the platform creates ("fire an event"). */
export function fireEvent(target: object, event: Event): boolean {
  const s = eventStateOf(event)!;
  s.isTrusted = true;
  return dispatch(target, event, s);
}

/** https://dom.spec.whatwg.org/#concept-event-listener-invoke */
function invoke(target: object, event: Event, s: EventState, phase: 'capturing' | 'bubbling'): void {
  // Step 1: the target is the last shadow-adjusted target, the one target.
  s.target = target;
  // Step 3.
  if (s.stopPropagation) return;
  // Step 4.
  s.currentTarget = target;
  // Step 5: a clone of the list, so listeners added now are not run in this pass.
  const ts = targetStateOf(target);
  if (ts === undefined) return;
  const listeners = ReflectApply(ArrayPrototypeSlice, ts.listeners, []) as EventListenerRecord[];
  // Step 6.
  innerInvoke(ts, event, s, listeners, phase);
}

/** https://dom.spec.whatwg.org/#concept-event-listener-inner-invoke */
function innerInvoke(
  ts: TargetState,
  event: Event,
  s: EventState,
  listeners: EventListenerRecord[],
  phase: 'capturing' | 'bubbling',
): boolean {
  let found = false;
  for (let i = 0; i < listeners.length; i++) {
    const listener = listeners[i]!;
    if (listener.removed) continue;
    // Step 2.1.
    if (s.type !== listener.type) continue;
    // Step 2.2.
    found = true;
    // Steps 2.3-2.4.
    if (phase === 'capturing' && !listener.capture) continue;
    if (phase === 'bubbling' && listener.capture) continue;
    // Step 2.5.
    if (listener.once) removeAnEventListener(ts, listener);
    // Step 2.9.
    if (listener.passive) s.inPassiveListener = true;
    // Step 2.10: call a user object's operation "handleEvent".
    try {
      const callback = listener.callback;
      if (typeof callback === 'function') {
        ReflectApply(callback, s.currentTarget, [event]);
      } else {
        const handleEvent = (callback as { handleEvent?: unknown }).handleEvent;
        if (typeof handleEvent !== 'function') {
          throw new TypeErrorCtor("The 'handleEvent' property of the event listener is not callable.");
        }
        ReflectApply(handleEvent, callback, [event]);
      }
    } catch (error) {
      reportExceptionHook(error);
    }
    // Step 2.11.
    s.inPassiveListener = false;
    // Step 2.13.
    if (s.stopImmediatePropagation) break;
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Event handlers: https://html.spec.whatwg.org/multipage/webappapis.html#event-handler-attributes

/**
 * Defines `on<type>` on an interface prototype. `onSet` runs after a set (MessagePort's
 * onmessage starts the port).
 */
export function defineEventHandler(
  proto: object,
  iface: string,
  type: string,
  isTarget: (x: unknown) => boolean,
  onSet?: (target: object) => void,
): void {
  const name = `on${type}`;
  const accessors = {
    get [name](): unknown {
      if (!isTarget(this)) throw new TypeErrorCtor(`Failed to read the '${name}' property from '${iface}': Illegal invocation`);
      const record = targetStateOf(this)!.handlers?.get(type);
      return record === undefined ? null : record.value;
    },
    set [name](value: unknown) {
      if (!isTarget(this)) throw new TypeErrorCtor(`Failed to set the '${name}' property on '${iface}': Illegal invocation`);
      // [LegacyTreatNonObjectAsNull]: anything that is not an object is null.
      const handler = (typeof value === 'object' || typeof value === 'function') && value !== null ? value : null;
      setEventHandler(this as object, type, handler);
      if (onSet !== undefined && handler !== null) onSet(this as object);
    },
  };
  const desc = Object.getOwnPropertyDescriptor(accessors, name)!;
  ObjectDefineProperty(proto, name, { get: desc.get, set: desc.set, enumerable: true, configurable: true });
}

function setEventHandler(target: object, type: string, value: unknown): void {
  const ts = targetStateOf(target)!;
  if (ts.handlers === undefined) ts.handlers = new Map();
  let record = ts.handlers.get(type);
  if (value === null) {
    // https://html.spec.whatwg.org/multipage/webappapis.html#deactivate-an-event-handler
    if (record !== undefined) {
      record.value = null;
      if (record.listener !== null) removeAnEventListener(ts, record.listener);
      record.listener = null;
    }
    return;
  }
  if (record === undefined) {
    record = { value: null, listener: null };
    ts.handlers.set(type, record);
  }
  record.value = value;
  // https://html.spec.whatwg.org/multipage/webappapis.html#activate-an-event-handler
  if (record.listener === null) {
    const current = record;
    const callback = (event: Event): void => processEventHandler(current, event);
    const listener: EventListenerRecord = {
      type,
      callback,
      capture: false,
      passive: false,
      once: false,
      signal: null,
      removed: false,
    };
    record.listener = listener;
    addAnEventListener(ts, listener);
  }
}

/** https://html.spec.whatwg.org/multipage/webappapis.html#the-event-handler-processing-algorithm */
function processEventHandler(record: EventHandlerRecord, event: Event): void {
  const callback = record.value;
  if (typeof callback !== 'function') return;
  const s = eventStateOf(event)!;
  // Exceptions propagate to inner invoke, which reports them.
  const returnValue: unknown = ReflectApply(callback, s.currentTarget, [event]);
  if (returnValue === false) setCanceledFlag(s);
}

// ---------------------------------------------------------------------------------------------
// CustomEvent: https://dom.spec.whatwg.org/#interface-customevent

let customEventDetail: (x: unknown) => { detail: unknown } | undefined;

export class CustomEvent extends Event {
  #detail: { detail: unknown };

  constructor(type: unknown, eventInitDict: unknown = undefined) {
    requireArguments(arguments.length, 1, 'CustomEvent', null);
    const t = toDOMString(type);
    const dict = dictionaryObject(eventInitDict, 'CustomEvent', null);
    const base = convertEventInit(dict);
    const detail = dict === undefined ? null : dict.detail === undefined ? null : dict.detail;
    preconvertedEventInit(base);
    super(t);
    this.#detail = { detail };
  }

  get detail(): unknown {
    const d = customEventDetail(this);
    if (d === undefined) throw new TypeErrorCtor("Failed to read the 'detail' property from 'CustomEvent': Illegal invocation");
    return d.detail;
  }

  initCustomEvent(type: unknown, bubbles: unknown = false, cancelable: unknown = false, detail: unknown = null): void {
    const d = customEventDetail(this);
    if (d === undefined) throw new TypeErrorCtor("Failed to execute 'initCustomEvent' on 'CustomEvent': Illegal invocation");
    requireArguments(arguments.length, 1, 'CustomEvent', 'initCustomEvent');
    const t = toDOMString(type);
    const s = eventStateOf(this)!;
    if (s.dispatch) return;
    initializeEvent(s, t, !!bubbles, !!cancelable);
    d.detail = detail;
  }

  static {
    customEventDetail = (x) => (typeof x === 'object' && x !== null && #detail in x ? x.#detail : undefined);
  }
}

defineInterface(CustomEvent, 'CustomEvent');

// ---------------------------------------------------------------------------------------------
// ErrorEvent: https://html.spec.whatwg.org/multipage/webappapis.html#the-errorevent-interface

interface ErrorEventFields {
  message: string;
  filename: string;
  lineno: number;
  colno: number;
  error: unknown;
}

let errorEventFields: (x: unknown) => ErrorEventFields | undefined;

function errorEventGetter(x: unknown, attr: string): ErrorEventFields {
  const f = errorEventFields(x);
  if (f === undefined) throw new TypeErrorCtor(`Failed to read the '${attr}' property from 'ErrorEvent': Illegal invocation`);
  return f;
}

export class ErrorEvent extends Event {
  #fields: ErrorEventFields;

  constructor(type: unknown, eventInitDict: unknown = undefined) {
    requireArguments(arguments.length, 1, 'ErrorEvent', null);
    const t = toDOMString(type);
    const dict = dictionaryObject(eventInitDict, 'ErrorEvent', null);
    const base = convertEventInit(dict);
    // Own members in lexicographic order: colno, error, filename, lineno, message.
    let colno = 0;
    let error: unknown = undefined;
    let filename = '';
    let lineno = 0;
    let message = '';
    if (dict !== undefined) {
      const c = dict.colno;
      if (c !== undefined) colno = toUnsignedLong(c);
      error = dict.error;
      const f = dict.filename;
      if (f !== undefined) filename = toUSVString(f);
      const l = dict.lineno;
      if (l !== undefined) lineno = toUnsignedLong(l);
      const m = dict.message;
      if (m !== undefined) message = toDOMString(m);
    }
    preconvertedEventInit(base);
    super(t);
    this.#fields = { message, filename, lineno, colno, error };
  }

  get message(): string {
    return errorEventGetter(this, 'message').message;
  }

  get filename(): string {
    return errorEventGetter(this, 'filename').filename;
  }

  get lineno(): number {
    return errorEventGetter(this, 'lineno').lineno;
  }

  get colno(): number {
    return errorEventGetter(this, 'colno').colno;
  }

  get error(): unknown {
    return errorEventGetter(this, 'error').error;
  }

  static {
    errorEventFields = (x) => (typeof x === 'object' && x !== null && #fields in x ? x.#fields : undefined);
  }
}

defineInterface(ErrorEvent, 'ErrorEvent');

// ---------------------------------------------------------------------------------------------
// PromiseRejectionEvent: https://html.spec.whatwg.org/multipage/webappapis.html#promiserejectionevent

let rejectionFields: (x: unknown) => { promise: object; reason: unknown } | undefined;

function rejectionGetter(x: unknown, attr: string): { promise: object; reason: unknown } {
  const f = rejectionFields(x);
  if (f === undefined) {
    throw new TypeErrorCtor(`Failed to read the '${attr}' property from 'PromiseRejectionEvent': Illegal invocation`);
  }
  return f;
}

export class PromiseRejectionEvent extends Event {
  #fields: { promise: object; reason: unknown };

  constructor(type: unknown, eventInitDict: unknown = undefined) {
    requireArguments(arguments.length, 2, 'PromiseRejectionEvent', null);
    const t = toDOMString(type);
    const dict = dictionaryObject(eventInitDict, 'PromiseRejectionEvent', null);
    const base = convertEventInit(dict);
    const promise = dict === undefined ? undefined : dict.promise;
    if (promise === undefined) {
      throw new TypeErrorCtor(
        "Failed to construct 'PromiseRejectionEvent': Failed to read the 'promise' property from 'PromiseRejectionEventInit': Required member is undefined.",
      );
    }
    if ((typeof promise !== 'object' && typeof promise !== 'function') || promise === null) {
      throw new TypeErrorCtor(
        "Failed to construct 'PromiseRejectionEvent': Failed to read the 'promise' property from 'PromiseRejectionEventInit': The provided value is not of type 'object'.",
      );
    }
    const reason = dict!.reason;
    preconvertedEventInit(base);
    super(t);
    this.#fields = { promise, reason };
  }

  get promise(): object {
    return rejectionGetter(this, 'promise').promise;
  }

  get reason(): unknown {
    return rejectionGetter(this, 'reason').reason;
  }

  static {
    rejectionFields = (x) => (typeof x === 'object' && x !== null && #fields in x ? x.#fields : undefined);
  }
}

defineInterface(PromiseRejectionEvent, 'PromiseRejectionEvent');

/** https://webidl.spec.whatwg.org/#es-USVString: lone surrogates become U+FFFD. */
export function toUSVString(value: unknown): string {
  const s = toDOMString(value);
  return (s as string & { toWellFormed?: () => string }).toWellFormed?.() ?? replaceLoneSurrogates(s);
}

function replaceLoneSurrogates(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
        continue;
      }
      out += '\ufffd';
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      out += '\ufffd';
    } else {
      out += s[i]!;
    }
  }
  return out;
}
