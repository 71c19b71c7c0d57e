// https://streams.spec.whatwg.org/#rbs-controller-class
import {
  TypeErrorCtor,
  RangeErrorCtor,
  ArrayBufferCtor,
  Uint8ArrayCtor,
  IsDetachedBuffer,
  TransferArrayBuffer,
  CopyDataBlockBytes,
  arrayBufferByteLength,
  CloneArrayBuffer,
  viewBuffer,
  viewByteLength,
  viewByteOffset,
  viewElementSize,
  viewKind,
  constructViewLike,
} from '../webidl/intrinsics.js';
import { defineInterface } from '../webidl/interface.js';
import { executeError, getterError } from '../webidl/errors.js';
import { invokeCallback, invokePromiseCallback } from '../webidl/converters.js';
import { promiseResolvedWith, uponPromise } from '../webidl/promise.js';
import { SimpleQueue } from '../abstract-ops/simple-queue.js';
import type { UnderlyingSourceDict } from '../dictionaries/underlying-source.js';
import {
  ReadableStreamAddReadIntoRequest,
  ReadableStreamAddReadRequest,
  ReadableStreamClose,
  ReadableStreamError,
  ReadableStreamFulfillReadIntoRequest,
  ReadableStreamFulfillReadRequest,
  ReadableStreamGetNumReadIntoRequests,
  ReadableStreamGetNumReadRequests,
  ReadableStreamHasBYOBReader,
  ReadableStreamHasDefaultReader,
  type ReadableStreamImpl,
} from './readable-stream.js';
import type { ReadRequest, ReadableStreamDefaultReaderImpl } from './default-reader.js';
import { isArrayBufferViewArgument, type ReadIntoRequest } from './byob-reader.js';
import { ReadableStreamBYOBRequestImpl, type ReadableStreamBYOBRequest } from './byob-request.js';

/** https://streams.spec.whatwg.org/#readable-byte-stream-queue-entry */
interface ByteQueueEntry {
  buffer: ArrayBuffer;
  byteOffset: number;
  byteLength: number;
}

/** https://streams.spec.whatwg.org/#pull-into-descriptor */
export interface PullIntoDescriptor {
  buffer: ArrayBuffer;
  bufferByteLength: number;
  byteOffset: number;
  byteLength: number;
  bytesFilled: number;
  minimumFill: number;
  elementSize: number;
  /** The view constructor, named by [[TypedArrayName]] ('DataView' for %DataView%). */
  viewConstructor: string;
  readerType: 'default' | 'byob' | 'none';
}

export class ReadableByteStreamControllerImpl {
  autoAllocateChunkSize: number | undefined = undefined;
  byobRequest: ReadableStreamBYOBRequestImpl | null = null;
  cancelAlgorithm: ((reason: unknown) => Promise<unknown>) | undefined = undefined;
  closeRequested = false;
  pullAgain = false;
  pullAlgorithm: (() => Promise<unknown>) | undefined = undefined;
  /** CallPullIfNeeded's reactions, made on first use. */
  pullReactions: [() => void, (e: unknown) => void] | undefined = undefined;
  pulling = false;
  pendingPullIntos = new SimpleQueue<PullIntoDescriptor>();
  queue = new SimpleQueue<ByteQueueEntry>();
  queueTotalSize = 0;
  started = false;
  strategyHWM = 0;
  stream: ReadableStreamImpl = undefined as never;
  wrapper: ReadableByteStreamController;

  constructor() {
    this.wrapper = wrap(this);
  }

  /** [[CancelSteps]] */
  cancelSteps(reason: unknown): Promise<unknown> {
    ReadableByteStreamControllerClearPendingPullIntos(this);
    ResetByteQueue(this);
    const result = this.cancelAlgorithm!(reason);
    ReadableByteStreamControllerClearAlgorithms(this);
    return result;
  }

  /** [[PullSteps]] */
  pullSteps(readRequest: ReadRequest): void {
    const stream = this.stream;
    // Assert: ! ReadableStreamHasDefaultReader(stream) is true.
    if (this.queueTotalSize > 0) {
      ReadableByteStreamControllerFillReadRequestFromQueue(this, readRequest);
      return;
    }
    const autoAllocateChunkSize = this.autoAllocateChunkSize;
    if (autoAllocateChunkSize !== undefined) {
      let buffer: ArrayBuffer;
      try {
        buffer = new ArrayBufferCtor(autoAllocateChunkSize);
      } catch (e) {
        readRequest.errorSteps(e);
        return;
      }
      this.pendingPullIntos.push({
        buffer,
        bufferByteLength: autoAllocateChunkSize,
        byteOffset: 0,
        byteLength: autoAllocateChunkSize,
        bytesFilled: 0,
        minimumFill: 1,
        elementSize: 1,
        viewConstructor: 'Uint8Array',
        readerType: 'default',
      });
    }
    ReadableStreamAddReadRequest(stream, readRequest);
    ReadableByteStreamControllerCallPullIfNeeded(this);
  }

