// The Body mixin's machinery: https://fetch.spec.whatwg.org/#bodies
// A body made from bytes (a string, a BufferSource, URLSearchParams, FormData) keeps the bytes
// and makes its ReadableStream only when someone asks for `body`: consuming it with text() and
// friends, or sending it, then skips the stream entirely (docs/fast-paths.md). What user code can
// observe (bodyUsed, `body` being a disturbed, locked, closed stream afterwards) is the same.
import { ReadableStream, readableStreamImpl, AcquireReadableStreamDefaultReader, IsReadableStreamLocked, ReadableStreamCancel } from '../../streams/readable-stream/readable-stream.js';
import { ReadableStreamDefaultReaderRead } from '../../streams/readable-stream/default-reader.js';
import { ReadableStreamTee } from '../../streams/readable-stream/tee.js';
import { TypeErrorCtor, Uint8ArrayCtor, isUint8Array, plainUint8Array, viewByteLength } from '../../streams/webidl/intrinsics.js';
import { domString } from '../../streams/webidl/converters.js';
import { setPromiseIsHandledToTrue } from '../../streams/webidl/promise.js';
import { bufferSourceBytes } from '../buffer-source.js';
import { Blob, blobChunks, blobToBytes, createBlob, isBlob } from '../blob.js';
import { utf8Encode } from '../encoding/text-encoder.js';
import { utf8Decode } from '../encoding/utf8-decoder.js';
import { isURLSearchParams, serializeUrlencoded, urlSearchParamsList } from '../url.js';
import { formDataBody, isFormData, parseFormDataBody } from './form-data-body.js';
import { createFormData } from '../form-data.js';
import { extractMimeType, serializeMimeType } from '../mime-type.js';

export interface Body {
  /** The stream, once made (always, for a body given as a ReadableStream). */
  stream: ReadableStream | null;
  /** The bytes (or Blob) a stream is made from on demand; null once the stream exists. */
  source: Uint8Array | Blob | null;
  length: number | null;
  /** Consumed without a stream ever being made. */
  used: boolean;
  /** Made from a FormData with no entries: its (empty) bytes parse back as an empty FormData. */
  emptyFormData?: boolean;
}

/** https://fetch.spec.whatwg.org/#concept-bodyinit-extract */
export function extractBody(object: unknown): { body: Body; type: string | null } {
  const rs = readableStreamImpl(object);
  if (rs !== undefined) {
    if (rs.disturbed || IsReadableStreamLocked(rs)) throw new TypeErrorCtor('The body stream is disturbed or locked.');
    return { body: { stream: object as ReadableStream, source: null, length: null, used: false }, type: null };
  }
  if (isBlob(object)) {
    const type = object.type;
    return { body: { stream: null, source: object, length: object.size, used: false }, type: type === '' ? null : type };
  }
  if (isURLSearchParams(object)) {
    const bytes = utf8Encode(serializeUrlencoded(urlSearchParamsList(object)));
    return { body: bytesBody(bytes), type: 'application/x-www-form-urlencoded;charset=UTF-8' };
  }
  if (isFormData(object)) {
    const { bytes, boundary } = formDataBody(object);
    const body = bytesBody(bytes);
    if (bytes.length === 0) body.emptyFormData = true;
    return { body, type: `multipart/form-data; boundary=${boundary}` };
  }
  if (typeof object === 'object' && object !== null) {
    const bytes = bufferSourceBytes(object, false);
    // A copy of the bytes: the caller keeps its buffer.
    if (bytes !== undefined) return { body: bytesBody(bytes.slice()), type: null };
  }
  return { body: bytesBody(utf8Encode(domString(object))), type: 'text/plain;charset=UTF-8' };
}

export function bytesBody(bytes: Uint8Array): Body {
  return { stream: null, source: bytes, length: bytes.length, used: false };
}

/** The body's stream, made now if it was not yet. */
export function bodyStream(body: Body): ReadableStream {
  if (body.stream !== null) return body.stream;
  const source = body.source;
  body.source = null;
  let stream: ReadableStream;
  if (isBlob(source)) {
    stream = source.stream();
  } else {
    const bytes = source as Uint8Array | null;
    stream = new ReadableStream({
      type: 'bytes',
      start(controller: ReadableByteStreamController) {
        if (bytes !== null && bytes.length > 0) controller.enqueue(bytes);
        controller.close();
      },
    } as never);
  }
  if (body.used) {
    // Consumed before anyone asked for the stream: hand out what reading it would have left,
    // a locked, disturbed, closed stream.
    const reader = AcquireReadableStreamDefaultReader(readableStreamImpl(stream)!);
    ReadableStreamDefaultReaderRead(reader, { chunkSteps() {}, closeSteps() {}, errorSteps() {} });
  }
  body.stream = stream;
  return stream;
}

/** Leaves a body disturbed without reading it: its stream is cancelled (the same object stays). */
export function disturbBody(body: Body): void {
  if (body.stream === null) {
    body.source = null;
    body.used = true;
    return;
  }
  // The captured then, not `.catch` (the app's Promise.prototype.then).
  setPromiseIsHandledToTrue(ReadableStreamCancel(readableStreamImpl(body.stream)!, undefined));
}

