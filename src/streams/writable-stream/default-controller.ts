// https://streams.spec.whatwg.org/#ws-default-controller-class
import { TypeErrorCtor, queueMicrotaskIntrinsic } from '../webidl/intrinsics.js';
import { defineInterface } from '../webidl/interface.js';
import { executeError, getterError } from '../webidl/errors.js';
import { invokeCallback, invokeInternalPromiseCallback2, invokePromiseCallback } from '../webidl/converters.js';
import { internalResolvedUndefined, promiseResolvedWith, thenOnInternalResolvedUndefined, uponPromise } from '../webidl/promise.js';
import { createAbortController, type AbortSignalLike } from '../webidl/abort-signal.js';
import { SimpleQueue } from '../abstract-ops/simple-queue.js';
import {
  DequeueValue,
  EnqueueValueWithKnownSize,
  EnqueueValueWithSize,
  PeekQueueValue,
  ResetQueue,
} from '../abstract-ops/queue-with-sizes.js';
import type { QueuingStrategySize } from '../dictionaries/queuing-strategy.js';
import type { UnderlyingSinkDict } from '../dictionaries/underlying-sink.js';
import {
  WritableStreamCloseQueuedOrInFlight,
  WritableStreamDealWithRejection,
  WritableStreamFinishErroring,
  WritableStreamFinishInFlightClose,
  WritableStreamFinishInFlightCloseWithError,
  WritableStreamFinishInFlightWrite,
  WritableStreamFinishInFlightWriteWithError,
  WritableStreamMarkCloseRequestInFlight,
  WritableStreamMarkFirstWriteRequestInFlight,
  WritableStreamStartErroring,
  WritableStreamUpdateBackpressure,
  type WritableStreamImpl,
} from './writable-stream.js';

/**
 * A write algorithm's result: its promise, or undefined for "a promise that a job queued right
 * after this call fulfils", which is what a TransformStream's sink returns when the transform
 * ended synchronously with nothing (docs/fast-paths.md #22).
 */
export type WriteAlgorithm = (chunk: unknown) => Promise<unknown> | undefined;

/** The close sentinel: a unique value enqueued to mark the close request. */
const closeSentinel = Symbol('close sentinel');

export class WritableStreamDefaultControllerImpl {
  abortAlgorithm: ((reason: unknown) => Promise<unknown>) | undefined = undefined;
  closeAlgorithm: (() => Promise<unknown>) | undefined = undefined;
  stream: WritableStreamImpl = undefined as never;
  queue = new SimpleQueue<unknown>();
  queueTotalSize = 0;
  abortController: { signal: AbortSignalLike; abort(reason: unknown): void } | undefined = undefined;
  started = false;
  strategyHWM = 1;
  strategySizeAlgorithm: QueuingStrategySize | undefined = undefined;
  writeAlgorithm: WriteAlgorithm | undefined = undefined;
  /**
   * ProcessWrite's upon-fulfillment and upon-rejection steps, and a job that queues the
   * fulfillment steps (for a write algorithm's undefined), made on first use.
   */
  writeReactions: [() => void, (reason: unknown) => void, () => void] | undefined = undefined;
  wrapper: WritableStreamDefaultController;

  constructor() {
    this.wrapper = wrap(this);
  }

  /** [[AbortSteps]] */
  abortSteps(reason: unknown): Promise<unknown> {
    const result = this.abortAlgorithm!(reason);
    WritableStreamDefaultControllerClearAlgorithms(this);
    return result;
  }

  /** [[ErrorSteps]] */
  errorSteps(): void {
    ResetQueue(this);
  }
}

let pendingImpl: WritableStreamDefaultControllerImpl | undefined;
let getImpl: (x: unknown) => WritableStreamDefaultControllerImpl | undefined;
const IFACE = 'WritableStreamDefaultController';

export class WritableStreamDefaultController {
  #impl: WritableStreamDefaultControllerImpl;

  constructor() {
    if (pendingImpl === undefined) throw new TypeErrorCtor('Illegal constructor');
    this.#impl = pendingImpl;
    pendingImpl = undefined;
  }

  get signal(): AbortSignalLike {
    const impl = getImpl(this);
    if (impl === undefined) throw getterError(IFACE, 'signal');
    return impl.abortController!.signal;
  }

  error(e: unknown = undefined): void {
    const impl = getImpl(this);
    if (impl === undefined) throw executeError(IFACE, 'error', 'Illegal invocation');
    if (impl.stream.state !== 'writable') return;
    WritableStreamDefaultControllerError(impl, e);
  }

  static {
    // The brand check (webidl/interface.ts says why it is written so).
    getImpl = (x) => {
      try {
        return (x as WritableStreamDefaultController).#impl;
      } catch {
        return undefined;
      }
    };
  }
}

defineInterface(WritableStreamDefaultController, IFACE);

function wrap(impl: WritableStreamDefaultControllerImpl): WritableStreamDefaultController {
  pendingImpl = impl;
  return new WritableStreamDefaultController();
}

// Abstract operations: https://streams.spec.whatwg.org/#ws-default-controller-abstract-ops

