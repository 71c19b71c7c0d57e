// https://streams.spec.whatwg.org/#readable-stream-tee
import {
  Uint8ArrayCtor,
  CloneArrayBuffer,
  queueMicrotaskIntrinsic,
  viewBuffer,
  viewByteLength,
  viewByteOffset,
} from '../webidl/intrinsics.js';
import { internalResolvedUndefined, newPromise, uponRejection, type Deferred } from '../webidl/promise.js';
import {
  AcquireReadableStreamBYOBReader,
  AcquireReadableStreamDefaultReader,
  CreateReadableByteStream,
  CreateReadableStream,
  ReadableStreamCancel,
  type ReadableStreamImpl,
  type ReadableStreamReaderImpl,
} from './readable-stream.js';
import {
  ReadableStreamDefaultControllerClose,
  ReadableStreamDefaultControllerEnqueue,
  ReadableStreamDefaultControllerError,
  type ReadableStreamDefaultControllerImpl,
} from './default-controller.js';
import {
  ReadableByteStreamControllerClose,
  ReadableByteStreamControllerEnqueue,
  ReadableByteStreamControllerError,
  ReadableByteStreamControllerGetBYOBRequest,
  ReadableByteStreamControllerImpl,
  ReadableByteStreamControllerRespond,
  ReadableByteStreamControllerRespondWithNewView,
} from './byte-stream-controller.js';
import {
  ReadableStreamDefaultReaderImpl,
  ReadableStreamDefaultReaderRead,
  ReadableStreamDefaultReaderRelease,
  type ReadRequest,
} from './default-reader.js';
import {
  ReadableStreamBYOBReaderImpl,
  ReadableStreamBYOBReaderRead,
  ReadableStreamBYOBReaderRelease,
  type ReadIntoRequest,
} from './byob-reader.js';
import { StructuredClone } from '../abstract-ops/ecmascript.js';

/** https://streams.spec.whatwg.org/#readable-stream-tee */
export function ReadableStreamTee(
  stream: ReadableStreamImpl,
  cloneForBranch2: boolean,
): [ReadableStreamImpl, ReadableStreamImpl] {
  if (stream.controller instanceof ReadableByteStreamControllerImpl) return ReadableByteStreamTee(stream);
  return ReadableStreamDefaultTee(stream, cloneForBranch2);
}

/** https://streams.spec.whatwg.org/#abstract-opdef-readablestreamdefaulttee */
export function ReadableStreamDefaultTee(
  stream: ReadableStreamImpl,
  cloneForBranch2: boolean,
): [ReadableStreamImpl, ReadableStreamImpl] {
  const reader = AcquireReadableStreamDefaultReader(stream);
  let reading = false;
  let readAgain = false;
  let canceled1 = false;
  let canceled2 = false;
  let reason1: unknown;
  let reason2: unknown;
  let branch1: ReadableStreamImpl;
  let branch2: ReadableStreamImpl;
  const cancelPromise: Deferred<undefined> = newPromise<undefined>();
  const controller1 = () => branch1.controller as ReadableStreamDefaultControllerImpl;
  const controller2 = () => branch2.controller as ReadableStreamDefaultControllerImpl;

  const readRequest: ReadRequest = {
    chunkSteps(chunk) {
      // Queue a microtask: the read may have been fulfilled synchronously, and the spec wants the
      // branches' enqueues to happen after the caller's stack unwinds.
      queueMicrotaskIntrinsic(() => {
        readAgain = false;
        const chunk1 = chunk;
        let chunk2 = chunk;
        if (!canceled2 && cloneForBranch2) {
          try {
            chunk2 = StructuredClone(chunk2);
          } catch (e) {
            ReadableStreamDefaultControllerError(controller1(), e);
            ReadableStreamDefaultControllerError(controller2(), e);
            cancelPromise.resolve(ReadableStreamCancel(stream, e));
            return;
          }
        }
        if (!canceled1) ReadableStreamDefaultControllerEnqueue(controller1(), chunk1);
        if (!canceled2) ReadableStreamDefaultControllerEnqueue(controller2(), chunk2);
        reading = false;
        if (readAgain) pullAlgorithm();
      });
    },
    closeSteps() {
      reading = false;
      if (!canceled1) ReadableStreamDefaultControllerClose(controller1());
      if (!canceled2) ReadableStreamDefaultControllerClose(controller2());
      if (!canceled1 || !canceled2) cancelPromise.resolve(undefined);
    },
    errorSteps() {
      reading = false;
    },
  };

  // The pull algorithms' results only reach CallPullIfNeeded: the shared fulfilled promise
  // (docs/fast-paths.md #18).
  function pullAlgorithm(): Promise<undefined> {
    if (reading) {
      readAgain = true;
      return internalResolvedUndefined;
    }
    reading = true;
    ReadableStreamDefaultReaderRead(reader, readRequest);
    return internalResolvedUndefined;
  }

  function cancel1Algorithm(reason: unknown): Promise<undefined> {
    canceled1 = true;
    reason1 = reason;
    if (canceled2) {
      const compositeReason = [reason1, reason2];
      cancelPromise.resolve(ReadableStreamCancel(stream, compositeReason));
    }
    return cancelPromise.promise;
  }

  function cancel2Algorithm(reason: unknown): Promise<undefined> {
    canceled2 = true;
    reason2 = reason;
    if (canceled1) {
      const compositeReason = [reason1, reason2];
      cancelPromise.resolve(ReadableStreamCancel(stream, compositeReason));
    }
    return cancelPromise.promise;
  }

  const startAlgorithm = () => undefined;
  branch1 = CreateReadableStream(startAlgorithm, pullAlgorithm, cancel1Algorithm);
  branch2 = CreateReadableStream(startAlgorithm, pullAlgorithm, cancel2Algorithm);

  uponRejection(reader.closedPromise.promise, (r) => {
    ReadableStreamDefaultControllerError(controller1(), r);
    ReadableStreamDefaultControllerError(controller2(), r);
    if (!canceled1 || !canceled2) cancelPromise.resolve(undefined);
  });

  return [branch1, branch2];
}

