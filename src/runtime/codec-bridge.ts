// CompressionStream's codec inside an isolate: the host's node:zlib contexts, by id.
import type { CompressionCodec, CodecResult } from '../web/compression-codec.js';
import type { HostApi, HostCodecResult } from './host-api.js';

const TypeErrorCtor = TypeError;

export function hostCompressionCodec(host: HostApi): CompressionCodec {
  /**
   * The whole output of one push or finish. The host returns it in parts of bounded size (each
   * call short, its memory small: a decompression bomb's output piles up here, in the isolate's
   * memory, not the host's); invalid data anywhere fails the call, nothing enqueued.
   */
  const collect = (id: number, first: HostCodecResult): CodecResult => {
    let result = first;
    if (result.fail !== undefined) throw new TypeErrorCtor(result.fail);
    if (result.more !== true) return { chunks: result.chunks, error: result.error };
    const chunks = result.chunks;
    while (result.more === true) {
      result = host.codecResume(id);
      if (result.fail !== undefined) throw new TypeErrorCtor(result.fail);
      for (let i = 0; i < result.chunks.length; i++) chunks.push(result.chunks[i]!);
    }
    return { chunks, error: result.error };
  };
  return {
    create(format, mode) {
      const id = host.codecCreate(format, mode);
      if (id < 0) return undefined;
      return {
        push: (bytes) => collect(id, host.codecPush(id, bytes)),
        finish: () => collect(id, host.codecFinish(id)),
        close: () => host.codecClose(id),
      };
    },
  };
}
