// https://streams.spec.whatwg.org/#byob-reader-class
import { TypeErrorCtor, RangeErrorCtor, isTypedArray, isDataView, viewBuffer, viewByteLength, arrayBufferByteLength, IsDetachedBuffer, typedArrayLength, isSharedArrayBuffer, isResizableArrayBuffer } from '../webidl/intrinsics.js';
import { defineInterface } from '../webidl/interface.js';
import { executeError, getterError } from '../webidl/errors.js';
import { newPromise, promiseRejectedWith } from '../webidl/promise.js';
import { convertBYOBReadOptions } from '../dictionaries/pipe-options.js';
import { SimpleQueue } from '../abstract-ops/simple-queue.js';
import { IsReadableStreamLocked, readableStreamImpl, type ReadableStreamImpl } from './readable-stream.js';
import { ReadableByteStreamControllerImpl, ReadableByteStreamControllerPullInto } from './byte-stream-controller.js';
import {
  ReadableStreamReaderGenericCancel,
  ReadableStreamReaderGenericInitialize,
  ReadableStreamReaderGenericRelease,
  type ClosedPromise,
} from './generic-reader.js';
import type { ReadableStreamReadResult } from './default-reader.js';
import type { ReadableStreamBYOBReaderReadOptions } from '../types.js';

/** https://streams.spec.whatwg.org/#read-into-request */
export interface ReadIntoRequest {
  chunkSteps(chunk: ArrayBufferView): void;
  closeSteps(chunk: ArrayBufferView | undefined): void;
  errorSteps(e: unknown): void;
}

export class ReadableStreamBYOBReaderImpl {
  closedPromise: ClosedPromise = undefined as never;
  stream: ReadableStreamImpl | undefined = undefined;
  readIntoRequests = new SimpleQueue<ReadIntoRequest>();
  wrapper: ReadableStreamBYOBReader = undefined as never;
}

class BYOBReaderReadIntoRequest implements ReadIntoRequest {
  constructor(
    private readonly resolve: (r: ReadableStreamReadResult<ArrayBufferView>) => void,
    private readonly reject: (e: unknown) => void,
  ) {}
  chunkSteps(chunk: ArrayBufferView): void {
    this.resolve({ value: chunk, done: false });
  }
  closeSteps(chunk: ArrayBufferView | undefined): void {
    this.resolve({ value: chunk, done: true });
  }
  errorSteps(e: unknown): void {
    this.reject(e);
  }
}

let getImpl: (x: unknown) => ReadableStreamBYOBReaderImpl | undefined;
const IFACE = 'ReadableStreamBYOBReader';
/** Made once: a template here would build the string on every read. */
const READ_CONTEXT = `Failed to execute 'read' on '${IFACE}':`;

/**
 * The WebIDL `ArrayBufferView` type (no [AllowShared], no [AllowResizable]): the view's buffer
 * when `x` is one (read() goes on with it: `buffer` is a C++ getter, worth one call), else undefined.
 */
function arrayBufferViewArgumentBuffer(x: unknown): ArrayBuffer | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  if (!isTypedArray(x) && !isDataView(x)) return undefined;
  const buffer = viewBuffer(x as ArrayBufferView);
  if (isSharedArrayBuffer(buffer) || isResizableArrayBuffer(buffer)) return undefined;
  return buffer;
}

/** The WebIDL `ArrayBufferView` type (no [AllowShared], no [AllowResizable]). */
export function isArrayBufferViewArgument(x: unknown): x is ArrayBufferView {
  return arrayBufferViewArgumentBuffer(x) !== undefined;
}

export class ReadableStreamBYOBReader {
  #impl: ReadableStreamBYOBReaderImpl;

