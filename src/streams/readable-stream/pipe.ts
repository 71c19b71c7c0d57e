// https://streams.spec.whatwg.org/#readable-stream-pipe-to
//
// One pipe loop per pipe: wait for the writer to be ready, read one chunk through an internal
// read request (never the public read(), so patched globals and then-interception can't see it),
// write it, repeat. Error and close propagation are wired to the reader's and writer's closed
// promises, in the order the spec lists them.
//
// Carrying (docs/fast-paths.md #25): a pipe out of the readable side of an identity
// TransformStream (no transformer algorithms, default sizes, readable highWaterMark 0) whose
// writable side is the destination of another pipe, with both sides' queues empty, does not
// start; the pipe into that TransformStream takes its destination instead and moves chunks from
// its own source straight to it, holding at most as many as the TransformStream would have
// (`capacity`), until anything but a chunk happens (a close, an error, an abort): then it puts
// what it holds into the TransformStream's writable side, in order, and starts the pipes it
// carried, and the spec's algorithms take it from there.
import { TypeErrorCtor, queueMicrotaskIntrinsic } from '../webidl/intrinsics.js';
import {
  newPromise,
  PerformPromiseThen,
  promiseResolvedWith,
  type Deferred,
  type PromiseSlot,
  uponFulfillment,
  uponPromise,
  uponRejection,
  waitForAll,
} from '../webidl/promise.js';
import { addAbortAlgorithm, signalAborted, signalReason, type AbortSignalLike } from '../webidl/abort-signal.js';
import { SimpleQueue } from '../abstract-ops/simple-queue.js';
import { AcquireReadableStreamDefaultReader, ReadableStreamCancel, type ReadableStreamImpl } from './readable-stream.js';
import {
  ReadableStreamDefaultReaderRead,
  ReadableStreamDefaultReaderRelease,
  type ReadableStreamDefaultReaderImpl,
  type ReadRequest,
} from './default-reader.js';
import type { ReadableStreamDefaultControllerImpl } from './default-controller.js';
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
  type WritableStreamDefaultWriterImpl,
} from '../writable-stream/default-writer.js';

/**
 * The pipe whose read is the first pending on `stream` (its next chunk goes to it and queues its
 * write job), unless the pipe is carrying (its chunks then go to the held queue) or already has a
 * write job queued.
 */
export function pipeReadingFrom(stream: ReadableStreamImpl): Pipe | undefined {
  const reader = stream.reader as ReadableStreamDefaultReaderImpl | undefined;
  const requests = reader?.readRequests;
  if (requests === undefined || requests.length === 0) return undefined;
  const first = requests.peek();
  return first instanceof Pipe && first.held === undefined && first.unwritten === false ? first : undefined;
}

/**
 * For the property test that compares the microtask turns script sees with and without ledger
 * #26 and #27 (test/property pipeWriteJoin): a switch, and how many times each joined two jobs.
 * Not part of any API.
 */
export const pipeJobJoins = { enabled: true, afterWrite: 0, beforeWrite: 0 };

const returnUndefined = (): undefined => undefined;
const noop = (): void => {};

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
  const pipe = new Pipe(source, dest, reader, writer, preventClose, preventAbort, preventCancel);
  writer.pipe = pipe;
  // A pipe that may leave its source uncanceled when its destination errors is not carried: the
  // identity TransformStream it reads from would keep the backpressure its reads had set, which
  // carrying does not reproduce.
  const carrier = signal === undefined && !preventCancel ? carrierAcross(source, dest) : undefined;
  if (carrier !== undefined) carrier.carry(pipe, source.identityTransform!.identityCapacity);
  else pipe.run(signal);
  return pipe.promise.promise;
}

/**
 * The pipe that can carry chunks across `source`'s identity TransformStream to `dest`: the one
 * writing into its writable side, reading (a read request pending), with nothing in the
 * TransformStream's queues, nothing waiting to be written and no shutdown begun.
 */