  /** [[ReleaseSteps]] */
  releaseSteps(): void {
    if (this.pendingPullIntos.length > 0) {
      const firstPendingPullInto = this.pendingPullIntos.peek();
      firstPendingPullInto.readerType = 'none';
      this.pendingPullIntos = new SimpleQueue<PullIntoDescriptor>();
      this.pendingPullIntos.push(firstPendingPullInto);
    }
  }
}

let pendingImpl: ReadableByteStreamControllerImpl | undefined;
let getImpl: (x: unknown) => ReadableByteStreamControllerImpl | undefined;
const IFACE = 'ReadableByteStreamController';

export class ReadableByteStreamController {
  #impl: ReadableByteStreamControllerImpl;

  constructor() {
    if (pendingImpl === undefined) throw new TypeErrorCtor('Illegal constructor');
    this.#impl = pendingImpl;
    pendingImpl = undefined;
  }

  get byobRequest(): ReadableStreamBYOBRequest | null {
    const impl = getImpl(this);
    if (impl === undefined) throw getterError(IFACE, 'byobRequest');
    return ReadableByteStreamControllerGetBYOBRequest(impl)?.wrapper ?? null;
  }

  get desiredSize(): number | null {
    const impl = getImpl(this);
    if (impl === undefined) throw getterError(IFACE, 'desiredSize');
    return ReadableByteStreamControllerGetDesiredSize(impl);
  }

  close(): void {
    const impl = getImpl(this);
    if (impl === undefined) throw executeError(IFACE, 'close', 'Illegal invocation');
    if (impl.closeRequested) throw executeError(IFACE, 'close', 'The stream has already been closed; do not close it again!');
    if (impl.stream.state !== 'readable') {
      throw executeError(IFACE, 'close', `The stream (in ${impl.stream.state} state) is not in the readable state and cannot be closed`);
    }
    ReadableByteStreamControllerClose(impl);
  }

  enqueue(chunk: unknown): void {
    const impl = getImpl(this);
    if (impl === undefined) throw executeError(IFACE, 'enqueue', 'Illegal invocation');
    if (!isArrayBufferViewArgument(chunk)) {
      throw executeError(IFACE, 'enqueue', "parameter 1 is not of type 'ArrayBufferView'.");
    }
    if (viewByteLength(chunk) === 0) throw executeError(IFACE, 'enqueue', 'chunk must have non-zero byteLength');
    if (arrayBufferByteLength(viewBuffer(chunk)) === 0) {
      throw executeError(IFACE, 'enqueue', "chunk's buffer must have non-zero byteLength");
    }
    if (impl.closeRequested) throw executeError(IFACE, 'enqueue', 'stream is closed or draining');
    if (impl.stream.state !== 'readable') {
      throw executeError(IFACE, 'enqueue', `The stream (in ${impl.stream.state} state) is not in the readable state and cannot be enqueued to`);
    }
    ReadableByteStreamControllerEnqueue(impl, chunk);
  }

  error(e: unknown = undefined): void {
    const impl = getImpl(this);
    if (impl === undefined) throw executeError(IFACE, 'error', 'Illegal invocation');
    ReadableByteStreamControllerError(impl, e);
  }

  static {
    // The brand check (webidl/interface.ts says why it is written so).
    getImpl = (x) => {
      try {
        return (x as ReadableByteStreamController).#impl;
      } catch {
        return undefined;
      }
    };
  }
}

defineInterface(ReadableByteStreamController, IFACE);

function wrap(impl: ReadableByteStreamControllerImpl): ReadableByteStreamController {
  pendingImpl = impl;
  return new ReadableByteStreamController();
}

function ResetByteQueue(controller: ReadableByteStreamControllerImpl): void {
  controller.queue = new SimpleQueue<ByteQueueEntry>();
  controller.queueTotalSize = 0;
}

// Abstract operations: https://streams.spec.whatwg.org/#rbs-controller-abstract-ops

/** https://streams.spec.whatwg.org/#readable-byte-stream-controller-call-pull-if-needed */
export function ReadableByteStreamControllerCallPullIfNeeded(controller: ReadableByteStreamControllerImpl): void {
  // As the default controller's: [[pullAgain]] true means a pull is pending, nothing to add.
  if (controller.pullAgain === true) return;
  if (!ReadableByteStreamControllerShouldCallPull(controller)) return;
  if (controller.pulling === true) {
    controller.pullAgain = true;
    return;
  }
  controller.pulling = true;
  const pullPromise = controller.pullAlgorithm!();
  // The reactions read only the controller: made once per controller, not per pull.
  const reactions = (controller.pullReactions ??= bytePullReactionsOf(controller));
  uponPromise(pullPromise, reactions[0], reactions[1]);
}

