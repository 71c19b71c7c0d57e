// https://streams.spec.whatwg.org/#ts-default-controller-class
import { TypeErrorCtor } from '../webidl/intrinsics.js';
import { defineInterface } from '../webidl/interface.js';
import { executeError, getterError } from '../webidl/errors.js';
import { invokeInternalPromiseCallback2, invokePromiseCallback } from '../webidl/converters.js';
import { internalResolvedUndefined, PerformPromiseThen, promiseRejectedWith, promiseResolvedWith, type Deferred } from '../webidl/promise.js';
import type { TransformerDict } from '../dictionaries/transformer.js';
import { pipeJobJoins, pipeReadingFrom, type Pipe } from '../readable-stream/pipe.js';
import {
  ReadableStreamDefaultControllerCanCloseOrEnqueue,
  ReadableStreamDefaultControllerClose,
  ReadableStreamDefaultControllerEnqueue,
  ReadableStreamDefaultControllerGetDesiredSize,
  ReadableStreamDefaultControllerHasBackpressure,
  type ReadableStreamDefaultControllerImpl,
} from '../readable-stream/default-controller.js';
import {
  TransformStreamError,
  TransformStreamErrorWritableAndUnblockWrite,
  TransformStreamSetBackpressure,
  type TransformStreamImpl,
} from './transform-stream.js';

export class TransformStreamDefaultControllerImpl {
  cancelAlgorithm: ((reason: unknown) => Promise<unknown>) | undefined = undefined;
  finishPromise: Deferred<undefined> | undefined = undefined;
  flushAlgorithm: (() => Promise<unknown>) | undefined = undefined;
  stream: TransformStreamImpl = undefined as never;
  transformAlgorithm: ((chunk: unknown) => Promise<unknown>) | undefined = undefined;
  /** PerformTransform's rejection steps (they read only the controller), made on first use. */
  transformRejected: ((r: unknown) => never) | undefined = undefined;
  wrapper: TransformStreamDefaultController;

  constructor() {
    this.wrapper = wrap(this);
  }
}

let pendingImpl: TransformStreamDefaultControllerImpl | undefined;
let getImpl: (x: unknown) => TransformStreamDefaultControllerImpl | undefined;
const IFACE = 'TransformStreamDefaultController';

export class TransformStreamDefaultController<O = any> {
  #impl: TransformStreamDefaultControllerImpl;

  constructor() {
    if (pendingImpl === undefined) throw new TypeErrorCtor('Illegal constructor');
    this.#impl = pendingImpl;
    pendingImpl = undefined;
  }

  get desiredSize(): number | null {
    const impl = getImpl(this);
    if (impl === undefined) throw getterError(IFACE, 'desiredSize');
    return ReadableStreamDefaultControllerGetDesiredSize(readableControllerOf(impl));
  }

  enqueue(chunk: O = undefined as O): void {
    const impl = getImpl(this);
    if (impl === undefined) throw executeError(IFACE, 'enqueue', 'Illegal invocation');
    TransformStreamDefaultControllerEnqueue(impl, chunk);
  }

  error(reason: unknown = undefined): void {
    const impl = getImpl(this);
    if (impl === undefined) throw executeError(IFACE, 'error', 'Illegal invocation');
    TransformStreamDefaultControllerError(impl, reason);
  }

  terminate(): void {
    const impl = getImpl(this);
    if (impl === undefined) throw executeError(IFACE, 'terminate', 'Illegal invocation');
    TransformStreamDefaultControllerTerminate(impl);
  }

  static {
    // The brand check (webidl/interface.ts says why it is written so).
    getImpl = (x) => {
      try {
        return (x as TransformStreamDefaultController).#impl;
      } catch {
        return undefined;
      }
    };
  }
}

defineInterface(TransformStreamDefaultController, IFACE);

function wrap(impl: TransformStreamDefaultControllerImpl): TransformStreamDefaultController {
  pendingImpl = impl;
  return new TransformStreamDefaultController();
}

function readableControllerOf(controller: TransformStreamDefaultControllerImpl): ReadableStreamDefaultControllerImpl {
  return controller.stream.readable.controller as ReadableStreamDefaultControllerImpl;
}

// Abstract operations: https://streams.spec.whatwg.org/#ts-default-controller-abstract-ops

/** https://streams.spec.whatwg.org/#set-up-transform-stream-default-controller */
export function SetUpTransformStreamDefaultController(
  stream: TransformStreamImpl,
  controller: TransformStreamDefaultControllerImpl,
  transformAlgorithm: (chunk: unknown) => Promise<unknown>,
  flushAlgorithm: () => Promise<unknown>,
  cancelAlgorithm: (reason: unknown) => Promise<unknown>,
): void {
  controller.stream = stream;
  stream.controller = controller;
  controller.transformAlgorithm = transformAlgorithm;
  controller.flushAlgorithm = flushAlgorithm;
  controller.cancelAlgorithm = cancelAlgorithm;
}

const resolvedUndefined = (): Promise<undefined> => promiseResolvedWith(undefined);