function carrierAcross(source: ReadableStreamImpl, dest: WritableStreamImpl): Pipe | undefined {
  const transform = source.identityTransform;
  if (transform === undefined || transform.backpressure !== true) return undefined;
  const writable = transform.writable;
  const upstreamWriter = writable.writer;
  const upstream = upstreamWriter?.pipe;
  if (upstream === undefined) return undefined;
  const carrier = upstream.carrier ?? upstream;
  if (carrier.target !== upstreamWriter || !carrier.reading || carrier.unwritten || carrier.shuttingDown) return undefined;
  if (carrier.source.state !== 'readable') return undefined;
  if (writable.state !== 'writable' || WritableStreamCloseQueuedOrInFlight(writable)) return undefined;
  if (writable.inFlightWriteRequest !== undefined || writable.controller.queue.length !== 0) return undefined;
  const readableController = source.controller as ReadableStreamDefaultControllerImpl;
  if (source.state !== 'readable' || readableController.closeRequested || readableController.queue.length !== 0) {
    return undefined;
  }
  if (dest.state !== 'writable' || WritableStreamCloseQueuedOrInFlight(dest)) return undefined;
  return carrier;
}

export class Pipe implements ReadRequest {
  readonly source: ReadableStreamImpl;
  readonly dest: WritableStreamImpl;
  readonly reader: ReadableStreamDefaultReaderImpl;
  readonly writer: WritableStreamDefaultWriterImpl;
  readonly preventClose: boolean;
  readonly preventAbort: boolean;
  readonly preventCancel: boolean;
  readonly promise: Deferred<undefined> = newPromise<undefined>();
  shuttingDown = false;
  /** A read request is pending on the source. */
  reading = false;
  // For the shutdown's "wait until every chunk that has been read has been written": a chunk read
  // and waiting for its write (at most one: the next read starts after that write), and the last
  // write request. Writes settle in order, so once the last has settled, all have: no reaction
  // per chunk is needed.
  unwritten = false;
  unwrittenChunk: unknown = undefined;
  lastWrite: PromiseSlot | undefined = undefined;
  afterWrite: (() => void) | undefined = undefined;
  /**
   * Steps of a job queued right after this pipe's write job, run at the end of it instead
   * (docs/fast-paths.md #26): a TransformStream's pull completion (transform-stream/default-controller.ts).
   */
  nextJobSteps: (() => unknown) | undefined = undefined;
  /** The steps of the source's pull completion job, queued just before the write job (#27): run first in it. */
  pullCompletionFirst: (() => void) | undefined = undefined;
  removeAbortAlgorithm: (() => void) | undefined = undefined;

  // Carrying. `target` is the writer the pump writes to: this pipe's own, or the last carried
  // pipe's. `carrier` is set on a pipe another one carries (it has not started).
  target: WritableStreamDefaultWriterImpl;
  carrier: Pipe | undefined = undefined;
  carried: Pipe[] | undefined = undefined;
  /** Chunks read and not yet written to the target, oldest first (only while carrying). */
  held: SimpleQueue<unknown> | undefined = undefined;
  capacity = 0;
  lastTargetWrite: PromiseSlot | undefined = undefined;
  flushQueued = false;

  // The pump's steps, made once.
  readonly #pumpRead = (): void => this.pumpRead();
  readonly #writeUnwritten = (): void => this.writeUnwritten();
  readonly #flushHeld = (): void => this.flushHeld();
  readonly #queueFlush = (): void => this.queueFlush();
  readonly #uncarry = (): void => this.uncarry();

  constructor(
    source: ReadableStreamImpl,
    dest: WritableStreamImpl,
    reader: ReadableStreamDefaultReaderImpl,
    writer: WritableStreamDefaultWriterImpl,
    preventClose: boolean,
    preventAbort: boolean,
    preventCancel: boolean,
  ) {
    this.source = source;
    this.dest = dest;
    this.reader = reader;
    this.writer = writer;
    this.target = writer;
    this.preventClose = preventClose;
    this.preventAbort = preventAbort;
    this.preventCancel = preventCancel;
  }

