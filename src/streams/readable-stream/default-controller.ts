// https://streams.spec.whatwg.org/#rs-default-controller-class
import { TypeErrorCtor } from '../webidl/intrinsics.js';
import { defineInterface } from '../webidl/interface.js';
import { getterError, illegalInvocation } from '../webidl/errors.js';
import { invokeCallback, invokeInternalPromiseCallback1, invokePromiseCallback } from '../webidl/converters.js';
import {
  internalResolvedUndefined,
  PromiseSlot,
  promiseResolvedWith,
  thenOnInternalResolvedUndefined,
  uponPromise,
} from '../webidl/promise.js';
import { SimpleQueue } from '../abstract-ops/simple-queue.js';
import { DequeueValue, EnqueueValueWithKnownSize, EnqueueValueWithSize, ResetQueue } from '../abstract-ops/queue-with-sizes.js';
import type { QueuingStrategySize } from '../dictionaries/queuing-strategy.js';
import type { UnderlyingSourceDict } from '../dictionaries/underlying-source.js';
import {
  IsReadableStreamLocked,
  ReadableStreamAddReadRequest,
  ReadableStreamClose,
  ReadableStreamError,
  ReadableStreamFulfillReadRequest,
  ReadableStreamGetNumReadRequests,
  type ReadableStreamImpl,
} from './readable-stream.js';
import type { ReadableStreamDefaultReaderImpl, ReadRequest } from './default-reader.js';
import { Pipe } from './pipe.js';

/**
 * A pull algorithm's result: a promise, or an internal promise slot (a TransformStream's
 * [[backpressureChangePromise]], docs/fast-paths.md #19) that only CallPullIfNeeded reacts to.
 */
export type PullAlgorithm = () => Promise<unknown> | PromiseSlot;

/**
 * Internal slots: https://streams.spec.whatwg.org/#rs-default-controller-internal-slots
 *
 * The flags are tested with `=== true` / `=== false` on the per-chunk paths: V8 cannot tell that a
 * field only ever holds booleans, so `if (flag)` compiles to a full ToBoolean (about eight
 * instructions, against two for the comparison; -2% in the read loop's instructions per chunk).
 */
export class ReadableStreamDefaultControllerImpl {
  cancelAlgorithm: ((reason: unknown) => Promise<unknown>) | undefined = undefined;
  closeRequested = false;
  pullAgain = false;
  pullAlgorithm: PullAlgorithm | undefined = undefined;
  /** CallPullIfNeeded's upon-fulfillment and upon-rejection steps, made on first use. */
  pullReactions: [() => void, (e: unknown) => void] | undefined = undefined;
  pulling = false;
  queue = new SimpleQueue<unknown>();
  queueTotalSize = 0;
  started = false;
  strategyHWM = 0;
  /** undefined means the default size algorithm (every chunk has size 1). */
  strategySizeAlgorithm: QueuingStrategySize | undefined = undefined;
  stream: ReadableStreamImpl = undefined as never;
  wrapper: ReadableStreamDefaultController;
  /**
   * docs/fast-paths.md #24: true while the async iterator takes a buffered chunk. A pull() that
   * returns nothing then leaves its completion steps to the iterator (pullCompletionDeferred),
   * which runs them at the start of the job it queues next.
   */
  deferPullCompletion = false;
  pullCompletionDeferred = false;

  constructor() {
    this.wrapper = wrap(this);
  }

  /** [[CancelSteps]] */
  cancelSteps(reason: unknown): Promise<unknown> {
    ResetQueue(this);
    const result = this.cancelAlgorithm!(reason);
    ReadableStreamDefaultControllerClearAlgorithms(this);
    return result;
  }

  /** [[PullSteps]] */
  pullSteps(readRequest: ReadRequest): void {
    if (this.queue.length > 0) {
      // A pipe's read joins the pull's completion job to its write job (docs/fast-paths.md #27).
      if (readRequest instanceof Pipe) readRequest.readBuffered(this);
      else readRequest.chunkSteps(this.takeBufferedChunk());
    } else {
      ReadableStreamAddReadRequest(this.stream, readRequest);
      ReadableStreamDefaultControllerCallPullIfNeeded(this);
    }
  }

  /**
   * [[PullSteps]] step 2 up to (not including) "perform readRequest's chunk steps": the readers'
   * fast paths use it when a chunk is buffered, so no read request is allocated.
   */
  takeBufferedChunk(): unknown {
    const chunk = DequeueValue(this);
    if (this.closeRequested === true && this.queue.length === 0) {
      ReadableStreamDefaultControllerClearAlgorithms(this);
      ReadableStreamClose(this.stream);
    } else {
      ReadableStreamDefaultControllerCallPullIfNeeded(this);
    }
    return chunk;
  }