  constructor(stream: unknown) {
    const streamImpl = readableStreamImpl(stream);
    if (streamImpl === undefined) {
      throw new TypeErrorCtor(`Failed to construct '${IFACE}': parameter 1 is not of type 'ReadableStream'.`);
    }
    const impl = new ReadableStreamBYOBReaderImpl();
    impl.wrapper = this;
    this.#impl = impl;
    SetUpReadableStreamBYOBReader(impl, streamImpl);
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

  read<T extends ArrayBufferView>(view: T, options?: ReadableStreamBYOBReaderReadOptions): Promise<ReadableStreamReadResult<T>>;
  read(viewArgument: unknown, options: unknown = undefined): Promise<ReadableStreamReadResult<ArrayBufferView>> {
    const impl = getImpl(this);
    if (impl === undefined) return promiseRejectedWith(executeError(IFACE, 'read', 'Illegal invocation'));
    const buffer = arrayBufferViewArgumentBuffer(viewArgument);
    if (buffer === undefined) {
      return promiseRejectedWith(executeError(IFACE, 'read', "parameter 1 is not of type 'ArrayBufferView'."));
    }
    const view = viewArgument as ArrayBufferView;
    let min: number;
    try {
      min = convertBYOBReadOptions(options, READ_CONTEXT).min;
    } catch (e) {
      return promiseRejectedWith(e);
    }
    // Step 1. If view.[[ByteLength]] is 0, return a promise rejected with a TypeError exception.
    if (viewByteLength(view) === 0) {
      return promiseRejectedWith(executeError(IFACE, 'read', 'This readable stream reader cannot be used to read into an empty view.'));
    }
    // Step 2. If view.[[ViewedArrayBuffer]].[[ArrayBufferByteLength]] is 0, return a promise rejected with a TypeError.
    if (arrayBufferByteLength(buffer) === 0) {
      return promiseRejectedWith(executeError(IFACE, 'read', "The view's buffer is detached or empty."));
    }
    // Step 3. If ! IsDetachedBuffer(view.[[ViewedArrayBuffer]]) is true, return a promise rejected with a TypeError.
    if (IsDetachedBuffer(buffer)) {
      return promiseRejectedWith(executeError(IFACE, 'read', "The view's buffer has been detached."));
    }
    // Step 4. If options["min"] is 0, return a promise rejected with a TypeError exception.
    if (min === 0) return promiseRejectedWith(executeError(IFACE, 'read', 'options.min must be greater than 0.'));
    // Steps 5-6. min must fit in the view, counted in elements for typed arrays, bytes for DataView.
    if (isTypedArray(view)) {
      if (min > typedArrayLength(view)) {
        return promiseRejectedWith(new RangeErrorCtor(`Failed to execute 'read' on '${IFACE}': options.min must be less than or equal to the view's length.`));
      }
    } else if (min > viewByteLength(view)) {
      return promiseRejectedWith(new RangeErrorCtor(`Failed to execute 'read' on '${IFACE}': options.min must be less than or equal to the view's byteLength.`));
    }
    // Step 7. If this.[[stream]] is undefined, return a promise rejected with a TypeError exception.
    if (impl.stream === undefined) {
      return promiseRejectedWith(executeError(IFACE, 'read', 'This reader has been released.'));
    }
    const { promise, resolve, reject } = newPromise<ReadableStreamReadResult<ArrayBufferView>>();
    ReadableStreamBYOBReaderRead(impl, view, min, new BYOBReaderReadIntoRequest(resolve, reject));
    return promise;
  }

  releaseLock(): void {
    const impl = getImpl(this);
    if (impl === undefined) throw executeError(IFACE, 'releaseLock', 'Illegal invocation');
    if (impl.stream === undefined) return;
    ReadableStreamBYOBReaderRelease(impl);
  }

  static {
    // The brand check (webidl/interface.ts says why it is written so).
    getImpl = (x) => {
      try {
        return (x as ReadableStreamBYOBReader).#impl;
      } catch {
        return undefined;
      }
    };
  }
}

defineInterface(ReadableStreamBYOBReader, IFACE);

export function byobReaderImpl(x: unknown): ReadableStreamBYOBReaderImpl | undefined {
  return getImpl(x);
}

// Abstract operations: https://streams.spec.whatwg.org/#byob-reader-abstract-ops

/** https://streams.spec.whatwg.org/#readable-stream-byob-reader-read */
export function ReadableStreamBYOBReaderRead(
  reader: ReadableStreamBYOBReaderImpl,
  view: ArrayBufferView,
  min: number,
  readIntoRequest: ReadIntoRequest,
): void {
  const stream = reader.stream!;
  stream.disturbed = true;
  if (stream.state === 'errored') readIntoRequest.errorSteps(stream.storedError);
  else ReadableByteStreamControllerPullInto(stream.controller as ReadableByteStreamControllerImpl, view, min, readIntoRequest);
}

/** https://streams.spec.whatwg.org/#abstract-opdef-readablestreambyobreaderrelease */
export function ReadableStreamBYOBReaderRelease(reader: ReadableStreamBYOBReaderImpl): void {
  ReadableStreamReaderGenericRelease(reader);
  const e = new TypeErrorCtor('Reader was released');
  ReadableStreamBYOBReaderErrorReadIntoRequests(reader, e);
}

/** https://streams.spec.whatwg.org/#abstract-opdef-readablestreambyobreadererrorreadintorequests */
export function ReadableStreamBYOBReaderErrorReadIntoRequests(reader: ReadableStreamBYOBReaderImpl, e: unknown): void {
  const readIntoRequests = reader.readIntoRequests;
  if (readIntoRequests.length === 0) return;
  reader.readIntoRequests = new SimpleQueue<ReadIntoRequest>();
  while (readIntoRequests.length > 0) readIntoRequests.shift().errorSteps(e);
}

/** https://streams.spec.whatwg.org/#set-up-readable-stream-byob-reader */
export function SetUpReadableStreamBYOBReader(reader: ReadableStreamBYOBReaderImpl, stream: ReadableStreamImpl): void {
  if (IsReadableStreamLocked(stream)) {
    throw new TypeErrorCtor('This stream has already been locked for exclusive reading by another reader');
  }
  if (!(stream.controller instanceof ReadableByteStreamControllerImpl)) {
    throw new TypeErrorCtor('Cannot construct a ReadableStreamBYOBReader for a stream not constructed with a byte source');
  }
  ReadableStreamReaderGenericInitialize(reader, stream);
  reader.readIntoRequests = new SimpleQueue<ReadIntoRequest>();
}
