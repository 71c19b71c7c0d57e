// https://streams.spec.whatwg.org/#readable-stream-pipe-to
//
// One pipe loop per pipe: wait for the writer to be ready, read one chunk through an internal
// read request (never the public read(), so patched globals and then-interception can't see it),
// write it, repeat. Error and close propagation are wired to the reader's and writer's closed
// promises, in the order the spec lists them.
import { TypeErrorCtor, queueMicrotaskIntrinsic } from '../webidl/intrinsics.js';
import {
  newPromise,
  PerformPromiseThen,
  promiseResolvedWith,
  type PromiseSlot,
  uponFulfillment,
  uponPromise,
  uponRejection,
  waitForAll,
} from '../webidl/promise.js';
import { addAbortAlgorithm, signalAborted, signalReason, type AbortSignalLike } from '../webidl/abort-signal.js';
import { AcquireReadableStreamDefaultReader, ReadableStreamCancel, type ReadableStreamImpl } from './readable-stream.js';
import { ReadableStreamDefaultReaderRead, ReadableStreamDefaultReaderRelease, type ReadRequest } from './default-reader.js';
import {
  AcquireWritableStreamDefaultWriter,
  WritableStreamAbort,
  WritableStreamCloseQueuedOrInFlight,
  type WritableStreamImpl,
} from '../writable-stream/writable-stream.js';
import {
  WritableStreamDefaultWriterCloseWithErrorPropagation,
  WritableStreamDefaultWriterRelease,
  WritableStreamDefaultWriterWrite,
} from '../writable-stream/default-writer.js';

const returnUndefined = (): undefined => undefined;

