// https://streams.spec.whatwg.org/#rs-asynciterator, on WebIDL's default asynchronous iterator
// object (https://webidl.spec.whatwg.org/#es-default-asynchronous-iterator-object): next() calls are
// chained on [[ongoingPromise]] so results arrive in order even when next() is called eagerly.
import { TypeErrorCtor, AsyncIteratorPrototype, ObjectDefineProperty, PromiseCtor } from '../webidl/intrinsics.js';
import {
  PerformPromiseThen,
  promiseRejectedWith,
  promiseResolvedWith,
  thenOnInternalResolvedUndefined,
} from '../webidl/promise.js';
import { AcquireReadableStreamDefaultReader, type ReadableStreamImpl } from './readable-stream.js';
import {
  ReadableStreamDefaultReaderBufferedController,
  ReadableStreamDefaultReaderRead,
  ReadableStreamDefaultReaderRelease,
  type ReadableStreamDefaultReaderImpl,
  type ReadRequest,
} from './default-reader.js';
import { ReadableStreamReaderGenericCancel } from './generic-reader.js';

const END_OF_ITERATION = Symbol('end of iteration');
/** bufferedChunk when no chunk waits (undefined is a chunk like any other). */
const NO_CHUNK = Symbol('no chunk');

class ReadableStreamAsyncIteratorImpl {
  ongoingPromise: Promise<IteratorResult<unknown>> | null = null;
  isFinished = false;
  /** next()'s reactions (nextReactionsOf): they read only this object, so one set serves every call. */
  nextReactions:
    | [
        (next: unknown) => IteratorResult<unknown>,
        (reason: unknown) => never,
        () => IteratorResult<unknown>,
        () => IteratorResult<unknown>,
      ]
    | undefined = undefined;
  /** A primitive chunk taken from the queue for the fast path (#21), until its reaction runs. */
  bufferedChunk: unknown = NO_CHUNK;
  /** The controller's pull completion steps, left to the buffered chunk's reaction (#24). */
  deferredPullSteps: (() => void) | undefined = undefined;
  constructor(
    readonly reader: ReadableStreamDefaultReaderImpl,
    readonly preventCancel: boolean,
  ) {}
}

let getImpl: (x: unknown) => ReadableStreamAsyncIteratorImpl | undefined;

/** Instances are the iterator objects; the class itself is never exposed (only its prototype's methods). */
class ReadableStreamAsyncIterator {
  #impl: ReadableStreamAsyncIteratorImpl;
  constructor(impl: ReadableStreamAsyncIteratorImpl) {
    this.#impl = impl;
  }
  static {
    // The brand check (webidl/interface.ts says why it is written so).
    getImpl = (x) => {
      try {
        return (x as ReadableStreamAsyncIterator).#impl;
      } catch {
        return undefined;
      }
    };
  }
}

// The asynchronous iterator prototype object: inherits %AsyncIteratorPrototype%, has next/return.
// The class's own prototype serves, stripped of `constructor` so it has only next and return.
const iteratorPrototype = ReadableStreamAsyncIterator.prototype as object;
delete (iteratorPrototype as { constructor?: unknown }).constructor;
Object.setPrototypeOf(iteratorPrototype, AsyncIteratorPrototype);
const methods = {
  next(this: unknown): Promise<IteratorResult<unknown>> {
    const object = getImpl(this);
    if (object === undefined) {
      return promiseRejectedWith(new TypeErrorCtor("Failed to execute 'next' on 'ReadableStream AsyncIterator': Illegal invocation"));
    }
    const ongoingPromise = object.ongoingPromise;
    object.ongoingPromise = ongoingPromise !== null ? nextAfter(object, ongoingPromise) : nextSteps(object);
    return object.ongoingPromise;
  },
  return(this: unknown, value: unknown): Promise<IteratorResult<unknown>> {
    const object = getImpl(this);
    if (object === undefined) {
      return promiseRejectedWith(new TypeErrorCtor("Failed to execute 'return' on 'ReadableStream AsyncIterator': Illegal invocation"));
    }
    const ongoingPromise = object.ongoingPromise;
    object.ongoingPromise = (
      ongoingPromise !== null
        ? PerformPromiseThen(ongoingPromise, () => returnSteps(object, value), () => returnSteps(object, value))
        : returnSteps(object, value)
    ) as Promise<IteratorResult<unknown>>;
    return PerformPromiseThen(object.ongoingPromise, () => ({ value, done: true }));
  },
};
for (const name of ['next', 'return'] as const) {
  ObjectDefineProperty(iteratorPrototype, name, {
    value: methods[name],
    writable: true,
    enumerable: true,
    configurable: true,
  });
}
ObjectDefineProperty(iteratorPrototype, Symbol.toStringTag, {
  value: 'ReadableStream AsyncIterator',
  writable: false,
  enumerable: false,
  configurable: true,
});

