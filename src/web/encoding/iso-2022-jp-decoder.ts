// The ISO-2022-JP decoder (https://encoding.spec.whatwg.org/#iso-2022-jp-decoder), in the realm:
// Node 20's ICU decodes the characters as the standard's index does, but not its escape
// sequences' error cases (a lone ESC, an escape to a set the standard does not have, SO/SI).
// The index (index jis0208) comes from the caller: text-decoder.ts reads it once from the
// host's EUC-JP decoder, whose table for the 94 x 94 pointers is the one the host's own
// ISO-2022-JP decoder uses.

const StringFromCharCode = String.fromCharCode;
const TypeErrorCtor = TypeError;
/** Code units per fromCharCode call. */
const CHUNK = 8192;

const enum State {
  ASCII,
  Roman,
  Katakana,
  LeadByte,
  TrailByte,
  EscapeStart,
  Escape,
}

/** The end of the I/O queue. */
const EOF = -1;
const ESC = 0x1b;
/** The handler's "continue" and "finished": any other result is a code point or ERROR. */
const CONTINUE = -2;
const FINISHED = -3;
const ERROR = -4;

export class Iso2022JpDecoder {
  readonly #fatal: boolean;
  /** index jis0208: the code unit of each pointer, U+FFFD where the index has no code point. */
  readonly #jis0208: string;
  #state = State.ASCII;
  #outputState = State.ASCII;
  #lead = 0x00;
  #outputFlag = false;
  /** Bytes prepended to the I/O queue, read before the input (at most two). */
  #prepended: number[] = [];

  constructor(fatal: boolean, jis0208: string) {
    this.#fatal = fatal;
    this.#jis0208 = jis0208;
  }

  decode(bytes: Uint8Array, stream: boolean): string {
    let out = '';
    // Code units gathered and turned into a string a chunk at a time, not appended one by one.
    const units: number[] = [];
    let i = 0;
    const prepended = this.#prepended;
    for (;;) {
      let byte: number;
      if (prepended.length > 0) byte = prepended.shift()!;
      else if (i < bytes.length) byte = bytes[i++]!;
      else if (stream) break;
      else byte = EOF;
      const result = this.#handler(byte);
      if (result === CONTINUE) continue;
      if (result === FINISHED) break;
      if (result === ERROR) {
        if (this.#fatal) {
          this.#reset();
          throw new TypeErrorCtor('The encoded data was not valid iso-2022-jp.');
        }
        units.push(0xfffd);
      } else {
        units.push(result);
      }
      if (units.length === CHUNK) {
        out += StringFromCharCode.apply(null, units);
        units.length = 0;
      }
    }
    return units.length === 0 ? out : out + StringFromCharCode.apply(null, units);
  }

  #reset(): void {
    this.#state = this.#outputState = State.ASCII;
    this.#lead = 0x00;
    this.#outputFlag = false;
    this.#prepended.length = 0;
  }

  /** The decoder's handler, on one byte (or EOF): a code point, ERROR, CONTINUE or FINISHED. */
  #handler(byte: number): number {
    switch (this.#state) {
      case State.ASCII:
        if (byte === ESC) {
          this.#state = State.EscapeStart;
          return CONTINUE;
        }
        if (byte >= 0x00 && byte <= 0x7f && byte !== 0x0e && byte !== 0x0f) {
          this.#outputFlag = false;
          return byte;
        }
        if (byte === EOF) return FINISHED;
        this.#outputFlag = false;
        return ERROR;
      case State.Roman:
        if (byte === ESC) {
          this.#state = State.EscapeStart;
          return CONTINUE;
        }
        if (byte === 0x5c) {
          this.#outputFlag = false;
          return 0x00a5;
        }
        if (byte === 0x7e) {
          this.#outputFlag = false;
          return 0x203e;
        }
        if (byte >= 0x00 && byte <= 0x7f && byte !== 0x0e && byte !== 0x0f) {
          this.#outputFlag = false;
          return byte;
        }
        if (byte === EOF) return FINISHED;
        this.#outputFlag = false;
        return ERROR;
      case State.Katakana:
        if (byte === ESC) {
          this.#state = State.EscapeStart;
          return CONTINUE;
        }
        if (byte >= 0x21 && byte <= 0x5f) {
          this.#outputFlag = false;
          return 0xff61 - 0x21 + byte;
        }
        if (byte === EOF) return FINISHED;
        this.#outputFlag = false;
        return ERROR;
      case State.LeadByte:
        if (byte === ESC) {
          this.#state = State.EscapeStart;
          return CONTINUE;
        }
        if (byte >= 0x21 && byte <= 0x7e) {
          this.#outputFlag = false;
          this.#lead = byte;
          this.#state = State.TrailByte;
          return CONTINUE;
        }
        if (byte === EOF) return FINISHED;
        this.#outputFlag = false;
        return ERROR;
      case State.TrailByte: {
        if (byte === ESC) {
          this.#state = State.EscapeStart;
          return ERROR;
        }
        if (byte >= 0x21 && byte <= 0x7e) {
          this.#state = State.LeadByte;
          const pointer = (this.#lead - 0x21) * 94 + byte - 0x21;
          const codeUnit = this.#jis0208.charCodeAt(pointer);
          return codeUnit === 0xfffd ? ERROR : codeUnit;
        }
        if (byte === EOF) {
          this.#state = State.LeadByte;
          this.#prepended.unshift(EOF);
          return ERROR;
        }
        this.#state = State.LeadByte;
        return ERROR;
      }
      case State.EscapeStart:
        if (byte === 0x24 || byte === 0x28) {
          this.#lead = byte;
          this.#state = State.Escape;
          return CONTINUE;
        }
        this.#prepended.unshift(byte);
        this.#outputFlag = false;
        this.#state = this.#outputState;
        return ERROR;
      case State.Escape: {
        const lead = this.#lead;
        this.#lead = 0x00;
        let state: State | null = null;
        if (lead === 0x28 && byte === 0x42) state = State.ASCII;
        else if (lead === 0x28 && byte === 0x4a) state = State.Roman;
        else if (lead === 0x28 && byte === 0x49) state = State.Katakana;
        else if (lead === 0x24 && (byte === 0x40 || byte === 0x42)) state = State.LeadByte;
        if (state !== null) {
          this.#state = this.#outputState = state;
          const output = this.#outputFlag;
          this.#outputFlag = true;
          return output ? ERROR : CONTINUE;
        }
        // Prepend lead and byte (lead first), so both are read again.
        this.#prepended.unshift(lead, byte);
        this.#outputFlag = false;
        this.#state = this.#outputState;
        return ERROR;
      }
    }
  }
}
