// Transferable streams: https://streams.spec.whatwg.org/#transferrable-streams
// ReadableStream, WritableStream and TransformStream are [Transferable]: a transferred stream
// becomes a pair of cross-realm transform streams joined by entangled MessagePorts, the original
// piped into (or from) the side that stays. NANO has one realm per isolate, so both sides live in
// it; the messages still go through the ports' message queues, as tasks, as the standard says.
import { IsReadableStreamLocked, InitializeReadableStream, readableStreamImpl, type ReadableStreamImpl } from '../streams/readable-stream/readable-stream.js';
import {
  ReadableStreamDefaultControllerClose,
  ReadableStreamDefaultControllerEnqueue,
  ReadableStreamDefaultControllerError,
  ReadableStreamDefaultControllerImpl,
  SetUpReadableStreamDefaultController,
} from '../streams/readable-stream/default-controller.js';
import { ReadableStreamPipeTo } from '../streams/readable-stream/pipe.js';
import { IsWritableStreamLocked, InitializeWritableStream, writableStreamImpl, type WritableStreamImpl } from '../streams/writable-stream/writable-stream.js';
import {
  SetUpWritableStreamDefaultController,
  WritableStreamDefaultControllerErrorIfNeeded,
  WritableStreamDefaultControllerImpl,
} from '../streams/writable-stream/default-controller.js';
import { TransformStreamImpl, newTransformStreamWrapper, transformStreamImpl } from '../streams/transform-stream/transform-stream.js';
import { newPromise, PerformPromiseThen, promiseRejectedWith, promiseResolvedWith, setPromiseIsHandledToTrue, type Deferred } from '../streams/webidl/promise.js';
import { createEntangledPorts, disentanglePort, listenInternally, postToEntangledPort, type MessagePort } from './message-channel.js';
import {
  StructuredDeserializeWithTransfer,
  StructuredSerializeWithTransfer,
  dataCloneError,
  registerTransferable,
  type SerializeWithTransferResult,
} from './structured-clone.js';

const ObjectCreate = Object.create;
const returnOne = (): number => 1;
const returnUndefined = (): undefined => undefined;

/** What PackAndPostMessage sends: an object with the message's type and value. */
type CrossRealmMessage = { type: unknown; value: unknown };

const UNDESERIALIZABLE = 'A message from the other side of the transferred stream could not be deserialized.';

// Abstract operations: https://streams.spec.whatwg.org/#abstract-opdef-setupcrossrealmtransformreadable

/** https://streams.spec.whatwg.org/#abstract-opdef-setupcrossrealmtransformreadable */
export function SetUpCrossRealmTransformReadable(stream: ReadableStreamImpl, port: MessagePort): void {
  // Step 1 (InitializeReadableStream) is the caller's: it made the record.
  // Step 2.
  const controller = new ReadableStreamDefaultControllerImpl();
  // Steps 3-5: the message and messageerror handlers; the port message queue enabled.
  listenInternally(port, {
    message(data) {
      const { type, value } = data as CrossRealmMessage;
      if (type === 'chunk') {
        ReadableStreamDefaultControllerEnqueue(controller, value);
      } else if (type === 'close') {
        ReadableStreamDefaultControllerClose(controller);
        disentanglePort(port);
      } else if (type === 'error') {
        ReadableStreamDefaultControllerError(controller, value);
        disentanglePort(port);
      }
    },
    messageerror() {
      const error = dataCloneError(UNDESERIALIZABLE);
      CrossRealmTransformSendError(port, error);
      ReadableStreamDefaultControllerError(controller, error);
      disentanglePort(port);
    },
  });
  // Step 7.
  const pullAlgorithm = (): Promise<undefined> => {
    PackAndPostMessage(port, 'pull', undefined);
    return promiseResolvedWith(undefined);
  };
  // Step 8.
  const cancelAlgorithm = (reason: unknown): Promise<undefined> => {
    const result = PackAndPostMessageHandlingError(port, 'error', reason);
    disentanglePort(port);
    return result.ok ? promiseResolvedWith(undefined) : promiseRejectedWith(result.error);
  };
  // Steps 6, 9, 10: highWaterMark 0, every chunk of size 1.
  SetUpReadableStreamDefaultController(stream, controller, returnUndefined, pullAlgorithm, cancelAlgorithm, 0, returnOne);
}