/**
 * next() while a call is ongoing: its steps once that promise settles. Apart from next() so that a
 * for-await loop's path stays small; the chained callbacks are written in the call (a bundler's
 * keepNames defines `name` on every named closure it sees created).
 */
function nextAfter(object: ReadableStreamAsyncIteratorImpl, ongoingPromise: Promise<unknown>): Promise<IteratorResult<unknown>> {
  return PerformPromiseThen(ongoingPromise, () => nextSteps(object), () => nextSteps(object));
}

/** next()'s steps, run now or after the ongoing promise settles. */
function nextSteps(object: ReadableStreamAsyncIteratorImpl): Promise<IteratorResult<unknown>> {
  if (object.isFinished) return promiseResolvedWith({ value: undefined, done: true });
  object.nextReactions ??= nextReactionsOf(object);
  // Fast path (docs/fast-paths.md #4): a chunk already queued, so the read's chunk steps would
  // run now and the next iteration result would be a promise already resolved with it.
  const reader = object.reader;
  const controller = ReadableStreamDefaultReaderBufferedController(reader);
  if (controller !== undefined) {
    reader.stream!.disturbed = true;
    const chunk = controller.takeBufferedChunkDeferringPull();
    const pullDeferred = controller.pullCompletionDeferred;
    if (pullDeferred === true) controller.pullCompletionDeferred = false;
    // The slot is taken only if a next() the pull called took a chunk of its own (re-entrance).
    if ((typeof chunk !== 'object' || chunk === null) && typeof chunk !== 'function' && object.bufferedChunk === NO_CHUNK) {
      return nextBufferedPrimitive(object, chunk, pullDeferred ? controller.pullReactions![0] : undefined);
    }
    // The pull's completion job, queued where CallPullIfNeeded would have queued it (nothing ran since).
    if (pullDeferred === true) thenOnInternalResolvedUndefined(controller.pullReactions![0]);
    return PerformPromiseThen(promiseResolvedWith(chunk), object.nextReactions[0], object.nextReactions[1]);
  }
  return PerformPromiseThen(getNextIterationResult(object), object.nextReactions[0], object.nextReactions[1]);
}

/**
 * next()'s fulfillSteps and rejectSteps (WebIDL), and the fulfillSteps of a buffered primitive
 * chunk (#21, taking it from the iterator), made once per iterator.
 */
function nextReactionsOf(object: ReadableStreamAsyncIteratorImpl): NonNullable<ReadableStreamAsyncIteratorImpl['nextReactions']> {
  const fulfillSteps = (next: unknown): IteratorResult<unknown> => {
    object.ongoingPromise = null;
    // typeof first: V8 compares a chunk of another type with the symbol through a built-in.
    if (typeof next === 'symbol' && next === END_OF_ITERATION) {
      object.isFinished = true;
      return { value: undefined, done: true };
    }
    return { value: next, done: false };
  };
  const takeBufferedChunk = (): IteratorResult<unknown> => {
    const next = object.bufferedChunk;
    object.bufferedChunk = NO_CHUNK;
    return fulfillSteps(next);
  };
  return [
    fulfillSteps,
    (reason) => {
      object.ongoingPromise = null;
      object.isFinished = true;
      throw reason;
    },
    takeBufferedChunk,
    // #24: the pull's completion job and this one, queued one after the other, run as one.
    () => {
      const pullSteps = object.deferredPullSteps!;
      object.deferredPullSteps = undefined;
      pullSteps();
      return takeBufferedChunk();
    },
  ];
}