export function ReadableStreamPipeTo(
  source: ReadableStreamImpl,
  dest: WritableStreamImpl,
  preventClose: boolean,
  preventAbort: boolean,
  preventCancel: boolean,
  signal: AbortSignalLike | undefined,
): Promise<undefined> {
  // Step 5. A default reader, at the user agent's discretion even for byte streams.
  const reader = AcquireReadableStreamDefaultReader(source);
  const writer = AcquireWritableStreamDefaultWriter(dest);
  source.disturbed = true;
  let shuttingDown = false;
  const promise = newPromise<undefined>();
  // For the shutdown's "wait until every chunk that has been read has been written": a chunk read
  // and waiting for its write (at most one: the next read starts after that write), and the last
  // write request. Writes settle in order, so once the last has settled, all have: no reaction
  // per chunk is needed.
  let unwritten = false;
  let unwrittenChunk: unknown;
  let lastWrite: PromiseSlot | undefined;
  let afterWrite: (() => void) | undefined;
  // The write of the chunk just read, a microtask after its read (one function per pipe: there is
  // never more than one such chunk).
  const writeUnwritten = (): void => {
    const chunk = unwrittenChunk;
    unwrittenChunk = undefined;
    unwritten = false;
    if (writer.stream !== undefined) {
      const write = WritableStreamDefaultWriterWrite(writer, chunk);
      // The pipe never looks at a write's rejection (the destination's errors come through
      // its closed promise), so, as in the spec, it is not reported as unhandled.
      write.markHandled();
      lastWrite = write;
      // Only now does the writer's ready promise reflect this chunk's backpressure.
      pumpNext();
    }
    if (afterWrite !== undefined) {
      const steps = afterWrite;
      afterWrite = undefined;
      steps();
    }
  };
  const readRequest: ReadRequest = {
    chunkSteps(chunk) {
      unwritten = true;
      unwrittenChunk = chunk;
      queueMicrotaskIntrinsic(writeUnwritten);
    },
    // Close and error reach the pipe through the reader's closed promise (below).
    closeSteps() {},
    errorSteps() {},
  };
  let removeAbortAlgorithm: (() => void) | undefined;

  // Step 10. The abort signal.
  if (signal !== undefined) {
    const abortAlgorithm = (): void => {
      const error = signalReason(signal);
      const actions: (() => Promise<unknown>)[] = [];
      if (!preventAbort) {
        actions.push(() => (dest.state === 'writable' ? WritableStreamAbort(dest, error) : promiseResolvedWith(undefined)));
      }
      if (!preventCancel) {
        actions.push(() =>
          source.state === 'readable' ? ReadableStreamCancel(source, error) : promiseResolvedWith(undefined),
        );
      }
      shutdownWithAnAction(
        () => {
          const all = newPromise<undefined>();
          waitForAll(
            actions.map((action) => action()),
            () => all.resolve(undefined),
            (e) => all.reject(e),
          );
          return all.promise;
        },
        true,
        error,
      );
    };
    if (signalAborted(signal)) {
      abortAlgorithm();
      return promise.promise;
    }
    removeAbortAlgorithm = addAbortAlgorithm(signal, abortAlgorithm);
  }

  // Step 11. Errors and closes propagate in the order the spec lists them.
  // Errors must be propagated forward.
  isOrBecomesErrored(source, reader.closedPromise.promise, (storedError) => {
    if (!preventAbort) shutdownWithAnAction(() => WritableStreamAbort(dest, storedError), true, storedError);
    else shutdown(true, storedError);
  });
  // Errors must be propagated backward.
  isOrBecomesErrored(dest, writer.closedPromise.promise, (storedError) => {
    if (!preventCancel) shutdownWithAnAction(() => ReadableStreamCancel(source, storedError), true, storedError);
    else shutdown(true, storedError);
  });
  // Closing must be propagated forward.
  isOrBecomesClosed(source, reader.closedPromise.promise, () => {
    if (!preventClose) shutdownWithAnAction(() => WritableStreamDefaultWriterCloseWithErrorPropagation(writer));
    else shutdown();
  });
  // Closing must be propagated backward.
  if (WritableStreamCloseQueuedOrInFlight(dest) || dest.state === 'closed') {
    const destClosed = new TypeErrorCtor('the destination writable stream closed before all data could be piped to it');
    if (!preventCancel) shutdownWithAnAction(() => ReadableStreamCancel(source, destClosed), true, destClosed);
    else shutdown(true, destClosed);
  }

  pumpNext();
  return promise.promise;

  // The pump (docs/fast-paths.md #9): one read request for the whole pipe; the next read starts
  // the moment the writer's ready promise is fulfilled (at once if it is). Backpressure: no read
  // while ready is pending (desired size <= 0). Each write starts a microtask after its read: enqueue() must never run the sink's
  // write() synchronously (whatwg/streams#1243, WPT piping/general-addition.any.js).
  function pumpNext(): void {
    if (shuttingDown) return;
    writer.readyPromise.whenFulfilled(pumpRead);
  }

  function pumpRead(): void {
    if (shuttingDown) return;
    ReadableStreamDefaultReaderRead(reader, readRequest);
  }

  /** "Wait until every chunk that has been read has been written (its promise settled)." */
  function waitForWritesToFinish(): Promise<unknown> {
    const drained = newPromise<undefined>();
    const check = (): void => {
      if (unwritten) {
        afterWrite = check;
        return;
      }
      const last = lastWrite;
      if (last === undefined || last.state !== 'pending') drained.resolve(undefined);
      else last.upon(check, check);
    };
    check();
    return PerformPromiseThen(drained.promise, returnUndefined);
  }

  function isOrBecomesErrored(
    stream: ReadableStreamImpl | WritableStreamImpl,
    closed: Promise<unknown>,
    action: (storedError: unknown) => void,
  ): void {
    if (stream.state === 'errored') action(stream.storedError);
    else uponRejection(closed, action);
  }

  function isOrBecomesClosed(stream: ReadableStreamImpl, closed: Promise<unknown>, action: () => void): void {
    if (stream.state === 'closed') action();
    else uponFulfillment(closed, action);
  }

  function shutdownWithAnAction(action: () => Promise<unknown>, originalIsError = false, originalError?: unknown): void {
    if (shuttingDown) return;
    shuttingDown = true;
    const doTheRest = (): void => {
      uponPromise(
        action(),
        () => finalize(originalIsError, originalError),
        (newError) => finalize(true, newError),
      );
    };
    if (dest.state === 'writable' && !WritableStreamCloseQueuedOrInFlight(dest)) {
      uponFulfillment(waitForWritesToFinish(), doTheRest);
    } else {
      doTheRest();
    }
  }

  function shutdown(isError = false, error?: unknown): void {
    if (shuttingDown) return;
    shuttingDown = true;
    if (dest.state === 'writable' && !WritableStreamCloseQueuedOrInFlight(dest)) {
      uponFulfillment(waitForWritesToFinish(), () => finalize(isError, error));
    } else {
      finalize(isError, error);
    }
  }

  function finalize(isError: boolean, error?: unknown): void {
    WritableStreamDefaultWriterRelease(writer);
    ReadableStreamDefaultReaderRelease(reader);
    if (removeAbortAlgorithm !== undefined) removeAbortAlgorithm();
    if (isError) promise.reject(error);
    else promise.resolve(undefined);
  }
}
