// https://streams.spec.whatwg.org/#rs-class
//
// Every public class wraps an internal record (its "impl") held in a #private field, so user code
// can neither read nor forge the spec's internal slots. Abstract operations work on the records.
import { TypeErrorCtor, RangeErrorCtor } from '../webidl/intrinsics.js';
import { defineInterface } from '../webidl/interface.js';
import { objectArgument } from '../webidl/converters.js';
import { executeError } from '../webidl/errors.js';
import {
  promiseRejectedWith,
  promiseResolvedWith,
  setPromiseIsHandledToTrue,
  transformPromiseWith,
} from '../webidl/promise.js';
import {
  convertQueuingStrategy,
  ExtractHighWaterMark,
  ExtractSizeAlgorithm,
  type QueuingStrategySize,
} from '../dictionaries/queuing-strategy.js';
import { convertUnderlyingSource } from '../dictionaries/underlying-source.js';
import {
  convertGetReaderOptions,
  convertIteratorOptions,
  convertStreamPipeOptions,
} from '../dictionaries/pipe-options.js';
import { dictionaryObject } from '../webidl/converters.js';
import {
  ReadableStreamDefaultControllerImpl,
  type PullAlgorithm,
  SetUpReadableStreamDefaultController,
  SetUpReadableStreamDefaultControllerFromUnderlyingSource,
} from './default-controller.js';
import {
  ReadableByteStreamControllerImpl,
  SetUpReadableByteStreamController,
  SetUpReadableByteStreamControllerFromUnderlyingSource,
} from './byte-stream-controller.js';
import {
  ReadableStreamDefaultReader,
  ReadableStreamDefaultReaderImpl,
  ReadableStreamDefaultReaderErrorReadRequests,
  defaultReaderImpl,
  type ReadRequest,
} from './default-reader.js';
import {
  ReadableStreamBYOBReader,
  ReadableStreamBYOBReaderErrorReadIntoRequests,
  ReadableStreamBYOBReaderImpl,
  byobReaderImpl,
  type ReadIntoRequest,
} from './byob-reader.js';
import { SimpleQueue } from '../abstract-ops/simple-queue.js';
import { ReadableStreamPipeTo } from './pipe.js';
import { ReadableStreamTee } from './tee.js';
import { ReadableStreamFromIterable } from './from.js';
import { createReadableStreamAsyncIterator } from './async-iterator.js';
import { IsWritableStreamLocked, writableStreamImpl } from '../writable-stream/writable-stream.js';
import type { WritableStream } from '../writable-stream/writable-stream.js';
import type { TransformStreamImpl } from '../transform-stream/transform-stream.js';
import type { QueuingStrategy } from '../dictionaries/queuing-strategy.js';
import type {
  ReadableStreamIteratorOptions,
  ReadableWritablePair,
  StreamPipeOptions,
  UnderlyingByteSource,
  UnderlyingDefaultSource,
} from '../types.js';

export type ReadableStreamState = 'readable' | 'closed' | 'errored';
export type ReadableStreamReaderImpl = ReadableStreamDefaultReaderImpl | ReadableStreamBYOBReaderImpl;
export type ReadableStreamControllerImpl = ReadableStreamDefaultControllerImpl | ReadableByteStreamControllerImpl;

/** The internal slots of a ReadableStream (https://streams.spec.whatwg.org/#rs-internal-slots). */
export class ReadableStreamImpl {
  state: ReadableStreamState = 'readable';
  reader: ReadableStreamReaderImpl | undefined = undefined;
  storedError: unknown = undefined;
  disturbed = false;
  controller: ReadableStreamControllerImpl = undefined as never;
  wrapper: ReadableStream = undefined as never;
  /** The TransformStream this is the readable side of, when it has no transformer algorithms (a pipe may carry chunks across it: pipe.ts). */
  identityTransform: TransformStreamImpl | undefined = undefined;
}

let pendingImpl: ReadableStreamImpl | undefined;
let getImpl: (x: unknown) => ReadableStreamImpl | undefined;
/** The brand check that never throws, for readableStreamImpl (webidl/interface.ts says why there are two). */
let lookupImpl: (x: unknown) => ReadableStreamImpl | undefined;

