// https://streams.spec.whatwg.org/#ws-class
import { TypeErrorCtor, RangeErrorCtor } from '../webidl/intrinsics.js';
import { defineInterface } from '../webidl/interface.js';
import { objectArgument } from '../webidl/converters.js';
import { executeError, getterError } from '../webidl/errors.js';
import {
  newPromise,
  promiseRejectedWith,
  promiseResolvedWith,
  setPromiseIsHandledToTrue,
  uponPromise,
  PromiseSlot,
  type Deferred,
} from '../webidl/promise.js';
import { SimpleQueue } from '../abstract-ops/simple-queue.js';
import {
  convertQueuingStrategy,
  ExtractHighWaterMark,
  ExtractSizeAlgorithm,
  type QueuingStrategySize,
} from '../dictionaries/queuing-strategy.js';
import { convertUnderlyingSink } from '../dictionaries/underlying-sink.js';
import type { QueuingStrategy } from '../dictionaries/queuing-strategy.js';
import type { UnderlyingSink } from '../types.js';
import {
  SetUpWritableStreamDefaultController,
  SetUpWritableStreamDefaultControllerFromUnderlyingSink,
  WritableStreamDefaultControllerClose,
  WritableStreamDefaultControllerImpl,
  type WriteAlgorithm,
} from './default-controller.js';
import {
  WritableStreamDefaultWriter,
  WritableStreamDefaultWriterEnsureReadyPromiseRejected,
  writerImpl,
  type WritableStreamDefaultWriterImpl,
} from './default-writer.js';

export type WritableStreamState = 'writable' | 'closed' | 'erroring' | 'errored';

interface PendingAbortRequest {
  promise: Deferred<undefined>;
  reason: unknown;
  wasAlreadyErroring: boolean;
}

/** Internal slots: https://streams.spec.whatwg.org/#ws-internal-slots */
export class WritableStreamImpl {
  backpressure = false;
  closeRequest: Deferred<undefined> | undefined = undefined;
  controller: WritableStreamDefaultControllerImpl = undefined as never;
  inFlightWriteRequest: PromiseSlot | undefined = undefined;
  inFlightCloseRequest: Deferred<undefined> | undefined = undefined;
  pendingAbortRequest: PendingAbortRequest | undefined = undefined;
  state: WritableStreamState = 'writable';
  storedError: unknown = undefined;
  writer: WritableStreamDefaultWriterImpl | undefined = undefined;
  writeRequests = new SimpleQueue<PromiseSlot>();
  /** A fulfilled write request nothing can tell from a new one, for the next write (ledger #29). */
  spareWriteRequest: PromiseSlot | undefined = undefined;
  wrapper: WritableStream = undefined as never;
}

let pendingImpl: WritableStreamImpl | undefined;
let getImpl: (x: unknown) => WritableStreamImpl | undefined;
/** The brand check that never throws, for writableStreamImpl (webidl/interface.ts says why there are two). */
let lookupImpl: (x: unknown) => WritableStreamImpl | undefined;
const IFACE = 'WritableStream';

export class WritableStream<W = any> {
  #impl: WritableStreamImpl;

  constructor(underlyingSink?: UnderlyingSink<W> | null, strategy?: QueuingStrategy<W>);
  constructor(underlyingSink: unknown = undefined, strategy: unknown = undefined) {
    if (pendingImpl !== undefined) {
      this.#impl = pendingImpl;
      pendingImpl = undefined;
      this.#impl.wrapper = this;
      return;
    }
    const context = `Failed to construct '${IFACE}':`;
    if (underlyingSink !== undefined) objectArgument(underlyingSink, context);
    const strategyDict = convertQueuingStrategy(strategy, context);
    // Step 1. If underlyingSink is missing, set it to null.
    const sink = underlyingSink === undefined ? null : underlyingSink;
    const sinkDict = convertUnderlyingSink(sink, context);
    // Step 3. If underlyingSinkDict["type"] exists, throw a RangeError exception.
    if (sinkDict.hasType) throw new RangeErrorCtor(`${context} Invalid type is specified`);
    const impl = new WritableStreamImpl();
    impl.wrapper = this;
    this.#impl = impl;
    const sizeAlgorithm = ExtractSizeAlgorithm(strategyDict);
    const highWaterMark = ExtractHighWaterMark(strategyDict, 1);
    SetUpWritableStreamDefaultControllerFromUnderlyingSink(impl, sink, sinkDict, highWaterMark, sizeAlgorithm);
  }