/** CallPullIfNeeded's upon-fulfillment and upon-rejection steps. */
function bytePullReactionsOf(controller: ReadableByteStreamControllerImpl): [() => void, (e: unknown) => void] {
  return [
    () => {
      controller.pulling = false;
      if (controller.pullAgain === true) {
        controller.pullAgain = false;
        ReadableByteStreamControllerCallPullIfNeeded(controller);
      }
    },
    (e) => ReadableByteStreamControllerError(controller, e),
  ];
}

/** https://streams.spec.whatwg.org/#readable-byte-stream-controller-clear-algorithms */
export function ReadableByteStreamControllerClearAlgorithms(controller: ReadableByteStreamControllerImpl): void {
  controller.pullAlgorithm = undefined;
  controller.cancelAlgorithm = undefined;
}

/** https://streams.spec.whatwg.org/#readable-byte-stream-controller-clear-pending-pull-intos */
export function ReadableByteStreamControllerClearPendingPullIntos(controller: ReadableByteStreamControllerImpl): void {
  ReadableByteStreamControllerInvalidateBYOBRequest(controller);
  controller.pendingPullIntos = new SimpleQueue<PullIntoDescriptor>();
}

/** https://streams.spec.whatwg.org/#readable-byte-stream-controller-close */
export function ReadableByteStreamControllerClose(controller: ReadableByteStreamControllerImpl): void {
  const stream = controller.stream;
  if (controller.closeRequested || stream.state !== 'readable') return;
  if (controller.queueTotalSize > 0) {
    controller.closeRequested = true;
    return;
  }
  if (controller.pendingPullIntos.length > 0) {
    const firstPendingPullInto = controller.pendingPullIntos.peek();
    if (firstPendingPullInto.bytesFilled % firstPendingPullInto.elementSize !== 0) {
      const e = new TypeErrorCtor('Insufficient bytes to fill elements in the given buffer');
      ReadableByteStreamControllerError(controller, e);
      throw e;
    }
  }
  ReadableByteStreamControllerClearAlgorithms(controller);
  ReadableStreamClose(stream);
}

/** https://streams.spec.whatwg.org/#readable-byte-stream-controller-commit-pull-into-descriptor */
function ReadableByteStreamControllerCommitPullIntoDescriptor(
  stream: ReadableStreamImpl,
  pullIntoDescriptor: PullIntoDescriptor,
): void {
  // Assert: stream.[[state]] is not "errored"; pullIntoDescriptor.reader type is not "none".
  let done = false;
  if (stream.state === 'closed') done = true;
  const filledView = ReadableByteStreamControllerConvertPullIntoDescriptor(pullIntoDescriptor);
  if (pullIntoDescriptor.readerType === 'default') {
    ReadableStreamFulfillReadRequest(stream, filledView, done);
  } else {
    ReadableStreamFulfillReadIntoRequest(stream, filledView, done);
  }
}

/** https://streams.spec.whatwg.org/#readable-byte-stream-controller-convert-pull-into-descriptor */
function ReadableByteStreamControllerConvertPullIntoDescriptor(pullIntoDescriptor: PullIntoDescriptor): ArrayBufferView {
  const bytesFilled = pullIntoDescriptor.bytesFilled;
  const elementSize = pullIntoDescriptor.elementSize;
  const buffer = TransferArrayBuffer(pullIntoDescriptor.buffer);
  return constructViewLike(
    pullIntoDescriptor.viewConstructor,
    buffer,
    pullIntoDescriptor.byteOffset,
    bytesFilled / elementSize,
  );
}