/**
 * Fast path (docs/fast-paths.md #21): a primitive chunk just taken from the queue. The spec's next
 * iteration result would be a promise already fulfilled with it (a primitive has no `then` to look
 * up), and reacting to it queues the fulfillment steps' job at once. Reacting to the shared
 * fulfilled promise with a reaction that takes the chunk from the iterator queues the same job at
 * the same point (after any pull the dequeue started), without the intermediate promise. At most
 * one such chunk waits at a time: the next next() runs only once this one's promise settles (a
 * next() called by the pull itself finds the slot taken and goes the spec's way).
 *
 * #24: when that pull returned nothing, its completion job would be the one queued just before
 * this one, with nothing between them; one job runs both steps in that order instead.
 */
function nextBufferedPrimitive(
  object: ReadableStreamAsyncIteratorImpl,
  chunk: unknown,
  pullSteps: (() => void) | undefined,
): Promise<IteratorResult<unknown>> {
  object.bufferedChunk = chunk;
  if (pullSteps === undefined) return thenOnInternalResolvedUndefined(object.nextReactions![2]);
  object.deferredPullSteps = pullSteps;
  return thenOnInternalResolvedUndefined(object.nextReactions![3]);
}

/** return()'s steps. */
function returnSteps(object: ReadableStreamAsyncIteratorImpl, value: unknown): Promise<unknown> {
  if (object.isFinished) return promiseResolvedWith({ value, done: true });
  object.isFinished = true;
  return asyncIteratorReturn(object, value);
}

/** values() / [Symbol.asyncIterator](): the asynchronous iterator initialization steps. */
export function createReadableStreamAsyncIterator(stream: ReadableStreamImpl, preventCancel: boolean): object {
  const reader = AcquireReadableStreamDefaultReader(stream);
  const iterator = new ReadableStreamAsyncIterator(new ReadableStreamAsyncIteratorImpl(reader, preventCancel));
  return iterator;
}

/**
 * The read request of "get the next iteration result": its steps settle the promise the
 * iterator reacts to. A class, not a literal with three closures, since one is made per chunk.
 */
class IteratorReadRequest implements ReadRequest {
  resolve: (value: unknown) => void = undefined as never;
  reject: (reason: unknown) => void = undefined as never;
  constructor(readonly reader: ReadableStreamDefaultReaderImpl) {}
  chunkSteps(chunk: unknown): void {
    this.resolve(chunk);
  }
  closeSteps(): void {
    releaseIfAttached(this.reader);
    this.resolve(END_OF_ITERATION);
  }
  errorSteps(e: unknown): void {
    releaseIfAttached(this.reader);
    this.reject(e);
  }
}

/** "Get the next iteration result" when no chunk is queued (nextSteps serves a queued one). */
function getNextIterationResult(iterator: ReadableStreamAsyncIteratorImpl): Promise<unknown> {
  const reader = iterator.reader;
  const request = new IteratorReadRequest(reader);
  // The executor written here (promise.ts's PromiseSlot says why).
  const promise = new PromiseCtor<unknown>((resolve, reject) => {
    request.resolve = resolve;
    request.reject = reject;
  });
  ReadableStreamDefaultReaderRead(reader, request);
  return promise;
}

/**
 * The read request's "Perform ! ReadableStreamDefaultReaderRelease(reader)", once. Two of this
 * iterator's reads can be pending together: an earlier next()'s fulfillment steps set the ongoing
 * promise to null even when a later next() has chained onto it (WebIDL), so a next() after that
 * starts a second read. Closing or erroring the stream then runs both reads' steps, and the
 * second release would find the reader already released (the spec asserts it is attached; Node
 * throws an internal assertion from controller.error() there). The second read settles like
 * the first instead.
 */
function releaseIfAttached(reader: ReadableStreamDefaultReaderImpl): void {
  if (reader.stream !== undefined) ReadableStreamDefaultReaderRelease(reader);
}

/** "Asynchronous iterator return" */
function asyncIteratorReturn(iterator: ReadableStreamAsyncIteratorImpl, arg: unknown): Promise<undefined> {
  const reader = iterator.reader;
  if (!iterator.preventCancel) {
    const result = ReadableStreamReaderGenericCancel(reader, arg);
    ReadableStreamDefaultReaderRelease(reader);
    return result;
  }
  ReadableStreamDefaultReaderRelease(reader);
  return promiseResolvedWith(undefined);
}
