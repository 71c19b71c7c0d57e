// Uint8Array to and from base64 and hex (ES2026, https://tc39.es/ecma262/#sec-uint8array.frombase64 and
// the clauses after it): Uint8Array.fromBase64, Uint8Array.fromHex, and on Uint8Array.prototype
// toBase64, toHex, setFromBase64 and setFromHex, with the alphabet, lastChunkHandling and
// omitPadding options. Bytes are read and written through the typed arrays' own indexes (which
// never reach a prototype), results are made with the original %Uint8Array%, and no String or
// Number method an app can replace is called.
import { Uint8ArrayCtor, isTypedArray, typedArrayLength, viewKind, uncurryThis, TypeErrorCtor } from '../../streams/webidl/intrinsics.js';
import { defineBuiltins, isObject, reflectApply } from './abstract-ops.js';

const SyntaxErrorCtor = SyntaxError;
const ObjectCreate = Object.create;
const stringCharCodeAt = uncurryThis(String.prototype.charCodeAt as (this: string, index: number) => number);
/** %TypedArray%.prototype.at: its ValidateTypedArray is IsTypedArrayOutOfBounds (detached included). */
const typedArrayAt = (Object.getPrototypeOf(Uint8Array.prototype) as { at: Function }).at;

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const HEX = '0123456789abcdef';
const MAX_SAFE_INTEGER = 2 ** 53 - 1;

type Alphabet = 'base64' | 'base64url';
type LastChunkHandling = 'loose' | 'strict' | 'stop-before-partial';

/** ValidateUint8Array (https://tc39.es/ecma262/#sec-validateuint8array). */
function validateUint8Array(ta: unknown, method: string): asserts ta is Uint8Array {
  if (!isTypedArray(ta) || viewKind(ta) !== 'Uint8Array') throw new TypeErrorCtor(`Uint8Array.prototype.${method} called on a value that is not a Uint8Array`);
}

/** MakeTypedArrayWithBufferWitnessRecord, IsTypedArrayOutOfBounds (→ TypeError), TypedArrayLength. */
function inBoundsLength(ta: Uint8Array): number {
  reflectApply(typedArrayAt, ta, [0]);
  return typedArrayLength(ta);
}

/** GetOptionsObject: undefined is an empty options object; an object is read; anything else a TypeError. */
function getOptionsObject(options: unknown): object {
  if (options === undefined) return ObjectCreate(null) as object;
  if (isObject(options)) return options;
  throw new TypeErrorCtor('the options are not an object');
}

/** The `alphabet` option: exactly "base64" or "base64url" (no conversion). */
function getAlphabet(opts: object): Alphabet {
  const alphabet = (opts as { alphabet?: unknown }).alphabet;
  if (alphabet === undefined) return 'base64';
  if (alphabet !== 'base64' && alphabet !== 'base64url') throw new TypeErrorCtor('alphabet must be "base64" or "base64url"');
  return alphabet;
}

/** The `lastChunkHandling` option, read after `alphabet`. */
function getLastChunkHandling(opts: object): LastChunkHandling {
  const handling = (opts as { lastChunkHandling?: unknown }).lastChunkHandling;
  if (handling === undefined) return 'loose';
  if (handling !== 'loose' && handling !== 'strict' && handling !== 'stop-before-partial') {
    throw new TypeErrorCtor('lastChunkHandling must be "loose", "strict" or "stop-before-partial"');
  }
  return handling;
}

/** The value of a standard base64 alphabet code unit, or -1. */
function base64Value(c: number): number {
  if (c >= 0x41 && c <= 0x5a) return c - 0x41;
  if (c >= 0x61 && c <= 0x7a) return c - 0x61 + 26;
  if (c >= 0x30 && c <= 0x39) return c - 0x30 + 52;
  if (c === 0x2b) return 62;
  if (c === 0x2f) return 63;
  return -1;
}

/** SkipAsciiWhitespace: TAB, LF, FF, CR and SPACE. */
function skipAsciiWhitespace(string: string, index: number): number {
  for (; index < string.length; index++) {
    const c = stringCharCodeAt(string, index);
    if (c !== 0x09 && c !== 0x0a && c !== 0x0c && c !== 0x0d && c !== 0x20) return index;
  }
  return index;
}

/** The FromBase64 / FromHex result record: bytes decoded (into a scratch Uint8Array), read, error. */
interface DecodeResult {
  read: number;
  bytes: Uint8Array;
  written: number;
  error: Error | undefined;
}

/**
 * FromBase64 (https://tc39.es/ecma262/#sec-frombase64). The chunk is kept as its sextets (`chunk`,
 * shifted in) and its length; DecodeBase64Chunk is inlined where a chunk completes.
 */
