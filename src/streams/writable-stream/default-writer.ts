// https://streams.spec.whatwg.org/#default-writer-class
import type { Pipe } from '../readable-stream/pipe.js';
import { TypeErrorCtor } from '../webidl/intrinsics.js';
import { defineInterface } from '../webidl/interface.js';
import { executeError, getterError } from '../webidl/errors.js';
import { PromiseSlot, promiseRejectedWith, promiseResolvedWith, setPromiseIsHandledToTrue } from '../webidl/promise.js';
import {
  IsWritableStreamLocked,
  WritableStreamAbort,
  WritableStreamAddWriteRequest,
  WritableStreamClose,
  WritableStreamCloseQueuedOrInFlight,
  writableStreamImpl,
  type WritableStreamImpl,
} from './writable-stream.js';
import {
  WritableStreamDefaultControllerGetChunkSize,
  WritableStreamDefaultControllerGetDesiredSize,
  WritableStreamDefaultControllerWrite,
} from './default-controller.js';

export class WritableStreamDefaultWriterImpl {
  closedPromise: PromiseSlot = undefined as never;
  readyPromise: PromiseSlot = undefined as never;
  stream: WritableStreamImpl | undefined = undefined;
  wrapper: WritableStreamDefaultWriter = undefined as never;
  /** The pipe that acquired this writer (pipe.ts): such a writer is never handed to script. */
  pipe: Pipe | undefined = undefined;
}

let getImpl: (x: unknown) => WritableStreamDefaultWriterImpl | undefined;
const IFACE = 'WritableStreamDefaultWriter';

export class WritableStreamDefaultWriter<W = any> {
  #impl: WritableStreamDefaultWriterImpl;

  constructor(stream: unknown) {
    const streamImpl = writableStreamImpl(stream);
    if (streamImpl === undefined) {
      throw new TypeErrorCtor(`Failed to construct '${IFACE}': parameter 1 is not of type 'WritableStream'.`);
    }
    const impl = new WritableStreamDefaultWriterImpl();
    impl.wrapper = this;
    this.#impl = impl;
    SetUpWritableStreamDefaultWriter(impl, streamImpl);
  }

  get closed(): Promise<undefined> {
    const impl = getImpl(this);
    if (impl === undefined) return promiseRejectedWith(getterError(IFACE, 'closed'));
    return impl.closedPromise.promise;
  }

  get desiredSize(): number | null {
    const impl = getImpl(this);
    if (impl === undefined) throw getterError(IFACE, 'desiredSize');
    if (impl.stream === undefined) throw new TypeErrorCtor(`Failed to read the 'desiredSize' property from '${IFACE}': This writer has been released.`);
    return WritableStreamDefaultWriterGetDesiredSize(impl);
  }

  get ready(): Promise<undefined> {
    const impl = getImpl(this);
    if (impl === undefined) return promiseRejectedWith(getterError(IFACE, 'ready'));
    return impl.readyPromise.promise;
  }

  abort(reason: unknown = undefined): Promise<undefined> {
    const impl = getImpl(this);
    if (impl === undefined) return promiseRejectedWith(executeError(IFACE, 'abort', 'Illegal invocation'));
    if (impl.stream === undefined) return promiseRejectedWith(executeError(IFACE, 'abort', 'This writer has been released.'));
    return WritableStreamDefaultWriterAbort(impl, reason);
  }

  close(): Promise<undefined> {
    const impl = getImpl(this);
    if (impl === undefined) return promiseRejectedWith(executeError(IFACE, 'close', 'Illegal invocation'));
    const stream = impl.stream;
    if (stream === undefined) return promiseRejectedWith(executeError(IFACE, 'close', 'This writer has been released.'));
    if (WritableStreamCloseQueuedOrInFlight(stream)) {
      return promiseRejectedWith(executeError(IFACE, 'close', 'Cannot close an already-closing stream'));
    }
    return WritableStreamDefaultWriterClose(impl);
  }

  releaseLock(): void {
    const impl = getImpl(this);
    if (impl === undefined) throw executeError(IFACE, 'releaseLock', 'Illegal invocation');
    if (impl.stream === undefined) return;
    WritableStreamDefaultWriterRelease(impl);
  }

  write(chunk: W = undefined as W): Promise<undefined> {
    const impl = getImpl(this);
    if (impl === undefined) return promiseRejectedWith(executeError(IFACE, 'write', 'Illegal invocation'));
    if (impl.stream === undefined) return promiseRejectedWith(executeError(IFACE, 'write', 'This writer has been released.'));
    return WritableStreamDefaultWriterWrite(impl, chunk).promise;
  }

  static {
    // The brand check (webidl/interface.ts says why it is written so).
    getImpl = (x) => {
      try {
        return (x as WritableStreamDefaultWriter).#impl;
      } catch {
        return undefined;
      }
    };
  }
}

defineInterface(WritableStreamDefaultWriter, IFACE);

export function writerImpl(x: unknown): WritableStreamDefaultWriterImpl | undefined {
  return getImpl(x);
}

// Abstract operations: https://streams.spec.whatwg.org/#ws-writer-abstract-ops