/** https://streams.spec.whatwg.org/#readable-byte-stream-controller-enqueue */
export function ReadableByteStreamControllerEnqueue(controller: ReadableByteStreamControllerImpl, chunk: ArrayBufferView): void {
  const stream = controller.stream;
  if (controller.closeRequested || stream.state !== 'readable') return;
  const buffer = viewBuffer(chunk);
  const byteOffset = viewByteOffset(chunk);
  const byteLength = viewByteLength(chunk);
  // Step 4. If ! IsDetachedBuffer(buffer) is true, throw a TypeError exception.
  if (IsDetachedBuffer(buffer)) throw new TypeErrorCtor("chunk's buffer is detached and so cannot be enqueued");
  // Step 5. Let transferredBuffer be ? TransferArrayBuffer(buffer).
  const transferredBuffer = TransferArrayBuffer(buffer);
  // Step 6.
  if (controller.pendingPullIntos.length > 0) {
    const firstPendingPullInto = controller.pendingPullIntos.peek();
    if (IsDetachedBuffer(firstPendingPullInto.buffer)) {
      throw new TypeErrorCtor("The BYOB request's buffer has been detached and so cannot be filled with an enqueued chunk");
    }
    ReadableByteStreamControllerInvalidateBYOBRequest(controller);
    firstPendingPullInto.buffer = TransferArrayBuffer(firstPendingPullInto.buffer);
    if (firstPendingPullInto.readerType === 'none') {
      ReadableByteStreamControllerEnqueueDetachedPullIntoToQueue(controller, firstPendingPullInto);
    }
  }
  // Step 7.
  if (ReadableStreamHasDefaultReader(stream)) {
    ReadableByteStreamControllerProcessReadRequestsUsingQueue(controller);
    if (ReadableStreamGetNumReadRequests(stream) === 0) {
      ReadableByteStreamControllerEnqueueChunkToQueue(controller, transferredBuffer, byteOffset, byteLength);
    } else {
      if (controller.pendingPullIntos.length > 0) ReadableByteStreamControllerShiftPendingPullInto(controller);
      const transferredView = new Uint8ArrayCtor(transferredBuffer, byteOffset, byteLength);
      ReadableStreamFulfillReadRequest(stream, transferredView, false);
    }
  } else if (ReadableStreamHasBYOBReader(stream)) {
    // Step 8.
    ReadableByteStreamControllerEnqueueChunkToQueue(controller, transferredBuffer, byteOffset, byteLength);
    const filledPullIntos = ReadableByteStreamControllerProcessPullIntoDescriptorsUsingQueue(controller);
    for (const filledPullInto of filledPullIntos) {
      ReadableByteStreamControllerCommitPullIntoDescriptor(stream, filledPullInto);
    }
  } else {
    // Step 9. Assert: ! IsReadableStreamLocked(stream) is false.
    ReadableByteStreamControllerEnqueueChunkToQueue(controller, transferredBuffer, byteOffset, byteLength);
  }
  ReadableByteStreamControllerCallPullIfNeeded(controller);
}

/** https://streams.spec.whatwg.org/#readable-byte-stream-controller-enqueue-chunk-to-queue */
function ReadableByteStreamControllerEnqueueChunkToQueue(
  controller: ReadableByteStreamControllerImpl,
  buffer: ArrayBuffer,
  byteOffset: number,
  byteLength: number,
): void {
  controller.queue.push({ buffer, byteOffset, byteLength });
  controller.queueTotalSize += byteLength;
}

/** https://streams.spec.whatwg.org/#abstract-opdef-readablebytestreamcontrollerenqueueclonedchunktoqueue */
function ReadableByteStreamControllerEnqueueClonedChunkToQueue(
  controller: ReadableByteStreamControllerImpl,
  buffer: ArrayBuffer,
  byteOffset: number,
  byteLength: number,
): void {
  let cloneResult: ArrayBuffer;
  try {
    cloneResult = CloneArrayBuffer(buffer, byteOffset, byteLength);
  } catch (e) {
    ReadableByteStreamControllerError(controller, e);
    throw e;
  }
  ReadableByteStreamControllerEnqueueChunkToQueue(controller, cloneResult, 0, byteLength);
}

/** https://streams.spec.whatwg.org/#abstract-opdef-readablebytestreamcontrollerenqueuedetachedpullintotoqueue */
function ReadableByteStreamControllerEnqueueDetachedPullIntoToQueue(
  controller: ReadableByteStreamControllerImpl,
  pullIntoDescriptor: PullIntoDescriptor,
): void {
  // Assert: pullIntoDescriptor's reader type is "none".
  if (pullIntoDescriptor.bytesFilled > 0) {
    ReadableByteStreamControllerEnqueueClonedChunkToQueue(
      controller,
      pullIntoDescriptor.buffer,
      pullIntoDescriptor.byteOffset,
      pullIntoDescriptor.bytesFilled,
    );
  }
  ReadableByteStreamControllerShiftPendingPullInto(controller);
}

