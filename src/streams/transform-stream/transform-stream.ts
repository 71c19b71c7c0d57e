// https://streams.spec.whatwg.org/#ts-class
import { MathCeil, RangeErrorCtor } from '../webidl/intrinsics.js';
import { defineInterface } from '../webidl/interface.js';
import { invokeCallback, objectArgument } from '../webidl/converters.js';
import { getterError } from '../webidl/errors.js';
import { newPromise, PerformPromiseThen, PromiseSlot, promiseResolvedWith, type Deferred } from '../webidl/promise.js';
import {
  convertQueuingStrategy,
  ExtractHighWaterMark,
  ExtractSizeAlgorithm,
  type QueuingStrategySize,
} from '../dictionaries/queuing-strategy.js';
import { convertTransformer } from '../dictionaries/transformer.js';
import type { QueuingStrategy } from '../dictionaries/queuing-strategy.js';
import type { Transformer } from '../types.js';
import { CreateReadableStream, type ReadableStream, type ReadableStreamImpl } from '../readable-stream/readable-stream.js';
import {
  ReadableStreamDefaultControllerClose,
  ReadableStreamDefaultControllerError,
  type ReadableStreamDefaultControllerImpl,
} from '../readable-stream/default-controller.js';
import { CreateWritableStream, type WritableStream, type WritableStreamImpl } from '../writable-stream/writable-stream.js';
import { WritableStreamDefaultControllerErrorIfNeeded } from '../writable-stream/default-controller.js';
import {
  SetUpTransformStreamDefaultControllerFromTransformer,
  TransformStreamDefaultControllerClearAlgorithms,
  TransformStreamDefaultControllerPerformTransform,
  type TransformStreamDefaultControllerImpl,
} from './default-controller.js';

/** Internal slots: https://streams.spec.whatwg.org/#ts-internal-slots */
export class TransformStreamImpl {
  backpressure: boolean | undefined = undefined;
  backpressureChangePromise: PromiseSlot | undefined = undefined;
  /** The last [[backpressureChangePromise]], fulfilled, for `renew()` (docs/fast-paths.md #29). */
  spareBackpressureChangePromise: PromiseSlot | undefined = undefined;
  controller: TransformStreamDefaultControllerImpl = undefined as never;
  readable: ReadableStreamImpl = undefined as never;
  writable: WritableStreamImpl = undefined as never;
  wrapper: TransformStream = undefined as never;
  /**
   * For a TransformStream made with no start, transform, flush or cancel, the default size
   * algorithms and a readable highWaterMark of 0: the chunks its writable side holds before it
   * signals backpressure (a pipe may carry chunks across it: readable-stream/pipe.ts). Else 0.
   */
  identityCapacity = 0;
}

let pendingImpl: TransformStreamImpl | undefined;
let getImpl: (x: unknown) => TransformStreamImpl | undefined;
/** The brand check that never throws, for transformStreamImpl (webidl/interface.ts says why there are two). */
let lookupImpl: (x: unknown) => TransformStreamImpl | undefined;
const IFACE = 'TransformStream';

export class TransformStream<I = any, O = any> {
  #impl: TransformStreamImpl;

