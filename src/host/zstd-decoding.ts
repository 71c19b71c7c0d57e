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
// allocate it); dictionaries are refused (RFC 9659 forbids them in HTTP). fzstd allocates each
// frame's window: the caller is told its size first (`reserve`), so that the host's memory it
// takes counts against the app that fetched (outbound-fetch.ts), and may refuse it.
import zlib from 'node:zlib';
import { Decompress } from 'fzstd';
import { SimpleQueue } from '../streams/abstract-ops/simple-queue.js';
import type { ChunkReader } from './http-fetch.js';

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

/** Whether fetch() decodes a response with this Content-Encoding here (and the host cannot encode it). */
export function fetchDecodesZstd(contentEncoding: string | null): boolean {
  return zstdNeedsDecoding && isZstdOnly(contentEncoding);
}

class ZstdError extends TypeError {}

/** Reads the frame structure of a zstd stream, handing complete units to fzstd. */
class FrameReader {
  /**
   * Input not yet handed on, in the parts it came in (each byte is copied at most once, when its
   * unit is whole), the first from #offset on. A ring, not an array: a block trickled in 1-byte
   * parts is 128 Ki parts, and Array#shift made taking it quadratic (13 s on the host's thread).
   */
  #parts = new SimpleQueue<Uint8Array>();
  #offset = 0;
  #length = 0;
  /** 'frame': at a frame's start; 'block': at a block header; 'checksum': at a frame's checksum. */
  #state: 'frame' | 'block' | 'checksum' | 'skip' = 'frame';
  #skip = 0;
  #checksum = false;
  #window = 0;
  #decoder: Decompress;
  #output: Uint8Array[] = [];
  #reserve: (window: number) => void;

  /** `reserve` is told each frame's window before fzstd allocates it; it throws to refuse it. */
  constructor(reserve: (window: number) => void) {
    this.#reserve = reserve;
    // fzstd may hand out views of its own buffers: copy each block's bytes.
    this.#decoder = new Decompress((data) => {
      if (data.byteLength > 0) this.#output.push(data.slice());
    });
  }

  append(bytes: Uint8Array): void {
    if (bytes.byteLength === 0) return;
    this.#parts.push(bytes);
    this.#length += bytes.byteLength;
  }

  /** The first part's bytes not yet taken. */
  #front(): Uint8Array {
    const first = this.#parts.peek();
    return this.#offset === 0 ? first : first.subarray(this.#offset);
  }

  /** The first `n` held bytes (fewer if fewer are held), contiguous; nothing is taken. */
  #peek(n: number): Uint8Array {
    if (this.#length === 0) return new Uint8Array(0);
    const first = this.#front();
    if (first.byteLength >= n || this.#parts.length === 1) return first.subarray(0, n);
    const out = new Uint8Array(Math.min(n, this.#length));
    out.set(first);
    let at = first.byteLength;
    for (let i = 1; at < out.byteLength; i++) {
      const piece = this.#parts.at(i).subarray(0, out.byteLength - at);
      out.set(piece, at);
      at += piece.byteLength;
    }
    return out;
  }

  /** Takes the first `n` held bytes (n <= what is held), contiguous. */
  #take(n: number): Uint8Array {
    const first = this.#front();
    let unit: Uint8Array;
    if (first.byteLength >= n) {
      unit = first.subarray(0, n);
      this.#advance(n);
    } else {
      unit = new Uint8Array(n);
      let at = 0;
      while (at < n) {
        const piece = this.#front().subarray(0, n - at);
        unit.set(piece, at);
        at += piece.byteLength;
        this.#advance(piece.byteLength);
      }
    }
    this.#length -= n;
    return unit;
  }

  /** Moves past `n` bytes of the first part (at most all of it). */
  #advance(n: number): void {
    this.#offset += n;
    if (this.#offset === this.#parts.peek().byteLength) {
      this.#parts.shift();
      this.#offset = 0;
    }
  }

  /** Decodes the next complete block (or frame header, checksum, skipped bytes); false: more input is needed. */
  step(): boolean {
    // A unit's header is at most 18 bytes (a frame header: 4 + 14): what is looked at before taking.
    const input = this.#peek(18);
    const held = this.#length;
    switch (this.#state) {
      case 'frame': {
        if (held < 5) return false;
        const magic = readLE(input, 0, 4);
        if ((magic & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC) {
          if (held < 8) return false;
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
        if (held < headerSize) return false;
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
        this.#reserve(window);
        this.#window = window;
        this.#checksum = (descriptor & 4) !== 0;
        this.#state = 'block';
        this.#consume(headerSize, true);
        return true;
      }
      case 'block': {
        if (held < 3) return false;
        const header = readLE(input, 0, 3);
        const last = (header & 1) !== 0;
        const type = (header >> 1) & 3;
        const size = header >>> 3;
        if (type === 3) throw new ZstdError('a zstd block has the reserved type');
        // Raw and RLE blocks regenerate `size` bytes, a compressed block holds `size` bytes.
        if (size > Math.min(this.#window, BLOCK_MAX)) throw new ZstdError('a zstd block is larger than its window allows');
        const length = 3 + (type === 1 ? 1 : size);
        if (held < length) return false;
        this.#state = last ? (this.#checksum ? 'checksum' : 'frame') : 'block';
        this.#consume(length, true);
        return true;
      }
      case 'checksum': {
        if (held < 4) return false;
        this.#state = 'frame';
        this.#consume(4, true);
        return true;
      }
      case 'skip': {
        if (held === 0) return false;
        const n = Math.min(this.#skip, held);
        this.#skip -= n;
        this.#consume(n, false);
        if (this.#skip === 0) this.#state = 'frame';
        return true;
      }
    }
  }

  /** The end of the input: it must end between frames; fzstd gives what it still holds. */
  finish(): void {
    if (this.#state !== 'frame' || this.#length > 0) throw new ZstdError('the zstd content ends within a frame');
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
    const unit = this.#take(n);
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
 * asks for bytes (a block's worth at a time). `reserve` is told each frame's window (the buffer
 * fzstd allocates for it, replacing the last frame's) before it is allocated; what it throws
 * errors the stream. `ended` is called when the stream closes, errors or is cancelled (perhaps
 * more than once): the window is no longer needed.
 */
export function zstdDecodedStream(
  body: ReadableStream<Uint8Array> | ChunkReader,
  reserve: (window: number) => void = () => {},
  ended: () => void = () => {},
): ReadableStream<Uint8Array> {
  const reader = 'getReader' in body ? body.getReader() : body;
  const frames = new FrameReader(reserve);
  let pending: Uint8Array[] = [];
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          await decodeSome(controller);
        } catch (error) {
          ended();
          // The upstream body is not wanted any more: its connection goes now, not when collected.
          reader.cancel(error).catch(() => {});
          throw error;
        }
      },
      cancel(reason) {
        ended();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );

  /** Enqueues the next decoded block, or closes the stream at the end of the content. */
  async function decodeSome(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
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
        ended();
        return;
      }
      frames.append(value);
    }
  }
}
