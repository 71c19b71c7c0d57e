// https://encoding.spec.whatwg.org/#interface-textencoderstream
// UTF-8 is written here in TypeScript: no TextEncoder is needed (an isolate may have none), and
// the stream's one piece of state, a leading surrogate carried from the end of one chunk to the
// start of the next, sits beside the encoder instead of around it.
import {
  createTransformStream,
  transformStreamEnqueue,
} from '../streams/transform-stream/other-specs.js';
import { TransformStream } from '../streams/transform-stream/transform-stream.js';
import type { ReadableStream } from '../streams/readable-stream/readable-stream.js';
import type { WritableStream } from '../streams/writable-stream/writable-stream.js';
import { Uint8ArrayCtor, reflectApply } from '../streams/webidl/intrinsics.js';
import { defineInterface } from '../streams/webidl/interface.js';
import { getterError } from '../streams/webidl/errors.js';
import { domString } from '../streams/webidl/converters.js';

const IFACE = 'TextEncoderStream';

// Captured at install: user code redefining TransformStream.prototype.readable cannot reach these.
const tsReadable = Object.getOwnPropertyDescriptor(TransformStream.prototype, 'readable')!.get!;
const tsWritable = Object.getOwnPropertyDescriptor(TransformStream.prototype, 'writable')!.get!;

/** The UTF-8 encoder's state: https://encoding.spec.whatwg.org/#textencoderstream-pending-high-surrogate */
interface EncoderState {
  /** The leading surrogate code unit that ended the previous chunk, or 0 for none. */
  leadingSurrogate: number;
}

let isTextEncoderStream: (x: unknown) => x is TextEncoderStream;

export class TextEncoderStream {
  #readable: ReadableStream<Uint8Array>;
  #writable: WritableStream<string>;

  constructor() {
    // Step 1. Set this's encoder to an instance of the UTF-8 encoder.
    const encoder: EncoderState = { leadingSurrogate: 0 };
    // Steps 2-5: a TransformStream set up with "encode and enqueue a chunk" and "encode and flush".
    const stream: TransformStream = createTransformStream({
      transform: (chunk) => EncodeAndEnqueueAChunk(encoder, stream, chunk),
      flush: () => EncodeAndFlush(encoder, stream),
    });
    this.#readable = reflectApply(tsReadable, stream, []) as ReadableStream<Uint8Array>;
    this.#writable = reflectApply(tsWritable, stream, []) as WritableStream<string>;
  }

  /** https://encoding.spec.whatwg.org/#dom-textencoder-encoding */
  get encoding(): string {
    if (!isTextEncoderStream(this)) throw getterError(IFACE, 'encoding');
    return 'utf-8';
  }

  get readable(): ReadableStream<Uint8Array> {
    if (!isTextEncoderStream(this)) throw getterError(IFACE, 'readable');
    return this.#readable;
  }

  get writable(): WritableStream<string> {
    if (!isTextEncoderStream(this)) throw getterError(IFACE, 'writable');
    return this.#writable;
  }

  static {
    isTextEncoderStream = (x) => typeof x === 'object' && x !== null && #readable in x;
  }
}

defineInterface(TextEncoderStream, IFACE);

// Abstract operations

/** https://encoding.spec.whatwg.org/#encode-and-enqueue-a-chunk */
function EncodeAndEnqueueAChunk(encoder: EncoderState, stream: TransformStream, chunk: unknown): void {
  // Step 1. Let input be the result of converting chunk to a DOMString (may throw: the stream errors).
  const input = domString(chunk);
  // Steps 2-4: the code units become scalar values ("convert code unit to scalar value"), which the
  // UTF-8 encoder turns into bytes; a non-empty output is enqueued as one Uint8Array.
  const output = encodeUtf8Chunk(encoder, input);
  if (output !== undefined) transformStreamEnqueue(stream, output);
}