/** https://streams.spec.whatwg.org/#readable-byte-stream-controller-fill-pull-into-descriptor-from-queue */
function ReadableByteStreamControllerFillPullIntoDescriptorFromQueue(
  controller: ReadableByteStreamControllerImpl,
  pullIntoDescriptor: PullIntoDescriptor,
): boolean {
  const maxBytesToCopy = Math.min(
    controller.queueTotalSize,
    pullIntoDescriptor.byteLength - pullIntoDescriptor.bytesFilled,
  );
  const maxBytesFilled = pullIntoDescriptor.bytesFilled + maxBytesToCopy;
  let totalBytesToCopyRemaining = maxBytesToCopy;
  let ready = false;
  const remainderBytes = maxBytesFilled % pullIntoDescriptor.elementSize;
  const maxAlignedBytes = maxBytesFilled - remainderBytes;
  if (maxAlignedBytes >= pullIntoDescriptor.minimumFill) {
    totalBytesToCopyRemaining = maxAlignedBytes - pullIntoDescriptor.bytesFilled;
    ready = true;
  }
  const queue = controller.queue;
  while (totalBytesToCopyRemaining > 0) {
    const headOfQueue = queue.peek();
    const bytesToCopy = Math.min(totalBytesToCopyRemaining, headOfQueue.byteLength);
    const destStart = pullIntoDescriptor.byteOffset + pullIntoDescriptor.bytesFilled;
    CopyDataBlockBytes(pullIntoDescriptor.buffer, destStart, headOfQueue.buffer, headOfQueue.byteOffset, bytesToCopy);
    if (headOfQueue.byteLength === bytesToCopy) {
      queue.shift();
    } else {
      headOfQueue.byteOffset += bytesToCopy;
      headOfQueue.byteLength -= bytesToCopy;
    }
    controller.queueTotalSize -= bytesToCopy;
    ReadableByteStreamControllerFillHeadPullIntoDescriptor(controller, bytesToCopy, pullIntoDescriptor);
    totalBytesToCopyRemaining -= bytesToCopy;
  }
  // If not ready: the queue is empty and 0 < bytesFilled < minimumFill.
  return ready;
}

/** https://streams.spec.whatwg.org/#abstract-opdef-readablebytestreamcontrollerfillreadrequestfromqueue */
function ReadableByteStreamControllerFillReadRequestFromQueue(
  controller: ReadableByteStreamControllerImpl,
  readRequest: ReadRequest,
): void {
  const entry = controller.queue.shift();
  controller.queueTotalSize -= entry.byteLength;
  ReadableByteStreamControllerHandleQueueDrain(controller);
  const view = new Uint8ArrayCtor(entry.buffer, entry.byteOffset, entry.byteLength);
  readRequest.chunkSteps(view);
}

/** https://streams.spec.whatwg.org/#abstract-opdef-readablebytestreamcontrollergetbyobrequest */
export function ReadableByteStreamControllerGetBYOBRequest(
  controller: ReadableByteStreamControllerImpl,
): ReadableStreamBYOBRequestImpl | null {
  if (controller.byobRequest === null && controller.pendingPullIntos.length > 0) {
    const firstDescriptor = controller.pendingPullIntos.peek();
    const view = new Uint8ArrayCtor(
      firstDescriptor.buffer,
      firstDescriptor.byteOffset + firstDescriptor.bytesFilled,
      firstDescriptor.byteLength - firstDescriptor.bytesFilled,
    );
    const byobRequest = new ReadableStreamBYOBRequestImpl();
    byobRequest.controller = controller;
    byobRequest.view = view;
    controller.byobRequest = byobRequest;
  }
  return controller.byobRequest;
}

/** https://streams.spec.whatwg.org/#readable-byte-stream-controller-get-desired-size */
export function ReadableByteStreamControllerGetDesiredSize(controller: ReadableByteStreamControllerImpl): number | null {
  const state = controller.stream.state;
  if (state === 'errored') return null;
  if (state === 'closed') return 0;
  return controller.strategyHWM - controller.queueTotalSize;
}

/** https://streams.spec.whatwg.org/#readable-byte-stream-controller-handle-queue-drain */
function ReadableByteStreamControllerHandleQueueDrain(controller: ReadableByteStreamControllerImpl): void {
  if (controller.queueTotalSize === 0 && controller.closeRequested) {
    ReadableByteStreamControllerClearAlgorithms(controller);
    ReadableStreamClose(controller.stream);
  } else {
    ReadableByteStreamControllerCallPullIfNeeded(controller);
  }
}

/** https://streams.spec.whatwg.org/#readable-byte-stream-controller-invalidate-byob-request */
function ReadableByteStreamControllerInvalidateBYOBRequest(controller: ReadableByteStreamControllerImpl): void {
  const byobRequest = controller.byobRequest;
  if (byobRequest === null) return;
  byobRequest.controller = undefined;
  byobRequest.view = null;
  controller.byobRequest = null;
}

/** https://streams.spec.whatwg.org/#readable-byte-stream-controller-process-pull-into-descriptors-using-queue */
function ReadableByteStreamControllerProcessPullIntoDescriptorsUsingQueue(
  controller: ReadableByteStreamControllerImpl,
): PullIntoDescriptor[] {
  const filledPullIntos: PullIntoDescriptor[] = [];
  while (controller.pendingPullIntos.length > 0) {
    if (controller.queueTotalSize === 0) break;
    const pullIntoDescriptor = controller.pendingPullIntos.peek();
    if (ReadableByteStreamControllerFillPullIntoDescriptorFromQueue(controller, pullIntoDescriptor)) {
      ReadableByteStreamControllerShiftPendingPullInto(controller);
      filledPullIntos.push(pullIntoDescriptor);
    }
  }
  return filledPullIntos;
}

