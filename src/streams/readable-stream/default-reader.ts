// https://streams.spec.whatwg.org/#default-reader-class
import { TypeErrorCtor } from '../webidl/intrinsics.js';
import { defineInterface } from '../webidl/interface.js';
import { executeError, getterError } from '../webidl/errors.js';
import { newPromise, promiseRejectedWith, promiseResolvedWith, promiseResolvedWithFreshObject } from '../webidl/promise.js';
import { ReadableStreamDefaultControllerImpl } from './default-controller.js';
import { SimpleQueue } from '../abstract-ops/simple-queue.js';
import { IsReadableStreamLocked, readableStreamImpl, type ReadableStreamImpl } from './readable-stream.js';
import {
  ReadableStreamReaderGenericCancel,
  ReadableStreamReaderGenericInitialize,
  ReadableStreamReaderGenericRelease,
  type ClosedPromise,
} from './generic-reader.js';

/** https://streams.spec.whatwg.org/#read-request */
export interface ReadRequest {
  chunkSteps(chunk: unknown): void;
  closeSteps(): void;
  errorSteps(e: unknown): void;
}

export class ReadableStreamDefaultReaderImpl {
  closedPromise: ClosedPromise = undefined as never;
  stream: ReadableStreamImpl | undefined = undefined;
  readRequests = new SimpleQueue<ReadRequest>();
  wrapper: ReadableStreamDefaultReader = undefined as never;
}

/** The read request behind reader.read(): settles the promise read() returned. */
class DefaultReaderReadRequest implements ReadRequest {
  constructor(
    private readonly resolve: (r: ReadableStreamReadResult<unknown>) => void,
    private readonly reject: (e: unknown) => void,
  ) {}
  chunkSteps(chunk: unknown): void {
    this.resolve({ value: chunk, done: false });
  }
  closeSteps(): void {
    this.resolve({ value: undefined, done: true });
  }
  errorSteps(e: unknown): void {
    this.reject(e);
  }
}

export interface ReadableStreamReadResult<T> {
  value: T | undefined;
  done: boolean;
}

let getImpl: (x: unknown) => ReadableStreamDefaultReaderImpl | undefined;
const IFACE = 'ReadableStreamDefaultReader';

export class ReadableStreamDefaultReader<R = any> {
  #impl: ReadableStreamDefaultReaderImpl;

  constructor(stream: unknown) {
    const streamImpl = readableStreamImpl(stream);
    if (streamImpl === undefined) {
      throw new TypeErrorCtor(`Failed to construct '${IFACE}': parameter 1 is not of type 'ReadableStream'.`);
    }
    const impl = new ReadableStreamDefaultReaderImpl();
    impl.wrapper = this;
    this.#impl = impl;
    SetUpReadableStreamDefaultReader(impl, streamImpl);
  }

  get closed(): Promise<undefined> {
    const impl = getImpl(this);
    if (impl === undefined) return promiseRejectedWith(getterError(IFACE, 'closed'));
    return impl.closedPromise.promise;
  }

  cancel(reason: unknown = undefined): Promise<undefined> {
    const impl = getImpl(this);
    if (impl === undefined) return promiseRejectedWith(executeError(IFACE, 'cancel', 'Illegal invocation'));
    if (impl.stream === undefined) {
      return promiseRejectedWith(executeError(IFACE, 'cancel', 'This reader has been released.'));
    }
    return ReadableStreamReaderGenericCancel(impl, reason);
  }

  read(): Promise<ReadableStreamReadResult<R>> {
    const impl = getImpl(this);
    if (impl === undefined) return promiseRejectedWith(executeError(IFACE, 'read', 'Illegal invocation'));
    if (impl.stream === undefined) {
      return promiseRejectedWith(executeError(IFACE, 'read', 'This reader has been released.'));
    }
    // Fast path (docs/fast-paths.md): a chunk is already buffered, so the read request's chunk
    // steps would run synchronously; a promise resolved with the result is indistinguishable.
    const controller = ReadableStreamDefaultReaderBufferedController(impl);
    if (controller !== undefined) {
      impl.stream.disturbed = true;
      return promiseResolvedWithFreshObject({ value: controller.takeBufferedChunk() as R, done: false });
    }
    const { promise, resolve, reject } = newPromise<ReadableStreamReadResult<R>>();
    ReadableStreamDefaultReaderRead(impl, new DefaultReaderReadRequest(resolve as never, reject));
    return promise;
  }

  releaseLock(): void {
    const impl = getImpl(this);
    if (impl === undefined) throw executeError(IFACE, 'releaseLock', 'Illegal invocation');
    if (impl.stream === undefined) return;
    ReadableStreamDefaultReaderRelease(impl);
  }

  static {
    // The brand check (webidl/interface.ts says why it is written so).
    getImpl = (x) => {
      try {
        return (x as ReadableStreamDefaultReader).#impl;
      } catch {
        return undefined;
      }
    };
  }
}

defineInterface(ReadableStreamDefaultReader, IFACE);

export function defaultReaderImpl(x: unknown): ReadableStreamDefaultReaderImpl | undefined {
  return getImpl(x);
}

// Abstract operations: https://streams.spec.whatwg.org/#default-reader-abstract-ops

/**
 * The default controller of the reader's stream when a read would be served from its queue right
 * now (stream readable, chunks buffered); undefined otherwise. Readers' fast paths start here.
 */
export function ReadableStreamDefaultReaderBufferedController(
  reader: ReadableStreamDefaultReaderImpl,
): ReadableStreamDefaultControllerImpl | undefined {
  const stream = reader.stream!;
  if (stream.state !== 'readable') return undefined;
  const controller = stream.controller;
  if (controller instanceof ReadableStreamDefaultControllerImpl && controller.queue.length > 0) return controller;
  return undefined;
}

/** https://streams.spec.whatwg.org/#readable-stream-default-reader-read */
export function ReadableStreamDefaultReaderRead(reader: ReadableStreamDefaultReaderImpl, readRequest: ReadRequest): void {
  const stream = reader.stream!;
  stream.disturbed = true;
  if (stream.state === 'closed') readRequest.closeSteps();
  else if (stream.state === 'errored') readRequest.errorSteps(stream.storedError);
  else stream.controller.pullSteps(readRequest);
}

/** https://streams.spec.whatwg.org/#abstract-opdef-readablestreamdefaultreaderrelease */
export function ReadableStreamDefaultReaderRelease(reader: ReadableStreamDefaultReaderImpl): void {
  ReadableStreamReaderGenericRelease(reader);
  const e = new TypeErrorCtor('Reader was released');
  ReadableStreamDefaultReaderErrorReadRequests(reader, e);
}

/** https://streams.spec.whatwg.org/#abstract-opdef-readablestreamdefaultreadererrorreadrequests */
export function ReadableStreamDefaultReaderErrorReadRequests(reader: ReadableStreamDefaultReaderImpl, e: unknown): void {
  const readRequests = reader.readRequests;
  if (readRequests.length === 0) return;
  reader.readRequests = new SimpleQueue<ReadRequest>();
  while (readRequests.length > 0) readRequests.shift().errorSteps(e);
}

/** https://streams.spec.whatwg.org/#set-up-readable-stream-default-reader */
export function SetUpReadableStreamDefaultReader(reader: ReadableStreamDefaultReaderImpl, stream: ReadableStreamImpl): void {
  if (IsReadableStreamLocked(stream)) {
    throw new TypeErrorCtor('This stream has already been locked for exclusive reading by another reader');
  }
  ReadableStreamReaderGenericInitialize(reader, stream);
  reader.readRequests = new SimpleQueue<ReadRequest>();
}