  get locked(): boolean {
    const impl = getImpl(this);
    if (impl === undefined) throw getterError(IFACE, 'locked');
    return IsWritableStreamLocked(impl);
  }

  abort(reason: unknown = undefined): Promise<undefined> {
    const impl = getImpl(this);
    if (impl === undefined) return promiseRejectedWith(executeError(IFACE, 'abort', 'Illegal invocation'));
    if (IsWritableStreamLocked(impl)) {
      return promiseRejectedWith(executeError(IFACE, 'abort', 'Cannot abort a stream that already has a writer'));
    }
    return WritableStreamAbort(impl, reason);
  }

  close(): Promise<undefined> {
    const impl = getImpl(this);
    if (impl === undefined) return promiseRejectedWith(executeError(IFACE, 'close', 'Illegal invocation'));
    if (IsWritableStreamLocked(impl)) {
      return promiseRejectedWith(executeError(IFACE, 'close', 'Cannot close a stream that already has a writer'));
    }
    if (WritableStreamCloseQueuedOrInFlight(impl)) {
      return promiseRejectedWith(executeError(IFACE, 'close', 'Cannot close an already-closing stream'));
    }
    return WritableStreamClose(impl);
  }

  getWriter(): WritableStreamDefaultWriter<W> {
    const impl = getImpl(this);
    if (impl === undefined) throw executeError(IFACE, 'getWriter', 'Illegal invocation');
    return AcquireWritableStreamDefaultWriter(impl).wrapper as WritableStreamDefaultWriter<W>;
  }