/** https://streams.spec.whatwg.org/#set-up-writable-stream-default-controller */
export function SetUpWritableStreamDefaultController(
  stream: WritableStreamImpl,
  controller: WritableStreamDefaultControllerImpl,
  startAlgorithm: () => unknown,
  writeAlgorithm: WriteAlgorithm,
  closeAlgorithm: () => Promise<unknown>,
  abortAlgorithm: (reason: unknown) => Promise<unknown>,
  highWaterMark: number,
  sizeAlgorithm: QueuingStrategySize | undefined,
): void {
  controller.stream = stream;
  stream.controller = controller;
  ResetQueue(controller);
  controller.abortController = createAbortController();
  controller.started = false;
  controller.strategySizeAlgorithm = sizeAlgorithm;
  controller.strategyHWM = highWaterMark;
  controller.writeAlgorithm = writeAlgorithm;
  controller.closeAlgorithm = closeAlgorithm;
  controller.abortAlgorithm = abortAlgorithm;
  const backpressure = WritableStreamDefaultControllerGetBackpressure(controller);
  WritableStreamUpdateBackpressure(stream, backpressure);
  const startResult = startAlgorithm();
  uponPromise(
    promiseResolvedWith(startResult),
    () => {
      controller.started = true;
      WritableStreamDefaultControllerAdvanceQueueIfNeeded(controller);
    },
    (r) => {
      controller.started = true;
      WritableStreamDealWithRejection(stream, r);
    },
  );
}

const resolvedUndefined = (): Promise<undefined> => promiseResolvedWith(undefined);

/** https://streams.spec.whatwg.org/#set-up-writable-stream-default-controller-from-underlying-sink */
export function SetUpWritableStreamDefaultControllerFromUnderlyingSink(
  stream: WritableStreamImpl,
  underlyingSink: unknown,
  underlyingSinkDict: UnderlyingSinkDict,
  highWaterMark: number,
  sizeAlgorithm: QueuingStrategySize | undefined,
): void {
  const controller = new WritableStreamDefaultControllerImpl();
  const wrapper = controller.wrapper;
  const { start, write, close, abort } = underlyingSinkDict;
  const startAlgorithm = start === undefined ? () => undefined : () => invokeCallback(start, underlyingSink, [wrapper]);
  const writeAlgorithm =
    write === undefined
      ? resolvedUndefined
      : (chunk: unknown) => invokeInternalPromiseCallback2(write, underlyingSink, chunk, wrapper);
  const closeAlgorithm = close === undefined ? resolvedUndefined : () => invokePromiseCallback(close, underlyingSink, []);
  const abortAlgorithm =
    abort === undefined ? resolvedUndefined : (reason: unknown) => invokePromiseCallback(abort, underlyingSink, [reason]);
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
}

/** https://streams.spec.whatwg.org/#writable-stream-default-controller-advance-queue-if-needed */
export function WritableStreamDefaultControllerAdvanceQueueIfNeeded(controller: WritableStreamDefaultControllerImpl): void {
  const stream = controller.stream;
  if (controller.started === false) return;
  if (stream.inFlightWriteRequest !== undefined) return;
  const state = stream.state;
  if (state === 'erroring') {
    WritableStreamFinishErroring(stream);
    return;
  }
  if (controller.queue.length === 0) return;
  const value = PeekQueueValue(controller);
  // The typeof first: V8 compares a chunk of any other type with the sentinel through a generic
  // built-in, the typeof alone is inline.
  if (typeof value === 'symbol' && value === closeSentinel) WritableStreamDefaultControllerProcessClose(controller);
  else WritableStreamDefaultControllerProcessWrite(controller, value);
}

/** https://streams.spec.whatwg.org/#writable-stream-default-controller-clear-algorithms */
export function WritableStreamDefaultControllerClearAlgorithms(controller: WritableStreamDefaultControllerImpl): void {
  controller.writeAlgorithm = undefined;
  controller.closeAlgorithm = undefined;
  controller.abortAlgorithm = undefined;
  controller.strategySizeAlgorithm = undefined;
}

/** https://streams.spec.whatwg.org/#writable-stream-default-controller-close */
export function WritableStreamDefaultControllerClose(controller: WritableStreamDefaultControllerImpl): void {
  EnqueueValueWithSize(controller, closeSentinel, 0);
  WritableStreamDefaultControllerAdvanceQueueIfNeeded(controller);
}

/** https://streams.spec.whatwg.org/#writable-stream-default-controller-error */
export function WritableStreamDefaultControllerError(controller: WritableStreamDefaultControllerImpl, error: unknown): void {
  WritableStreamDefaultControllerClearAlgorithms(controller);
  WritableStreamStartErroring(controller.stream, error);
}

/** https://streams.spec.whatwg.org/#writable-stream-default-controller-error-if-needed */
export function WritableStreamDefaultControllerErrorIfNeeded(controller: WritableStreamDefaultControllerImpl, error: unknown): void {
  if (controller.stream.state === 'writable') WritableStreamDefaultControllerError(controller, error);
}

