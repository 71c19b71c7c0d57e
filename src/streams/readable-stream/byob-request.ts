// https://streams.spec.whatwg.org/#rs-byob-request-class
import { TypeErrorCtor, IsDetachedBuffer, viewBuffer } from '../webidl/intrinsics.js';
import { defineInterface } from '../webidl/interface.js';
import { executeError, getterError } from '../webidl/errors.js';
import { enforceRangeUnsignedLongLong } from '../webidl/converters.js';
import {
  ReadableByteStreamControllerRespond,
  ReadableByteStreamControllerRespondWithNewView,
  type ReadableByteStreamControllerImpl,
} from './byte-stream-controller.js';
import { isArrayBufferViewArgument } from './byob-reader.js';

export class ReadableStreamBYOBRequestImpl {
  controller: ReadableByteStreamControllerImpl | undefined = undefined;
  view: Uint8Array | null = null;
  wrapper: ReadableStreamBYOBRequest;
  constructor() {
    this.wrapper = wrap(this);
  }
}

let pendingImpl: ReadableStreamBYOBRequestImpl | undefined;
let getImpl: (x: unknown) => ReadableStreamBYOBRequestImpl | undefined;
const IFACE = 'ReadableStreamBYOBRequest';
/** Made once: a template here would build the string on every respond(). */
const RESPOND_CONTEXT = `Failed to execute 'respond' on '${IFACE}':`;

export class ReadableStreamBYOBRequest {
  #impl: ReadableStreamBYOBRequestImpl;

  constructor() {
    if (pendingImpl === undefined) throw new TypeErrorCtor('Illegal constructor');
    this.#impl = pendingImpl;
    pendingImpl = undefined;
  }

  get view(): ArrayBufferView | null {
    const impl = getImpl(this);
    if (impl === undefined) throw getterError(IFACE, 'view');
    return impl.view;
  }

  respond(bytesWritten: unknown): void {
    const impl = getImpl(this);
    if (impl === undefined) throw executeError(IFACE, 'respond', 'Illegal invocation');
    if (arguments.length < 1) throw executeError(IFACE, 'respond', '1 argument required, but only 0 present.');
    const n = enforceRangeUnsignedLongLong(bytesWritten, RESPOND_CONTEXT);
    // Step 1. If this.[[controller]] is undefined, throw a TypeError exception.
    if (impl.controller === undefined) throw executeError(IFACE, 'respond', 'This BYOB request has been invalidated');
    // Step 2. If ! IsDetachedBuffer(this.[[view]].[[ArrayBuffer]]) is true, throw a TypeError exception.
    if (IsDetachedBuffer(viewBuffer(impl.view!))) throw executeError(IFACE, 'respond', "The BYOB request's buffer has been detached");
    ReadableByteStreamControllerRespond(impl.controller, n);
  }

  respondWithNewView(view: unknown): void {
    const impl = getImpl(this);
    if (impl === undefined) throw executeError(IFACE, 'respondWithNewView', 'Illegal invocation');
    if (!isArrayBufferViewArgument(view)) {
      throw executeError(IFACE, 'respondWithNewView', "parameter 1 is not of type 'ArrayBufferView'.");
    }
    if (impl.controller === undefined) {
      throw executeError(IFACE, 'respondWithNewView', 'This BYOB request has been invalidated');
    }
    if (IsDetachedBuffer(viewBuffer(view))) {
      throw executeError(IFACE, 'respondWithNewView', "The given view's buffer has been detached");
    }
    ReadableByteStreamControllerRespondWithNewView(impl.controller, view);
  }

  static {
    // The brand check (webidl/interface.ts says why it is written so).
    getImpl = (x) => {
      try {
        return (x as ReadableStreamBYOBRequest).#impl;
      } catch {
        return undefined;
      }
    };
  }
}

defineInterface(ReadableStreamBYOBRequest, IFACE);

function wrap(impl: ReadableStreamBYOBRequestImpl): ReadableStreamBYOBRequest {
  pendingImpl = impl;
  return new ReadableStreamBYOBRequest();
}
