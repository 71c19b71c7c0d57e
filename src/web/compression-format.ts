// What CompressionStream and DecompressionStream share: the CompressionFormat enum conversion and
// "split the output into Uint8Arrays and enqueue them" (https://compression.spec.whatwg.org/).
import { transformStreamEnqueue } from '../streams/transform-stream/other-specs.js';
import type { TransformStream } from '../streams/transform-stream/transform-stream.js';
import { TypeErrorCtor } from '../streams/webidl/intrinsics.js';
import { domString } from '../streams/webidl/converters.js';
import type { CodecInstance, CodecMode, CodecResult, CompressionCodec, CompressionFormat } from './compression-codec.js';
import { toRealmUint8Array } from './buffer-source.js';

const FORMATS: readonly string[] = ['brotli', 'deflate', 'deflate-raw', 'gzip'];
let codec: CompressionCodec | undefined;

/** The host's codec, given at install (the classes throw "unsupported" without one). */
export function setCompressionCodec(value: CompressionCodec): void {
  codec = value;
}

/**
 * WebIDL enum conversion of `format`, then "if format is unsupported, throw a TypeError";
 * returns the new compression context.
 */
export function createCompressionContext(iface: string, format: unknown, mode: CodecMode): CodecInstance {
  const context = `Failed to construct '${iface}':`;
  const value = domString(format);
  if (!FORMATS.includes(value)) {
    throw new TypeErrorCtor(`${context} The provided value '${value}' is not a valid enum value of type CompressionFormat.`);
  }
  const instance = codec?.create(value as CompressionFormat, mode);
  if (instance === undefined) throw new TypeErrorCtor(`${context} The format '${value}' is not supported here.`);
  return instance;
}

/**
 * Steps "if buffer is empty, return; split buffer into one or more non-empty pieces and convert
 * them into Uint8Arrays; for each, enqueue it in the stream", then a decompression error the
 * codec reported for after the output (trailing or truncated data) as a TypeError.
 */
export function enqueueCodecResult(stream: TransformStream, result: CodecResult, iface: string): void {
  const chunks = result.chunks;
  for (let i = 0; i < chunks.length; i++) transformStreamEnqueue(stream, toRealmUint8Array(chunks[i]!));
  if (result.error !== undefined) throw new TypeErrorCtor(`${iface}: ${result.error}`);
}

/** A codec exception (host realm in library mode) as a TypeError of this realm. */
export function codecError(iface: string, e: unknown): TypeError {
  const message = typeof e === 'object' && e !== null && typeof (e as Error).message === 'string' ? (e as Error).message : String(e);
  return new TypeErrorCtor(`${iface}: ${message}`);
}