/** https://streams.spec.whatwg.org/#set-up-transform-stream-default-controller-from-transformer */
export function SetUpTransformStreamDefaultControllerFromTransformer(
  stream: TransformStreamImpl,
  transformer: unknown,
  transformerDict: TransformerDict,
): void {
  const controller = new TransformStreamDefaultControllerImpl();
  const wrapper = controller.wrapper;
  const { transform, flush, cancel } = transformerDict;
  const transformAlgorithm =
    transform === undefined
      ? (chunk: unknown): Promise<undefined> => {
          try {
            TransformStreamDefaultControllerEnqueue(controller, chunk);
          } catch (e) {
            return promiseRejectedWith(e);
          }
          // Only PerformTransform reacts to it: the shared fulfilled promise will do.
          return internalResolvedUndefined;
        }
      : (chunk: unknown) => invokeInternalPromiseCallback2(transform, transformer, chunk, wrapper);
  const flushAlgorithm = flush === undefined ? resolvedUndefined : () => invokePromiseCallback(flush, transformer, [wrapper]);
  const cancelAlgorithm =
    cancel === undefined ? resolvedUndefined : (reason: unknown) => invokePromiseCallback(cancel, transformer, [reason]);
  SetUpTransformStreamDefaultController(stream, controller, transformAlgorithm, flushAlgorithm, cancelAlgorithm);
}

/** https://streams.spec.whatwg.org/#transform-stream-default-controller-clear-algorithms */
export function TransformStreamDefaultControllerClearAlgorithms(controller: TransformStreamDefaultControllerImpl): void {
  controller.transformAlgorithm = undefined;
  controller.flushAlgorithm = undefined;
  controller.cancelAlgorithm = undefined;
}

/** https://streams.spec.whatwg.org/#transform-stream-default-controller-enqueue */
export function TransformStreamDefaultControllerEnqueue(controller: TransformStreamDefaultControllerImpl, chunk: unknown): void {
  const stream = controller.stream;
  const readableController = readableControllerOf(controller);
  if (!ReadableStreamDefaultControllerCanCloseOrEnqueue(readableController)) {
    throw new TypeErrorCtor('Readable side is not in a state that permits enqueue');
  }
  // Ledger #26: a pipe reading from the readable side while its pull is pending. The pull can
  // then neither start nor complete inside the enqueue, so the pipe's write job (queued when its
  // read is fulfilled) is the last job queued when the backpressure below changes.
  const pipe = readableController.pulling === true ? pipeReadingFrom(stream.readable) : undefined;
  try {
    ReadableStreamDefaultControllerEnqueue(readableController, chunk);
  } catch (e) {
    TransformStreamErrorWritableAndUnblockWrite(stream, e);
    throw stream.readable.storedError;
  }
  const backpressure = ReadableStreamDefaultControllerHasBackpressure(readableController);
  if (backpressure !== stream.backpressure) {
    if (pipe === undefined || !setBackpressureJoiningPipeWrite(stream, pipe)) TransformStreamSetBackpressure(stream, true);
  }
}

/**
 * TransformStreamSetBackpressure(stream, true) when a pipe's write job was the last job queued
 * (docs/fast-paths.md #26): the backpressure change promise's one reaction, the readable's pull
 * completion, would be queued right behind that job, so it runs at the end of it instead. False
 * (and nothing done) when the promise has any other waiter, or none.
 */
function setBackpressureJoiningPipeWrite(stream: TransformStreamImpl, pipe: Pipe): boolean {
  const slot = stream.backpressureChangePromise;
  if (slot === undefined || pipe.unwritten !== true || pipe.nextJobSteps !== undefined || pipeJobJoins.enabled !== true) return false;
  const steps = slot.takeSoleReaction();
  if (steps === undefined) return false;
  pipe.nextJobSteps = steps;
  pipeJobJoins.afterWrite++;
  // The rest of TransformStreamSetBackpressure (the new promise is made when someone waits on it).
  stream.spareBackpressureChangePromise = slot;
  stream.backpressureChangePromise = undefined;
  stream.backpressure = true;
  return true;
}

/** https://streams.spec.whatwg.org/#transform-stream-default-controller-error */
export function TransformStreamDefaultControllerError(controller: TransformStreamDefaultControllerImpl, e: unknown): void {
  TransformStreamError(controller.stream, e);
}

/** https://streams.spec.whatwg.org/#transform-stream-default-controller-perform-transform */
export function TransformStreamDefaultControllerPerformTransform(
  controller: TransformStreamDefaultControllerImpl,
  chunk: unknown,
): Promise<unknown>;
/**
 * With `mayReturnUndefined` (the sink's write, whose result only the writable's ProcessWrite
 * sees): undefined when the transform ended synchronously with nothing. Reacting to that already
 * fulfilled promise with no fulfillment steps would only fulfil the result with undefined in a
 * job queued now, which the writable queues itself (docs/fast-paths.md #22).
 */
export function TransformStreamDefaultControllerPerformTransform(
  controller: TransformStreamDefaultControllerImpl,
  chunk: unknown,
  mayReturnUndefined: true,
): Promise<unknown> | undefined;
export function TransformStreamDefaultControllerPerformTransform(
  controller: TransformStreamDefaultControllerImpl,
  chunk: unknown,
  mayReturnUndefined = false,
): Promise<unknown> | undefined {
  const transformPromise = controller.transformAlgorithm!(chunk);
  if (mayReturnUndefined && transformPromise === internalResolvedUndefined) return undefined;
  return PerformPromiseThen(transformPromise, undefined, (controller.transformRejected ??= transformRejectedOf(controller)));
}

/** PerformTransform's rejection steps, made once per controller. */
function transformRejectedOf(controller: TransformStreamDefaultControllerImpl): (r: unknown) => never {
  return (r) => {
    TransformStreamError(controller.stream, r);
    throw r;
  };
}

/** https://streams.spec.whatwg.org/#transform-stream-default-controller-terminate */
export function TransformStreamDefaultControllerTerminate(controller: TransformStreamDefaultControllerImpl): void {
  const stream = controller.stream;
  ReadableStreamDefaultControllerClose(readableControllerOf(controller));
  const error = new TypeErrorCtor('TransformStream terminated');
  TransformStreamErrorWritableAndUnblockWrite(stream, error);
}