  /**
   * takeBufferedChunk for the async iterator (#24). Afterwards pullCompletionDeferred is true when
   * a pull ran and returned nothing: its completion job was not queued, and the caller must queue
   * it (or run its steps first in the job it queues at once).
   */
  takeBufferedChunkDeferringPull(): unknown {
    this.deferPullCompletion = true;
    const chunk = this.takeBufferedChunk();
    this.deferPullCompletion = false;
    return chunk;
  }

  /** [[ReleaseSteps]] */
  releaseSteps(): void {}
}

let pendingImpl: ReadableStreamDefaultControllerImpl | undefined;
let getImpl: (x: unknown) => ReadableStreamDefaultControllerImpl | undefined;
const IFACE = 'ReadableStreamDefaultController';

export class ReadableStreamDefaultController<R = any> {
  #impl: ReadableStreamDefaultControllerImpl;

  constructor() {
    if (pendingImpl === undefined) throw new TypeErrorCtor('Illegal constructor');
    this.#impl = pendingImpl;
    pendingImpl = undefined;
  }

  get desiredSize(): number | null {
    const impl = getImpl(this);
    if (impl === undefined) throw getterError(IFACE, 'desiredSize');
    return ReadableStreamDefaultControllerGetDesiredSize(impl);
  }

  close(): void {
    const impl = getImpl(this);
    if (impl === undefined) throw illegalInvocation(IFACE, 'close');
    if (!ReadableStreamDefaultControllerCanCloseOrEnqueue(impl)) {
      throw new TypeErrorCtor(`Failed to execute 'close' on '${IFACE}': The stream is not in a state that permits close.`);
    }
    ReadableStreamDefaultControllerClose(impl);
  }

  enqueue(chunk: R = undefined as R): void {
    const impl = getImpl(this);
    if (impl === undefined) throw illegalInvocation(IFACE, 'enqueue');
    // 2. If ! ReadableStreamDefaultControllerCanCloseOrEnqueue(this) is false, throw (written out:
    // once per chunk, see ShouldCallPull).
    if (impl.closeRequested === true || impl.stream.state !== 'readable') {
      throw new TypeErrorCtor(`Failed to execute 'enqueue' on '${IFACE}': The stream is not in a state that permits enqueue.`);
    }
    ReadableStreamDefaultControllerEnqueue(impl, chunk);
  }

  error(e: unknown = undefined): void {
    const impl = getImpl(this);
    if (impl === undefined) throw illegalInvocation(IFACE, 'error');
    ReadableStreamDefaultControllerError(impl, e);
  }

  static {
    // The brand check (webidl/interface.ts says why it is written so).
    getImpl = (x) => {
      try {
        return (x as ReadableStreamDefaultController).#impl;
      } catch {
        return undefined;
      }
    };
  }
}

defineInterface(ReadableStreamDefaultController, IFACE);

function wrap(impl: ReadableStreamDefaultControllerImpl): ReadableStreamDefaultController {
  pendingImpl = impl;
  return new ReadableStreamDefaultController();
}

// Abstract operations: https://streams.spec.whatwg.org/#rs-default-controller-abstract-ops

/** https://streams.spec.whatwg.org/#readable-stream-default-controller-call-pull-if-needed */
export function ReadableStreamDefaultControllerCallPullIfNeeded(controller: ReadableStreamDefaultControllerImpl): void {
  // [[pullAgain]] is only ever true while [[pulling]] is: the steps below could then at most set it
  // to true again (ShouldCallPull has no side effects), so they are skipped. A reader's read()
  // arriving while a pull is pending lands here.
  if (controller.pullAgain === true) return;
  if (!ReadableStreamDefaultControllerShouldCallPull(controller)) return;
  if (controller.pulling === true) {
    controller.pullAgain = true;
    return;
  }
  controller.pulling = true;
  const pullPromise = controller.pullAlgorithm!();
  // The reactions are made once per controller (docs/fast-paths.md), not per pull.
  const reactions = (controller.pullReactions ??= pullReactionsOf(controller));
  // A pull() that returned nothing gave the shared fulfilled promise: checked first, so the common
  // case skips the instanceof (and its rejection step, which could never run).
  if (pullPromise === internalResolvedUndefined) {
    // Read after the pull: a next() the pull itself called has cleared it, and the job is queued here.
    if (controller.deferPullCompletion === true) controller.pullCompletionDeferred = true;
    else thenOnInternalResolvedUndefined(reactions[0]);
  } else if (pullPromise instanceof PromiseSlot) pullPromise.upon(reactions[0], reactions[1]);
  else uponPromise(pullPromise, reactions[0], reactions[1]);
}