/** https://streams.spec.whatwg.org/#abstract-opdef-readablebytestreamcontrollerprocessreadrequestsusingqueue */
function ReadableByteStreamControllerProcessReadRequestsUsingQueue(controller: ReadableByteStreamControllerImpl): void {
  const reader = controller.stream.reader as ReadableStreamDefaultReaderImpl;
  while (reader.readRequests.length > 0) {
    if (controller.queueTotalSize === 0) return;
    const readRequest = reader.readRequests.shift();
    ReadableByteStreamControllerFillReadRequestFromQueue(controller, readRequest);
  }
}

/** https://streams.spec.whatwg.org/#readable-byte-stream-controller-pull-into */
export function ReadableByteStreamControllerPullInto(
  controller: ReadableByteStreamControllerImpl,
  view: ArrayBufferView,
  min: number,
  readIntoRequest: ReadIntoRequest,
): void {
  const stream = controller.stream;
  // Steps 2-4: element size and constructor from [[TypedArrayName]] (%DataView% otherwise).
  const elementSize = viewElementSize(view);
  const viewConstructor = viewKind(view);
  // Step 5.
  const minimumFill = min * elementSize;
  const byteOffset = viewByteOffset(view);
  const byteLength = viewByteLength(view);
  // Steps 9-11. Let bufferResult be TransferArrayBuffer(view.[[ViewedArrayBuffer]]).
  let buffer: ArrayBuffer;
  try {
    buffer = TransferArrayBuffer(viewBuffer(view));
  } catch (e) {
    readIntoRequest.errorSteps(e);
    return;
  }
  const pullIntoDescriptor: PullIntoDescriptor = {
    buffer,
    bufferByteLength: arrayBufferByteLength(buffer),
    byteOffset,
    byteLength,
    bytesFilled: 0,
    minimumFill,
    elementSize,
    viewConstructor,
    readerType: 'byob',
  };
  // Step 13.
  if (controller.pendingPullIntos.length > 0) {
    controller.pendingPullIntos.push(pullIntoDescriptor);
    ReadableStreamAddReadIntoRequest(stream, readIntoRequest);
    return;
  }
  // Step 14.
  if (stream.state === 'closed') {
    const emptyView = constructViewLike(viewConstructor, pullIntoDescriptor.buffer, pullIntoDescriptor.byteOffset, 0);
    readIntoRequest.closeSteps(emptyView);
    return;
  }
  // Step 15.
  if (controller.queueTotalSize > 0) {
    if (ReadableByteStreamControllerFillPullIntoDescriptorFromQueue(controller, pullIntoDescriptor)) {
      const filledView = ReadableByteStreamControllerConvertPullIntoDescriptor(pullIntoDescriptor);
      ReadableByteStreamControllerHandleQueueDrain(controller);
      readIntoRequest.chunkSteps(filledView);
      return;
    }
    if (controller.closeRequested) {
      const e = new TypeErrorCtor('Insufficient bytes to fill elements in the given buffer');
      ReadableByteStreamControllerError(controller, e);
      readIntoRequest.errorSteps(e);
      return;
    }
  }
  // Steps 16-18.
  controller.pendingPullIntos.push(pullIntoDescriptor);
  ReadableStreamAddReadIntoRequest(stream, readIntoRequest);
  ReadableByteStreamControllerCallPullIfNeeded(controller);
}

/** https://streams.spec.whatwg.org/#readable-byte-stream-controller-respond */
export function ReadableByteStreamControllerRespond(controller: ReadableByteStreamControllerImpl, bytesWritten: number): void {
  const firstDescriptor = controller.pendingPullIntos.peek();
  const state = controller.stream.state;
  if (state === 'closed') {
    if (bytesWritten !== 0) {
      throw new TypeErrorCtor('bytesWritten must be 0 when calling respond() on a closed stream');
    }
  } else {
    if (bytesWritten === 0) {
      throw new TypeErrorCtor('bytesWritten must be greater than 0 when calling respond() on a readable stream');
    }
    if (firstDescriptor.bytesFilled + bytesWritten > firstDescriptor.byteLength) {
      throw new RangeErrorCtor('bytesWritten out of range');
    }
  }
  firstDescriptor.buffer = TransferArrayBuffer(firstDescriptor.buffer);
  ReadableByteStreamControllerRespondInternal(controller, bytesWritten);
}

/** https://streams.spec.whatwg.org/#readable-byte-stream-controller-respond-in-closed-state */
function ReadableByteStreamControllerRespondInClosedState(
  controller: ReadableByteStreamControllerImpl,
  firstDescriptor: PullIntoDescriptor,
): void {
  if (firstDescriptor.readerType === 'none') ReadableByteStreamControllerShiftPendingPullInto(controller);
  const stream = controller.stream;
  if (ReadableStreamHasBYOBReader(stream)) {
    const filledPullIntos: PullIntoDescriptor[] = [];
    while (filledPullIntos.length < ReadableStreamGetNumReadIntoRequests(stream)) {
      filledPullIntos.push(ReadableByteStreamControllerShiftPendingPullInto(controller));
    }
    for (const filledPullInto of filledPullIntos) {
      ReadableByteStreamControllerCommitPullIntoDescriptor(stream, filledPullInto);
    }
  }
}