  constructor(transformer?: Transformer<I, O> | null, writableStrategy?: QueuingStrategy<I>, readableStrategy?: QueuingStrategy<O>);
  constructor(transformer: unknown = undefined, writableStrategy: unknown = undefined, readableStrategy: unknown = undefined) {
    if (pendingImpl !== undefined) {
      this.#impl = pendingImpl;
      pendingImpl = undefined;
      this.#impl.wrapper = this;
      return;
    }
    const context = `Failed to construct '${IFACE}':`;
    if (transformer !== undefined) objectArgument(transformer, context);
    const writableStrategyDict = convertQueuingStrategy(writableStrategy, context);
    const readableStrategyDict = convertQueuingStrategy(readableStrategy, context);
    // Step 1. If transformer is missing, set it to null.
    const transformerObject = transformer === undefined ? null : transformer;
    const transformerDict = convertTransformer(transformerObject, context);
    if (transformerDict.readableType !== undefined) throw new RangeErrorCtor(`${context} Invalid readableType specified`);
    if (transformerDict.writableType !== undefined) throw new RangeErrorCtor(`${context} Invalid writableType specified`);
    const readableHighWaterMark = ExtractHighWaterMark(readableStrategyDict, 0);
    const readableSizeAlgorithm = ExtractSizeAlgorithm(readableStrategyDict);
    const writableHighWaterMark = ExtractHighWaterMark(writableStrategyDict, 1);
    const writableSizeAlgorithm = ExtractSizeAlgorithm(writableStrategyDict);
    const startPromise = newPromise<unknown>();
    const impl = new TransformStreamImpl();
    impl.wrapper = this;
    this.#impl = impl;
    InitializeTransformStream(
      impl,
      startPromise.promise,
      writableHighWaterMark,
      writableSizeAlgorithm,
      readableHighWaterMark,
      readableSizeAlgorithm,
    );
    SetUpTransformStreamDefaultControllerFromTransformer(impl, transformerObject, transformerDict);
    if (
      transformerDict.start === undefined &&
      transformerDict.transform === undefined &&
      transformerDict.flush === undefined &&
      transformerDict.cancel === undefined &&
      writableSizeAlgorithm === undefined &&
      readableSizeAlgorithm === undefined &&
      readableHighWaterMark === 0 &&
      writableHighWaterMark > 0
    ) {
      impl.identityCapacity = MathCeil(writableHighWaterMark);
      impl.readable.identityTransform = impl;
    }
    if (transformerDict.start !== undefined) {
      startPromise.resolve(invokeCallback(transformerDict.start, transformerObject, [impl.controller.wrapper]));
    } else {
      startPromise.resolve(undefined);
    }
  }

  get readable(): ReadableStream<O> {
    const impl = getImpl(this);
    if (impl === undefined) throw getterError(IFACE, 'readable');
    return impl.readable.wrapper;
  }

  get writable(): WritableStream<I> {
    const impl = getImpl(this);
    if (impl === undefined) throw getterError(IFACE, 'writable');
    return impl.writable.wrapper;
  }