function fromBase64(string: string, alphabet: Alphabet, lastChunkHandling: LastChunkHandling, maxLength = MAX_SAFE_INTEGER): DecodeResult {
  const length = string.length;
  // No more bytes than 3 per 4 characters (a partial last chunk of 2 or 3 gives 1 or 2).
  const bytes = new Uint8ArrayCtor(maxLength < length ? maxLength : ((length + 3) >> 2) * 3);
  let written = 0;
  const done = (read: number, error?: Error): DecodeResult => ({ read, bytes, written, error });
  if (maxLength === 0) return done(0);
  let read = 0;
  let chunk = 0;
  let chunkLength = 0;
  let index = 0;
  /** DecodeBase64Chunk of a partial chunk (2 or 3 sextets), SyntaxError for set extra bits if asked. */
  const decodePartial = (throwOnExtraBits: boolean): Error | undefined => {
    if (chunkLength === 2) {
      if (throwOnExtraBits && (chunk & 0xf) !== 0) return new SyntaxErrorCtor('fromBase64: the last chunk has nonzero extra bits');
      bytes[written++] = chunk >> 4;
    } else {
      if (throwOnExtraBits && (chunk & 0x3) !== 0) return new SyntaxErrorCtor('fromBase64: the last chunk has nonzero extra bits');
      bytes[written++] = chunk >> 10;
      bytes[written++] = (chunk >> 2) & 0xff;
    }
    return undefined;
  };
  for (;;) {
    index = skipAsciiWhitespace(string, index);
    if (index === length) {
      if (chunkLength > 0) {
        if (lastChunkHandling === 'stop-before-partial') return done(read);
        if (lastChunkHandling === 'loose') {
          if (chunkLength === 1) return done(read, new SyntaxErrorCtor('fromBase64: a lone character in the last chunk'));
          decodePartial(false);
        } else {
          return done(read, new SyntaxErrorCtor('fromBase64: the last chunk is incomplete (strict)'));
        }
      }
      return done(length);
    }
    let c = stringCharCodeAt(string, index);
    index++;
    if (c === 0x3d) {
      // "=": padding, which ends the input.
      if (chunkLength < 2) return done(read, new SyntaxErrorCtor('fromBase64: misplaced padding'));
      index = skipAsciiWhitespace(string, index);
      if (chunkLength === 2) {
        if (index === length) {
          if (lastChunkHandling === 'stop-before-partial') return done(read);
          return done(read, new SyntaxErrorCtor('fromBase64: incomplete padding'));
        }
        if (stringCharCodeAt(string, index) === 0x3d) index = skipAsciiWhitespace(string, index + 1);
      }
      if (index < length) return done(read, new SyntaxErrorCtor('fromBase64: characters after the padding'));
      const error = decodePartial(lastChunkHandling === 'strict');
      if (error !== undefined) return done(read, error);
      return done(length);
    }
    if (alphabet === 'base64url') {
      if (c === 0x2b || c === 0x2f) return done(read, new SyntaxErrorCtor('fromBase64: "+" or "/" in base64url'));
      if (c === 0x2d) c = 0x2b;
      else if (c === 0x5f) c = 0x2f;
    }
    const value = base64Value(c);
    if (value < 0) return done(read, new SyntaxErrorCtor('fromBase64: a character outside the base64 alphabet'));
    const remaining = maxLength - written;
    if ((remaining === 1 && chunkLength === 2) || (remaining === 2 && chunkLength === 3)) return done(read);
    chunk = (chunk << 6) | value;
    chunkLength++;
    if (chunkLength === 4) {
      bytes[written++] = chunk >> 16;
      bytes[written++] = (chunk >> 8) & 0xff;
      bytes[written++] = chunk & 0xff;
      chunk = 0;
      chunkLength = 0;
      read = index;
      if (written === maxLength) return done(read);
    }
  }
}