/** CallPullIfNeeded's upon-fulfillment and upon-rejection steps. */
function pullReactionsOf(controller: ReadableStreamDefaultControllerImpl): [() => void, (e: unknown) => void] {
  return [
    () => {
      controller.pulling = false;
      if (controller.pullAgain === true) {
        controller.pullAgain = false;
        ReadableStreamDefaultControllerCallPullIfNeeded(controller);
      }
    },
    (e: unknown) => {
      ReadableStreamDefaultControllerError(controller, e);
    },
  ];
}

/** https://streams.spec.whatwg.org/#readable-stream-default-controller-should-call-pull */
export function ReadableStreamDefaultControllerShouldCallPull(controller: ReadableStreamDefaultControllerImpl): boolean {
  // It runs twice per chunk, so the small operations it names are written out: each call of a
  // module function costs V8 a check that the binding still holds it (a bundler makes every
  // top-level binding a `var`).
  const stream = controller.stream;
  // 2. If ! ReadableStreamDefaultControllerCanCloseOrEnqueue(controller) is false, return false.
  if (controller.closeRequested === true || stream.state !== 'readable') return false;
  // 3. If controller.[[started]] is false, return false.
  if (controller.started === false) return false;
  // 4. If ! IsReadableStreamLocked(stream) is true and ! ReadableStreamGetNumReadRequests(stream) > 0,
  // return true. (A default controller's stream can only have a default reader.)
  const reader = stream.reader as ReadableStreamDefaultReaderImpl | undefined;
  if (reader !== undefined && reader.readRequests.length > 0) return true;
  // 5-7. Return whether ! ReadableStreamDefaultControllerGetDesiredSize(controller) > 0: the stream
  // is readable here, so that is [[strategyHWM]] minus [[queueTotalSize]].
  return controller.strategyHWM - controller.queueTotalSize > 0;
}

/** https://streams.spec.whatwg.org/#readable-stream-default-controller-clear-algorithms */
export function ReadableStreamDefaultControllerClearAlgorithms(controller: ReadableStreamDefaultControllerImpl): void {
  controller.pullAlgorithm = undefined;
  controller.cancelAlgorithm = undefined;
  controller.strategySizeAlgorithm = undefined;
}

/** https://streams.spec.whatwg.org/#readable-stream-default-controller-close */
export function ReadableStreamDefaultControllerClose(controller: ReadableStreamDefaultControllerImpl): void {
  if (!ReadableStreamDefaultControllerCanCloseOrEnqueue(controller)) return;
  const stream = controller.stream;
  controller.closeRequested = true;
  if (controller.queue.length === 0) {
    ReadableStreamDefaultControllerClearAlgorithms(controller);
    ReadableStreamClose(stream);
  }
}

/** https://streams.spec.whatwg.org/#readable-stream-default-controller-enqueue */
export function ReadableStreamDefaultControllerEnqueue(controller: ReadableStreamDefaultControllerImpl, chunk: unknown): void {
  // Per chunk: the small operations of steps 1 and 3 written out, as in ShouldCallPull.
  const stream = controller.stream;
  // 1. If ! ReadableStreamDefaultControllerCanCloseOrEnqueue(controller) is false, return.
  if (controller.closeRequested === true || stream.state !== 'readable') return;
  // 3. If ! IsReadableStreamLocked(stream) is true and ! ReadableStreamGetNumReadRequests(stream) > 0,
  // perform ! ReadableStreamFulfillReadRequest(stream, chunk, false).
  const reader = stream.reader as ReadableStreamDefaultReaderImpl | undefined;
  if (reader !== undefined && reader.readRequests.length > 0) {
    ReadableStreamFulfillReadRequest(stream, chunk, false);
  } else {
    enqueueWithSize(controller, chunk);
  }
  ReadableStreamDefaultControllerCallPullIfNeeded(controller);
}

/**
 * Enqueue's step 5 (no read waiting), apart so that the step above stays small enough to inline:
 * the size algorithm and EnqueueValueWithSize; an exception from either errors the stream and is
 * rethrown, so one handler serves both.
 */
