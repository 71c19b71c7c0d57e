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
const MathCeil = Math.ceil;
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
  /** A monotonic clock in milliseconds (the host's). */
  now(): number;
}

/**
 * The one host timer that stands for every delayed internal task (AbortSignal.timeout): those
 * wait here, in due order, and the host only holds a timer for the earliest. One host timer each
 * let an app hold host memory beyond its own limit (100,000 pending AbortSignal.timeout(1e8) took
 * the process's RSS up 198 MiB, of which ~95 MiB is the isolate's own heap: the rest was host
 * timers), and no bound on them would be safe from a busy app's per-fetch timeouts. A delay past
 * what a host timer takes waits in steps (Node fired AbortSignal.timeout(3e9) after 1 ms).
 */
const DELAYED_TASKS_ID = -(2 ** 52);
/** The longest delay a host timer takes (Node fires longer ones after 1 ms). */
const HOST_DELAY_MAX = 2 ** 31 - 1;

interface DelayedTask {
  /** The host clock's time it is due. */
  due: number;
  /** Its timer's id: internal ids count down, so a larger id came first. */
  id: number;
}

/** Whether `a` runs before `b`: the earlier due, then the one made first. */
function runsBefore(a: DelayedTask, b: DelayedTask): boolean {
  return a.due < b.due || (a.due === b.due && a.id > b.id);
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
    if (ms > 0) this.#delay({ due: this.#host.now() + ms, id });
    else this.#host.timerStart(id, 0);
    return id;
  }

  /** A delayed internal task that was cleared stays in the heap until it comes up (then it is skipped). */
  clearInternal(id: number): void {
    const timer = this.#map.get(id);
    if (timer === undefined) return;
    this.#map.delete(id);
    if (timer.ms <= 0) this.#host.timerClear(id);
  }

  /** The host says timer `id` is due: run its task. */
  fire(id: number): void {
    if (id === DELAYED_TASKS_ID) return this.#fireDelayed();
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

  // --- delayed internal tasks: a binary min-heap, one host timer for its top

  #delayed: DelayedTask[] = [];
  /** When the host timer for the heap's top is due (Infinity: none armed). */
  #armedFor = Infinity;

  #delay(task: DelayedTask): void {
    const heap = this.#delayed;
    let at = heap.length;
    heap.push(task);
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!runsBefore(task, heap[parent]!)) break;
      heap[at] = heap[parent]!;
      at = parent;
    }
    heap[at] = task;
    if (task.due < this.#armedFor) this.#arm(this.#host.now());
  }

  /** Removes the heap's top. */
  #takeTop(): void {
    const heap = this.#delayed;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    let at = 0;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= heap.length) break;
      const child = left + 1 < heap.length && runsBefore(heap[left + 1]!, heap[left]!) ? left + 1 : left;
      if (!runsBefore(heap[child]!, last)) break;
      heap[at] = heap[child]!;
      at = child;
    }
    heap[at] = last;
  }

  /** The heap's first live task (cleared ones on top are dropped). */
  #liveTop(): DelayedTask | undefined {
    const heap = this.#delayed;
    while (heap.length > 0 && !this.#map.has(heap[0]!.id)) this.#takeTop();
    return heap[0];
  }

  /** Arms the host timer for the heap's first live task (none: disarms it). */
  #arm(now: number): void {
    const top = this.#liveTop();
    if (top === undefined) {
      if (this.#armedFor !== Infinity) this.#host.timerClear(DELAYED_TASKS_ID);
      this.#armedFor = Infinity;
      return;
    }
    const due = top.due;
    this.#armedFor = due;
    const wait = MathCeil(due - now);
    this.#host.timerStart(DELAYED_TASKS_ID, wait <= 0 ? 0 : wait > HOST_DELAY_MAX ? HOST_DELAY_MAX : wait);
  }

  /** The host timer fired: the first task that is due runs (a task of its own), and the timer is armed for the next. */
  #fireDelayed(): void {
    this.#armedFor = Infinity;
    const now = this.#host.now();
    const top = this.#liveTop();
    const due = top !== undefined && top.due <= now;
    if (due) this.#takeTop();
    this.#arm(now);
    if (due) this.fire(top.id);
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
