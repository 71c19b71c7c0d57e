// performance.now() and performance.timeOrigin (https://w3c.github.io/hr-time/), on the
// host's monotonic clock. The user-timing and resource-timing parts are not provided.
import { defineInterface } from '../streams/webidl/interface.js';
import { TypeErrorCtor } from '../streams/webidl/intrinsics.js';

let illegalConstructor = true;
let isPerformance: (x: unknown) => x is Performance;

export class Performance {
  #now: () => number;
  #timeOrigin: number;

  constructor(now: () => number, timeOrigin: number) {
    if (illegalConstructor) throw new TypeErrorCtor('Illegal constructor');
    this.#now = now;
    this.#timeOrigin = timeOrigin;
  }

  now(): number {
    if (!isPerformance(this)) throw new TypeErrorCtor("Failed to execute 'now' on 'Performance': Illegal invocation");
    return this.#now();
  }

  get timeOrigin(): number {
    if (!isPerformance(this)) throw new TypeErrorCtor("Failed to read the 'timeOrigin' property from 'Performance': Illegal invocation");
    return this.#timeOrigin;
  }

  toJSON(): object {
    if (!isPerformance(this)) throw new TypeErrorCtor("Failed to execute 'toJSON' on 'Performance': Illegal invocation");
    return { timeOrigin: this.#timeOrigin };
  }

  static {
    isPerformance = (x): x is Performance => typeof x === 'object' && x !== null && #now in x;
  }
}

defineInterface(Performance, 'Performance');

export function createPerformance(now: () => number, timeOrigin: number): Performance {
  illegalConstructor = false;
  try {
    return new Performance(now, timeOrigin);
  } finally {
    illegalConstructor = true;
  }
}

let navigatorIllegal = true;
let isNavigator: (x: unknown) => x is Navigator;

/** WorkerNavigator's one member every runtime has (WinterTC): `userAgent`. */
export class Navigator {
  #userAgent: string;

  constructor(userAgent: string) {
    if (navigatorIllegal) throw new TypeErrorCtor('Illegal constructor');
    this.#userAgent = userAgent;
  }

  get userAgent(): string {
    if (!isNavigator(this)) throw new TypeErrorCtor("Failed to read the 'userAgent' property from 'Navigator': Illegal invocation");
    return this.#userAgent;
  }

  static {
    isNavigator = (x): x is Navigator => typeof x === 'object' && x !== null && #userAgent in x;
  }
}

defineInterface(Navigator, 'Navigator');

export function createNavigator(userAgent: string): Navigator {
  navigatorIllegal = false;
  try {
    return new Navigator(userAgent);
  } finally {
    navigatorIllegal = true;
  }
}