/** https://streams.spec.whatwg.org/#readable-byte-stream-controller-respond-in-readable-state */
function ReadableByteStreamControllerRespondInReadableState(
  controller: ReadableByteStreamControllerImpl,
  bytesWritten: number,
  pullIntoDescriptor: PullIntoDescriptor,
): void {
  ReadableByteStreamControllerFillHeadPullIntoDescriptor(controller, bytesWritten, pullIntoDescriptor);
  if (pullIntoDescriptor.readerType === 'none') {
    ReadableByteStreamControllerEnqueueDetachedPullIntoToQueue(controller, pullIntoDescriptor);
    const filledPullIntos = ReadableByteStreamControllerProcessPullIntoDescriptorsUsingQueue(controller);
    for (const filledPullInto of filledPullIntos) {
      ReadableByteStreamControllerCommitPullIntoDescriptor(controller.stream, filledPullInto);
    }
    return;
  }
  if (pullIntoDescriptor.bytesFilled < pullIntoDescriptor.minimumFill) return;
  ReadableByteStreamControllerShiftPendingPullInto(controller);
  const remainderSize = pullIntoDescriptor.bytesFilled % pullIntoDescriptor.elementSize;
  if (remainderSize > 0) {
    const end = pullIntoDescriptor.byteOffset + pullIntoDescriptor.bytesFilled;
    ReadableByteStreamControllerEnqueueClonedChunkToQueue(
      controller,
      pullIntoDescriptor.buffer,
      end - remainderSize,
      remainderSize,
    );
  }
  pullIntoDescriptor.bytesFilled -= remainderSize;
  const filledPullIntos = ReadableByteStreamControllerProcessPullIntoDescriptorsUsingQueue(controller);
  ReadableByteStreamControllerCommitPullIntoDescriptor(controller.stream, pullIntoDescriptor);
  for (const filledPullInto of filledPullIntos) {
    ReadableByteStreamControllerCommitPullIntoDescriptor(controller.stream, filledPullInto);
  }
}

/** https://streams.spec.whatwg.org/#readable-byte-stream-controller-respond-internal */
function ReadableByteStreamControllerRespondInternal(controller: ReadableByteStreamControllerImpl, bytesWritten: number): void {
  const firstDescriptor = controller.pendingPullIntos.peek();
  ReadableByteStreamControllerInvalidateBYOBRequest(controller);
  const state = controller.stream.state;
  if (state === 'closed') {
    ReadableByteStreamControllerRespondInClosedState(controller, firstDescriptor);
  } else {
    ReadableByteStreamControllerRespondInReadableState(controller, bytesWritten, firstDescriptor);
  }
  ReadableByteStreamControllerCallPullIfNeeded(controller);
}

/** https://streams.spec.whatwg.org/#readable-byte-stream-controller-respond-with-new-view */
export function ReadableByteStreamControllerRespondWithNewView(
  controller: ReadableByteStreamControllerImpl,
  view: ArrayBufferView,
): void {
  const firstDescriptor = controller.pendingPullIntos.peek();
  const state = controller.stream.state;
  const byteLength = viewByteLength(view);
  if (state === 'closed') {
    if (byteLength !== 0) {
      throw new TypeErrorCtor("The view's length must be 0 when calling respondWithNewView() on a closed stream");
    }
  } else if (byteLength === 0) {
    throw new TypeErrorCtor("The view's length must be greater than 0 when calling respondWithNewView() on a readable stream");
  }
  if (firstDescriptor.byteOffset + firstDescriptor.bytesFilled !== viewByteOffset(view)) {
    throw new RangeErrorCtor('The region specified by view does not match byobRequest');
  }
  if (firstDescriptor.bufferByteLength !== arrayBufferByteLength(viewBuffer(view))) {
    throw new RangeErrorCtor('The buffer of view has different capacity than byobRequest');
  }
  if (firstDescriptor.bytesFilled + byteLength > firstDescriptor.byteLength) {
    throw new RangeErrorCtor('The region specified by view is larger than byobRequest');
  }
  const viewByteLengthValue = byteLength;
  firstDescriptor.buffer = TransferArrayBuffer(viewBuffer(view));
  ReadableByteStreamControllerRespondInternal(controller, viewByteLengthValue);
}

/** https://streams.spec.whatwg.org/#readable-byte-stream-controller-shift-pending-pull-into */
function ReadableByteStreamControllerShiftPendingPullInto(controller: ReadableByteStreamControllerImpl): PullIntoDescriptor {
  // Assert: controller.[[byobRequest]] is null.
  return controller.pendingPullIntos.shift();
}

