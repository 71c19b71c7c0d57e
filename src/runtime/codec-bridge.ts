// CompressionStream's codec inside an isolate: the host's node:zlib contexts, by id.
import type { CompressionCodec, CodecResult } from '../web/compression-codec.js';
import type { HostApi, HostCodecResult } from './host-api.js';

const TypeErrorCtor = TypeError;

export function hostCompressionCodec(host: HostApi): CompressionCodec {
  const unwrap = (result: HostCodecResult): CodecResult => {
    if (result.fail !== undefined) throw new TypeErrorCtor(result.fail);
    return { chunks: result.chunks, error: result.error };
  };
  return {
    create(format, mode) {
      const id = host.codecCreate(format, mode);
      if (id < 0) return undefined;
      return {
        push: (bytes) => unwrap(host.codecPush(id, bytes)),
        finish: () => unwrap(host.codecFinish(id)),
        close: () => host.codecClose(id),
      };
    },
  };
}