  static {
    // The brand check (webidl/interface.ts says why it is written so).
    getImpl = (x) => {
      try {
        return (x as WritableStream).#impl;
      } catch {
        return undefined;
      }
    };
    lookupImpl = (x) => (typeof x === 'object' && x !== null && #impl in x ? (x as WritableStream).#impl : undefined);
  }
}

defineInterface(WritableStream, IFACE);

/** The record behind a WritableStream, or undefined when `x` is not one (the brand check; never throws). */
export function writableStreamImpl(x: unknown): WritableStreamImpl | undefined {
  return lookupImpl(x);
}

// Abstract operations: https://streams.spec.whatwg.org/#ws-abstract-ops

/** https://streams.spec.whatwg.org/#acquire-writable-stream-default-writer */
export function AcquireWritableStreamDefaultWriter(stream: WritableStreamImpl): WritableStreamDefaultWriterImpl {
  return writerImpl(new WritableStreamDefaultWriter(stream.wrapper))!;
}

/** https://streams.spec.whatwg.org/#create-writable-stream */
export function CreateWritableStream(
  startAlgorithm: () => unknown,
  writeAlgorithm: WriteAlgorithm,
  closeAlgorithm: () => Promise<unknown>,
  abortAlgorithm: (reason: unknown) => Promise<unknown>,
  highWaterMark: number,
  sizeAlgorithm: QueuingStrategySize | undefined,
): WritableStreamImpl {
  const stream = InitializeWritableStream();
  const controller = new WritableStreamDefaultControllerImpl();
  SetUpWritableStreamDefaultController(
    stream,
    controller,
    startAlgorithm,
    writeAlgorithm,
    closeAlgorithm,
    abortAlgorithm,
    highWaterMark,
    sizeAlgorithm,
  );
  return stream;
}

/** https://streams.spec.whatwg.org/#initialize-writable-stream (with its wrapper). */
export function InitializeWritableStream(): WritableStreamImpl {
  const impl = new WritableStreamImpl();
  pendingImpl = impl;
  new WritableStream();
  return impl;
}

/** https://streams.spec.whatwg.org/#is-writable-stream-locked */
export function IsWritableStreamLocked(stream: WritableStreamImpl): boolean {
  return stream.writer !== undefined;
}

/** https://streams.spec.whatwg.org/#writable-stream-abort */
export function WritableStreamAbort(stream: WritableStreamImpl, reason: unknown): Promise<undefined> {
  if (stream.state === 'closed' || stream.state === 'errored') return promiseResolvedWith(undefined);
  // Step 2. Signal abort on stream.[[controller]].[[abortController]] with reason.
  stream.controller.abortController?.abort(reason);
  // Step 3-4. The abort algorithms may have changed the state.
  const state = stream.state as WritableStreamState;
  if (state === 'closed' || state === 'errored') return promiseResolvedWith(undefined);
  if (stream.pendingAbortRequest !== undefined) return stream.pendingAbortRequest.promise.promise;
  let wasAlreadyErroring = false;
  if (state === 'erroring') {
    wasAlreadyErroring = true;
    reason = undefined;
  }
  const promise = newPromise<undefined>();
  stream.pendingAbortRequest = { promise, reason, wasAlreadyErroring };
  if (!wasAlreadyErroring) WritableStreamStartErroring(stream, reason);
  return promise.promise;
}

/** https://streams.spec.whatwg.org/#writable-stream-close */
export function WritableStreamClose(stream: WritableStreamImpl): Promise<undefined> {
  const state = stream.state;
  if (state === 'closed' || state === 'errored') {
    return promiseRejectedWith(new TypeErrorCtor(`The stream (in ${state} state) is not in the writable state and cannot be closed`));
  }
  const promise = newPromise<undefined>();
  stream.closeRequest = promise;
  const writer = stream.writer;
  if (writer !== undefined && stream.backpressure === true && state === 'writable') {
    writer.readyPromise.resolve(undefined);
  }
  WritableStreamDefaultControllerClose(stream.controller);
  return promise.promise;
}

/** https://streams.spec.whatwg.org/#writable-stream-add-write-request */
export function WritableStreamAddWriteRequest(stream: WritableStreamImpl): PromiseSlot {
  const spare = stream.spareWriteRequest;
  let promise: PromiseSlot;
  if (spare === undefined) promise = new PromiseSlot();
  else {
    stream.spareWriteRequest = undefined;
    promise = spare.renew();
  }
  stream.writeRequests.push(promise);
  return promise;
}

/** https://streams.spec.whatwg.org/#writable-stream-deal-with-rejection */
export function WritableStreamDealWithRejection(stream: WritableStreamImpl, error: unknown): void {
  if (stream.state === 'writable') {
    WritableStreamStartErroring(stream, error);
    return;
  }
  WritableStreamFinishErroring(stream);
}

/** https://streams.spec.whatwg.org/#writable-stream-finish-erroring */
export function WritableStreamFinishErroring(stream: WritableStreamImpl): void {
  stream.state = 'errored';
  stream.controller.errorSteps();
  const storedError = stream.storedError;
  const writeRequests = stream.writeRequests;
  stream.writeRequests = new SimpleQueue<PromiseSlot>();
  while (writeRequests.length > 0) writeRequests.shift().reject(storedError);
  if (stream.pendingAbortRequest === undefined) {
    WritableStreamRejectCloseAndClosedPromiseIfNeeded(stream);
    return;
  }
  const abortRequest = stream.pendingAbortRequest;
  stream.pendingAbortRequest = undefined;
  if (abortRequest.wasAlreadyErroring) {
    abortRequest.promise.reject(storedError);
    WritableStreamRejectCloseAndClosedPromiseIfNeeded(stream);
    return;
  }
  const promise = stream.controller.abortSteps(abortRequest.reason);
  uponPromise(
    promise,
    () => {
      abortRequest.promise.resolve(undefined);
      WritableStreamRejectCloseAndClosedPromiseIfNeeded(stream);
    },
    (reason) => {
      abortRequest.promise.reject(reason);
      WritableStreamRejectCloseAndClosedPromiseIfNeeded(stream);
    },
  );
}

/** https://streams.spec.whatwg.org/#writable-stream-finish-in-flight-close */
export function WritableStreamFinishInFlightClose(stream: WritableStreamImpl): void {
  stream.inFlightCloseRequest!.resolve(undefined);
  stream.inFlightCloseRequest = undefined;
  if (stream.state === 'erroring') {
    stream.storedError = undefined;
    if (stream.pendingAbortRequest !== undefined) {
      stream.pendingAbortRequest.promise.resolve(undefined);
      stream.pendingAbortRequest = undefined;
    }
  }
  stream.state = 'closed';
  const writer = stream.writer;
  if (writer !== undefined) writer.closedPromise.resolve(undefined);
}

/** https://streams.spec.whatwg.org/#writable-stream-finish-in-flight-close-with-error */
export function WritableStreamFinishInFlightCloseWithError(stream: WritableStreamImpl, error: unknown): void {
  stream.inFlightCloseRequest!.reject(error);
  stream.inFlightCloseRequest = undefined;
  if (stream.pendingAbortRequest !== undefined) {
    stream.pendingAbortRequest.promise.reject(error);
    stream.pendingAbortRequest = undefined;
  }
  WritableStreamDealWithRejection(stream, error);
}

/** https://streams.spec.whatwg.org/#writable-stream-finish-in-flight-write */
export function WritableStreamFinishInFlightWrite(stream: WritableStreamImpl): void {
  const request = stream.inFlightWriteRequest!;
  stream.inFlightWriteRequest = undefined;
  // A pipe's write request that nobody waited on (its promise never made, no step reacting to
  // it) can be the next write request (docs/fast-paths.md #29).
  if (request.resolveBare()) stream.spareWriteRequest = request;
}

/** https://streams.spec.whatwg.org/#writable-stream-finish-in-flight-write-with-error */
export function WritableStreamFinishInFlightWriteWithError(stream: WritableStreamImpl, error: unknown): void {
  stream.inFlightWriteRequest!.reject(error);
  stream.inFlightWriteRequest = undefined;
  WritableStreamDealWithRejection(stream, error);
}

/** https://streams.spec.whatwg.org/#writable-stream-has-operation-marked-in-flight */
export function WritableStreamHasOperationMarkedInFlight(stream: WritableStreamImpl): boolean {
  return stream.inFlightWriteRequest !== undefined || stream.inFlightCloseRequest !== undefined;
}

/** https://streams.spec.whatwg.org/#writable-stream-mark-close-request-in-flight */
export function WritableStreamMarkCloseRequestInFlight(stream: WritableStreamImpl): void {
  stream.inFlightCloseRequest = stream.closeRequest;
  stream.closeRequest = undefined;
}

/** https://streams.spec.whatwg.org/#writable-stream-mark-first-write-request-in-flight */
export function WritableStreamMarkFirstWriteRequestInFlight(stream: WritableStreamImpl): void {
  stream.inFlightWriteRequest = stream.writeRequests.shift();
}

/** https://streams.spec.whatwg.org/#writable-stream-reject-close-and-closed-promise-if-needed */
export function WritableStreamRejectCloseAndClosedPromiseIfNeeded(stream: WritableStreamImpl): void {
  if (stream.closeRequest !== undefined) {
    stream.closeRequest.reject(stream.storedError);
    stream.closeRequest = undefined;
  }
  const writer = stream.writer;
  if (writer !== undefined) {
    writer.closedPromise.reject(stream.storedError);
    setPromiseIsHandledToTrue(writer.closedPromise.promise);
  }
}

/** https://streams.spec.whatwg.org/#writable-stream-start-erroring */
export function WritableStreamStartErroring(stream: WritableStreamImpl, reason: unknown): void {
  const controller = stream.controller;
  stream.state = 'erroring';
  stream.storedError = reason;
  const writer = stream.writer;
  if (writer !== undefined) WritableStreamDefaultWriterEnsureReadyPromiseRejected(writer, reason);
  if (!WritableStreamHasOperationMarkedInFlight(stream) && controller.started === true) WritableStreamFinishErroring(stream);
}

/** https://streams.spec.whatwg.org/#writable-stream-update-backpressure */
export function WritableStreamUpdateBackpressure(stream: WritableStreamImpl, backpressure: boolean): void {
  const writer = stream.writer;
  const changed = writer !== undefined && backpressure !== stream.backpressure;
  // [[backpressure]] first (steps 4 and 5 swapped): resolving the ready promise can run a pipe's
  // next read at once (PromiseSlot.whenFulfilled), which must see the stream as it now is.
  stream.backpressure = backpressure;
  if (changed) {
    if (backpressure) writer.readyPromise = writer.readyPromise.renew();
    else writer.readyPromise.resolve(undefined);
  }
}

/** https://streams.spec.whatwg.org/#writable-stream-close-queued-or-in-flight */
export function WritableStreamCloseQueuedOrInFlight(stream: WritableStreamImpl): boolean {
  return stream.closeRequest !== undefined || stream.inFlightCloseRequest !== undefined;
}
