// Content-Encoding: zstd for outbound fetch() responses (the Fetch standard's "handle content
// codings"; RFC 9659). Node 20's zlib has no zstd, so undici passes such a body through
// undecoded; this decodes it with fzstd (MIT, pure JavaScript), on the host's thread.
//
// The frames are read here first, so that fzstd is given one block at a time: a block
// regenerates at most 128 KiB, so one call's output (and its time on the host's thread) stays
// bounded, however small the input (a 4-byte RLE block is 128 KiB), and the next block is
// decoded only when the isolate asks for more. (At a frame's start fzstd waits for 18 bytes, so
// its first call may decode the first few blocks together: at most 18 bytes' worth.) Each frame's window must be at most 8 MiB, the
// limit RFC 9659 sets for HTTP and browsers enforce (a larger one is an error, before fzstd would
// allocate it); dictionaries are refused (RFC 9659 forbids them in HTTP).
import zlib from 'node:zlib';
import { Decompress } from 'fzstd';

const ZSTD_MAGIC = 0xfd2fb528;
/** Skippable frames: magic numbers 0x184D2A50 to 0x184D2A5F. */
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
export const ZSTD_WINDOW_MAX = 8 * 1024 * 1024;
/** Block_Maximum_Size: the most one block regenerates (RFC 8878 3.1.1.2.4). */
const BLOCK_MAX = 128 * 1024;

/** Whether undici leaves a zstd body undecoded here (it decodes zstd where zlib has it). */
export const zstdNeedsDecoding = typeof (zlib as { createZstdDecompress?: unknown }).createZstdDecompress !== 'function';

/** Whether a Content-Encoding header value is the zstd coding alone (the one case decoded here). */
export function isZstdOnly(contentEncoding: string | null): boolean {
  return contentEncoding !== null && contentEncoding.trim().toLowerCase() === 'zstd';
}

class ZstdError extends TypeError {}

/** Reads the frame structure of a zstd stream, handing complete units to fzstd. */
class FrameReader {
  #input: Uint8Array = new Uint8Array(0);
  /** 'frame': at a frame's start; 'block': at a block header; 'checksum': at a frame's checksum. */
  #state: 'frame' | 'block' | 'checksum' | 'skip' = 'frame';
  #skip = 0;
  #checksum = false;
  #window = 0;
  #decoder: Decompress;
  #output: Uint8Array[] = [];

