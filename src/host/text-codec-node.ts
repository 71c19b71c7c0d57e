// The host half of TextDecoder for the encodings the realm does not decode itself: Node's
// TextDecoder (full ICU), one per id. Labels resolve as Node resolves them, which follows the
// Encoding standard's table.
import { TextDecoder } from 'node:util';
import type { TextCodecBridge } from '../web/encoding/text-decoder.js';
import { IdTable } from '../runtime/id-table.js';

export function nodeTextCodec(): TextCodecBridge & { close(): void } {
  const decoders = new IdTable<TextDecoder>();
  let nextId = 1;
  return {
    decoderCreate(label, fatal, ignoreBOM) {
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