  /** Steps 10-15: the abort signal, the propagation of errors and closes, and the pump. */
  run(signal: AbortSignalLike | undefined): void {
    const { source, dest, reader, writer, preventAbort, preventCancel, preventClose } = this;
    // Step 10. The abort signal.
    if (signal !== undefined) {
      const abortAlgorithm = (): void => {
        this.uncarry();
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
        this.shutdownWithAnAction(
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
        return;
      }
      this.removeAbortAlgorithm = addAbortAlgorithm(signal, abortAlgorithm);
    }

    // Step 11. Errors and closes propagate in the order the spec lists them. Each first ends any
    // carrying, so that it meets the streams as the spec's steps would have left them.
    // Errors must be propagated forward.
    isOrBecomesErrored(source, reader.closedPromise.promise, (storedError) => {
      this.uncarry();
      if (!preventAbort) this.shutdownWithAnAction(() => WritableStreamAbort(dest, storedError), true, storedError);
      else this.shutdown(true, storedError);
    });
    // Errors must be propagated backward.
    isOrBecomesErrored(dest, writer.closedPromise.promise, (storedError) => {
      this.uncarry();
      if (!preventCancel) this.shutdownWithAnAction(() => ReadableStreamCancel(source, storedError), true, storedError);
      else this.shutdown(true, storedError);
    });
    // Closing must be propagated forward.
    isOrBecomesClosed(source, reader.closedPromise.promise, () => {
      this.uncarry();
      if (!preventClose) this.shutdownWithAnAction(() => WritableStreamDefaultWriterCloseWithErrorPropagation(writer));
      else this.shutdown();
    });
    // Closing must be propagated backward.
    if (WritableStreamCloseQueuedOrInFlight(dest) || dest.state === 'closed') {
      const destClosed = new TypeErrorCtor('the destination writable stream closed before all data could be piped to it');
      if (!preventCancel) this.shutdownWithAnAction(() => ReadableStreamCancel(source, destClosed), true, destClosed);
      else this.shutdown(true, destClosed);
    }

    this.pumpNext();
  }

  // The pump (docs/fast-paths.md #9): one read request for the whole pipe (the pipe itself); the
  // next read starts the moment the writer's ready promise is fulfilled (at once if it is).
  // Backpressure: no read while ready is pending (desired size <= 0). Each write starts a
  // microtask after its read: enqueue() must never run the sink's write() synchronously
  // (whatwg/streams#1243, WPT piping/general-addition.any.js).
  pumpNext(): void {
    if (this.shuttingDown) return;
    this.writer.readyPromise.whenFulfilled(this.#pumpRead);
  }

  pumpRead(): void {
    if (this.shuttingDown) return;
    this.reading = true;
    ReadableStreamDefaultReaderRead(this.reader, this);
  }

  /**
   * A default controller's [[PullSteps]] for this pipe's read when a chunk is queued
   * (docs/fast-paths.md #27): they dequeue it, may call pull(), and perform the chunk steps,
   * which queue this pipe's write job. A pull() that returned nothing would have queued its
   * completion job just before that one, with no script between: its steps run first in the
   * write job instead.
   */
  readBuffered(controller: ReadableStreamDefaultControllerImpl): void {
    if (this.held !== undefined || pipeJobJoins.enabled !== true) {
      this.chunkSteps(controller.takeBufferedChunk());
      return;
    }
    const chunk = controller.takeBufferedChunkDeferringPull();
    if (controller.pullCompletionDeferred !== true) {
      this.chunkSteps(chunk);
      return;
    }
    controller.pullCompletionDeferred = false;
    this.reading = false;
    this.unwritten = true;
    this.unwrittenChunk = chunk;
    this.pullCompletionFirst = controller.pullReactions![0];
    pipeJobJoins.beforeWrite++;
    queueMicrotaskIntrinsic(this.#writeUnwritten);
  }

  chunkSteps(chunk: unknown): void {
    this.reading = false;
    const held = this.held;
    if (held !== undefined) {
      held.push(chunk);
      this.queueFlush();
      return;
    }
    this.unwritten = true;
    this.unwrittenChunk = chunk;
    queueMicrotaskIntrinsic(this.#writeUnwritten);
  }

  // Close and error reach the pipe through the reader's closed promise.
  closeSteps(): void {
    this.reading = false;
  }

  errorSteps(): void {
    this.reading = false;
  }

  /** The write of the chunk just read, a microtask after its read. */
  writeUnwritten(): void {
    const pullCompletion = this.pullCompletionFirst;
    if (pullCompletion !== undefined) {
      this.pullCompletionFirst = undefined;
      pullCompletion();
    }
    const chunk = this.unwrittenChunk;
    this.unwrittenChunk = undefined;
    this.unwritten = false;
    if (this.writer.stream !== undefined) {
      this.lastWrite = writeHandled(this.writer, chunk);
      // Only now does the writer's ready promise reflect this chunk's backpressure.
      this.pumpNext();
    }
    const steps = this.afterWrite;
    if (steps !== undefined) {
      this.afterWrite = undefined;
      steps();
    }
    const next = this.nextJobSteps;
    if (next !== undefined) {
      this.nextJobSteps = undefined;
      next();
    }
  }

  // Carrying.

  /** Takes `pipe` (not started) on: its destination becomes this pipe's target. */
  carry(pipe: Pipe, capacity: number): void {
    pipe.carrier = this;
    (this.carried ??= []).push(pipe);
    this.held ??= new SimpleQueue<unknown>();
    this.capacity += capacity;
    this.target = pipe.writer;
    this.lastTargetWrite = undefined;
    // An error of the new destination ends the carrying; the carried pipe then starts and sees it.
    pipe.writer.closedPromise.upon(noop, this.#uncarry);
  }

  queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotaskIntrinsic(this.#flushHeld);
  }

  /** Writes what the target has room for (a microtask after the reads), then reads up to capacity. */
  flushHeld(): void {
    this.flushQueued = false;
    const held = this.held;
    if (held === undefined) return;
    const target = this.target;
    while (held.length > 0) {
      const ready = target.readyPromise;
      if (ready.state !== 'fulfilled') {
        ready.whenFulfilled(this.#queueFlush);
        break;
      }
      this.lastTargetWrite = writeHandled(target, held.shift());
    }
    // A read may take a queued chunk at once (into `held`); a closed or errored source ends the
    // carrying through the reader's closed promise.
    const source = this.source;
    while (!this.reading && held.length < this.capacity && source.state === 'readable') {
      this.reading = true;
      ReadableStreamDefaultReaderRead(this.reader, this);
    }
  }

  /**
   * Ends the carrying: what was read and not written goes, in order, into the first identity
   * TransformStream's writable side, the carried pipes start (the last one with the writes this
   * pipe made to its destination as its own), and this pipe pumps into its own destination again.
   */
  uncarry(): void {
    const held = this.held;
    if (held === undefined) return;
    const carried = this.carried!;
    this.held = undefined;
    this.carried = undefined;
    this.capacity = 0;
    this.target = this.writer;
    while (held.length > 0) this.lastWrite = writeHandled(this.writer, held.shift());
    carried[carried.length - 1]!.lastWrite = this.lastTargetWrite;
    this.lastTargetWrite = undefined;
    for (let i = 0; i < carried.length; i++) {
      const pipe = carried[i]!;
      pipe.carrier = undefined;
      pipe.run(undefined);
    }
    if (!this.reading) this.pumpNext();
  }

  /** "Wait until every chunk that has been read has been written (its promise settled)." */
  waitForWritesToFinish(): Promise<unknown> {
    const drained = newPromise<undefined>();
    const check = (): void => {
      if (this.unwritten) {
        this.afterWrite = check;
        return;
      }
      const last = this.lastWrite;
      if (last === undefined || last.state !== 'pending') drained.resolve(undefined);
      else last.upon(check, check);
    };
    check();
    return PerformPromiseThen(drained.promise, returnUndefined);
  }

  shutdownWithAnAction(action: () => Promise<unknown>, originalIsError = false, originalError?: unknown): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    const doTheRest = (): void => {
      uponPromise(
        action(),
        () => this.finalize(originalIsError, originalError),
        (newError) => this.finalize(true, newError),
      );
    };
    const dest = this.dest;
    if (dest.state === 'writable' && !WritableStreamCloseQueuedOrInFlight(dest)) {
      uponFulfillment(this.waitForWritesToFinish(), doTheRest);
    } else {
      doTheRest();
    }
  }

  shutdown(isError = false, error?: unknown): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    const dest = this.dest;
    if (dest.state === 'writable' && !WritableStreamCloseQueuedOrInFlight(dest)) {
      uponFulfillment(this.waitForWritesToFinish(), () => this.finalize(isError, error));
    } else {
      this.finalize(isError, error);
    }
  }

  finalize(isError: boolean, error?: unknown): void {
    WritableStreamDefaultWriterRelease(this.writer);
    ReadableStreamDefaultReaderRelease(this.reader);
    if (this.removeAbortAlgorithm !== undefined) this.removeAbortAlgorithm();
    if (isError) this.promise.reject(error);
    else this.promise.resolve(undefined);
  }
}

/**
 * A pipe's write. The pipe never looks at a write's rejection (the destination's errors come
 * through its closed promise), so, as in the spec, it is not reported as unhandled.
 */
function writeHandled(writer: WritableStreamDefaultWriterImpl, chunk: unknown): PromiseSlot {
  const write = WritableStreamDefaultWriterWrite(writer, chunk);
  write.markHandled();
  return write;
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
