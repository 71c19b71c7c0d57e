// TextDecoder (https://encoding.spec.whatwg.org/#interface-textdecoder), and the decoder core
// TextDecoderStream shares with it. UTF-8, UTF-16, x-user-defined, ISO-2022-JP and every legacy
// single-byte encoding are decoded in the realm; the legacy multi-byte encodings (GBK, gb18030,
// Big5, EUC-JP, Shift_JIS, EUC-KR) by the host (TextCodecBridge), when it offers them.
import { defineInterface } from '../../streams/webidl/interface.js';
import { dictionaryObject, domString, toBoolean } from '../../streams/webidl/converters.js';
import { RangeErrorCtor, TypeErrorCtor, viewByteLength } from '../../streams/webidl/intrinsics.js';
import { bufferSourceBytes, crossingBytes } from '../buffer-source.js';
import { nativeEncoding } from './labels.js';
import { Utf8Decoder } from './utf8-decoder.js';
import { Utf16Decoder } from './utf16-decoder.js';
import { SINGLE_BYTE_INDEXES, SingleByteDecoder } from './single-byte-decoder.js';
import { legacySingleByteIndex } from './single-byte-indexes.js';
import { Iso2022JpDecoder } from './iso-2022-jp-decoder.js';

/** Decoders for the other encodings, kept by the host and addressed by id. */
export interface TextCodecBridge {
  /** A decoder for `label`; null when the label names no supported encoding; tooMany when the realm has that many open. */
  decoderCreate(label: string, fatal: boolean, ignoreBOM: boolean): { id: number; encoding: string } | { tooMany: number } | null;
  /** Decodes (and, unless `stream`, flushes); `error` when fatal and the data is invalid. */
  decoderDecode(id: number, bytes: Uint8Array, stream: boolean): { text: string } | { error: string };
  decoderFree(id: number): void;
}

let bridge: TextCodecBridge | undefined;
export function setTextCodecBridge(value: TextCodecBridge | undefined): void {
  bridge = value;
}

const EMPTY = new Uint8Array(0);

/** The most bytes one call to a host decoder takes (a 64 MiB decode in one call held the host's event loop; see decode). */
const HOST_DECODE_MAX = 1024 * 1024;

/** A host decoder is the host's memory: freed when the realm's decoder using it is collected. */
const hostDecoders = new FinalizationRegistry<number>((id) => bridge?.decoderFree(id));

/**
 * index jis0208 as one code unit per pointer (U+FFFD: no code point), read once from the host's
 * EUC-JP decoder: EUC-JP's bytes for pointer p are 0xA1 + p / 94 and 0xA1 + p % 94, and an
 * unmapped pair decodes to one U+FFFD. Undefined without a host decoder.
 */
let jis0208: string | undefined;
function indexJis0208(): string | undefined {
  if (jis0208 !== undefined) return jis0208;
  const created = bridge?.decoderCreate('euc-jp', false, true) ?? null;
  if (created === null || 'tooMany' in created) return undefined;
  const bytes = new Uint8Array(94 * 94 * 2);
  for (let pointer = 0; pointer < 94 * 94; pointer++) {
    bytes[2 * pointer] = 0xa1 + Math.floor(pointer / 94);
    bytes[2 * pointer + 1] = 0xa1 + (pointer % 94);
  }
  const result = bridge!.decoderDecode(created.id, bytes, false);
  bridge!.decoderFree(created.id);
  // Every pointer of the index is one BMP code point or none: anything else is not that table.
  if (!('text' in result) || result.text.length !== 94 * 94) return undefined;
  jis0208 = result.text;
  return jis0208;
}

/**
 * One decoder with the standard's "decode" steps around it: BOM handling for the encodings
 * decoded here, a fresh decoder after each non-streaming call, fatal errors as TypeErrors.
 */
export class DecoderCore {
  readonly encoding: string;
  readonly fatal: boolean;
  readonly ignoreBOM: boolean;
  #native: { decode(bytes: Uint8Array, stream: boolean): string } | undefined;
  #hostId = -1;
  #bomSeen = false;
  #doNotFlush = false;

  /** Throws RangeError for a label that names no supported encoding (or "replacement"). */
  constructor(label: string, fatal: boolean, ignoreBOM: boolean, context: string) {
    this.fatal = fatal;
    this.ignoreBOM = ignoreBOM;
    const native = nativeEncoding(label);
    // ISO-2022-JP needs the host's index; without one it is as unsupported as before.
    if (native !== undefined && (native !== 'iso-2022-jp' || indexJis0208() !== undefined)) {
      this.encoding = native;
      this.#native = this.#newNative();
      return;
    }
    const created = bridge?.decoderCreate(label, fatal, ignoreBOM) ?? null;
    if (created === null) throw new RangeErrorCtor(`${context} The encoding label provided ('${label}') is invalid.`);
    if ('tooMany' in created) {
      throw new RangeErrorCtor(`${context} ${created.tooMany} decoders for '${label}' and the other host-decoded encodings are open; drop some first.`);
    }
    this.encoding = created.encoding;
    this.#hostId = created.id;
    hostDecoders.register(this, created.id);
  }

