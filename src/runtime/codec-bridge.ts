// CompressionStream's codec inside an isolate: the host's node:zlib contexts, by id.
import type { CodecInstance, CompressionCodec, CodecResult } from '../web/compression-codec.js';
import type { HostApi, HostCodecResult } from './host-api.js';
import { crossingBytes } from '../web/buffer-source.js';
import { viewByteLength } from '../streams/webidl/intrinsics.js';

const TypeErrorCtor = TypeError;
const RangeErrorCtor = RangeError;
const FinalizationRegistryCtor = FinalizationRegistry;
const Uint8ArrayCtor = Uint8Array;
const U8Set = Uint8Array.prototype.set;
const ReflectApply = Reflect.apply;
/** The most input one host call takes. */
const PUSH_MAX = 1024 * 1024;
/**
 * Compression input gathers in the isolate up to this much before it goes to the host. Each push
 * is a call the isolate waits for, and a host call waits for the host's event loop: 10,000 writes
 * of 1 KiB took 929 ms, the same bytes in 64 KiB writes 55 ms. The compressed bytes are the
 * same (zlib and brotli give the same output for any split of their input when nothing is
 * flushed, which CompressionStream never asks for); they come out later only as the codec's own
 * buffering would hold them. Decompression input is not held back: its output is what a reader
 * waits for.
 */
const COMPRESS_GATHER = 64 * 1024;
const NO_OUTPUT: CodecResult = { chunks: [], error: undefined };

/** Two results in order (compression: no error to keep). */
function joined(first: CodecResult, second: CodecResult): CodecResult {
  if (first.chunks.length === 0) return second;
  const chunks = first.chunks;
  for (let i = 0; i < second.chunks.length; i++) chunks.push(second.chunks[i]!);
  return { chunks, error: second.error };
}

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
      const toHost = (bytes: Uint8Array): CodecResult => {
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
      };
      // Compression input waiting for more (COMPRESS_GATHER): a copy, as the app may reuse its buffer.
      let gathered: Uint8Array | undefined;
      let gatheredLength = 0;
      const sendGathered = (): CodecResult => {
        if (gatheredLength === 0) return NO_OUTPUT;
        const length = gatheredLength;
        gatheredLength = 0;
        return toHost(new Uint8ArrayCtor(gathered!.buffer, 0, length));
      };
      const instance: CodecInstance = {
        push: (bytes) => {
          if (mode !== 'compress') return toHost(bytes);
          const length = viewByteLength(bytes);
          if (gatheredLength + length > COMPRESS_GATHER) return joined(sendGathered(), toHost(bytes));
          gathered ??= new Uint8ArrayCtor(COMPRESS_GATHER);
          ReflectApply(U8Set, gathered, [bytes, gatheredLength]);
          gatheredLength += length;
          return gatheredLength === COMPRESS_GATHER ? sendGathered() : NO_OUTPUT;
        },
        finish: () => joined(sendGathered(), collect(id, host.codecFinish(id))),
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