/** https://streams.spec.whatwg.org/#abstract-opdef-setupcrossrealmtransformwritable */
export function SetUpCrossRealmTransformWritable(stream: WritableStreamImpl, port: MessagePort): void {
  // Step 2.
  const controller = new WritableStreamDefaultControllerImpl();
  // Step 3. Pending until the other side asks for a chunk; undefined while it wants one.
  let backpressurePromise: Deferred<undefined> | undefined = newPromise<undefined>();
  const relieveBackpressure = (): void => {
    if (backpressurePromise !== undefined) {
      backpressurePromise.resolve(undefined);
      backpressurePromise = undefined;
    }
  };
  // Steps 4-6.
  listenInternally(port, {
    message(data) {
      const { type, value } = data as CrossRealmMessage;
      if (type === 'pull') {
        relieveBackpressure();
      } else if (type === 'error') {
        WritableStreamDefaultControllerErrorIfNeeded(controller, value);
        relieveBackpressure();
      }
    },
    messageerror() {
      const error = dataCloneError(UNDESERIALIZABLE);
      CrossRealmTransformSendError(port, error);
      WritableStreamDefaultControllerErrorIfNeeded(controller, error);
      disentanglePort(port);
    },
  });
  // Step 8.
  const writeAlgorithm = (chunk: unknown): Promise<undefined> => {
    const waitFor = backpressurePromise === undefined ? promiseResolvedWith(undefined) : backpressurePromise.promise;
    return PerformPromiseThen(waitFor, () => {
      backpressurePromise = newPromise<undefined>();
      const result = PackAndPostMessageHandlingError(port, 'chunk', chunk);
      if (!result.ok) {
        disentanglePort(port);
        return promiseRejectedWith<undefined>(result.error);
      }
      return promiseResolvedWith(undefined);
    });
  };
  // Step 9.
  const closeAlgorithm = (): Promise<undefined> => {
    PackAndPostMessage(port, 'close', undefined);
    disentanglePort(port);
    return promiseResolvedWith(undefined);
  };
  // Step 10.
  const abortAlgorithm = (reason: unknown): Promise<undefined> => {
    const result = PackAndPostMessageHandlingError(port, 'error', reason);
    disentanglePort(port);
    return result.ok ? promiseResolvedWith(undefined) : promiseRejectedWith(result.error);
  };
  // Steps 7, 11, 12: highWaterMark 1, every chunk of size 1.
  SetUpWritableStreamDefaultController(stream, controller, returnUndefined, writeAlgorithm, closeAlgorithm, abortAlgorithm, 1, returnOne);
}

/** https://streams.spec.whatwg.org/#abstract-opdef-packandpostmessage (throws what serialization throws) */
function PackAndPostMessage(port: MessagePort, type: string, value: unknown): void {
  // Steps 1-3. A null-prototype object: nothing inherited is serialized with it.
  const message = ObjectCreate(null) as { type: string; value: unknown };
  message.type = type;
  message.value = value;
  // Steps 4-6.
  postToEntangledPort(port, message);
}

/** https://streams.spec.whatwg.org/#abstract-opdef-crossrealmtransformsenderror */
function CrossRealmTransformSendError(port: MessagePort, error: unknown): void {
  try {
    PackAndPostMessage(port, 'error', error);
  } catch {
    // The result is discarded.
  }
}

/** https://streams.spec.whatwg.org/#abstract-opdef-packandpostmessagehandlingerror, as a completion record. */
function PackAndPostMessageHandlingError(port: MessagePort, type: string, value: unknown): { ok: true } | { ok: false; error: unknown } {
  try {
    PackAndPostMessage(port, type, value);
    return { ok: true };
  } catch (error) {
    CrossRealmTransformSendError(port, error);
    return { ok: false, error };
  }
}

// The transfer steps and transfer-receiving steps.

/** Streams transferred away: their [[Detached]] (a platform object's, HTML's transfer steps test it). */
const detached = new WeakSet<object>();

/** The data holder's [[port]]: the other port, serialized with itself transferred. */
function transferPort(port: MessagePort): SerializeWithTransferResult {
  return StructuredSerializeWithTransfer(port, [port]);
}