  #newNative(): { decode(bytes: Uint8Array, stream: boolean): string } {
    if (this.encoding === 'utf-8') return new Utf8Decoder(this.fatal);
    const singleByte = Object.hasOwn(SINGLE_BYTE_INDEXES, this.encoding) ? SINGLE_BYTE_INDEXES[this.encoding]! : legacySingleByteIndex(this.encoding);
    if (singleByte !== undefined) return new SingleByteDecoder(this.encoding, singleByte, this.fatal);
    if (this.encoding === 'iso-2022-jp') return new Iso2022JpDecoder(this.fatal, jis0208!);
    return new Utf16Decoder(this.encoding === 'utf-16be', this.fatal);
  }

  /** https://encoding.spec.whatwg.org/#dom-textdecoder-decode (steps after the conversions). */
  decode(bytes: Uint8Array, stream: boolean): string {
    if (this.#hostId !== -1) {
      // The host decodes on its own thread: a large input goes in parts (all but the last
      // streaming, so a sequence split between parts decodes whole), each call short.
      let text = '';
      const length = viewByteLength(bytes);
      for (let at = 0; ; at += HOST_DECODE_MAX) {
        const last = length - at <= HOST_DECODE_MAX;
        const part = crossingBytes(bytes, at, last ? length - at : HOST_DECODE_MAX);
        const result = bridge!.decoderDecode(this.#hostId, part, last ? stream : true);
        if ('error' in result) throw new TypeErrorCtor(`The encoded data was not valid ${this.encoding}.`);
        text += result.text;
        if (last) return text;
      }
    }
    // Step 1. Not streaming last time: a new decoder, and the BOM not seen yet.
    if (!this.#doNotFlush) {
      this.#native = this.#newNative();
      this.#bomSeen = false;
    }
    this.#doNotFlush = stream;
    let output: string;
    try {
      output = this.#native!.decode(bytes, stream);
    } catch (error) {
      this.#doNotFlush = false;
      throw error;
    }
    // "Serialize I/O queue": for UTF-8 and UTF-16, the first code point, if U+FEFF, is a BOM to
    // drop (unless ignoreBOM).
    if (!this.ignoreBOM && !this.#bomSeen && output.length > 0 && this.encoding.startsWith('utf-')) {
      this.#bomSeen = true;
      if (output.charCodeAt(0) === 0xfeff) output = output.slice(1);
    }
    return output;
  }
}

let isTextDecoder: (x: unknown) => x is TextDecoder;

export class TextDecoder {
  #core: DecoderCore;

  // WebIDL: constructor(optional DOMString label = "utf-8", optional TextDecoderOptions options = {})
  constructor(label: unknown = undefined, options: unknown = undefined) {
    const context = "Failed to construct 'TextDecoder':";
    const labelString = label === undefined ? 'utf-8' : domString(label);
    const dict = dictionaryObject(options, `${context} The provided value`);
    const fatal = dict === null || dict['fatal'] === undefined ? false : toBoolean(dict['fatal']);
    const ignoreBOM = dict === null || dict['ignoreBOM'] === undefined ? false : toBoolean(dict['ignoreBOM']);
    this.#core = new DecoderCore(labelString, fatal, ignoreBOM, context);
  }

  get encoding(): string {
    if (!isTextDecoder(this)) throw new TypeErrorCtor("Failed to read the 'encoding' property from 'TextDecoder': Illegal invocation");
    return this.#core.encoding;
  }

  get fatal(): boolean {
    if (!isTextDecoder(this)) throw new TypeErrorCtor("Failed to read the 'fatal' property from 'TextDecoder': Illegal invocation");
    return this.#core.fatal;
  }

  get ignoreBOM(): boolean {
    if (!isTextDecoder(this)) throw new TypeErrorCtor("Failed to read the 'ignoreBOM' property from 'TextDecoder': Illegal invocation");
    return this.#core.ignoreBOM;
  }

  // WebIDL: decode(optional AllowSharedBufferSource input, optional TextDecodeOptions options = {})
  decode(input: unknown = undefined, options: unknown = undefined): string {
    if (!isTextDecoder(this)) throw new TypeErrorCtor("Failed to execute 'decode' on 'TextDecoder': Illegal invocation");
    let bytes: Uint8Array = EMPTY;
    if (input !== undefined) {
      const converted = bufferSourceBytes(input, true);
      if (converted === undefined) {
        throw new TypeErrorCtor("Failed to execute 'decode' on 'TextDecoder': parameter 1 is not of type '(ArrayBuffer or ArrayBufferView)'.");
      }
      bytes = converted;
    }
    const dict = dictionaryObject(options, "Failed to execute 'decode' on 'TextDecoder': parameter 2");
    const stream = dict === null || dict['stream'] === undefined ? false : toBoolean(dict['stream']);
    return this.#core.decode(bytes, stream);
  }

  static {
    isTextDecoder = (x): x is TextDecoder => typeof x === 'object' && x !== null && #core in x;
  }
}

defineInterface(TextDecoder, 'TextDecoder');
