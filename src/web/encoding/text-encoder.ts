// TextEncoder (https://encoding.spec.whatwg.org/#interface-textencoder): UTF-8 only.
import { defineInterface } from '../../streams/webidl/interface.js';
import { domString } from '../../streams/webidl/converters.js';
import { TypeErrorCtor, Uint8ArrayCtor, isTypedArray, viewKind } from '../../streams/webidl/intrinsics.js';
import { encodeUtf8Chunk } from '../text-encoder-stream.js';

/** USVString conversion and UTF-8 encode: lone surrogates become U+FFFD. */
export function utf8Encode(input: string): Uint8Array {
  const state = { leadingSurrogate: 0 };
  const bytes = encodeUtf8Chunk(state, input);
  if (state.leadingSurrogate === 0) return bytes ?? new Uint8ArrayCtor(0);
  // A lead surrogate at the very end: U+FFFD (EF BF BD).
  const head = bytes ?? new Uint8ArrayCtor(0);
  const out = new Uint8ArrayCtor(head.length + 3);
  out.set(head);
  out[head.length] = 0xef;
  out[head.length + 1] = 0xbf;
  out[head.length + 2] = 0xbd;
  return out;
}

let isTextEncoder: (x: unknown) => x is TextEncoder;

export class TextEncoder {
  #brand = true;

  get encoding(): string {
    if (!isTextEncoder(this)) throw new TypeErrorCtor("Failed to read the 'encoding' property from 'TextEncoder': Illegal invocation");
    return 'utf-8';
  }

  // WebIDL: [NewObject] Uint8Array encode(optional USVString input = "")
  encode(input: unknown = ''): Uint8Array {
    if (!isTextEncoder(this)) throw new TypeErrorCtor("Failed to execute 'encode' on 'TextEncoder': Illegal invocation");
    return utf8Encode(domString(input));
  }

  // WebIDL: TextEncoderEncodeIntoResult encodeInto(USVString source, [AllowShared] Uint8Array destination)
  encodeInto(source: unknown, destination: unknown): { read: number; written: number } {
    if (!isTextEncoder(this)) throw new TypeErrorCtor("Failed to execute 'encodeInto' on 'TextEncoder': Illegal invocation");
    if (arguments.length < 2) {
      throw new TypeErrorCtor(`Failed to execute 'encodeInto' on 'TextEncoder': 2 arguments required, but only ${arguments.length} present.`);
    }
    const string = domString(source);
    if (typeof destination !== 'object' || destination === null || !isTypedArray(destination) || viewKind(destination as ArrayBufferView) !== 'Uint8Array') {
      throw new TypeErrorCtor("Failed to execute 'encodeInto' on 'TextEncoder': parameter 2 is not of type 'Uint8Array'.");
    }
    const out = destination as Uint8Array;
    const capacity = out.length;
    let read = 0;
    let written = 0;
    const n = string.length;
    while (read < n) {
      let c = string.charCodeAt(read);
      let units = 1;
      if (c >= 0xd800 && c <= 0xdbff && read + 1 < n) {
        const d = string.charCodeAt(read + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          units = 2;
        }
      }
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      const size = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
      if (written + size > capacity) break;
      if (size === 1) {
        out[written] = c;
      } else if (size === 2) {
        out[written] = 0xc0 | (c >> 6);
        out[written + 1] = 0x80 | (c & 0x3f);
      } else if (size === 3) {
        out[written] = 0xe0 | (c >> 12);
        out[written + 1] = 0x80 | ((c >> 6) & 0x3f);
        out[written + 2] = 0x80 | (c & 0x3f);
      } else {
        out[written] = 0xf0 | (c >> 18);
        out[written + 1] = 0x80 | ((c >> 12) & 0x3f);
        out[written + 2] = 0x80 | ((c >> 6) & 0x3f);
        out[written + 3] = 0x80 | (c & 0x3f);
      }
      written += size;
      read += units;
    }
    // A fresh object of this realm's Object prototype, members in IDL order.
    return { read, written };
  }

  static {
    isTextEncoder = (x): x is TextEncoder => typeof x === 'object' && x !== null && #brand in x;
  }
}

defineInterface(TextEncoder, 'TextEncoder');
