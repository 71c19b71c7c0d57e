// https://compression.spec.whatwg.org/#decompressionstream
import { createTransformStream } from '../streams/transform-stream/other-specs.js';
import { TransformStream } from '../streams/transform-stream/transform-stream.js';
import type { ReadableStream } from '../streams/readable-stream/readable-stream.js';
import type { WritableStream } from '../streams/writable-stream/writable-stream.js';
import { TypeErrorCtor, reflectApply } from '../streams/webidl/intrinsics.js';
import { defineInterface } from '../streams/webidl/interface.js';
import { getterError } from '../streams/webidl/errors.js';
import { bufferSourceBytes, type BufferSource } from './buffer-source.js';
import type { CodecInstance } from './compression-codec.js';
import { codecError, createCompressionContext, enqueueCodecResult } from './compression-format.js';

const IFACE = 'DecompressionStream';

const tsReadable = Object.getOwnPropertyDescriptor(TransformStream.prototype, 'readable')!.get!;
const tsWritable = Object.getOwnPropertyDescriptor(TransformStream.prototype, 'writable')!.get!;

let isDecompressionStream: (x: unknown) => x is DecompressionStream;

export class DecompressionStream {
  #readable: ReadableStream<Uint8Array>;
  #writable: WritableStream<BufferSource>;

  // WebIDL: constructor(CompressionFormat format)
  constructor(format: unknown) {
    if (arguments.length < 1) {
      throw new TypeErrorCtor(`Failed to construct '${IFACE}': 1 argument required, but only 0 present.`);
    }
    // Steps 1-2.
    const context = createCompressionContext(IFACE, format, 'decompress');
    // Steps 3-6 (cancel frees the native context early; unobservable).
    const stream: TransformStream = createTransformStream({
      transform: (chunk) => DecompressAndEnqueueAChunk(context, stream, chunk),
      flush: () => DecompressFlushAndEnqueue(context, stream),
      cancel: () => context.close(),
    });
    this.#readable = reflectApply(tsReadable, stream, []) as ReadableStream<Uint8Array>;
    this.#writable = reflectApply(tsWritable, stream, []) as WritableStream<BufferSource>;
  }

  get readable(): ReadableStream<Uint8Array> {
    if (!isDecompressionStream(this)) throw getterError(IFACE, 'readable');
    return this.#readable;
  }

  get writable(): WritableStream<BufferSource> {
    if (!isDecompressionStream(this)) throw getterError(IFACE, 'writable');
    return this.#writable;
  }

  static {
    isDecompressionStream = (x): x is DecompressionStream => typeof x === 'object' && x !== null && #readable in x;
  }
}

defineInterface(DecompressionStream, IFACE);

// Abstract operations

/** https://compression.spec.whatwg.org/#decompress-and-enqueue-a-chunk */
function DecompressAndEnqueueAChunk(context: CodecInstance, stream: TransformStream, chunk: unknown): void {
  // Step 1. If chunk is not a BufferSource type, then throw a TypeError.
  const bytes = bufferSourceBytes(chunk, false);
  if (bytes === undefined) throw new TypeErrorCtor(`${IFACE}: The chunk is not an ArrayBuffer or ArrayBufferView.`);
  // Step 2. Decompress chunk; an error (bad header, bad block, checksum) is a TypeError.
  let result;
  try {
    result = context.push(bytes);
  } catch (e) {
    throw codecError(IFACE, e);
  }
  // Steps 3-5, then: the end of the compressed input was reached before the end of chunk is a
  // TypeError (the stream errors: its context is done, and its memory is the host's).
  if (result.error !== undefined) context.close();
  enqueueCodecResult(stream, result, IFACE);
}

/** https://compression.spec.whatwg.org/#decompress-flush-and-enqueue */
function DecompressFlushAndEnqueue(context: CodecInstance, stream: TransformStream): void {
  // The end of the compressed input not reached (truncated data) is a TypeError.
  let result;
  try {
    result = context.finish();
  } catch (e) {
    throw codecError(IFACE, e);
  }
  enqueueCodecResult(stream, result, IFACE);
}
