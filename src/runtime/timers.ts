// setTimeout, setInterval, clearTimeout, clearInterval and queueMicrotask on host timers.
// https://html.spec.whatwg.org/multipage/timers-and-user-prompts.html#timers
// The realm keeps the timer map (id -> task); the host only arms and fires ids, so a handler
// and its arguments never leave the isolate. Internal tasks (the runtime's own queueTask) use
// negative ids, which user code cannot clear.
import { reportException } from '../web/report-error.js';
import { IdTable } from './id-table.js';

const ReflectApply = Reflect.apply;
/**
 * Pending user timers per isolate. Each is a host timer too, so without a bound an app could make
 * the host allocate far more than its own memory limit allows it (measured: setTimeout in a loop
 * in a 64 MiB isolate took the process's RSS up by 607 MiB before the isolate's limit stopped it;
 * 100,000 pending timers: +187 MiB; 10,000: +9 MiB).
 */
export const MAX_PENDING_TIMERS = 10_000;
const RangeErrorCtor = RangeError;
const TypeErrorCtor = TypeError;
const PromiseResolve = Promise.resolve.bind(Promise);
const PromiseThen = Promise.prototype.then;
const indirectEval = eval;

interface Timer {
  handler: Function | string;
  args: readonly unknown[];
  /** setInterval's timer: re-armed after each run. */
  repeat: boolean;
  ms: number;
  /** Nesting level, for the clamp to 4 ms (step 11 of the timer initialization steps). */
  nesting: number;
}

export interface TimerHost {
  timerStart(id: number, ms: number): void;
  timerClear(id: number): void;
}

export class Timers {
  #host: TimerHost;
  #global: object;
  #map = new IdTable<Timer>();
  #nextId = 1;
  #nextInternalId = -1;
  #nesting = 0;
  /** User timers pending (positive ids in the map). */
  #userTimers = 0;

  constructor(host: TimerHost, global: object) {
    this.#host = host;
    this.#global = global;
  }

  /** The timer initialization steps; returns the handle. */
  initialize(handler: unknown, timeout: unknown, args: readonly unknown[], repeat: boolean): number {
    // WebIDL: TimerHandler is (Function or DOMString); `long timeout = 0`.
    const fn: Function | string = typeof handler === 'function' ? handler : `${handler}`;
    let ms = toLong(timeout);
    // Steps 10-11: negative is 0; nested more than 5 deep, at least 4.
    if (ms < 0) ms = 0;
    if (this.#nesting > 5 && ms < 4) ms = 4;
    if (this.#userTimers >= MAX_PENDING_TIMERS) {
      throw new RangeErrorCtor(`Too many pending timers: an app may have ${MAX_PENDING_TIMERS} at once.`);
    }
    const id = this.#nextId++;
    this.#userTimers++;
    this.#map.set(id, { handler: fn, args, repeat, ms, nesting: this.#nesting + 1 });
    this.#host.timerStart(id, ms);
    return id;
  }

  clear(id: unknown): void {
    const handle = toLong(id);
    if (handle <= 0 || !this.#map.has(handle)) return;
    this.#map.delete(handle);
    this.#userTimers--;
    this.#host.timerClear(handle);
  }

  /** The runtime's own tasks (MessagePort delivery, AbortSignal.timeout): not user-clearable. */
  queueInternal(callback: () => void, ms: number): number {
    const id = this.#nextInternalId--;
    this.#map.set(id, { handler: callback, args: [], repeat: false, ms, nesting: 0 });
    this.#host.timerStart(id, ms);
    return id;
  }

  clearInternal(id: number): void {
    if (this.#map.delete(id)) this.#host.timerClear(id);
  }

  /** The host says timer `id` is due: run its task. */
  fire(id: number): void {
    const timer = this.#map.get(id);
    if (timer === undefined) return;
    if (!timer.repeat) {
      this.#map.delete(id);
      if (id > 0) this.#userTimers--;
    }
    const saved = this.#nesting;
    this.#nesting = timer.nesting;
    try {
      if (typeof timer.handler === 'function') {
        ReflectApply(timer.handler, this.#global, timer.args);
      } else {
        indirectEval(timer.handler);
      }
    } catch (error) {
      reportException(error);
    } finally {
      this.#nesting = saved;
    }
    // An interval re-arms unless its handler cleared it.
    if (timer.repeat && this.#map.get(id) === timer) {
      // Step 11 again: a repeating timer nested more than 5 deep waits at least 4 ms.
      if (timer.nesting > 5 && timer.ms < 4) timer.ms = 4;
      timer.nesting++;
      this.#host.timerStart(id, timer.ms);
    }
  }
}

/** WebIDL `long` (ToInt32 after ToNumber). */
function toLong(value: unknown): number {
  const n = +(value as number);
  return Number.isFinite(n) ? n | 0 : 0;
}

export function installTimers(global: object, timers: Timers): void {
  const operations: Record<string, Function> = {
    setTimeout: function setTimeout(handler: unknown, timeout: unknown = 0, ...args: unknown[]) {
      return timers.initialize(handler, timeout, args, false);
    },
    setInterval: function setInterval(handler: unknown, timeout: unknown = 0, ...args: unknown[]) {
      return timers.initialize(handler, timeout, args, true);
    },
    clearTimeout: function clearTimeout(id: unknown = 0) {
      timers.clear(id);
    },
    clearInterval: function clearInterval(id: unknown = 0) {
      timers.clear(id);
    },
    queueMicrotask: function queueMicrotask(callback: unknown) {
      if (typeof callback !== 'function') {
        throw new TypeErrorCtor("Failed to execute 'queueMicrotask': parameter 1 is not of type 'Function'.");
      }
      // A promise reaction is a microtask; an exception is reported, never a rejection.
      ReflectApply(PromiseThen, PromiseResolve(undefined), [
        () => {
          try {
            ReflectApply(callback, undefined, []);
          } catch (error) {
            reportException(error);
          }
        },
      ]);
    },
  };
  for (const [name, fn] of Object.entries(operations)) {
    Object.defineProperty(global, name, { value: fn, writable: true, enumerable: true, configurable: true });
  }
}
