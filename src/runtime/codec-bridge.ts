// CompressionStream's codec inside an isolate: the host's node:zlib contexts, by id.
import type { CodecInstance, CompressionCodec, CodecResult } from '../web/compression-codec.js';
import type { HostApi, HostCodecResult } from './host-api.js';
import { crossingBytes } from '../web/buffer-source.js';
import { viewByteLength } from '../streams/webidl/intrinsics.js';

const TypeErrorCtor = TypeError;
const RangeErrorCtor = RangeError;
const FinalizationRegistryCtor = FinalizationRegistry;
/** The most input one host call takes. */
const PUSH_MAX = 1024 * 1024;

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
  // A context whose stream the app dropped unfinished is closed when the stream is collected:
  // its memory is the host's, which the isolate's heap limit does not see.
  const unreachable = new FinalizationRegistryCtor<number>((id) => host.codecClose(id));
  return {
    create(format, mode) {
      const id = host.codecCreate(format, mode);
      if (id === -1) return undefined;
      if (id < 0) {
        throw new RangeErrorCtor(
          `Failed to construct a compression stream: the app's open compression streams hold all the host memory it may use (4 times limits.memoryMb); finish, cancel or drop some first.`,
        );
      }
      const instance: CodecInstance = {
        push: (bytes) => {
          const length = viewByteLength(bytes);
          if (length <= PUSH_MAX) return collect(id, host.codecPush(id, crossingBytes(bytes, 0, length)));
          // A large chunk crosses in parts: each call's copy into the host, which runs on the
          // host's thread, stays small (a 64 MiB chunk in one call held its event loop ~60 ms).
          const chunks: Uint8Array[] = [];
          for (let at = 0; at < length; at += PUSH_MAX) {
            const result = collect(id, host.codecPush(id, crossingBytes(bytes, at, length - at < PUSH_MAX ? length - at : PUSH_MAX)));
            for (let i = 0; i < result.chunks.length; i++) chunks.push(result.chunks[i]!);
            // Trailing data after a compressed stream's end: the rest of the chunk is trailing too.
            if (result.error !== undefined) return { chunks, error: result.error };
          }
          return { chunks, error: undefined };
        },
        finish: () => collect(id, host.codecFinish(id)),
        close: () => {
          unreachable.unregister(instance);
          host.codecClose(id);
        },
      };
      unreachable.register(instance, id, instance);
      return instance;
    },
  };
}
