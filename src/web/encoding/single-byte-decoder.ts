// The single-byte decoder (https://encoding.spec.whatwg.org/#single-byte-decoder), in the realm
// for the single-byte encodings the host cannot decode as the standard says. The other
// single-byte encodings go to the host's decoder (Node's ICU), whose tables match the standard's
// indexes for them (WPT encoding/textdecoder-fatal-single-byte).

const StringFromCharCode = String.fromCharCode;
const TypeErrorCtor = TypeError;

/**
 * index ISO-8859-16 (https://encoding.spec.whatwg.org/#legacy-single-byte-encodings), the
 * mapping of ISO/IEC 8859-16:2001: pointers 0-31 (bytes 0x80-0x9F) are U+0080-U+009F; below are
 * pointers 32-127 (bytes 0xA0-0xFF), sixteen a row. Node 20's ICU has no ISO-8859-16.
 */
// prettier-ignore
const ISO_8859_16_HIGH = [
  0x00a0, 0x0104, 0x0105, 0x0141, 0x20ac, 0x201e, 0x0160, 0x00a7, 0x0161, 0x00a9, 0x0218, 0x00ab, 0x0179, 0x00ad, 0x017a, 0x017b, // 0xA0
  0x00b0, 0x00b1, 0x010c, 0x0142, 0x017d, 0x201d, 0x00b6, 0x00b7, 0x017e, 0x010d, 0x0219, 0x00bb, 0x0152, 0x0153, 0x0178, 0x017c, // 0xB0
  0x00c0, 0x00c1, 0x00c2, 0x0102, 0x00c4, 0x0106, 0x00c6, 0x00c7, 0x00c8, 0x00c9, 0x00ca, 0x00cb, 0x00cc, 0x00cd, 0x00ce, 0x00cf, // 0xC0
  0x0110, 0x0143, 0x00d2, 0x00d3, 0x00d4, 0x0150, 0x00d6, 0x015a, 0x0170, 0x00d9, 0x00da, 0x00db, 0x00dc, 0x0118, 0x021a, 0x00df, // 0xD0
  0x00e0, 0x00e1, 0x00e2, 0x0103, 0x00e4, 0x0107, 0x00e6, 0x00e7, 0x00e8, 0x00e9, 0x00ea, 0x00eb, 0x00ec, 0x00ed, 0x00ee, 0x00ef, // 0xE0
  0x0111, 0x0144, 0x00f2, 0x00f3, 0x00f4, 0x0151, 0x00f6, 0x015b, 0x0171, 0x00f9, 0x00fa, 0x00fb, 0x00fc, 0x0119, 0x021b, 0x00ff, // 0xF0
];

/** An index single-byte: the code point of each pointer 0-127 (null: no code point). */
export type SingleByteIndex = readonly (number | null)[];

function indexWithC1Controls(high: readonly number[]): SingleByteIndex {
  const index: (number | null)[] = [];
  for (let pointer = 0; pointer < 0x20; pointer++) index.push(0x80 + pointer);
  for (const codePoint of high) index.push(codePoint);
  return index;
}

/** The single-byte encodings decoded here, by name ("get an encoding" gives the name). */
export const SINGLE_BYTE_INDEXES: Readonly<Record<string, SingleByteIndex>> = {
  'iso-8859-16': indexWithC1Controls(ISO_8859_16_HIGH),
};

/** Stateless: each byte is one code point (or an error), so streaming needs nothing kept. */
export class SingleByteDecoder {
  readonly #name: string;
  readonly #index: SingleByteIndex;
  readonly #fatal: boolean;

  constructor(name: string, index: SingleByteIndex, fatal: boolean) {
    this.#name = name;
    this.#index = index;
    this.#fatal = fatal;
  }

  decode(bytes: Uint8Array, _stream: boolean): string {
    let out = '';
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i]!;
      // Step 2: an ASCII byte is its own code point.
      if (byte < 0x80) {
        out += StringFromCharCode(byte);
        continue;
      }
      // Steps 3-5: the index's code point for byte − 0x80; none is an error (fatal: TypeError;
      // replacement: U+FFFD).
      const codePoint = this.#index[byte - 0x80];
      if (codePoint === null || codePoint === undefined) {
        if (this.#fatal) throw new TypeErrorCtor(`The encoded data was not valid ${this.#name}.`);
        out += '\ufffd';
      } else {
        out += StringFromCharCode(codePoint);
      }
    }
    return out;
  }
}