export class ReadableStream<R = any> {
  #impl: ReadableStreamImpl;

  constructor(underlyingSource: UnderlyingByteSource, strategy?: { highWaterMark?: number });
  constructor(underlyingSource?: UnderlyingDefaultSource<R> | null, strategy?: QueuingStrategy<R>);
  constructor(underlyingSource: unknown = undefined, strategy: unknown = undefined) {
    if (pendingImpl !== undefined) {
      // Created by CreateReadableStream: the record is already set up.
      this.#impl = pendingImpl;
      pendingImpl = undefined;
      this.#impl.wrapper = this;
      return;
    }
    const context = "Failed to construct 'ReadableStream':";
    // WebIDL converts both arguments before the constructor steps run.
    if (underlyingSource !== undefined) objectArgument(underlyingSource, context);
    const strategyDict = convertQueuingStrategy(strategy, context);
    // Step 1. If underlyingSource is missing, set it to null.
    const source = underlyingSource === undefined ? null : underlyingSource;
    // Step 2. Let underlyingSourceDict be underlyingSource, converted to an IDL value of type UnderlyingSource.
    const sourceDict = convertUnderlyingSource(source, context);
    // Step 3. Perform ! InitializeReadableStream(this).
    const impl = new ReadableStreamImpl();
    impl.wrapper = this;
    this.#impl = impl;
    if (sourceDict.type === 'bytes') {
      if (strategyDict.size !== undefined) {
        throw new RangeErrorCtor(`${context} The strategy for a byte stream cannot have a size function.`);
      }
      const highWaterMark = ExtractHighWaterMark(strategyDict, 0);
      SetUpReadableByteStreamControllerFromUnderlyingSource(impl, source, sourceDict, highWaterMark);
    } else {
      const sizeAlgorithm = ExtractSizeAlgorithm(strategyDict);
      const highWaterMark = ExtractHighWaterMark(strategyDict, 1);
      SetUpReadableStreamDefaultControllerFromUnderlyingSource(impl, source, sourceDict, highWaterMark, sizeAlgorithm);
    }
  }

  static from<T>(asyncIterable: AsyncIterable<T> | Iterable<T | PromiseLike<T>>): ReadableStream<T>;
  static from(asyncIterable: unknown): ReadableStream {
    return ReadableStreamFromIterable(asyncIterable).wrapper;
  }

  get locked(): boolean {
    const impl = getImpl(this);
    if (impl === undefined) throw new TypeErrorCtor("Failed to read the 'locked' property from 'ReadableStream': Illegal invocation");
    return IsReadableStreamLocked(impl);
  }

  cancel(reason: unknown = undefined): Promise<undefined> {
    const impl = getImpl(this);
    if (impl === undefined) return promiseRejectedWith(executeError('ReadableStream', 'cancel', 'Illegal invocation'));
    if (IsReadableStreamLocked(impl)) {
      return promiseRejectedWith(executeError('ReadableStream', 'cancel', 'Cannot cancel a locked stream'));
    }
    return ReadableStreamCancel(impl, reason);
  }

  getReader(options: { mode: 'byob' }): ReadableStreamBYOBReader;
  getReader(options?: { mode?: undefined }): ReadableStreamDefaultReader<R>;
  getReader(options: unknown = undefined): ReadableStreamDefaultReader<R> | ReadableStreamBYOBReader {
    const impl = getImpl(this);
    if (impl === undefined) throw executeError('ReadableStream', 'getReader', 'Illegal invocation');
    const { mode } = convertGetReaderOptions(options, "Failed to execute 'getReader' on 'ReadableStream':");
    if (mode === undefined) return AcquireReadableStreamDefaultReader(impl).wrapper as ReadableStreamDefaultReader<R>;
    return AcquireReadableStreamBYOBReader(impl).wrapper;
  }

