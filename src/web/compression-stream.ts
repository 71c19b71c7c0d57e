// https://compression.spec.whatwg.org/#compressionstream
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

const IFACE = 'CompressionStream';

const tsReadable = Object.getOwnPropertyDescriptor(TransformStream.prototype, 'readable')!.get!;
const tsWritable = Object.getOwnPropertyDescriptor(TransformStream.prototype, 'writable')!.get!;

let isCompressionStream: (x: unknown) => x is CompressionStream;

export class CompressionStream {
  #readable: ReadableStream<Uint8Array>;
  #writable: WritableStream<BufferSource>;

  // WebIDL: constructor(CompressionFormat format)
  constructor(format: unknown) {
    if (arguments.length < 1) {
      throw new TypeErrorCtor(`Failed to construct '${IFACE}': 1 argument required, but only 0 present.`);
    }
    // Steps 1-2: an unsupported format is a TypeError; the context is this format's compressor.
    const context = createCompressionContext(IFACE, format, 'compress');
    // Steps 3-6. Cancel (and abort, which cancels the transform) frees the native context early;
    // the spec has no cancel algorithm here and this one is unobservable.
    const stream: TransformStream = createTransformStream({
      transform: (chunk) => CompressAndEnqueueAChunk(context, stream, chunk),
      flush: () => CompressFlushAndEnqueue(context, stream),
      cancel: () => context.close(),
    });
    this.#readable = reflectApply(tsReadable, stream, []) as ReadableStream<Uint8Array>;
    this.#writable = reflectApply(tsWritable, stream, []) as WritableStream<BufferSource>;
  }

  get readable(): ReadableStream<Uint8Array> {
    if (!isCompressionStream(this)) throw getterError(IFACE, 'readable');
    return this.#readable;
  }

  get writable(): WritableStream<BufferSource> {
    if (!isCompressionStream(this)) throw getterError(IFACE, 'writable');
    return this.#writable;
  }

  static {
    isCompressionStream = (x): x is CompressionStream => typeof x === 'object' && x !== null && #readable in x;
  }
}

defineInterface(CompressionStream, IFACE);

// Abstract operations

/** https://compression.spec.whatwg.org/#compress-and-enqueue-a-chunk */
function CompressAndEnqueueAChunk(context: CodecInstance, stream: TransformStream, chunk: unknown): void {
  // Step 1. If chunk is not a BufferSource type, then throw a TypeError.
  const bytes = bufferSourceBytes(chunk, false);
  if (bytes === undefined) throw new TypeErrorCtor(`${IFACE}: The chunk is not an ArrayBuffer or ArrayBufferView.`);
  // Step 2. Let buffer be the result of compressing chunk with the format and context.
  let result;
  try {
    result = context.push(bytes);
  } catch (e) {
    context.close();
    throw codecError(IFACE, e);
  }
  // Steps 3-5.
  enqueueCodecResult(stream, result, IFACE);
}

/** https://compression.spec.whatwg.org/#compress-flush-and-enqueue */
function CompressFlushAndEnqueue(context: CodecInstance, stream: TransformStream): void {
  let result;
  try {
    result = context.finish();
  } catch (e) {
    throw codecError(IFACE, e);
  }
  enqueueCodecResult(stream, result, IFACE);
}
