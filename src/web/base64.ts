// atob() and btoa(): https://html.spec.whatwg.org/multipage/webappapis.html#atob
// with forgiving-base64 decode (https://infra.spec.whatwg.org/#forgiving-base64-decode).
import { domString } from '../streams/webidl/converters.js';
import { TypeErrorCtor } from '../streams/webidl/intrinsics.js';
import { createDOMException } from './dom-exception.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUES = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) VALUES[ALPHABET.charCodeAt(i)] = i;
const StringFromCharCode = String.fromCharCode;

/** btoa(data): each code unit is a byte (above U+00FF is an InvalidCharacterError). */
export function btoa(data: unknown): string {
  if (arguments.length < 1) throw new TypeErrorCtor("Failed to execute 'btoa': 1 argument required, but only 0 present.");
  const input = domString(data);
  let out = '';
  const n = input.length;
  for (let i = 0; i < n; i += 3) {
    const a = input.charCodeAt(i);
    const b = i + 1 < n ? input.charCodeAt(i + 1) : 0;
    const c = i + 2 < n ? input.charCodeAt(i + 2) : 0;
    if (a > 0xff || b > 0xff || c > 0xff) {
      throw createDOMException("Failed to execute 'btoa': The string to be encoded contains characters outside of the Latin1 range.", 'InvalidCharacterError');
    }
    const bits = (a << 16) | (b << 8) | c;
    out += ALPHABET[bits >> 18]! + ALPHABET[(bits >> 12) & 63]!;
    out += i + 1 < n ? ALPHABET[(bits >> 6) & 63]! : '=';
    out += i + 2 < n ? ALPHABET[bits & 63]! : '=';
  }
  return out;
}

/** atob(data): forgiving-base64 decode, each byte as a code unit. */
export function atob(data: unknown): string {
  if (arguments.length < 1) throw new TypeErrorCtor("Failed to execute 'atob': 1 argument required, but only 0 present.");
  const bytes = forgivingBase64Decode(domString(data));
  if (bytes === null) {
    throw createDOMException("Failed to execute 'atob': The string to be decoded is not correctly encoded.", 'InvalidCharacterError');
  }
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) out += StringFromCharCode.apply(null, bytes.subarray(i, i + 8192) as unknown as number[]);
  return out;
}

/** https://infra.spec.whatwg.org/#forgiving-base64-decode: the bytes, or null for failure. */
export function forgivingBase64Decode(data: string): Uint8Array | null {
  // Step 1. Remove all ASCII whitespace.
  let input = data.replace(/[\t\n\f\r ]/g, '');
  // Step 2. A length divisible by 4 may end with one or two '='.
  if (input.length % 4 === 0) {
    if (input.endsWith('==')) input = input.slice(0, -2);
    else if (input.endsWith('=')) input = input.slice(0, -1);
  }
  // Step 3. A remainder of 1 is failure; step 4: anything outside the alphabet is failure.
  if (input.length % 4 === 1) return null;
  const out = new Uint8Array((input.length * 3) >> 2);
  let n = 0;
  let buffer = 0;
  let bits = 0;
  // Steps 5-9: six bits per code point, a byte out whenever eight are buffered (the leftover
  // 4 or 2 bits at the end are dropped).
  for (let i = 0; i < input.length; i++) {
    const code = input.charCodeAt(i);
    const value = code < 128 ? VALUES[code]! : -1;
    if (value < 0) return null;
    buffer = ((buffer << 6) | value) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (buffer >> bits) & 0xff;
    }
  }
  return out.subarray(0, n);
}
