// The UTF-8 decoder of the Encoding standard (https://encoding.spec.whatwg.org/#utf-8-decoder),
// streaming: a sequence cut at a chunk boundary waits in the decoder's state for the next chunk.
// Malformed input becomes U+FFFD per maximal subpart (or an error in fatal mode), exactly as the
// standard's algorithm does; ASCII runs take a fast path.

const StringFromCharCode = String.fromCharCode;
const TypeErrorCtor = TypeError;
/** Code units per String.fromCharCode call (well under engines' argument limits). */
const SLICE = 8192;

export class Utf8Decoder {
  // The standard's state: bytes needed/seen, the code point so far, and the bounds of the next byte.
  #needed = 0;
  #seen = 0;
  #codePoint = 0;
  #lower = 0x80;
  #upper = 0xbf;
  readonly fatal: boolean;

  constructor(fatal: boolean) {
    this.fatal = fatal;
  }

  /**
   * Decodes `bytes`; unless `stream`, also ends the stream (an unfinished sequence is an error).
   * The state lives in locals while the bytes are walked (written back at the end) and the code
   * units collect in one array turned into a string per SLICE: no closures, no field access per byte.
   */
  decode(bytes: Uint8Array, stream: boolean): string {
    const fatal = this.fatal;
    let needed = this.#needed;
    let seen = this.#seen;
    let codePoint = this.#codePoint;
    let lower = this.#lower;
    let upper = this.#upper;
    let units: number[] = [];
    let out = '';
    const n = bytes.length;
    let i = 0;
    while (i < n) {
      if (units.length >= SLICE) {
        out += StringFromCharCode.apply(null, units);
        units = [];
      }
      const byte = bytes[i]!;
      if (needed === 0) {
        if (byte < 0x80) {
          // ASCII run.
          units.push(byte);
          i++;
          while (i < n && bytes[i]! < 0x80 && units.length < SLICE) units.push(bytes[i++]!);
          continue;
        }
        i++;
        if (byte >= 0xc2 && byte <= 0xdf) {
          needed = 1;
          codePoint = byte & 0x1f;
        } else if (byte >= 0xe0 && byte <= 0xef) {
          if (byte === 0xe0) lower = 0xa0;
          if (byte === 0xed) upper = 0x9f;
          needed = 2;
          codePoint = byte & 0xf;
        } else if (byte >= 0xf0 && byte <= 0xf4) {
          if (byte === 0xf0) lower = 0x90;
          if (byte === 0xf4) upper = 0x8f;
          needed = 3;
          codePoint = byte & 0x7;
        } else {
          if (fatal) this.#fail();
          units.push(0xfffd);
        }
        continue;
      }
      if (byte < lower || byte > upper) {
        // The sequence is cut short: U+FFFD, and this byte is processed again (not consumed).
        needed = seen = codePoint = 0;
        lower = 0x80;
        upper = 0xbf;
        if (fatal) this.#fail();
        units.push(0xfffd);
        continue;
      }
      i++;
      lower = 0x80;
      upper = 0xbf;
      codePoint = (codePoint << 6) | (byte & 0x3f);
      if (++seen !== needed) continue;
      if (codePoint > 0xffff) {
        const v = codePoint - 0x10000;
        units.push(0xd800 | (v >> 10), 0xdc00 | (v & 0x3ff));
      } else {
        units.push(codePoint);
      }
      needed = seen = codePoint = 0;
    }
    if (!stream && needed !== 0) {
      needed = seen = codePoint = 0;
      lower = 0x80;
      upper = 0xbf;
      if (fatal) this.#fail();
      units.push(0xfffd);
    }
    this.#needed = needed;
    this.#seen = seen;
    this.#codePoint = codePoint;
    this.#lower = lower;
    this.#upper = upper;
    const tail = StringFromCharCode.apply(null, units);
    return out === '' ? tail : out + tail;
  }

  /** Fatal mode: the decoder starts over and the decode throws. */
  #fail(): never {
    this.#reset();
    throw new TypeErrorCtor('The encoded data was not valid UTF-8.');
  }

  #reset(): void {
    this.#needed = 0;
    this.#seen = 0;
    this.#codePoint = 0;
    this.#lower = 0x80;
    this.#upper = 0xbf;
  }
}

/** UTF-8 decode without BOM or fail/replace: https://encoding.spec.whatwg.org/#utf-8-decode */
export function utf8Decode(bytes: Uint8Array): string {
  let start = 0;
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  return new Utf8Decoder(false).decode(start === 0 ? bytes : bytes.subarray(start), false);
}

/** https://encoding.spec.whatwg.org/#utf-8-decode-without-bom: a leading BOM stays U+FEFF. */
export function utf8DecodeWithoutBOM(bytes: Uint8Array): string {
  return new Utf8Decoder(false).decode(bytes, false);
}
