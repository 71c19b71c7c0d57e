// https://encoding.spec.whatwg.org/#interface-textdecoderstream
// The decoding is TextDecoder's decoder core (encoding/text-decoder.ts), driven with stream=true
// per chunk and flushed at the end ("flush and enqueue").
import {
  createTransformStream,
  transformStreamEnqueue,
} from '../streams/transform-stream/other-specs.js';
import { TransformStream } from '../streams/transform-stream/transform-stream.js';
import type { ReadableStream } from '../streams/readable-stream/readable-stream.js';
import type { WritableStream } from '../streams/writable-stream/writable-stream.js';
import { TypeErrorCtor, reflectApply } from '../streams/webidl/intrinsics.js';
import { defineInterface } from '../streams/webidl/interface.js';
import { getterError } from '../streams/webidl/errors.js';
import { dictionaryObject, domString, toBoolean } from '../streams/webidl/converters.js';
import { bufferSourceBytes, type BufferSource } from './buffer-source.js';
import { DecoderCore } from './encoding/text-decoder.js';

const EMPTY = new Uint8Array(0);

const IFACE = 'TextDecoderStream';

const tsReadable = Object.getOwnPropertyDescriptor(TransformStream.prototype, 'readable')!.get!;
const tsWritable = Object.getOwnPropertyDescriptor(TransformStream.prototype, 'writable')!.get!;

let isTextDecoderStream: (x: unknown) => x is TextDecoderStream;

export class TextDecoderStream {
  #encoding: string;
  #fatal: boolean;
  #ignoreBOM: boolean;
  #readable: ReadableStream<string>;
  #writable: WritableStream<BufferSource>;

  // WebIDL: constructor(optional DOMString label = "utf-8", optional TextDecoderOptions options = {})
  constructor(label: unknown = undefined, options: unknown = undefined) {
    const context = `Failed to construct '${IFACE}':`;
    const labelString = label === undefined ? 'utf-8' : domString(label);
    // TextDecoderOptions, members in IDL order: fatal, then ignoreBOM.
    const dict = dictionaryObject(options, `${context} The provided value`);
    const fatalValue = dict === null ? undefined : dict['fatal'];
    const fatal = fatalValue === undefined ? false : toBoolean(fatalValue);
    const ignoreBOMValue = dict === null ? undefined : dict['ignoreBOM'];
    const ignoreBOM = ignoreBOMValue === undefined ? false : toBoolean(ignoreBOMValue);

    // Steps 1-6: get an encoding from label (failure and "replacement" are a RangeError), set the
    // error mode and ignore BOM, and make the decoder with its I/O queue.
    const record = new DecoderCore(labelString, fatal, ignoreBOM, context);
    this.#encoding = record.encoding;
    this.#fatal = fatal;
    this.#ignoreBOM = ignoreBOM;
    // Steps 7-11.
    const stream: TransformStream = createTransformStream({
      transform: (chunk) => DecodeAndEnqueueAChunk(record, stream, chunk),
      flush: () => FlushAndEnqueue(record, stream),
    });
    this.#readable = reflectApply(tsReadable, stream, []) as ReadableStream<string>;
    this.#writable = reflectApply(tsWritable, stream, []) as WritableStream<BufferSource>;
  }

  /** https://encoding.spec.whatwg.org/#dom-textdecoder-encoding */
  get encoding(): string {
    if (!isTextDecoderStream(this)) throw getterError(IFACE, 'encoding');
    return this.#encoding;
  }

  /** https://encoding.spec.whatwg.org/#dom-textdecoder-fatal */
  get fatal(): boolean {
    if (!isTextDecoderStream(this)) throw getterError(IFACE, 'fatal');
    return this.#fatal;
  }

  /** https://encoding.spec.whatwg.org/#dom-textdecoder-ignorebom */
  get ignoreBOM(): boolean {
    if (!isTextDecoderStream(this)) throw getterError(IFACE, 'ignoreBOM');
    return this.#ignoreBOM;
  }

  get readable(): ReadableStream<string> {
    if (!isTextDecoderStream(this)) throw getterError(IFACE, 'readable');
    return this.#readable;
  }

  get writable(): WritableStream<BufferSource> {
    if (!isTextDecoderStream(this)) throw getterError(IFACE, 'writable');
    return this.#writable;
  }

  static {
    isTextDecoderStream = (x) => typeof x === 'object' && x !== null && #readable in x;
  }
}

defineInterface(TextDecoderStream, IFACE);

// Abstract operations

/** https://encoding.spec.whatwg.org/#decode-and-enqueue-a-chunk */
function DecodeAndEnqueueAChunk(record: DecoderCore, stream: TransformStream, chunk: unknown): void {
  // Step 1. Let bufferSource be the result of converting chunk to an AllowSharedBufferSource.
  const bytes = bufferSourceBytes(chunk, true);
  if (bytes === undefined) {
    throw new TypeErrorCtor(`${IFACE}: The chunk is not an ArrayBuffer, SharedArrayBuffer or ArrayBufferView.`);
  }
  // No bytes: the decoder's state cannot change and the output is empty.
  if (bytes.length === 0) return;
  // Steps 2-4: push the bytes to the decoder's I/O queue and decode what is complete. The decode is
  // synchronous, so the bytes need no copy. A fatal error is a TypeError.
  let output: string;
  try {
    output = record.decode(bytes, true);
  } catch (e) {
    throw decodeError(e);
  }
  if (output !== '') transformStreamEnqueue(stream, output);
}

/** https://encoding.spec.whatwg.org/#flush-and-enqueue */
function FlushAndEnqueue(record: DecoderCore, stream: TransformStream): void {
  let output: string;
  try {
    output = record.decode(EMPTY, false);
  } catch (e) {
    throw decodeError(e);
  }
  if (output !== '') transformStreamEnqueue(stream, output);
}

function decodeError(e: unknown): TypeError {
  const detail = typeof e === 'object' && e !== null && typeof (e as Error).message === 'string'
    ? (e as Error).message
    : 'The encoded data is not valid.';
  return new TypeErrorCtor(`${IFACE}: ${detail}`);
}