/** https://encoding.spec.whatwg.org/#encode-and-flush */
function EncodeAndFlush(encoder: EncoderState, stream: TransformStream): void {
  if (encoder.leadingSurrogate !== 0) {
    encoder.leadingSurrogate = 0;
    // U+FFFD in UTF-8.
    const chunk = new Uint8ArrayCtor(3);
    chunk[0] = 0xef;
    chunk[1] = 0xbf;
    chunk[2] = 0xbd;
    transformStreamEnqueue(stream, chunk);
  }
}

/**
 * Encodes one chunk: the spec's code-unit loop with "convert code unit to scalar value"
 * (https://encoding.spec.whatwg.org/#convert-code-unit-to-scalar-value) applied at the two places
 * where the carried state matters, the first code unit and the last; in between, a leading
 * surrogate followed by a trailing one is a pair and any other surrogate is U+FFFD.
 * Returns undefined when the output is empty (nothing is enqueued).
 */
export function encodeUtf8Chunk(encoder: EncoderState, input: string): Uint8Array | undefined {
  const n = input.length;
  // An empty chunk leaves a carried leading surrogate carried.
  if (n === 0) return undefined;
  let start = 0;
  // The scalar value the carried surrogate resolves to: a pair, or U+FFFD with the first code
  // unit restored to the input (so it is encoded by the loop below). 0 for none.
  let first = 0;
  if (encoder.leadingSurrogate !== 0) {
    const c = input.charCodeAt(0);
    if (c >= 0xdc00 && c <= 0xdfff) {
      first = 0x10000 + ((encoder.leadingSurrogate - 0xd800) << 10) + (c - 0xdc00);
      start = 1;
    } else {
      first = 0xfffd;
    }
    encoder.leadingSurrogate = 0;
  }
  // A leading surrogate as the last code unit waits for the next chunk (or the flush).
  let end = n;
  const last = input.charCodeAt(n - 1);
  if (last >= 0xd800 && last <= 0xdbff && n - 1 >= start) {
    encoder.leadingSurrogate = last;
    end = n - 1;
  }

  // Pass 1: the exact output length, so the chunk's buffer is exactly its bytes.
  let length = first === 0 ? 0 : first > 0xffff ? 4 : 3;
  for (let i = start; i < end; i++) {
    const c = input.charCodeAt(i);
    if (c < 0x80) {
      length += 1;
    } else if (c < 0x800) {
      length += 2;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
      const d = input.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        length += 4;
        i++;
      } else {
        length += 3; // lone leading surrogate: U+FFFD
      }
    } else {
      length += 3; // the rest of the BMP, and lone surrogates as U+FFFD
    }
  }
  if (length === 0) return undefined;

  // Pass 2: the bytes.
  const out = new Uint8ArrayCtor(length);
  let j = 0;
  if (first !== 0) j = writeScalar(out, 0, first);
  for (let i = start; i < end; i++) {
    let c = input.charCodeAt(i);
    if (c < 0x80) {
      out[j++] = c;
      continue;
    }
    if (c < 0x800) {
      out[j++] = 0xc0 | (c >> 6);
      out[j++] = 0x80 | (c & 0x3f);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      if (c <= 0xdbff && i + 1 < end) {
        const d = input.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          out[j++] = 0xf0 | (c >> 18);
          out[j++] = 0x80 | ((c >> 12) & 0x3f);
          out[j++] = 0x80 | ((c >> 6) & 0x3f);
          out[j++] = 0x80 | (c & 0x3f);
          i++;
          continue;
        }
      }
      c = 0xfffd;
    }
    out[j++] = 0xe0 | (c >> 12);
    out[j++] = 0x80 | ((c >> 6) & 0x3f);
    out[j++] = 0x80 | (c & 0x3f);
  }
  return out;
}

function writeScalar(out: Uint8Array, j: number, c: number): number {
  if (c > 0xffff) {
    out[j++] = 0xf0 | (c >> 18);
    out[j++] = 0x80 | ((c >> 12) & 0x3f);
    out[j++] = 0x80 | ((c >> 6) & 0x3f);
    out[j++] = 0x80 | (c & 0x3f);
  } else {
    out[j++] = 0xe0 | (c >> 12);
    out[j++] = 0x80 | ((c >> 6) & 0x3f);
    out[j++] = 0x80 | (c & 0x3f);
  }
  return j;
}
