// WebIDL promise helpers (https://webidl.spec.whatwg.org/#es-promise-manipulation), built on
// captured intrinsics: "upon fulfillment" never looks up `then` on user-reachable objects.
import {
  PromiseCtor,
  promiseThen,
  queueMicrotaskIntrinsic,
  resolvedUndefinedIntrinsic,
  thenOnResolvedUndefined,
} from './intrinsics.js';

// Captured once: user code replacing Promise.resolve/reject/prototype.then or Function#call can't
// reach these. `thenCall(p, a, b)` is PerformPromiseThen without allocating an argument array.
const thenCall = Function.prototype.call.bind(promiseThen) as <T>(
  promise: Promise<T>,
  onFulfilled: unknown,
  onRejected: unknown,
) => Promise<any>;
const resolveIntrinsic = Promise.resolve.bind(PromiseCtor) as <T>(value: T) => Promise<T>;
const rejectIntrinsic = Promise.reject.bind(PromiseCtor) as <T>(reason: unknown) => Promise<T>;

export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason: unknown) => void;
}

const noop = (): void => {};

/** A promise with its resolving functions ("a new promise"). */
export function newPromise<T = void>(): Deferred<T> {
  let resolve!: (value: T | PromiseLike<T>) => void;
  let reject!: (reason: unknown) => void;
  const promise = new PromiseCtor<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * "A promise resolved with" value. For a non-object, Promise.resolve is the same thing without the
 * executor closure; an object may be a promise, which Promise.resolve would return as is, so it
 * goes through a new promise as the spec says.
 */
export function promiseResolvedWith<T>(value: T | PromiseLike<T>): Promise<T> {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) {
    return resolveIntrinsic(value as T);
  }
  return new PromiseCtor<T>((resolve) => resolve(value));
}

/**
 * "A promise resolved with" a fresh ordinary object the caller just created (an iterator result):
 * it cannot be a promise, so Promise.resolve does exactly what the spec says (the `then` lookup
 * included) without the executor closure of promiseResolvedWith.
 */
export function promiseResolvedWithFreshObject<T extends object>(value: T): Promise<T> {
  return resolveIntrinsic(value);
}

/**
 * One already-fulfilled promise, for internal algorithms that end synchronously with undefined
 * (a pull() that returned nothing). Reacting to it queues the same job a fresh one would; it is
 * never handed to user code, so sharing it cannot be observed.
 */
export const internalResolvedUndefined: Promise<undefined> = resolvedUndefinedIntrinsic;

/** Reacting to internalResolvedUndefined, with `then` inlined (intrinsics.ts says how). */
export const thenOnInternalResolvedUndefined = thenOnResolvedUndefined;

export function promiseRejectedWith<T = never>(reason: unknown): Promise<T> {
  return rejectIntrinsic<T>(reason);
}

/** "React to" a promise: PerformPromiseThen with the original `then`. Returns the derived promise. */
export function PerformPromiseThen<T, R1 = T, R2 = never>(
  promise: Promise<T>,
  onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | undefined,
  onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | undefined,
): Promise<R1 | R2> {
  return thenCall(promise, onFulfilled, onRejected) as Promise<R1 | R2>;
}

/**
 * "Upon fulfillment / upon rejection". One `then`: a missing rejection step becomes a no-op, which
 * both leaves the source handled and keeps the derived promise from rejecting (the steps
 * themselves never throw).
 */
export function uponPromise<T>(
  promise: Promise<T>,
  onFulfilled?: ((value: T) => unknown) | undefined,
  onRejected?: ((reason: unknown) => unknown) | undefined,
): void {
  thenCall(promise, onFulfilled, onRejected ?? noop);
}

export function uponFulfillment<T>(promise: Promise<T>, onFulfilled: (value: T) => unknown): void {
  uponPromise(promise, onFulfilled);
}

export function uponRejection(promise: Promise<unknown>, onRejected: (reason: unknown) => unknown): void {
  uponPromise(promise, undefined, onRejected);
}