/** The value of a hex digit, or -1. */
function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** FromHex (https://tc39.es/ecma262/#sec-fromhex). */
function fromHex(string: string, maxLength = MAX_SAFE_INTEGER): DecodeResult {
  const length = string.length;
  const bytes = new Uint8ArrayCtor(maxLength < length >> 1 ? maxLength : length >> 1);
  let written = 0;
  let read = 0;
  if (length % 2 !== 0) return { read, bytes, written, error: new SyntaxErrorCtor('fromHex: the string has an odd length') };
  while (read < length && written < maxLength) {
    const high = hexValue(stringCharCodeAt(string, read));
    const low = hexValue(stringCharCodeAt(string, read + 1));
    if (high < 0 || low < 0) return { read, bytes, written, error: new SyntaxErrorCtor('fromHex: a character that is not a hex digit') };
    read += 2;
    bytes[written++] = (high << 4) | low;
  }
  return { read, bytes, written, error: undefined };
}

/** A new %Uint8Array% of the result's bytes, or its error thrown. */
function newUint8Array(result: DecodeResult): Uint8Array {
  if (result.error !== undefined) throw result.error;
  const ta = new Uint8ArrayCtor(result.written);
  for (let i = 0; i < result.written; i++) ta[i] = result.bytes[i]!;
  return ta;
}

/** SetUint8ArrayBytes, then the error thrown or { read, written }. */
function setBytes(into: Uint8Array, result: DecodeResult): { read: number; written: number } {
  for (let i = 0; i < result.written; i++) into[i] = result.bytes[i]!;
  if (result.error !== undefined) throw result.error;
  return { read: result.read, written: result.written };
}

export const uint8ArrayStatics = {
  /** @see https://tc39.es/ecma262/#sec-uint8array.frombase64 */
  fromBase64(string: unknown, options: unknown = undefined): Uint8Array {
    if (typeof string !== 'string') throw new TypeErrorCtor('Uint8Array.fromBase64: the argument is not a string');
    const opts = getOptionsObject(options);
    const alphabet = getAlphabet(opts);
    const lastChunkHandling = getLastChunkHandling(opts);
    return newUint8Array(fromBase64(string, alphabet, lastChunkHandling));
  },
  /** @see https://tc39.es/ecma262/#sec-uint8array.fromhex */
  fromHex(string: unknown): Uint8Array {
    if (typeof string !== 'string') throw new TypeErrorCtor('Uint8Array.fromHex: the argument is not a string');
    return newUint8Array(fromHex(string));
  },
};

export const uint8ArrayMethods = {
  /** @see https://tc39.es/ecma262/#sec-uint8array.prototype.tobase64 */
  toBase64(this: unknown, options: unknown = undefined): string {
    const O = this;
    validateUint8Array(O, 'toBase64');
    const opts = getOptionsObject(options);
    const table = getAlphabet(opts) === 'base64' ? BASE64 : BASE64URL;
    const omitPadding = !!(opts as { omitPadding?: unknown }).omitPadding;
    // GetUint8ArrayBytes: out of bounds (or detached) is a TypeError; the options' getters ran first.
    const length = inBoundsLength(O);
    let out = '';
    let i = 0;
    for (; i + 2 < length; i += 3) {
      const n = (O[i]! << 16) | (O[i + 1]! << 8) | O[i + 2]!;
      out += table[n >> 18]! + table[(n >> 12) & 63]! + table[(n >> 6) & 63]! + table[n & 63]!;
    }
    if (length - i === 1) {
      const n = O[i]!;
      out += table[n >> 2]! + table[(n << 4) & 63]! + (omitPadding ? '' : '==');
    } else if (length - i === 2) {
      const n = (O[i]! << 8) | O[i + 1]!;
      out += table[n >> 10]! + table[(n >> 4) & 63]! + table[(n << 2) & 63]! + (omitPadding ? '' : '=');
    }
    return out;
  },
  /** @see https://tc39.es/ecma262/#sec-uint8array.prototype.tohex */
  toHex(this: unknown): string {
    const O = this;
    validateUint8Array(O, 'toHex');
    const length = inBoundsLength(O);
    let out = '';
    for (let i = 0; i < length; i++) out += HEX[O[i]! >> 4]! + HEX[O[i]! & 15]!;
    return out;
  },
  /** @see https://tc39.es/ecma262/#sec-uint8array.prototype.setfrombase64 */
  setFromBase64(this: unknown, string: unknown, options: unknown = undefined): { read: number; written: number } {
    const into = this;
    validateUint8Array(into, 'setFromBase64');
    if (typeof string !== 'string') throw new TypeErrorCtor('Uint8Array.prototype.setFromBase64: the argument is not a string');
    const opts = getOptionsObject(options);
    const alphabet = getAlphabet(opts);
    const lastChunkHandling = getLastChunkHandling(opts);
    const byteLength = inBoundsLength(into);
    // The bytes decoded before an error are written, then the error thrown.
    return setBytes(into, fromBase64(string, alphabet, lastChunkHandling, byteLength));
  },
  /** @see https://tc39.es/ecma262/#sec-uint8array.prototype.setfromhex */
  setFromHex(this: unknown, string: unknown): { read: number; written: number } {
    const into = this;
    validateUint8Array(into, 'setFromHex');
    if (typeof string !== 'string') throw new TypeErrorCtor('Uint8Array.prototype.setFromHex: the argument is not a string');
    const byteLength = inBoundsLength(into);
    return setBytes(into, fromHex(string, byteLength));
  },
};

/** Installs the base64 and hex methods where the engine has none. */
export function installBase64(Uint8ArrayGlobal: Uint8ArrayConstructor): void {
  defineBuiltins(Uint8ArrayGlobal, uint8ArrayStatics);
  defineBuiltins(Uint8ArrayGlobal.prototype, uint8ArrayMethods);
}
