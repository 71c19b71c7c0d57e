// IdentityTransformStream and FixedLengthStream, the byte pipes Cloudflare Workers provides
// (https://developers.cloudflare.com/workers/runtime-apis/streams/transformstream/). Not a web
// standard: TransformStreams whose writable side takes BufferSource chunks and whose readable side
// is a byte stream (so BYOB readers work), passing the bytes through unchanged. A write completes
// once the readable side holds no more than the queuing strategy's highWaterMark bytes (0 by
// default: once a reader has taken them). A FixedLengthStream also holds its writer to an
// expected byte length, and as a Response or Request body it is sent with that Content-Length
// (runtime/serve.ts, runtime/fetch.ts: `fixedLengthOf`).
import { TransformStream, TransformStreamImpl, adoptTransformStreamRecord } from '../streams/transform-stream/transform-stream.js';
import { InitializeReadableStream, type ReadableStream } from '../streams/readable-stream/readable-stream.js';
import {
  ReadableByteStreamControllerClose,
  ReadableByteStreamControllerEnqueue,
  ReadableByteStreamControllerError,
  ReadableByteStreamControllerImpl,
  SetUpReadableByteStreamController,
} from '../streams/readable-stream/byte-stream-controller.js';
import { CreateWritableStream } from '../streams/writable-stream/writable-stream.js';
import { WritableStreamDefaultControllerErrorIfNeeded } from '../streams/writable-stream/default-controller.js';
import { newPromise, promiseRejectedWith, promiseResolvedWith, type Deferred } from '../streams/webidl/promise.js';
import { dictionaryObject } from '../streams/webidl/converters.js';
import { defineInterface } from '../streams/webidl/interface.js';
import { RangeErrorCtor, TypeErrorCtor, uncurryThis } from '../streams/webidl/intrinsics.js';
import { bufferSourceBytes, copyOfBytes, type BufferSource } from './buffer-source.js';

const weakMapGet = uncurryThis(WeakMap.prototype.get as (this: WeakMap<object, number>, key: object) => number | undefined);
const weakMapSet = uncurryThis(WeakMap.prototype.set as (this: WeakMap<object, number>, key: object, value: number) => WeakMap<object, number>);
const NumberCtor = Number;
const NumberIsSafeInteger = Number.isSafeInteger;

/** The expected length of each FixedLengthStream's readable side, for the body's Content-Length. */
const fixedLengths = new WeakMap<object, number>();

/** The Content-Length a body stream carries: a FixedLengthStream's readable side's expected length. */
export function fixedLengthOf(stream: ReadableStream): number | undefined {
  return weakMapGet(fixedLengths, stream);
}

/** `value` as a byte count: a non-negative safe integer, given as a number or a bigint. */
function byteCount(value: unknown, context: string, what: string): number {
  const n = typeof value === 'bigint' ? NumberCtor(value) : typeof value === 'number' ? value : NaN;
  if (!NumberIsSafeInteger(n) || n < 0) throw new RangeErrorCtor(`${context} ${what} must be a non-negative integer, not ${typeof value === 'bigint' ? `${value}n` : String(value)}.`);
  return n;
}

/**
 * The record of an identity byte pipe: its TransformStream record, whose controller is never used
 * (no transformer runs), with the two sides made here.
 */