function receivePort(holder: SerializeWithTransferResult): MessagePort {
  return StructuredDeserializeWithTransfer(holder).deserialized as MessagePort;
}

/** https://streams.spec.whatwg.org/#rs-transfer */
function transferReadable(value: ReadableStreamImpl): SerializeWithTransferResult {
  // Step 1.
  if (IsReadableStreamLocked(value)) throw dataCloneError('A locked ReadableStream could not be transferred.');
  // Steps 2-4.
  const [port1, port2] = createEntangledPorts();
  // Steps 5-6.
  const writable = InitializeWritableStream();
  SetUpCrossRealmTransformWritable(writable, port1);
  // Steps 7-8.
  setPromiseIsHandledToTrue(ReadableStreamPipeTo(value, writable, false, false, false, undefined));
  // Step 9.
  return transferPort(port2);
}

function receiveReadable(port: SerializeWithTransferResult): ReadableStreamImpl {
  const stream = InitializeReadableStream();
  SetUpCrossRealmTransformReadable(stream, receivePort(port));
  return stream;
}

/** https://streams.spec.whatwg.org/#ws-transfer */
function transferWritable(value: WritableStreamImpl): SerializeWithTransferResult {
  // Step 1.
  if (IsWritableStreamLocked(value)) throw dataCloneError('A locked WritableStream could not be transferred.');
  // Steps 2-4.
  const [port1, port2] = createEntangledPorts();
  // Steps 5-6.
  const readable = InitializeReadableStream();
  SetUpCrossRealmTransformReadable(readable, port1);
  // Steps 7-8.
  setPromiseIsHandledToTrue(ReadableStreamPipeTo(readable, value, false, false, false, undefined));
  // Step 9.
  return transferPort(port2);
}

function receiveWritable(port: SerializeWithTransferResult): WritableStreamImpl {
  const stream = InitializeWritableStream();
  SetUpCrossRealmTransformWritable(stream, receivePort(port));
  return stream;
}

registerTransferable({
  name: 'ReadableStream',
  is: (x) => readableStreamImpl(x) !== undefined,
  isDetached: (x) => detached.has(x),
  transfer: (x) => transferReadable(readableStreamImpl(x)!),
  detach: (x) => void detached.add(x),
  receive: (data) => receiveReadable(data as SerializeWithTransferResult).wrapper,
});

registerTransferable({
  name: 'WritableStream',
  is: (x) => writableStreamImpl(x) !== undefined,
  isDetached: (x) => detached.has(x),
  transfer: (x) => transferWritable(writableStreamImpl(x)!),
  detach: (x) => void detached.add(x),
  receive: (data) => receiveWritable(data as SerializeWithTransferResult).wrapper,
});

/** https://streams.spec.whatwg.org/#ts-transfer */
registerTransferable({
  name: 'TransformStream',
  is: (x) => transformStreamImpl(x) !== undefined,
  isDetached: (x) => detached.has(x),
  transfer(x) {
    const value = transformStreamImpl(x)!;
    // Steps 1-4.
    if (IsReadableStreamLocked(value.readable)) throw dataCloneError('A TransformStream whose readable side is locked could not be transferred.');
    if (IsWritableStreamLocked(value.writable)) throw dataCloneError('A TransformStream whose writable side is locked could not be transferred.');
    // Steps 5-6.
    return {
      readable: StructuredSerializeWithTransfer(value.readable.wrapper, [value.readable.wrapper]),
      writable: StructuredSerializeWithTransfer(value.writable.wrapper, [value.writable.wrapper]),
    };
  },
  detach: (x) => void detached.add(x),
  receive(data) {
    const holder = data as { readable: SerializeWithTransferResult; writable: SerializeWithTransferResult };
    // Steps 1-5.
    const value = new TransformStreamImpl();
    value.readable = readableStreamImpl(StructuredDeserializeWithTransfer(holder.readable).deserialized)!;
    value.writable = writableStreamImpl(StructuredDeserializeWithTransfer(holder.writable).deserialized)!;
    value.backpressure = undefined;
    value.backpressureChangePromise = undefined;
    value.controller = undefined as never;
    return newTransformStreamWrapper(value);
  },
});