  pipeThrough<T>(transform: ReadableWritablePair<T, R>, options?: StreamPipeOptions): ReadableStream<T>;
  pipeThrough<T>(transform: unknown, options: unknown = undefined): ReadableStream<T> {
    const impl = getImpl(this);
    const op = "Failed to execute 'pipeThrough' on 'ReadableStream':";
    if (impl === undefined) throw executeError('ReadableStream', 'pipeThrough', 'Illegal invocation');
    // ReadableWritablePair: members read in order readable, writable; both required.
    const pair = dictionaryObject(transform, op);
    const readableValue = pair === null ? undefined : pair.readable;
    if (readableValue === undefined) throw new TypeErrorCtor(`${op} Required member 'readable' is undefined.`);
    const readable = getImpl(readableValue);
    if (readable === undefined) throw new TypeErrorCtor(`${op} member readable is not of type ReadableStream.`);
    const writableValue = pair!.writable;
    if (writableValue === undefined) throw new TypeErrorCtor(`${op} Required member 'writable' is undefined.`);
    const writable = writableStreamImpl(writableValue);
    if (writable === undefined) throw new TypeErrorCtor(`${op} member writable is not of type WritableStream.`);
    const opts = convertStreamPipeOptions(options, op);
    // Step 1. If ! IsReadableStreamLocked(this) is true, throw a TypeError exception.
    if (IsReadableStreamLocked(impl)) throw new TypeErrorCtor(`${op} Cannot pipe a locked stream.`);
    // Step 2. If ! IsWritableStreamLocked(transform["writable"]) is true, throw a TypeError exception.
    if (IsWritableStreamLocked(writable)) throw new TypeErrorCtor(`${op} Cannot pipe to a locked stream.`);
    const promise = ReadableStreamPipeTo(
      impl,
      writable,
      opts.preventClose,
      opts.preventAbort,
      opts.preventCancel,
      opts.signal,
    );
    setPromiseIsHandledToTrue(promise);
    return readable.wrapper as ReadableStream<T>;
  }

  pipeTo(destination: WritableStream<R>, options?: StreamPipeOptions): Promise<undefined>;
  pipeTo(destination: unknown, options: unknown = undefined): Promise<undefined> {
    const impl = getImpl(this);
    const op = "Failed to execute 'pipeTo' on 'ReadableStream':";
    if (impl === undefined) return promiseRejectedWith(executeError('ReadableStream', 'pipeTo', 'Illegal invocation'));
    const dest = writableStreamImpl(destination);
    if (dest === undefined) {
      return promiseRejectedWith(new TypeErrorCtor(`${op} parameter 1 is not of type 'WritableStream'.`));
    }
    let opts;
    try {
      opts = convertStreamPipeOptions(options, op);
    } catch (e) {
      return promiseRejectedWith(e);
    }
    if (IsReadableStreamLocked(impl)) return promiseRejectedWith(new TypeErrorCtor(`${op} Cannot pipe a locked stream.`));
    if (IsWritableStreamLocked(dest)) return promiseRejectedWith(new TypeErrorCtor(`${op} Cannot pipe to a locked stream.`));
    return ReadableStreamPipeTo(impl, dest, opts.preventClose, opts.preventAbort, opts.preventCancel, opts.signal);
  }

  tee(): [ReadableStream<R>, ReadableStream<R>] {
    const impl = getImpl(this);
    if (impl === undefined) throw executeError('ReadableStream', 'tee', 'Illegal invocation');
    const [branch1, branch2] = ReadableStreamTee(impl, false);
    return [branch1.wrapper, branch2.wrapper];
  }

  values(options?: ReadableStreamIteratorOptions): AsyncIterableIterator<R>;
  values(options: unknown = undefined): AsyncIterableIterator<R> {
    const impl = getImpl(this);
    if (impl === undefined) throw executeError('ReadableStream', 'values', 'Illegal invocation');
    const { preventCancel } = convertIteratorOptions(options, "Failed to execute 'values' on 'ReadableStream':");
    return createReadableStreamAsyncIterator(impl, preventCancel) as AsyncIterableIterator<R>;
  }

  declare [Symbol.asyncIterator]: (options?: unknown) => AsyncIterableIterator<R>;