/** https://streams.spec.whatwg.org/#readable-byte-stream-controller-should-call-pull */
function ReadableByteStreamControllerShouldCallPull(controller: ReadableByteStreamControllerImpl): boolean {
  const stream = controller.stream;
  if (stream.state !== 'readable') return false;
  if (controller.closeRequested) return false;
  if (!controller.started) return false;
  if (ReadableStreamHasDefaultReader(stream) && ReadableStreamGetNumReadRequests(stream) > 0) return true;
  if (ReadableStreamHasBYOBReader(stream) && ReadableStreamGetNumReadIntoRequests(stream) > 0) return true;
  const desiredSize = ReadableByteStreamControllerGetDesiredSize(controller)!;
  return desiredSize > 0;
}

/** https://streams.spec.whatwg.org/#readable-byte-stream-controller-error */
export function ReadableByteStreamControllerError(controller: ReadableByteStreamControllerImpl, e: unknown): void {
  const stream = controller.stream;
  if (stream.state !== 'readable') return;
  ReadableByteStreamControllerClearPendingPullIntos(controller);
  ResetByteQueue(controller);
  ReadableByteStreamControllerClearAlgorithms(controller);
  ReadableStreamError(stream, e);
}

/** https://streams.spec.whatwg.org/#readable-byte-stream-controller-fill-head-pull-into-descriptor */
function ReadableByteStreamControllerFillHeadPullIntoDescriptor(
  controller: ReadableByteStreamControllerImpl,
  size: number,
  pullIntoDescriptor: PullIntoDescriptor,
): void {
  // Assert: either pendingPullIntos is empty or its head is pullIntoDescriptor; byobRequest is null.
  void controller;
  pullIntoDescriptor.bytesFilled += size;
}

/** https://streams.spec.whatwg.org/#set-up-readable-byte-stream-controller */
export function SetUpReadableByteStreamController(
  stream: ReadableStreamImpl,
  controller: ReadableByteStreamControllerImpl,
  startAlgorithm: () => unknown,
  pullAlgorithm: () => Promise<unknown>,
  cancelAlgorithm: (reason: unknown) => Promise<unknown>,
  highWaterMark: number,
  autoAllocateChunkSize: number | undefined,
): void {
  controller.stream = stream;
  controller.pullAgain = false;
  controller.pulling = false;
  controller.byobRequest = null;
  ResetByteQueue(controller);
  controller.closeRequested = false;
  controller.started = false;
  controller.strategyHWM = highWaterMark;
  controller.pullAlgorithm = pullAlgorithm;
  controller.cancelAlgorithm = cancelAlgorithm;
  controller.autoAllocateChunkSize = autoAllocateChunkSize;
  controller.pendingPullIntos = new SimpleQueue<PullIntoDescriptor>();
  stream.controller = controller;
  const startResult = startAlgorithm();
  uponPromise(
    promiseResolvedWith(startResult),
    () => {
      controller.started = true;
      ReadableByteStreamControllerCallPullIfNeeded(controller);
    },
    (r) => ReadableByteStreamControllerError(controller, r),
  );
}

const resolvedUndefined = (): Promise<undefined> => promiseResolvedWith(undefined);

/** https://streams.spec.whatwg.org/#set-up-readable-byte-stream-controller-from-underlying-source */
export function SetUpReadableByteStreamControllerFromUnderlyingSource(
  stream: ReadableStreamImpl,
  underlyingSource: unknown,
  underlyingSourceDict: UnderlyingSourceDict,
  highWaterMark: number,
): void {
  const controller = new ReadableByteStreamControllerImpl();
  const wrapper = controller.wrapper;
  const { start, pull, cancel, autoAllocateChunkSize } = underlyingSourceDict;
  const startAlgorithm = start === undefined ? () => undefined : () => invokeCallback(start, underlyingSource, [wrapper]);
  const pullAlgorithm =
    pull === undefined ? resolvedUndefined : () => invokePromiseCallback(pull, underlyingSource, [wrapper]);
  const cancelAlgorithm =
    cancel === undefined
      ? resolvedUndefined
      : (reason: unknown) => invokePromiseCallback(cancel, underlyingSource, [reason]);
  if (autoAllocateChunkSize === 0) {
    throw new TypeErrorCtor('autoAllocateChunkSize must be greater than 0');
  }
  SetUpReadableByteStreamController(
    stream,
    controller,
    startAlgorithm,
    pullAlgorithm,
    cancelAlgorithm,
    highWaterMark,
    autoAllocateChunkSize,
  );
}

export function byteStreamControllerImpl(x: unknown): ReadableByteStreamControllerImpl | undefined {
  return getImpl(x);
}