  static {
    // The brand check (webidl/interface.ts says why it is written so).
    getImpl = (x) => {
      try {
        return (x as TransformStream).#impl;
      } catch {
        return undefined;
      }
    };
    lookupImpl = (x) => (typeof x === 'object' && x !== null && #impl in x ? (x as TransformStream).#impl : undefined);
  }
}

defineInterface(TransformStream, IFACE);

/** The record behind a TransformStream, or undefined when `x` is not one (the brand check; never throws). */
export function transformStreamImpl(x: unknown): TransformStreamImpl | undefined {
  return lookupImpl(x);
}

/** The record behind a stream that is a TransformStream by construction (other specifications' streams): the one-lookup form. */
export function transformStreamRecord(stream: TransformStream): TransformStreamImpl {
  return getImpl(stream)!;
}

/**
 * The next TransformStream constructed (a subclass's `super()`) takes `impl` as its record instead
 * of making one: a stream whose sides another specification makes (web/identity-transform-stream.ts).
 */
export function adoptTransformStreamRecord(impl: TransformStreamImpl): void {
  pendingImpl = impl;
}

/** A TransformStream object around a record set up by other specifications' "set up". */
export function newTransformStreamWrapper(impl: TransformStreamImpl): TransformStream {
  pendingImpl = impl;
  return new TransformStream();
}

// Abstract operations: https://streams.spec.whatwg.org/#ts-abstract-ops

/** https://streams.spec.whatwg.org/#initialize-transform-stream */
export function InitializeTransformStream(
  stream: TransformStreamImpl,
  startPromise: Promise<unknown>,
  writableHighWaterMark: number,
  writableSizeAlgorithm: QueuingStrategySize | undefined,
  readableHighWaterMark: number,
  readableSizeAlgorithm: QueuingStrategySize | undefined,
): void {
  const startAlgorithm = () => startPromise;
  const writeAlgorithm = (chunk: unknown) => TransformStreamDefaultSinkWriteAlgorithm(stream, chunk);
  const abortAlgorithm = (reason: unknown) => TransformStreamDefaultSinkAbortAlgorithm(stream, reason);
  const closeAlgorithm = () => TransformStreamDefaultSinkCloseAlgorithm(stream);
  stream.writable = CreateWritableStream(
    startAlgorithm,
    writeAlgorithm,
    closeAlgorithm,
    abortAlgorithm,
    writableHighWaterMark,
    writableSizeAlgorithm,
  );
  const pullAlgorithm = () => TransformStreamDefaultSourcePullAlgorithm(stream);
  const cancelAlgorithm = (reason: unknown) => TransformStreamDefaultSourceCancelAlgorithm(stream, reason);
  stream.readable = CreateReadableStream(
    startAlgorithm,
    pullAlgorithm,
    cancelAlgorithm,
    readableHighWaterMark,
    readableSizeAlgorithm,
  );
  stream.backpressure = undefined;
  stream.backpressureChangePromise = undefined;
  TransformStreamSetBackpressure(stream, true);
  stream.controller = undefined as never;
}

function readableController(stream: TransformStreamImpl): ReadableStreamDefaultControllerImpl {
  return stream.readable.controller as ReadableStreamDefaultControllerImpl;
}

/** https://streams.spec.whatwg.org/#transform-stream-error */
export function TransformStreamError(stream: TransformStreamImpl, e: unknown): void {
  ReadableStreamDefaultControllerError(readableController(stream), e);
  TransformStreamErrorWritableAndUnblockWrite(stream, e);
}

/** https://streams.spec.whatwg.org/#transform-stream-error-writable-and-unblock-write */
export function TransformStreamErrorWritableAndUnblockWrite(stream: TransformStreamImpl, e: unknown): void {
  TransformStreamDefaultControllerClearAlgorithms(stream.controller);
  WritableStreamDefaultControllerErrorIfNeeded(stream.writable.controller, e);
  TransformStreamUnblockWrite(stream);
}

/** https://streams.spec.whatwg.org/#transform-stream-set-backpressure */
export function TransformStreamSetBackpressure(stream: TransformStreamImpl, backpressure: boolean): void {
  const backpressureChangePromise = stream.backpressureChangePromise;
  if (backpressureChangePromise !== undefined) {
    backpressureChangePromise.resolve(undefined);
    stream.spareBackpressureChangePromise = backpressureChangePromise;
  }
  // Step 3 ("a new promise") is deferred until someone waits on it (docs/fast-paths.md): a promise
  // made later and resolved at the next change behaves the same, and most changes have no waiter.
  stream.backpressureChangePromise = undefined;
  stream.backpressure = backpressure;
}

/**
 * [[backpressureChangePromise]], made on first use since the last change, as a promise slot: the
 * readable's pull reacts to it without a promise object (docs/fast-paths.md #19); a write
 * waiting for backpressure makes the promise.
 */
function backpressureChangePromiseOf(stream: TransformStreamImpl): PromiseSlot {
  let slot = stream.backpressureChangePromise;
  if (slot !== undefined) return slot;
  // The last one again when nothing can tell it from a new one (`renew()`: it never had a
  // promise object and its reactions have been queued); the readable's pull reacts to one per
  // chunk (docs/fast-paths.md #29).
  const spare = stream.spareBackpressureChangePromise;
  if (spare === undefined) slot = new PromiseSlot();
  else {
    stream.spareBackpressureChangePromise = undefined;
    slot = spare.renew();
  }
  return (stream.backpressureChangePromise = slot);
}

/** https://streams.spec.whatwg.org/#transform-stream-unblock-write */
export function TransformStreamUnblockWrite(stream: TransformStreamImpl): void {
  if (stream.backpressure === true) TransformStreamSetBackpressure(stream, false);
}

// Default sinks: https://streams.spec.whatwg.org/#ts-default-sink-abstract-ops

/** https://streams.spec.whatwg.org/#transform-stream-default-sink-write-algorithm */
function TransformStreamDefaultSinkWriteAlgorithm(stream: TransformStreamImpl, chunk: unknown): Promise<unknown> | undefined {
  if (stream.backpressure === true) return writeAfterBackpressureChange(stream, chunk);
  return TransformStreamDefaultControllerPerformTransform(stream.controller, chunk, true);
}

/** The sink write algorithm's step 2 (backpressure), apart so that the common path stays small. */
function writeAfterBackpressureChange(stream: TransformStreamImpl, chunk: unknown): Promise<unknown> {
  const backpressureChangePromise = backpressureChangePromiseOf(stream).promise;
  return PerformPromiseThen(backpressureChangePromise, () => {
    const writable = stream.writable;
    if (writable.state === 'erroring') throw writable.storedError;
    return TransformStreamDefaultControllerPerformTransform(stream.controller, chunk);
  });
}

/**
 * "Performing controller.[[cancelAlgorithm]]" in the sink abort and source cancel algorithms. The
 * spec performs it even after error() or terminate() cleared it, which happens when their steps
 * run later: an abort waiting for a write in flight, a cancel of a readable that still has chunks
 * queued after terminate(). There is no algorithm left to perform then (Node rejects the abort
 * with a TypeError; web-streams-polyfill leaves it and writer.closed pending forever); the
 * transformer has finished, so there is nothing to clean up: a promise resolved with undefined.
 */
function performCancelAlgorithm(controller: TransformStreamDefaultControllerImpl, reason: unknown): Promise<unknown> {
  const cancelAlgorithm = controller.cancelAlgorithm;
  return cancelAlgorithm === undefined ? promiseResolvedWith(undefined) : cancelAlgorithm(reason);
}

/** https://streams.spec.whatwg.org/#transform-stream-default-sink-abort-algorithm */
function TransformStreamDefaultSinkAbortAlgorithm(stream: TransformStreamImpl, reason: unknown): Promise<unknown> {
  const controller = stream.controller;
  if (controller.finishPromise !== undefined) return controller.finishPromise.promise;
  const readable = stream.readable;
  const finishPromise = newPromise<undefined>();
  controller.finishPromise = finishPromise;
  const cancelPromise = performCancelAlgorithm(controller, reason);
  TransformStreamDefaultControllerClearAlgorithms(controller);
  PerformPromiseThen(
    cancelPromise,
    () => {
      if (readable.state === 'errored') {
        finishPromise.reject(readable.storedError);
      } else {
        ReadableStreamDefaultControllerError(readable.controller as ReadableStreamDefaultControllerImpl, reason);
        finishPromise.resolve(undefined);
      }
    },
    (r) => {
      ReadableStreamDefaultControllerError(readable.controller as ReadableStreamDefaultControllerImpl, r);
      finishPromise.reject(r);
    },
  );
  return finishPromise.promise;
}

/** https://streams.spec.whatwg.org/#transform-stream-default-sink-close-algorithm */
function TransformStreamDefaultSinkCloseAlgorithm(stream: TransformStreamImpl): Promise<unknown> {
  const controller = stream.controller;
  if (controller.finishPromise !== undefined) return controller.finishPromise.promise;
  const readable = stream.readable;
  const finishPromise = newPromise<undefined>();
  controller.finishPromise = finishPromise;
  const flushPromise = controller.flushAlgorithm!();
  TransformStreamDefaultControllerClearAlgorithms(controller);
  PerformPromiseThen(
    flushPromise,
    () => {
      if (readable.state === 'errored') {
        finishPromise.reject(readable.storedError);
      } else {
        ReadableStreamDefaultControllerClose(readable.controller as ReadableStreamDefaultControllerImpl);
        finishPromise.resolve(undefined);
      }
    },
    (r) => {
      ReadableStreamDefaultControllerError(readable.controller as ReadableStreamDefaultControllerImpl, r);
      finishPromise.reject(r);
    },
  );
  return finishPromise.promise;
}

// Default sources: https://streams.spec.whatwg.org/#ts-default-source-abstract-ops

/** https://streams.spec.whatwg.org/#transform-stream-default-source-pull */
function TransformStreamDefaultSourcePullAlgorithm(stream: TransformStreamImpl): PromiseSlot {
  TransformStreamSetBackpressure(stream, false);
  return backpressureChangePromiseOf(stream);
}

/** https://streams.spec.whatwg.org/#transform-stream-default-source-cancel */
function TransformStreamDefaultSourceCancelAlgorithm(stream: TransformStreamImpl, reason: unknown): Promise<unknown> {
  const controller = stream.controller;
  if (controller.finishPromise !== undefined) return controller.finishPromise.promise;
  const writable = stream.writable;
  const finishPromise = newPromise<undefined>();
  controller.finishPromise = finishPromise;
  const cancelPromise = performCancelAlgorithm(controller, reason);
  TransformStreamDefaultControllerClearAlgorithms(controller);
  PerformPromiseThen(
    cancelPromise,
    () => {
      if (writable.state === 'errored') {
        finishPromise.reject(writable.storedError);
      } else {
        WritableStreamDefaultControllerErrorIfNeeded(writable.controller, reason);
        TransformStreamUnblockWrite(stream);
        finishPromise.resolve(undefined);
      }
    },
    (r) => {
      WritableStreamDefaultControllerErrorIfNeeded(writable.controller, r);
      TransformStreamUnblockWrite(stream);
      finishPromise.reject(r);
    },
  );
  return finishPromise.promise;
}