/** https://streams.spec.whatwg.org/#writable-stream-default-controller-get-backpressure */
export function WritableStreamDefaultControllerGetBackpressure(controller: WritableStreamDefaultControllerImpl): boolean {
  return WritableStreamDefaultControllerGetDesiredSize(controller) <= 0;
}

/** https://streams.spec.whatwg.org/#writable-stream-default-controller-get-chunk-size */
export function WritableStreamDefaultControllerGetChunkSize(controller: WritableStreamDefaultControllerImpl, chunk: unknown): number {
  const sizeAlgorithm = controller.strategySizeAlgorithm;
  // Undefined is both the default strategy and "algorithms cleared": both mean size 1.
  if (sizeAlgorithm === undefined) return 1;
  try {
    return sizeAlgorithm(chunk);
  } catch (e) {
    WritableStreamDefaultControllerErrorIfNeeded(controller, e);
    return 1;
  }
}

/** https://streams.spec.whatwg.org/#writable-stream-default-controller-get-desired-size */
export function WritableStreamDefaultControllerGetDesiredSize(controller: WritableStreamDefaultControllerImpl): number {
  return controller.strategyHWM - controller.queueTotalSize;
}

/** https://streams.spec.whatwg.org/#writable-stream-default-controller-process-close */
function WritableStreamDefaultControllerProcessClose(controller: WritableStreamDefaultControllerImpl): void {
  const stream = controller.stream;
  WritableStreamMarkCloseRequestInFlight(stream);
  DequeueValue(controller);
  const sinkClosePromise = controller.closeAlgorithm!();
  WritableStreamDefaultControllerClearAlgorithms(controller);
  uponPromise(
    sinkClosePromise,
    () => WritableStreamFinishInFlightClose(stream),
    (reason) => WritableStreamFinishInFlightCloseWithError(stream, reason),
  );
}

/** https://streams.spec.whatwg.org/#writable-stream-default-controller-process-write */
function WritableStreamDefaultControllerProcessWrite(controller: WritableStreamDefaultControllerImpl, chunk: unknown): void {
  const stream = controller.stream;
  WritableStreamMarkFirstWriteRequestInFlight(stream);
  const sinkWritePromise = controller.writeAlgorithm!(chunk);
  // The reactions read everything from the controller, so they are made once per controller.
  const reactions = (controller.writeReactions ??= writeReactionsOf(controller, stream));
  if (sinkWritePromise === undefined) {
    // Ledger #22: the job that would fulfil the sink's promise is queued now; the fulfillment
    // steps follow one job later, where the promise's reaction job would have been queued.
    queueMicrotaskIntrinsic(reactions[2]);
    return;
  }
  // A write() that returned nothing gave the shared fulfilled promise, which cannot reject.
  if (sinkWritePromise === internalResolvedUndefined) thenOnInternalResolvedUndefined(reactions[0]);
  else uponPromise(sinkWritePromise, reactions[0], reactions[1]);
}

/**
 * ProcessWrite's upon-fulfillment and upon-rejection steps, and the job that queues the
 * fulfillment steps (#22), made once per controller: they read only the controller and stream.
 */
function writeReactionsOf(
  controller: WritableStreamDefaultControllerImpl,
  stream: WritableStreamImpl,
): [() => void, (reason: unknown) => void, () => void] {
  const onFulfilled = (): void => {
    WritableStreamFinishInFlightWrite(stream);
    const state = stream.state;
    DequeueValue(controller);
    if (!WritableStreamCloseQueuedOrInFlight(stream) && state === 'writable') {
      const backpressure = WritableStreamDefaultControllerGetBackpressure(controller);
      WritableStreamUpdateBackpressure(stream, backpressure);
    }
    WritableStreamDefaultControllerAdvanceQueueIfNeeded(controller);
  };
  const onRejected = (reason: unknown): void => {
    if (stream.state === 'writable') WritableStreamDefaultControllerClearAlgorithms(controller);
    WritableStreamFinishInFlightWriteWithError(stream, reason);
  };
  return [onFulfilled, onRejected, () => queueMicrotaskIntrinsic(onFulfilled)];
}

/** https://streams.spec.whatwg.org/#writable-stream-default-controller-write */
export function WritableStreamDefaultControllerWrite(
  controller: WritableStreamDefaultControllerImpl,
  chunk: unknown,
  chunkSize: number,
): void {
  try {
    // A size of 1 (the default size algorithm's) passes EnqueueValueWithSize's checks.
    if (chunkSize === 1) EnqueueValueWithKnownSize(controller, chunk, 1);
    else EnqueueValueWithSize(controller, chunk, chunkSize);
  } catch (e) {
    WritableStreamDefaultControllerErrorIfNeeded(controller, e);
    return;
  }
  const stream = controller.stream;
  if (!WritableStreamCloseQueuedOrInFlight(stream) && stream.state === 'writable') {
    const backpressure = WritableStreamDefaultControllerGetBackpressure(controller);
    WritableStreamUpdateBackpressure(stream, backpressure);
  }
  WritableStreamDefaultControllerAdvanceQueueIfNeeded(controller);
}
