// https://streams.spec.whatwg.org/#readable-stream-reader-generic
import { TypeErrorCtor } from '../webidl/intrinsics.js';
import { newPromise, promiseRejectedWith, promiseResolvedWith, setPromiseIsHandledToTrue, type Deferred } from '../webidl/promise.js';
import { ReadableStreamCancel, type ReadableStreamImpl, type ReadableStreamReaderImpl } from './readable-stream.js';

/** A [[closedPromise]] slot: the promise and, while it is pending, its resolving functions. */
export type ClosedPromise = Deferred<undefined>;

const noop = (): void => {};

export function settledPromiseSlot(promise: Promise<undefined>): ClosedPromise {
  return { promise, resolve: noop, reject: noop };
}

/** https://streams.spec.whatwg.org/#readable-stream-reader-generic-initialize */
export function ReadableStreamReaderGenericInitialize(reader: ReadableStreamReaderImpl, stream: ReadableStreamImpl): void {
  reader.stream = stream;
  stream.reader = reader;
  if (stream.state === 'readable') {
    reader.closedPromise = newPromise<undefined>();
  } else if (stream.state === 'closed') {
    reader.closedPromise = settledPromiseSlot(promiseResolvedWith(undefined));
  } else {
    const p = promiseRejectedWith<undefined>(stream.storedError);
    setPromiseIsHandledToTrue(p);
    reader.closedPromise = settledPromiseSlot(p);
  }
}

/** https://streams.spec.whatwg.org/#readable-stream-reader-generic-cancel */
export function ReadableStreamReaderGenericCancel(reader: ReadableStreamReaderImpl, reason: unknown): Promise<undefined> {
  return ReadableStreamCancel(reader.stream!, reason);
}

/** https://streams.spec.whatwg.org/#readable-stream-reader-generic-release */
export function ReadableStreamReaderGenericRelease(reader: ReadableStreamReaderImpl): void {
  const stream = reader.stream!;
  const e = new TypeErrorCtor('Reader was released and can no longer be used to monitor the stream\'s closedness');
  if (stream.state === 'readable') {
    reader.closedPromise.reject(e);
    reader.closedPromise.resolve = noop;
    reader.closedPromise.reject = noop;
  } else {
    reader.closedPromise = settledPromiseSlot(promiseRejectedWith<undefined>(e));
  }
  setPromiseIsHandledToTrue(reader.closedPromise.promise);
  stream.controller.releaseSteps();
  stream.reader = undefined;
  reader.stream = undefined;
}