  constructor() {
    // fzstd may hand out views of its own buffers: copy each block's bytes.
    this.#decoder = new Decompress((data) => {
      if (data.byteLength > 0) this.#output.push(data.slice());
    });
  }

  append(bytes: Uint8Array): void {
    if (this.#input.byteLength === 0) {
      this.#input = bytes;
      return;
    }
    const joined = new Uint8Array(this.#input.byteLength + bytes.byteLength);
    joined.set(this.#input);
    joined.set(bytes, this.#input.byteLength);
    this.#input = joined;
  }

  /** Decodes the next complete block (or frame header, checksum, skipped bytes); false: more input is needed. */
  step(): boolean {
    const input = this.#input;
    switch (this.#state) {
      case 'frame': {
        if (input.byteLength < 5) return false;
        const magic = readLE(input, 0, 4);
        if ((magic & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC) {
          if (input.byteLength < 8) return false;
          this.#skip = readLE(input, 4, 4);
          this.#state = 'skip';
          this.#consume(8, false);
          return true;
        }
        if (magic !== ZSTD_MAGIC) throw new ZstdError('the zstd content is not a zstd frame');
        const descriptor = input[4]!;
        if ((descriptor & 8) !== 0) throw new ZstdError('a zstd frame header sets its reserved bit');
        const singleSegment = (descriptor & 0x20) !== 0;
        const sizeFlag = descriptor >> 6;
        const dictionaryIdSize = [0, 1, 2, 4][descriptor & 3]!;
        const contentSizeSize = sizeFlag === 0 ? (singleSegment ? 1 : 0) : [0, 2, 4, 8][sizeFlag]!;
        const headerSize = 5 + (singleSegment ? 0 : 1) + dictionaryIdSize + contentSizeSize;
        if (input.byteLength < headerSize) return false;
        let at = 5;
        let window: number;
        if (!singleSegment) {
          const windowDescriptor = input[at++]!;
          const windowBase = 2 ** (10 + (windowDescriptor >> 3));
          window = windowBase + (windowBase / 8) * (windowDescriptor & 7);
        } else {
          window = contentSizeSize === 8 ? readLE(input, at + dictionaryIdSize, 4) + readLE(input, at + dictionaryIdSize + 4, 4) * 2 ** 32 : readLE(input, at + dictionaryIdSize, contentSizeSize) + (contentSizeSize === 2 ? 256 : 0);
        }
        if (dictionaryIdSize > 0 && readLE(input, at, dictionaryIdSize) !== 0) throw new ZstdError('the zstd content needs a dictionary');
        if (window > ZSTD_WINDOW_MAX) throw new ZstdError(`the zstd content's window (${window} bytes) is larger than 8 MiB`);
        this.#window = window;
        this.#checksum = (descriptor & 4) !== 0;
        this.#state = 'block';
        this.#consume(headerSize, true);
        return true;
      }
      case 'block': {
        if (input.byteLength < 3) return false;
        const header = readLE(input, 0, 3);
        const last = (header & 1) !== 0;
        const type = (header >> 1) & 3;
        const size = header >>> 3;
        if (type === 3) throw new ZstdError('a zstd block has the reserved type');
        // Raw and RLE blocks regenerate `size` bytes, a compressed block holds `size` bytes.
        if (size > Math.min(this.#window, BLOCK_MAX)) throw new ZstdError('a zstd block is larger than its window allows');
        const length = 3 + (type === 1 ? 1 : size);
        if (input.byteLength < length) return false;
        this.#state = last ? (this.#checksum ? 'checksum' : 'frame') : 'block';
        this.#consume(length, true);
        return true;
      }
      case 'checksum': {
        if (input.byteLength < 4) return false;
        this.#state = 'frame';
        this.#consume(4, true);
        return true;
      }
      case 'skip': {
        if (input.byteLength === 0) return false;
        const n = Math.min(this.#skip, input.byteLength);
        this.#skip -= n;
        this.#consume(n, false);
        if (this.#skip === 0) this.#state = 'frame';
        return true;
      }
    }
  }

  /** The end of the input: it must end between frames; fzstd gives what it still holds. */
  finish(): void {
    if (this.#state !== 'frame' || this.#input.byteLength > 0) throw new ZstdError('the zstd content ends within a frame');
    try {
      this.#decoder.push(new Uint8Array(0), true);
    } catch (error) {
      throw new ZstdError(`invalid zstd content: ${(error as Error).message}`);
    }
  }

  takeOutput(): Uint8Array[] {
    const output = this.#output;
    this.#output = [];
    return output;
  }

  #consume(n: number, decode: boolean): void {
    const unit = this.#input.subarray(0, n);
    this.#input = this.#input.subarray(n);
    if (decode) {
      try {
        this.#decoder.push(unit);
      } catch (error) {
        throw new ZstdError(`invalid zstd content: ${(error as Error).message}`);
      }
    }
  }
}

function readLE(bytes: Uint8Array, at: number, size: number): number {
  let value = 0;
  for (let i = size - 1; i >= 0; i--) value = value * 256 + bytes[at + i]!;
  return value;
}

/**
 * The decoded body of a zstd-coded response: a stream that reads `body` only as far as its reader
 * asks for bytes (a block's worth at a time).
 */
export function zstdDecodedStream(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const frames = new FrameReader();
  let pending: Uint8Array[] = [];
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          if (pending.length > 0) {
            controller.enqueue(pending.shift()!);
            return;
          }
          if (frames.step()) {
            pending = frames.takeOutput();
            continue;
          }
          const { done, value } = await reader.read();
          if (done) {
            frames.finish();
            // What fzstd held back for want of input (a frame shorter than its 18-byte minimum).
            for (const chunk of frames.takeOutput()) controller.enqueue(chunk);
            controller.close();
            return;
          }
          frames.append(value);
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
