// The UTF-16LE / UTF-16BE decoders of the Encoding standard
// (https://encoding.spec.whatwg.org/#shared-utf-16-decoder), streaming.

const StringFromCharCode = String.fromCharCode;
const TypeErrorCtor = TypeError;
const SLICE = 8192;

export class Utf16Decoder {
  #bigEndian: boolean;
  /** A lead byte waiting for its partner, or -1. */
  #leadByte = -1;
  /** A lead surrogate waiting for its trail, or -1. */
  #leadSurrogate = -1;
  readonly fatal: boolean;

  constructor(bigEndian: boolean, fatal: boolean) {
    this.#bigEndian = bigEndian;
    this.fatal = fatal;
  }

  decode(bytes: Uint8Array, stream: boolean): string {
    const units: number[] = [];
    let out = '';
    const error = (): void => {
      if (this.fatal) {
        this.#leadByte = -1;
        this.#leadSurrogate = -1;
        throw new TypeErrorCtor('The encoded data was not valid UTF-16.');
      }
      units.push(0xfffd);
    };
    for (let i = 0; i < bytes.length; i++) {
      if (units.length >= SLICE) {
        out += StringFromCharCode.apply(null, units);
        units.length = 0;
      }
      const byte = bytes[i]!;
      if (this.#leadByte === -1) {
        this.#leadByte = byte;
        continue;
      }
      const unit = this.#bigEndian ? (this.#leadByte << 8) | byte : (byte << 8) | this.#leadByte;
      this.#leadByte = -1;
      if (this.#leadSurrogate !== -1) {
        const lead = this.#leadSurrogate;
        this.#leadSurrogate = -1;
        if (unit >= 0xdc00 && unit <= 0xdfff) {
          units.push(lead, unit);
          continue;
        }
        // The lead surrogate is an error; this unit is processed on its own.
        error();
      }
      if (unit >= 0xd800 && unit <= 0xdbff) {
        this.#leadSurrogate = unit;
      } else if (unit >= 0xdc00 && unit <= 0xdfff) {
        error();
      } else {
        units.push(unit);
      }
    }
    if (!stream && (this.#leadByte !== -1 || this.#leadSurrogate !== -1)) {
      this.#leadByte = -1;
      this.#leadSurrogate = -1;
      error();
    }
    return out + StringFromCharCode.apply(null, units);
  }
}
