// The host half of TextDecoder for the encodings the realm does not decode itself: Node's
// TextDecoder (full ICU), one per id. Labels resolve as Node resolves them, which follows the
// Encoding standard's table.
import { TextDecoder } from 'node:util';
import type { TextCodecBridge } from '../web/encoding/text-decoder.js';
import { IdTable } from '../runtime/id-table.js';

/**
 * Host decoders one realm may have at once (each an ICU converter, ~650 bytes of the host's
 * memory: measured +65 MiB for 100,000). The realm frees one when its TextDecoder or
 * TextDecoderStream is collected; past this a new one is a RangeError.
 */
export const HOST_DECODERS_MAX = 10_000;

export function nodeTextCodec(): TextCodecBridge & { close(): void; readonly size: number } {
  const decoders = new IdTable<TextDecoder>();
  let nextId = 1;
  return {
    get size() {
      return decoders.size;
    },
    decoderCreate(label, fatal, ignoreBOM) {
      if (decoders.size >= HOST_DECODERS_MAX) return { tooMany: HOST_DECODERS_MAX };
      let decoder: TextDecoder;
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