  static {
    // The brand check (webidl/interface.ts says why it is written so).
    getImpl = (x) => {
      try {
        return (x as ReadableStream).#impl;
      } catch {
        return undefined;
      }
    };
    lookupImpl = (x) => (typeof x === 'object' && x !== null && #impl in x ? (x as ReadableStream).#impl : undefined);
  }
}

defineInterface(ReadableStream, 'ReadableStream');
// WebIDL: @@asyncIterator is the same function object as `values` (not enumerable).
Object.defineProperty(ReadableStream.prototype, Symbol.asyncIterator, {
  value: ReadableStream.prototype.values,
  writable: true,
  enumerable: false,
  configurable: true,
});

/** The record behind a ReadableStream, or undefined when `x` is not one (the brand check; never throws). */
export function readableStreamImpl(x: unknown): ReadableStreamImpl | undefined {
  return lookupImpl(x);
}

function wrap(impl: ReadableStreamImpl): ReadableStream {
  pendingImpl = impl;
  return new ReadableStream();
}

// Abstract operations: https://streams.spec.whatwg.org/#rs-abstract-ops

/** https://streams.spec.whatwg.org/#acquire-readable-stream-reader */
export function AcquireReadableStreamDefaultReader(stream: ReadableStreamImpl): ReadableStreamDefaultReaderImpl {
  const reader = new ReadableStreamDefaultReader(stream.wrapper);
  return defaultReaderImpl(reader)!;
}

/** https://streams.spec.whatwg.org/#acquire-readable-stream-byob-reader */
export function AcquireReadableStreamBYOBReader(stream: ReadableStreamImpl): ReadableStreamBYOBReaderImpl {
  const reader = new ReadableStreamBYOBReader(stream.wrapper);
  return byobReaderImpl(reader)!;
}

/** https://streams.spec.whatwg.org/#create-readable-stream */
export function CreateReadableStream(
  startAlgorithm: () => unknown,
  pullAlgorithm: PullAlgorithm,
  cancelAlgorithm: (reason: unknown) => Promise<unknown>,
  highWaterMark = 1,
  sizeAlgorithm: QueuingStrategySize | undefined = undefined,
): ReadableStreamImpl {
  const stream = InitializeReadableStream();
  const controller = new ReadableStreamDefaultControllerImpl();
  SetUpReadableStreamDefaultController(
    stream,
    controller,
    startAlgorithm,
    pullAlgorithm,
    cancelAlgorithm,
    highWaterMark,
    sizeAlgorithm,
  );
  return stream;
}

/** https://streams.spec.whatwg.org/#abstract-opdef-createreadablebytestream */
export function CreateReadableByteStream(
  startAlgorithm: () => unknown,
  pullAlgorithm: () => Promise<unknown>,
  cancelAlgorithm: (reason: unknown) => Promise<unknown>,
): ReadableStreamImpl {
  const stream = InitializeReadableStream();
  const controller = new ReadableByteStreamControllerImpl();
  SetUpReadableByteStreamController(stream, controller, startAlgorithm, pullAlgorithm, cancelAlgorithm, 0, undefined);
  return stream;
}

/** https://streams.spec.whatwg.org/#initialize-readable-stream (with its wrapper object). */
export function InitializeReadableStream(): ReadableStreamImpl {
  const impl = new ReadableStreamImpl();
  wrap(impl);
  return impl;
}

/** https://streams.spec.whatwg.org/#is-readable-stream-locked */
export function IsReadableStreamLocked(stream: ReadableStreamImpl): boolean {
  return stream.reader !== undefined;
}

/** https://streams.spec.whatwg.org/#readable-stream-cancel */
export function ReadableStreamCancel(stream: ReadableStreamImpl, reason: unknown): Promise<undefined> {
  stream.disturbed = true;
  if (stream.state === 'closed') return promiseResolvedWith(undefined);
  if (stream.state === 'errored') return promiseRejectedWith(stream.storedError);
  ReadableStreamClose(stream);
  const reader = stream.reader;
  if (reader !== undefined && reader instanceof ReadableStreamBYOBReaderImpl) {
    const readIntoRequests = reader.readIntoRequests;
    reader.readIntoRequests = newRequestQueue<ReadIntoRequest>();
    while (readIntoRequests.length > 0) readIntoRequests.shift().closeSteps(undefined);
  }
  const sourceCancelPromise = stream.controller.cancelSteps(reason);
  return transformPromiseWith(sourceCancelPromise, returnUndefined);
}

const returnUndefined = (): undefined => undefined;

/** https://streams.spec.whatwg.org/#readable-stream-close */
export function ReadableStreamClose(stream: ReadableStreamImpl): void {
  // Assert: stream.[[state]] is "readable".
  stream.state = 'closed';
  const reader = stream.reader;
  if (reader === undefined) return;
  reader.closedPromise.resolve(undefined);
  if (reader instanceof ReadableStreamDefaultReaderImpl) {
    const readRequests = reader.readRequests;
    if (readRequests.length === 0) return;
    reader.readRequests = newRequestQueue<ReadRequest>();
    while (readRequests.length > 0) readRequests.shift().closeSteps();
  }
}

/** https://streams.spec.whatwg.org/#readable-stream-error */
export function ReadableStreamError(stream: ReadableStreamImpl, e: unknown): void {
  // Assert: stream.[[state]] is "readable".
  stream.state = 'errored';
  stream.storedError = e;
  const reader = stream.reader;
  if (reader === undefined) return;
  reader.closedPromise.reject(e);
  setPromiseIsHandledToTrue(reader.closedPromise.promise);
  if (reader instanceof ReadableStreamDefaultReaderImpl) {
    ReadableStreamDefaultReaderErrorReadRequests(reader, e);
  } else {
    ReadableStreamBYOBReaderErrorReadIntoRequests(reader, e);
  }
}

/** https://streams.spec.whatwg.org/#readable-stream-add-read-request */
export function ReadableStreamAddReadRequest(stream: ReadableStreamImpl, readRequest: ReadRequest): void {
  (stream.reader as ReadableStreamDefaultReaderImpl).readRequests.push(readRequest);
}

/** https://streams.spec.whatwg.org/#readable-stream-add-read-into-request */
export function ReadableStreamAddReadIntoRequest(stream: ReadableStreamImpl, readIntoRequest: ReadIntoRequest): void {
  (stream.reader as ReadableStreamBYOBReaderImpl).readIntoRequests.push(readIntoRequest);
}

/** https://streams.spec.whatwg.org/#readable-stream-fulfill-read-request */
export function ReadableStreamFulfillReadRequest(stream: ReadableStreamImpl, chunk: unknown, done: boolean): void {
  const reader = stream.reader as ReadableStreamDefaultReaderImpl;
  const readRequest = reader.readRequests.shift();
  if (done) readRequest.closeSteps();
  else readRequest.chunkSteps(chunk);
}

/** https://streams.spec.whatwg.org/#readable-stream-fulfill-read-into-request */
export function ReadableStreamFulfillReadIntoRequest(
  stream: ReadableStreamImpl,
  chunk: ArrayBufferView,
  done: boolean,
): void {
  const reader = stream.reader as ReadableStreamBYOBReaderImpl;
  const readIntoRequest = reader.readIntoRequests.shift();
  if (done) readIntoRequest.closeSteps(chunk);
  else readIntoRequest.chunkSteps(chunk);
}

/** https://streams.spec.whatwg.org/#readable-stream-get-num-read-requests */
export function ReadableStreamGetNumReadRequests(stream: ReadableStreamImpl): number {
  return (stream.reader as ReadableStreamDefaultReaderImpl).readRequests.length;
}

/** https://streams.spec.whatwg.org/#readable-stream-get-num-read-into-requests */
export function ReadableStreamGetNumReadIntoRequests(stream: ReadableStreamImpl): number {
  return (stream.reader as ReadableStreamBYOBReaderImpl).readIntoRequests.length;
}

/** https://streams.spec.whatwg.org/#readable-stream-has-default-reader */
export function ReadableStreamHasDefaultReader(stream: ReadableStreamImpl): boolean {
  const reader = stream.reader;
  return reader !== undefined && reader instanceof ReadableStreamDefaultReaderImpl;
}

/** https://streams.spec.whatwg.org/#readable-stream-has-byob-reader */
export function ReadableStreamHasBYOBReader(stream: ReadableStreamImpl): boolean {
  const reader = stream.reader;
  return reader !== undefined && reader instanceof ReadableStreamBYOBReaderImpl;
}

function newRequestQueue<T>(): SimpleQueue<T> {
  return new SimpleQueue<T>();
}