/** https://fetch.spec.whatwg.org/#body-unusable: disturbed or locked. */
export function bodyUnusable(body: Body | null): boolean {
  if (body === null) return false;
  if (body.used) return true;
  const impl = body.stream === null ? undefined : readableStreamImpl(body.stream);
  return impl !== undefined && (impl.disturbed || IsReadableStreamLocked(impl));
}

/** bodyUsed: the stream is disturbed. */
export function bodyIsUsed(body: Body | null): boolean {
  if (body === null) return false;
  if (body.used) return true;
  const impl = body.stream === null ? undefined : readableStreamImpl(body.stream);
  return impl !== undefined && impl.disturbed;
}

/**
 * The body's bytes if they are known without reading a stream (and the body was not used):
 * marks it used. For the runtime, which sends such a body in one piece.
 */
export function takeKnownBytes(body: Body | null): Uint8Array | null {
  if (body === null || body.stream !== null || body.used) return null;
  const source = body.source;
  body.used = true;
  return isBlob(source) ? blobToBytes(source) : (source as Uint8Array | null) ?? new Uint8ArrayCtor(0);
}

/**
 * https://fetch.spec.whatwg.org/#concept-body-consume-body up to the bytes: rejects with a
 * TypeError when the body is unusable; reads the stream (its chunks must be Uint8Arrays).
 */
export function consumeBytes(body: Body | null, onBytes: (bytes: Uint8Array) => void, onError: (e: unknown) => void): void {
  // Callbacks, never a promise resolved with the bytes: a Uint8Array would be looked up for a
  // `then` (Object.prototype.then patched by user code must not see the body).
  if (bodyUnusable(body)) return onError(new TypeErrorCtor('Body is unusable: the body has already been read.'));
  if (body === null) return onBytes(new Uint8ArrayCtor(0));
  if (body.stream === null) return onBytes(takeKnownBytes(body)!);
  // Fully read body: a reader through the internal operations (patched globals cannot interfere).
  const reader = AcquireReadableStreamDefaultReader(readableStreamImpl(body.stream)!);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const request = {
    chunkSteps(chunk: unknown) {
      // A subclass's instance (a Buffer) is a Uint8Array object too, read as a plain view.
      if (!isUint8Array(chunk)) {
        onError(new TypeErrorCtor('The body stream gave a chunk that is not a Uint8Array.'));
        return;
      }
      chunks.push(plainUint8Array(chunk));
      total += viewByteLength(chunk);
      ReadableStreamDefaultReaderRead(reader, request);
    },
    closeSteps() {
      if (chunks.length === 1) return onBytes(chunks[0]!);
      const out = new Uint8ArrayCtor(total);
      let offset = 0;
      for (const c of chunks) {
        out.set(c, offset);
        offset += c.length;
      }
      onBytes(out);
    },
    errorSteps(e: unknown) {
      onError(e);
    },
  };
  ReadableStreamDefaultReaderRead(reader, request);
}

export type ConsumeKind = 'arrayBuffer' | 'blob' | 'bytes' | 'formData' | 'json' | 'text';

/** The body mixin's methods: consume, then package the bytes as `kind` says. */
export function consumeBody(body: Body | null, kind: ConsumeKind, mimeType: () => string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    consumeBytes(
      body,
      (bytes) => {
        try {
          if (kind === 'formData' && bytes.length === 0 && body?.emptyFormData) return resolve(packageBytes(bytes, 'emptyFormData', mimeType));
          resolve(packageBytes(bytes, kind, mimeType));
        } catch (error) {
          reject(error);
        }
      },
      reject,
    );
  });
}

function packageBytes(bytes: Uint8Array, kind: ConsumeKind | 'emptyFormData', mimeType: () => string): unknown {
  switch (kind) {
    case 'emptyFormData':
      return createFormData([]);
    case 'arrayBuffer':
      return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;
    case 'bytes':
      return bytes;
    case 'blob':
      // Fetch's consume body: the Blob's type is the extracted MIME type, serialized ("" if none).
      const extracted = extractMimeType(mimeType());
      return createBlob([bytes], extracted === null ? '' : serializeMimeType(extracted));
    case 'text':
      return utf8Decode(bytes);
    case 'json':
      return JSON.parse(utf8Decode(bytes));
    case 'formData':
      return parseFormDataBody(bytes, extractMimeType(mimeType()));
  }
}

/** https://fetch.spec.whatwg.org/#concept-body-clone */
export function cloneBody(body: Body): Body {
  if (body.stream === null) {
    const source = body.source;
    return { stream: null, source: isBlob(source) ? source : (source as Uint8Array).slice(), length: body.length, used: false, emptyFormData: body.emptyFormData };
  }
  // "Tee a ReadableStream" for other specs clones the chunks for the second branch.
  const [out1, out2] = ReadableStreamTee(readableStreamImpl(body.stream)!, true);
  body.stream = out1.wrapper;
  return { stream: out2.wrapper, source: null, length: body.length, used: false };
}

export { blobChunks };