/** "Transforming a promise with" fulfillment/rejection steps. */
export function transformPromiseWith<T, R = T>(
  promise: Promise<T>,
  onFulfilled?: ((value: T) => R | PromiseLike<R>) | undefined,
  onRejected?: ((reason: unknown) => R | PromiseLike<R>) | undefined,
): Promise<R> {
  return PerformPromiseThen(promise, onFulfilled, onRejected) as Promise<R>;
}

/** Sets [[PromiseIsHandled]]: adding a no-op rejection handler has that effect and nothing else observable. */
export function setPromiseIsHandledToTrue(promise: Promise<unknown>): void {
  thenCall(promise, undefined, noop);
}

/** "Wait for all" is only needed by tee's cancel and the pipe shutdown; kept simple and ordered. */
export function waitForAll(promises: Promise<unknown>[], onSuccess: () => void, onFailure: (e: unknown) => void): void {
  let remaining = promises.length;
  if (remaining === 0) {
    queueMicrotaskLike(onSuccess);
    return;
  }
  let failed = false;
  for (const p of promises) {
    uponPromise(
      p,
      () => {
        if (--remaining === 0 && !failed) onSuccess();
      },
      (e) => {
        if (failed) return;
        failed = true;
        onFailure(e);
      },
    );
  }
}

function queueMicrotaskLike(cb: () => void): void {
  uponPromise(promiseResolvedWith(undefined), cb);
}

/**
 * A promise-valued internal slot whose [[PromiseState]] the algorithms read (the writer's
 * [[readyPromise]] and [[closedPromise]], a stream's write requests). Every one of them is
 * fulfilled with undefined.
 *
 * The promise object is made only when something needs it: script (writer.ready, the result of
 * write()), or a rejection (made at once, so the host's rejection tracker sees what it would have).
 * Internal steps that only react to fulfillment register with `upon` instead; at fulfillment they
 * are queued as microtasks, at the point where the jobs of reactions on a real promise would be
 * queued, so the order of everything stays the spec's. A pipe's writer, which script can never
 * reach, then costs no promise per chunk (ledger #19).
 */
export class PromiseSlot {
  state: 'pending' | 'fulfilled' | 'rejected' = 'pending';
  #promise: Promise<undefined> | undefined = undefined;
  #resolve: ((value: undefined) => void) | undefined = undefined;
  #reject: ((reason: unknown) => void) | undefined = undefined;
  /** One internal reaction registered while there was no promise (the pipe has one per slot). */
  #onFulfilled: (() => unknown) | undefined = undefined;
  #onRejected: ((reason: unknown) => unknown) | undefined = undefined;
  /** A step to run synchronously at fulfillment (whenFulfilled). */
  #step: (() => void) | undefined = undefined;

  get promise(): Promise<undefined> {
    return this.#promise ?? this.#materialize();
  }

  #materialize(): Promise<undefined> {
    let promise: Promise<undefined>;
    if (this.state === 'pending') {
      // An executor written here, not one shared function handing the resolving functions over
      // through module variables: V8 inlines this one into the constructor call and allocates no
      // closure for it (the write loop's instructions per chunk: 3,562 shared, 3,130 inline).
      promise = new PromiseCtor<undefined>((resolve, reject) => {
        this.#resolve = resolve;
        this.#reject = reject;
      });
    } else {
      // Only fulfilled slots are ever unmade once settled (reject() makes the promise first).
      promise = resolveIntrinsic(undefined);
    }
    this.#promise = promise;
    if (this.#onFulfilled !== undefined || this.#onRejected !== undefined) {
      uponPromise(promise, this.#onFulfilled, this.#onRejected);
      this.#onFulfilled = this.#onRejected = undefined;
    }
    return promise;
  }

