// The host half of TextDecoder for the encodings the realm does not decode itself (the legacy
// multi-byte ones: GBK, gb18030, Big5, EUC-JP, Shift_JIS, EUC-KR), one decoder per id:
// @exodus/bytes' TextDecoder, written to the Encoding standard with its indexes. Node's own (ICU)
// is not the standard's for most of them: measured against the indexes WPT carries, its EUC-KR
// differs at 9,012 of 23,940 pointers, Big5 at 6,247 of 19,778, EUC-JP's jis0212 at 21, and WPT's
// gb18030 and gbk decoder tests passed 14 of 357 subtests through it.
import { TextDecoder } from '@exodus/bytes/encoding.js';

/** One decoder: the API of the standard's TextDecoder. */
type Decoder = InstanceType<typeof TextDecoder>;
import type { TextCodecBridge } from '../web/encoding/text-decoder.js';
import { IdTable } from '../runtime/id-table.js';

/**
 * Host decoders one realm may have at once (each the host's memory: an ICU converter was ~650
 * bytes, measured +65 MiB for 100,000). The realm frees one when its TextDecoder or
 * TextDecoderStream is collected; past this a new one is a RangeError.
 */
export const HOST_DECODERS_MAX = 10_000;

export function nodeTextCodec(): TextCodecBridge & { close(): void; readonly size: number } {
  const decoders = new IdTable<Decoder>();
  let nextId = 1;
  return {
    get size() {
      return decoders.size;
    },
    decoderCreate(label, fatal, ignoreBOM) {
      if (decoders.size >= HOST_DECODERS_MAX) return { tooMany: HOST_DECODERS_MAX };
      let decoder: Decoder;
      try {
        decoder = new TextDecoder(label, { fatal, ignoreBOM });
      } catch {
        return null;
      }
      const id = nextId++;
      decoders.set(id, decoder);
      return { id, encoding: decoder.encoding };
    },
    decoderDecode(id, bytes, stream) {
      const decoder = decoders.get(id);
      if (decoder === undefined) return { error: 'the decoder was freed' };
      try {
        return { text: decoder.decode(bytes, { stream }) };
      } catch (error) {
        return { error: (error as Error).message };
      }
    },
    decoderFree(id) {
      decoders.delete(id);
    },
    close() {
      decoders.clear();
    },
  };
}
