// performance.now() and performance.timeOrigin (https://w3c.github.io/hr-time/), on the
// host's monotonic clock. The user-timing and resource-timing parts are not provided.
import { defineInterface } from '../streams/webidl/interface.js';
import { TypeErrorCtor } from '../streams/webidl/intrinsics.js';
import { EventTarget } from '../web/events.js';

/** The clock the next Performance takes (createPerformance's; WebIDL's constructor takes no argument). */
let pendingClock: Clock | undefined;
let isPerformance: (x: unknown) => x is Performance;

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
