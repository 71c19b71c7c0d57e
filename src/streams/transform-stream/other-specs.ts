// https://streams.spec.whatwg.org/#ts-for-other-specs: how TextEncoderStream, CompressionStream and
// friends create a TransformStream without a user-visible transformer object.
import { internalResolvedUndefined, promiseRejectedWith, promiseResolvedWith } from '../webidl/promise.js';
import { newPromise } from '../webidl/promise.js';
import {
  InitializeTransformStream,
  TransformStreamError,
  TransformStreamImpl,
  newTransformStreamWrapper,
  transformStreamRecord,
  type TransformStream,
} from './transform-stream.js';
import {
  SetUpTransformStreamDefaultController,
  TransformStreamDefaultControllerEnqueue,
  TransformStreamDefaultControllerImpl,
  TransformStreamDefaultControllerTerminate,
} from './default-controller.js';

export interface TransformAlgorithms {
  transform: (chunk: unknown) => void | PromiseLike<void>;
  flush?: () => void | PromiseLike<void>;
  cancel?: (reason: unknown) => void | PromiseLike<void>;
}

/**
 * Wraps an algorithm the way "set up" says: a thrown exception becomes a rejected promise. Only
 * the TransformStream's own steps react to the result, so an algorithm that returned nothing
 * gets the shared fulfilled promise (docs/fast-paths.md #18), not a new one per chunk.
 */
function wrapAlgorithm(fn: ((arg?: unknown) => void | PromiseLike<void>) | undefined): (arg?: unknown) => Promise<unknown> {
  if (fn === undefined) return () => promiseResolvedWith(undefined);
  return (arg) => {
    let result: void | PromiseLike<void>;
    try {
      result = fn(arg);
    } catch (e) {
      return promiseRejectedWith(e);
    }
    return result === undefined ? internalResolvedUndefined : promiseResolvedWith(result);
  };
}

/** "new TransformStream" followed by https://streams.spec.whatwg.org/#transformstream-set-up */
export function createTransformStream(algorithms: TransformAlgorithms): TransformStream {
  const impl = new TransformStreamImpl();
  const wrapper = newTransformStreamWrapper(impl);
  const startPromise = newPromise<unknown>();
  startPromise.resolve(undefined);
  // Steps 1-2: writable high water mark 1, readable 0, both sizes 1.
  InitializeTransformStream(impl, startPromise.promise, 1, undefined, 0, undefined);
  const controller = new TransformStreamDefaultControllerImpl();
  SetUpTransformStreamDefaultController(
    impl,
    controller,
    wrapAlgorithm(algorithms.transform),
    wrapAlgorithm(algorithms.flush),
    wrapAlgorithm(algorithms.cancel),
  );
  return wrapper;
}

/** https://streams.spec.whatwg.org/#transformstream-enqueue */
export function transformStreamEnqueue(stream: TransformStream, chunk: unknown): void {
  TransformStreamDefaultControllerEnqueue(transformStreamRecord(stream).controller, chunk);
}

/** https://streams.spec.whatwg.org/#transformstream-error */
export function transformStreamError(stream: TransformStream, e: unknown): void {
  TransformStreamError(transformStreamRecord(stream), e);
}

/** https://streams.spec.whatwg.org/#transformstream-terminate */
export function transformStreamTerminate(stream: TransformStream): void {
  TransformStreamDefaultControllerTerminate(transformStreamRecord(stream).controller);
}