function enqueueWithSize(controller: ReadableStreamDefaultControllerImpl, chunk: unknown): void {
  const sizeAlgorithm = controller.strategySizeAlgorithm;
  // The default size algorithm: size 1, which EnqueueValueWithSize's checks always accept.
  if (sizeAlgorithm === undefined) {
    EnqueueValueWithKnownSize(controller, chunk, 1);
    return;
  }
  try {
    EnqueueValueWithSize(controller, chunk, sizeAlgorithm(chunk));
  } catch (e) {
    ReadableStreamDefaultControllerError(controller, e);
    throw e;
  }
}

/** https://streams.spec.whatwg.org/#readable-stream-default-controller-error */
export function ReadableStreamDefaultControllerError(controller: ReadableStreamDefaultControllerImpl, e: unknown): void {
  const stream = controller.stream;
  if (stream.state !== 'readable') return;
  ResetQueue(controller);
  ReadableStreamDefaultControllerClearAlgorithms(controller);
  ReadableStreamError(stream, e);
}

/** https://streams.spec.whatwg.org/#readable-stream-default-controller-get-desired-size */
export function ReadableStreamDefaultControllerGetDesiredSize(controller: ReadableStreamDefaultControllerImpl): number | null {
  const state = controller.stream.state;
  if (state === 'errored') return null;
  if (state === 'closed') return 0;
  return controller.strategyHWM - controller.queueTotalSize;
}

/** https://streams.spec.whatwg.org/#rs-default-controller-has-backpressure */
export function ReadableStreamDefaultControllerHasBackpressure(controller: ReadableStreamDefaultControllerImpl): boolean {
  return !ReadableStreamDefaultControllerShouldCallPull(controller);
}

/** https://streams.spec.whatwg.org/#readable-stream-default-controller-can-close-or-enqueue */
export function ReadableStreamDefaultControllerCanCloseOrEnqueue(controller: ReadableStreamDefaultControllerImpl): boolean {
  return controller.closeRequested === false && controller.stream.state === 'readable';
}

/** https://streams.spec.whatwg.org/#set-up-readable-stream-default-controller */
export function SetUpReadableStreamDefaultController(
  stream: ReadableStreamImpl,
  controller: ReadableStreamDefaultControllerImpl,
  startAlgorithm: () => unknown,
  pullAlgorithm: PullAlgorithm,
  cancelAlgorithm: (reason: unknown) => Promise<unknown>,
  highWaterMark: number,
  sizeAlgorithm: QueuingStrategySize | undefined,
): void {
  controller.stream = stream;
  ResetQueue(controller);
  controller.started = false;
  controller.closeRequested = false;
  controller.pullAgain = false;
  controller.pulling = false;
  controller.strategySizeAlgorithm = sizeAlgorithm;
  controller.strategyHWM = highWaterMark;
  controller.pullAlgorithm = pullAlgorithm;
  controller.cancelAlgorithm = cancelAlgorithm;
  stream.controller = controller;
  const startResult = startAlgorithm();
  const startPromise = promiseResolvedWith(startResult);
  uponPromise(
    startPromise,
    () => {
      controller.started = true;
      ReadableStreamDefaultControllerCallPullIfNeeded(controller);
    },
    (r) => {
      ReadableStreamDefaultControllerError(controller, r);
    },
  );
}

const resolvedUndefined = (): Promise<undefined> => promiseResolvedWith(undefined);

/** https://streams.spec.whatwg.org/#set-up-readable-stream-default-controller-from-underlying-source */
export function SetUpReadableStreamDefaultControllerFromUnderlyingSource(
  stream: ReadableStreamImpl,
  underlyingSource: unknown,
  underlyingSourceDict: UnderlyingSourceDict,
  highWaterMark: number,
  sizeAlgorithm: QueuingStrategySize | undefined,
): void {
  const controller = new ReadableStreamDefaultControllerImpl();
  const wrapper = controller.wrapper;
  const { start, pull, cancel } = underlyingSourceDict;
  const startAlgorithm = start === undefined ? () => undefined : () => invokeCallback(start, underlyingSource, [wrapper]);
  const pullAlgorithm =
    pull === undefined ? resolvedUndefined : () => invokeInternalPromiseCallback1(pull, underlyingSource, wrapper);
  const cancelAlgorithm =
    cancel === undefined
      ? resolvedUndefined
      : (reason: unknown) => invokePromiseCallback(cancel, underlyingSource, [reason]);
  SetUpReadableStreamDefaultController(
    stream,
    controller,
    startAlgorithm,
    pullAlgorithm,
    cancelAlgorithm,
    highWaterMark,
    sizeAlgorithm,
  );
}

/** The record behind a controller (brand check). */
export function defaultControllerImpl(x: unknown): ReadableStreamDefaultControllerImpl | undefined {
  return getImpl(x);
}
