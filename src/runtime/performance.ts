// performance.now() and performance.timeOrigin (https://w3c.github.io/hr-time/), on the
// host's monotonic clock. The user-timing and resource-timing parts are not provided.
import { defineInterface } from '../streams/webidl/interface.js';
import { TypeErrorCtor } from '../streams/webidl/intrinsics.js';
import { EventTarget } from '../web/events.js';

/** The clock the next Performance takes (createPerformance's; WebIDL's constructor takes no argument). */
let pendingClock: Clock | undefined;
let isPerformance: (x: unknown) => x is Performance;

/** How much Date.now() time may pass before a CoarsenedClock reads the host's clock again. */
export const CLOCK_RESYNC_MS = 50;
const DateNow = Date.now;

/**
 * The host's monotonic clock without a host call for every read. A call to the host waits for
 * the host's event loop: 56 us per call when it is idle, and as long as its current task when it
 * is busy (2 ms per call with 2 ms tasks, measured), while tracing code reads the clock many times
 * per request. The host's clock is read again once CLOCK_RESYNC_MS of Date.now() has passed;
 * in between, time advances with Date.now(), so the resolution is 1 ms (hr-time's "coarsen time"
 * allows an implementation-defined resolution above 100 us). Date.now() is the wall clock: a
 * step backwards, or one of CLOCK_RESYNC_MS or more forwards, makes the next read the host's,
 * and a result is never below the last one.
 */
export class CoarsenedClock {
  readonly #hostNow: () => number;
  readonly #dateNow: () => number;
  #base = 0;
  #dateBase = -Infinity;
  #last = 0;

  constructor(hostNow: () => number, dateNow: () => number = DateNow) {
    this.#hostNow = hostNow;
    this.#dateNow = dateNow;
  }

  now(): number {
    const date = this.#dateNow();
    if (date < this.#dateBase || date - this.#dateBase >= CLOCK_RESYNC_MS) {
      this.#base = this.#hostNow();
      this.#dateBase = date;
    }
    const time = this.#base + (date - this.#dateBase);
    if (time > this.#last) this.#last = time;
    return this.#last;
  }
}

/** The realm's clock; `timeOrigin` is set when the isolate boots (after a snapshot, if any). */
export interface Clock {
  now(): number;
  timeOrigin: number;
}

/** `interface Performance : EventTarget` (its events belong to the timing parts not provided). */
export class Performance extends EventTarget {
  #clock: Clock;

  constructor() {
    const clock = pendingClock;
    if (clock === undefined) throw new TypeErrorCtor('Illegal constructor');
    pendingClock = undefined;
    super();
    this.#clock = clock;
  }

  now(): number {
    if (!isPerformance(this)) throw new TypeErrorCtor("Failed to execute 'now' on 'Performance': Illegal invocation");
    return this.#clock.now();
  }

  get timeOrigin(): number {
    if (!isPerformance(this)) throw new TypeErrorCtor("Failed to read the 'timeOrigin' property from 'Performance': Illegal invocation");
    return this.#clock.timeOrigin;
  }

  toJSON(): object {
    if (!isPerformance(this)) throw new TypeErrorCtor("Failed to execute 'toJSON' on 'Performance': Illegal invocation");
    return { timeOrigin: this.#clock.timeOrigin };
  }

  static {
    isPerformance = (x): x is Performance => typeof x === 'object' && x !== null && #clock in x;
  }
}

defineInterface(Performance, 'Performance');

export function createPerformance(clock: Clock): Performance {
  pendingClock = clock;
  return new Performance();
}

/** The info the next Navigator takes (createNavigator's; WorkerNavigator has no constructor). */
let pendingInfo: { userAgent: string } | undefined;
let isNavigator: (x: unknown) => x is Navigator;

/** WorkerNavigator's one member every runtime has (WinterTC): `userAgent`. */
export class Navigator {
  #info: { userAgent: string };

  constructor() {
    const info = pendingInfo;
    if (info === undefined) throw new TypeErrorCtor('Illegal constructor');
    pendingInfo = undefined;
    this.#info = info;
  }

  get userAgent(): string {
    if (!isNavigator(this)) throw new TypeErrorCtor("Failed to read the 'userAgent' property from 'Navigator': Illegal invocation");
    return this.#info.userAgent;
  }

  static {
    isNavigator = (x): x is Navigator => typeof x === 'object' && x !== null && #info in x;
  }
}

defineInterface(Navigator, 'Navigator');

export function createNavigator(info: { userAgent: string }): Navigator {
  pendingInfo = info;
  return new Navigator();
}