/** https://streams.spec.whatwg.org/#abstract-opdef-readablebytestreamtee */
export function ReadableByteStreamTee(stream: ReadableStreamImpl): [ReadableStreamImpl, ReadableStreamImpl] {
  let reader: ReadableStreamReaderImpl = AcquireReadableStreamDefaultReader(stream);
  let reading = false;
  let readAgainForBranch1 = false;
  let readAgainForBranch2 = false;
  let canceled1 = false;
  let canceled2 = false;
  let reason1: unknown;
  let reason2: unknown;
  let branch1: ReadableStreamImpl;
  let branch2: ReadableStreamImpl;
  const cancelPromise: Deferred<undefined> = newPromise<undefined>();
  const controllerOf = (branch: ReadableStreamImpl) => branch.controller as ReadableByteStreamControllerImpl;

  function forwardReaderError(thisReader: ReadableStreamReaderImpl): void {
    uponRejection(thisReader.closedPromise.promise, (r) => {
      if (thisReader !== reader) return;
      ReadableByteStreamControllerError(controllerOf(branch1), r);
      ReadableByteStreamControllerError(controllerOf(branch2), r);
      if (!canceled1 || !canceled2) cancelPromise.resolve(undefined);
    });
  }

  function pullWithDefaultReader(): void {
    if (reader instanceof ReadableStreamBYOBReaderImpl) {
      ReadableStreamBYOBReaderRelease(reader);
      reader = AcquireReadableStreamDefaultReader(stream);
      forwardReaderError(reader);
    }
    const readRequest: ReadRequest = {
      chunkSteps(chunk) {
        queueMicrotaskIntrinsic(() => {
          readAgainForBranch1 = false;
          readAgainForBranch2 = false;
          const chunk1 = chunk as ArrayBufferView;
          let chunk2 = chunk as ArrayBufferView;
          if (!canceled1 && !canceled2) {
            try {
              chunk2 = CloneAsUint8Array(chunk1);
            } catch (e) {
              ReadableByteStreamControllerError(controllerOf(branch1), e);
              ReadableByteStreamControllerError(controllerOf(branch2), e);
              cancelPromise.resolve(ReadableStreamCancel(stream, e));
              return;
            }
          }
          if (!canceled1) ReadableByteStreamControllerEnqueue(controllerOf(branch1), chunk1);
          if (!canceled2) ReadableByteStreamControllerEnqueue(controllerOf(branch2), chunk2);
          reading = false;
          if (readAgainForBranch1) pull1Algorithm();
          else if (readAgainForBranch2) pull2Algorithm();
        });
      },
      closeSteps() {
        reading = false;
        if (!canceled1) ReadableByteStreamControllerClose(controllerOf(branch1));
        if (!canceled2) ReadableByteStreamControllerClose(controllerOf(branch2));
        if (controllerOf(branch1).pendingPullIntos.length > 0) {
          ReadableByteStreamControllerRespond(controllerOf(branch1), 0);
        }
        if (controllerOf(branch2).pendingPullIntos.length > 0) {
          ReadableByteStreamControllerRespond(controllerOf(branch2), 0);
        }
        if (!canceled1 || !canceled2) cancelPromise.resolve(undefined);
      },
      errorSteps() {
        reading = false;
      },
    };
    ReadableStreamDefaultReaderRead(reader as ReadableStreamDefaultReaderImpl, readRequest);
  }

  function pullWithBYOBReader(view: ArrayBufferView, forBranch2: boolean): void {
    if (reader instanceof ReadableStreamDefaultReaderImpl) {
      ReadableStreamDefaultReaderRelease(reader);
      reader = AcquireReadableStreamBYOBReader(stream);
      forwardReaderError(reader);
    }
    const byobBranch = forBranch2 ? branch2 : branch1;
    const otherBranch = forBranch2 ? branch1 : branch2;
    const readIntoRequest: ReadIntoRequest = {
      chunkSteps(chunk) {
        queueMicrotaskIntrinsic(() => {
          readAgainForBranch1 = false;
          readAgainForBranch2 = false;
          const byobCanceled = forBranch2 ? canceled2 : canceled1;
          const otherCanceled = forBranch2 ? canceled1 : canceled2;
          if (!otherCanceled) {
            let clonedChunk: Uint8Array;
            try {
              clonedChunk = CloneAsUint8Array(chunk);
            } catch (e) {
              ReadableByteStreamControllerError(controllerOf(byobBranch), e);
              ReadableByteStreamControllerError(controllerOf(otherBranch), e);
              cancelPromise.resolve(ReadableStreamCancel(stream, e));
              return;
            }
            if (!byobCanceled) ReadableByteStreamControllerRespondWithNewView(controllerOf(byobBranch), chunk);
            ReadableByteStreamControllerEnqueue(controllerOf(otherBranch), clonedChunk);
          } else if (!byobCanceled) {
            ReadableByteStreamControllerRespondWithNewView(controllerOf(byobBranch), chunk);
          }
          reading = false;
          if (readAgainForBranch1) pull1Algorithm();
          else if (readAgainForBranch2) pull2Algorithm();
        });
      },
      closeSteps(chunk) {
        reading = false;
        const byobCanceled = forBranch2 ? canceled2 : canceled1;
        const otherCanceled = forBranch2 ? canceled1 : canceled2;
        if (!byobCanceled) ReadableByteStreamControllerClose(controllerOf(byobBranch));
        if (!otherCanceled) ReadableByteStreamControllerClose(controllerOf(otherBranch));
        if (chunk !== undefined) {
          if (!byobCanceled) ReadableByteStreamControllerRespondWithNewView(controllerOf(byobBranch), chunk);
          if (!otherCanceled && controllerOf(otherBranch).pendingPullIntos.length > 0) {
            ReadableByteStreamControllerRespond(controllerOf(otherBranch), 0);
          }
        }
        if (!byobCanceled || !otherCanceled) cancelPromise.resolve(undefined);
      },
      errorSteps() {
        reading = false;
      },
    };
    ReadableStreamBYOBReaderRead(reader as ReadableStreamBYOBReaderImpl, view, 1, readIntoRequest);
  }

  // As in the default tee, the results only reach CallPullIfNeeded (#18).
  function pull1Algorithm(): Promise<undefined> {
    if (reading) {
      readAgainForBranch1 = true;
      return internalResolvedUndefined;
    }
    reading = true;
    const byobRequest = ReadableByteStreamControllerGetBYOBRequest(controllerOf(branch1));
    if (byobRequest === null) pullWithDefaultReader();
    else pullWithBYOBReader(byobRequest.view!, false);
    return internalResolvedUndefined;
  }

  function pull2Algorithm(): Promise<undefined> {
    if (reading) {
      readAgainForBranch2 = true;
      return internalResolvedUndefined;
    }
    reading = true;
    const byobRequest = ReadableByteStreamControllerGetBYOBRequest(controllerOf(branch2));
    if (byobRequest === null) pullWithDefaultReader();
    else pullWithBYOBReader(byobRequest.view!, true);
    return internalResolvedUndefined;
  }

  function cancel1Algorithm(reason: unknown): Promise<undefined> {
    canceled1 = true;
    reason1 = reason;
    if (canceled2) cancelPromise.resolve(ReadableStreamCancel(stream, [reason1, reason2]));
    return cancelPromise.promise;
  }

  function cancel2Algorithm(reason: unknown): Promise<undefined> {
    canceled2 = true;
    reason2 = reason;
    if (canceled1) cancelPromise.resolve(ReadableStreamCancel(stream, [reason1, reason2]));
    return cancelPromise.promise;
  }

  const startAlgorithm = () => undefined;
  branch1 = CreateReadableByteStream(startAlgorithm, pull1Algorithm, cancel1Algorithm);
  branch2 = CreateReadableByteStream(startAlgorithm, pull2Algorithm, cancel2Algorithm);
  forwardReaderError(reader);
  return [branch1, branch2];
}

/** https://streams.spec.whatwg.org/#abstract-opdef-cloneasuint8array */
export function CloneAsUint8Array(O: ArrayBufferView): Uint8Array {
  const buffer = CloneArrayBuffer(viewBuffer(O), viewByteOffset(O), viewByteLength(O));
  return new Uint8ArrayCtor(buffer);
}