  /** "Upon fulfillment / upon rejection" of the slot's promise, without making it if it can be helped. */
  upon(onFulfilled: () => unknown, onRejected?: (reason: unknown) => unknown): void {
    if (this.#promise !== undefined) {
      uponPromise(this.#promise, onFulfilled, onRejected);
    } else if (this.state === 'fulfilled') {
      queueMicrotaskIntrinsic(onFulfilled);
    } else if (this.#onFulfilled === undefined && this.#onRejected === undefined) {
      this.#onFulfilled = onFulfilled;
      this.#onRejected = onRejected ?? noop;
    } else {
      uponPromise(this.#materialize(), onFulfilled, onRejected);
    }
  }

  /**
   * Sets [[PromiseIsHandled]] to true, without making the promise: a rejection makes it (already
   * handled), a fulfillment has nothing to report.
   */
  markHandled(): void {
    if (this.#promise !== undefined) setPromiseIsHandledToTrue(this.#promise);
    // Otherwise a rejection step goes with the promise when it is made (a stored one already does).
    else if (this.#onRejected === undefined) this.#onRejected = noop;
  }

  /**
   * Runs `step` once the slot is fulfilled: now if it is, else synchronously inside resolve()
   * (never if it is rejected). Not a promise reaction, so only for internal steps whose timing
   * the spec leaves to the implementation: pipeTo's next read (docs/fast-paths.md #9).
   */
  whenFulfilled(step: () => void): void {
    if (this.state === 'fulfilled') step();
    else if (this.state === 'pending') this.#step = step;
  }

  resolve(_value: undefined): void {
    if (this.state !== 'pending') return;
    this.state = 'fulfilled';
    if (this.#promise !== undefined) {
      this.#resolve!(undefined);
    } else if (this.#onFulfilled !== undefined) {
      queueMicrotaskIntrinsic(this.#onFulfilled);
      this.#onFulfilled = this.#onRejected = undefined;
    }
    const step = this.#step;
    if (step !== undefined) {
      this.#step = undefined;
      step();
    }
  }

  /**
   * resolve(), and true when nothing was attached to the slot (no promise object, no reaction,
   * no whenFulfilled step): nothing can then tell it from a new one, so `renew()` may reuse it
   * (a pipe's write requests: docs/fast-paths.md #29).
   */
  resolveBare(): boolean {
    if (this.#promise !== undefined || this.#onFulfilled !== undefined || this.#step !== undefined || this.state !== 'pending') {
      this.resolve(undefined);
      return false;
    }
    this.state = 'fulfilled';
    return true;
  }

  /**
   * Fulfils the slot without queueing its reaction, and returns the reaction for the caller to run
   * in a job it queued (docs/fast-paths.md #26); undefined (and the slot untouched) unless the
   * slot is pending with exactly one internal reaction: no promise object, no whenFulfilled step.
   */
  takeSoleReaction(): (() => unknown) | undefined {
    const onFulfilled = this.#onFulfilled;
    if (this.state !== 'pending' || this.#promise !== undefined || this.#step !== undefined || onFulfilled === undefined) return undefined;
    this.state = 'fulfilled';
    this.#onFulfilled = this.#onRejected = undefined;
    return onFulfilled;
  }

  reject(reason: unknown): void {
    if (this.state !== 'pending') return;
    this.#step = undefined;
    // Rejections are rare (errors, releases): the real promise keeps the tracker exact.
    if (this.#promise === undefined) this.#materialize();
    this.state = 'rejected';
    this.#reject!(reason);
  }

  /**
   * "A new promise" to replace this one in its slot: this very object made pending again when
   * nothing can tell (it was fulfilled and never had a promise object, and its reactions have
   * been queued), else a new one. A pipe's writer flips its ready promise once per chunk.
   */
  renew(): PromiseSlot {
    if (this.#promise !== undefined || this.state !== 'fulfilled') return new PromiseSlot();
    this.state = 'pending';
    this.#onRejected = undefined;
    return this;
  }

  static resolved(_value: undefined): PromiseSlot {
    const slot = new PromiseSlot();
    slot.state = 'fulfilled';
    return slot;
  }

  /** "A promise rejected with" reason. */
  static rejectedWith(reason: unknown): PromiseSlot {
    const slot = new PromiseSlot();
    slot.reject(reason);
    return slot;
  }

  /** A promise rejected with reason whose [[PromiseIsHandled]] is then set to true. */
  static rejectedAndHandled(reason: unknown): PromiseSlot {
    const slot = PromiseSlot.rejectedWith(reason);
    setPromiseIsHandledToTrue(slot.promise);
    return slot;
  }
}