function identityRecord(highWaterMark: number, expectedLength: number | undefined, context: string): TransformStreamImpl {
  const record = new TransformStreamImpl();
  const readable = InitializeReadableStream();
  const controller = new ReadableByteStreamControllerImpl();
  /** The write waiting for the readable side to take its bytes. */
  let waiting: Deferred<undefined> | undefined;
  let written = 0;
  const release = (): void => {
    const write = waiting;
    waiting = undefined;
    write?.resolve(undefined);
  };
  const fail = (error: unknown): Promise<never> => {
    ReadableByteStreamControllerError(controller, error);
    WritableStreamDefaultControllerErrorIfNeeded(record.writable.controller, error);
    return promiseRejectedWith(error);
  };
  const write = (chunk: unknown): Promise<unknown> => {
    const bytes = bufferSourceBytes(chunk, false);
    if (bytes === undefined) {
      return fail(new TypeErrorCtor(`${context} the writable side takes ArrayBuffer and ArrayBufferView chunks only.`));
    }
    const length = bytes.byteLength;
    if (expectedLength !== undefined && written + length > expectedLength) {
      return fail(new TypeErrorCtor(`${context} a write would pass the expected length of ${expectedLength} bytes.`));
    }
    written += length;
    if (length === 0) return promiseResolvedWith(undefined);
    // A copy: the writer keeps its buffer (enqueuing transfers the one it is given).
    ReadableByteStreamControllerEnqueue(controller, copyOfBytes(bytes, 0, length));
    if (controller.queueTotalSize <= highWaterMark) return promiseResolvedWith(undefined);
    waiting = newPromise<undefined>();
    return waiting.promise;
  };
  const close = (): Promise<unknown> => {
    if (expectedLength !== undefined && written < expectedLength) {
      return fail(new TypeErrorCtor(`${context} closed after ${written} of its expected ${expectedLength} bytes.`));
    }
    try {
      ReadableByteStreamControllerClose(controller);
    } catch (error) {
      // A BYOB read left holding part of an element: the readable side errored itself.
      return fail(error);
    }
    return promiseResolvedWith(undefined);
  };
  const abort = (reason: unknown): Promise<unknown> => {
    ReadableByteStreamControllerError(controller, reason);
    return promiseResolvedWith(undefined);
  };
  // The readable side asks for more once it holds no more than highWaterMark bytes (its own
  // high-water mark is one above, so that it asks as soon as a read takes the bytes), or when a
  // read waits: the write waiting for that completes.
  const pull = (): Promise<unknown> => {
    release();
    return promiseResolvedWith(undefined);
  };
  const cancel = (reason: unknown): Promise<unknown> => {
    WritableStreamDefaultControllerErrorIfNeeded(record.writable.controller, reason);
    const write = waiting;
    waiting = undefined;
    write?.reject(reason);
    return promiseResolvedWith(undefined);
  };
  // The writable side queues one chunk (as a TransformStream's does), so that a pipe reads ahead.
  record.writable = CreateWritableStream(() => undefined, write, close, abort, 1, undefined);
  SetUpReadableByteStreamController(readable, controller, () => undefined, pull, cancel, highWaterMark + 1, undefined);
  record.readable = readable;
  return record;
}

/** Converts IdentityTransformStream's `queuingStrategy` argument: its highWaterMark, in bytes. */
function strategyHighWaterMark(queuingStrategy: unknown, context: string): number {
  const dict = dictionaryObject(queuingStrategy, context);
  const highWaterMark = dict === null ? undefined : dict['highWaterMark'];
  return highWaterMark === undefined ? 0 : byteCount(highWaterMark, context, 'highWaterMark');
}

let pendingExpectedLength: number | undefined;

export class IdentityTransformStream extends TransformStream<BufferSource, Uint8Array> {
  constructor(queuingStrategy: { highWaterMark?: number | bigint } | undefined = undefined) {
    const expectedLength = pendingExpectedLength;
    pendingExpectedLength = undefined;
    const iface = expectedLength === undefined ? 'IdentityTransformStream' : 'FixedLengthStream';
    const context = `Failed to construct '${iface}':`;
    const record = identityRecord(strategyHighWaterMark(queuingStrategy, context), expectedLength, `${iface}:`);
    if (expectedLength !== undefined) weakMapSet(fixedLengths, record.readable.wrapper, expectedLength);
    // TransformStream's constructor takes this record instead of making one.
    adoptTransformStreamRecord(record);
    super();
  }
}

export class FixedLengthStream extends IdentityTransformStream {
  constructor(expectedLength: number | bigint, queuingStrategy: { highWaterMark?: number | bigint } | undefined = undefined) {
    if (arguments.length < 1) throw new TypeErrorCtor("Failed to construct 'FixedLengthStream': 1 argument required, but only 0 present.");
    pendingExpectedLength = byteCount(expectedLength, "Failed to construct 'FixedLengthStream':", 'expectedLength');
    super(queuingStrategy);
  }
}

defineInterface(IdentityTransformStream, 'IdentityTransformStream');
defineInterface(FixedLengthStream, 'FixedLengthStream');