/** https://streams.spec.whatwg.org/#set-up-writable-stream-default-writer */
export function SetUpWritableStreamDefaultWriter(writer: WritableStreamDefaultWriterImpl, stream: WritableStreamImpl): void {
  if (IsWritableStreamLocked(stream)) {
    throw new TypeErrorCtor('This stream has already been locked for exclusive writing by another writer');
  }
  writer.stream = stream;
  stream.writer = writer;
  const state = stream.state;
  if (state === 'writable') {
    if (!WritableStreamCloseQueuedOrInFlight(stream) && stream.backpressure === true) writer.readyPromise = new PromiseSlot();
    else writer.readyPromise = PromiseSlot.resolved(undefined);
    writer.closedPromise = new PromiseSlot();
  } else if (state === 'erroring') {
    writer.readyPromise = PromiseSlot.rejectedAndHandled(stream.storedError);
    writer.closedPromise = new PromiseSlot();
  } else if (state === 'closed') {
    writer.readyPromise = PromiseSlot.resolved(undefined);
    writer.closedPromise = PromiseSlot.resolved(undefined);
  } else {
    const storedError = stream.storedError;
    writer.readyPromise = PromiseSlot.rejectedAndHandled(storedError);
    writer.closedPromise = PromiseSlot.rejectedAndHandled(storedError);
  }
}

/** https://streams.spec.whatwg.org/#writable-stream-default-writer-abort */
export function WritableStreamDefaultWriterAbort(writer: WritableStreamDefaultWriterImpl, reason: unknown): Promise<undefined> {
  return WritableStreamAbort(writer.stream!, reason);
}

/** https://streams.spec.whatwg.org/#writable-stream-default-writer-close */
export function WritableStreamDefaultWriterClose(writer: WritableStreamDefaultWriterImpl): Promise<undefined> {
  return WritableStreamClose(writer.stream!);
}

/** https://streams.spec.whatwg.org/#writable-stream-default-writer-close-with-error-propagation */
export function WritableStreamDefaultWriterCloseWithErrorPropagation(writer: WritableStreamDefaultWriterImpl): Promise<undefined> {
  const stream = writer.stream!;
  const state = stream.state;
  if (WritableStreamCloseQueuedOrInFlight(stream) || state === 'closed') return promiseResolvedWith(undefined);
  if (state === 'errored') return promiseRejectedWith(stream.storedError);
  return WritableStreamDefaultWriterClose(writer);
}

/** https://streams.spec.whatwg.org/#writable-stream-default-writer-ensure-closed-promise-rejected */
export function WritableStreamDefaultWriterEnsureClosedPromiseRejected(writer: WritableStreamDefaultWriterImpl, error: unknown): void {
  if (writer.closedPromise.state === 'pending') writer.closedPromise.reject(error);
  else writer.closedPromise = PromiseSlot.rejectedWith(error);
  setPromiseIsHandledToTrue(writer.closedPromise.promise);
}

/** https://streams.spec.whatwg.org/#writable-stream-default-writer-ensure-ready-promise-rejected */
export function WritableStreamDefaultWriterEnsureReadyPromiseRejected(writer: WritableStreamDefaultWriterImpl, error: unknown): void {
  if (writer.readyPromise.state === 'pending') writer.readyPromise.reject(error);
  else writer.readyPromise = PromiseSlot.rejectedWith(error);
  setPromiseIsHandledToTrue(writer.readyPromise.promise);
}

/** https://streams.spec.whatwg.org/#writable-stream-default-writer-get-desired-size */
export function WritableStreamDefaultWriterGetDesiredSize(writer: WritableStreamDefaultWriterImpl): number | null {
  const stream = writer.stream!;
  const state = stream.state;
  if (state === 'errored' || state === 'erroring') return null;
  if (state === 'closed') return 0;
  return WritableStreamDefaultControllerGetDesiredSize(stream.controller);
}

/** https://streams.spec.whatwg.org/#writable-stream-default-writer-release */
export function WritableStreamDefaultWriterRelease(writer: WritableStreamDefaultWriterImpl): void {
  const stream = writer.stream!;
  const releasedError = new TypeErrorCtor('Writer was released and can no longer be used to monitor the stream\'s closedness');
  WritableStreamDefaultWriterEnsureReadyPromiseRejected(writer, releasedError);
  WritableStreamDefaultWriterEnsureClosedPromiseRejected(writer, releasedError);
  stream.writer = undefined;
  writer.stream = undefined;
}

/**
 * https://streams.spec.whatwg.org/#writable-stream-default-writer-write
 * The promise comes as its slot: write() hands script `.promise`, the pipe only reacts (`upon`).
 */
export function WritableStreamDefaultWriterWrite(writer: WritableStreamDefaultWriterImpl, chunk: unknown): PromiseSlot {
  const stream = writer.stream!;
  const controller = stream.controller;
  const chunkSize = WritableStreamDefaultControllerGetChunkSize(controller, chunk);
  // The size algorithm may have released the writer.
  if (stream !== writer.stream) {
    return PromiseSlot.rejectedWith(new TypeErrorCtor('Cannot write to a stream using a released writer'));
  }
  // Steps 6-9 out of line: a writable stream with no close queued takes none of them.
  if (stream.state !== 'writable' || WritableStreamCloseQueuedOrInFlight(stream)) return rejectedWrite(stream);
  const promise = WritableStreamAddWriteRequest(stream);
  WritableStreamDefaultControllerWrite(controller, chunk, chunkSize);
  return promise;
}

/** WritableStreamDefaultWriterWrite's steps 6-9, for a stream that is not writable or is closing. */
function rejectedWrite(stream: WritableStreamImpl): PromiseSlot {
  const state = stream.state;
  if (state === 'errored') return PromiseSlot.rejectedWith(stream.storedError);
  if (WritableStreamCloseQueuedOrInFlight(stream) || state === 'closed') {
    return PromiseSlot.rejectedWith(new TypeErrorCtor('The stream is closing or closed and cannot be written to'));
  }
  return PromiseSlot.rejectedWith(stream.storedError); // "erroring"
}
