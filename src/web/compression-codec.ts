// The host bridge behind CompressionStream and DecompressionStream
// (https://compression.spec.whatwg.org/). The classes run inside an isolate or a vm realm and know
// nothing of zlib: the host hands them a CompressionCodec, and every "compression context" of the
// standard is one CodecInstance. Library mode and the Node ponyfill use src/host/codec-node.ts.
//
// Only types live here: this file is imported by realm code and must stay free of Node APIs.

/** https://compression.spec.whatwg.org/#enumdef-compressionformat, in IDL order. */
export type CompressionFormat = 'brotli' | 'deflate' | 'deflate-raw' | 'gzip';

export type CodecMode = 'compress' | 'decompress';

/** What a push() or finish() produced. */
export interface CodecResult {
  /**
   * The output bytes, split into non-empty pieces. Each piece is owned by the caller: a fresh
   * array over a buffer nobody else holds. A piece that is a Uint8Array of the caller's own realm
   * spanning its whole buffer is enqueued as is; any other piece is copied into the caller's realm.
   */
  chunks: Uint8Array[];
  /**
   * Decompression only; undefined otherwise (always present as an own property).
   * After push(): the compressed data ended inside this chunk and bytes follow it ("trailing data").
   * After finish(): the compressed data did not end (truncated input).
   * The caller enqueues `chunks` first and then errors the stream with a TypeError, in the order
   * https://compression.spec.whatwg.org/#decompress-and-enqueue-a-chunk gives.
   */
  error: string | undefined;
  /** The call stopped at its output cap: more output follows from resume() (host codecs only). */
  more?: boolean;
}

/**
 * One compression context. All calls are synchronous: the host does the work while the caller
 * waits, so no promise is made per chunk.
 * Errors: push() and finish() THROW when the data is invalid (bad header, bad block, checksum
 * mismatch, dictionary required); the caller turns that into a TypeError of its own realm and
 * enqueues nothing from that call.
 */
export interface CodecInstance {
  /** Compresses or decompresses `chunk` (never retained after the call returns). */
  push(chunk: Uint8Array): CodecResult;
  /** Ends the stream: compression writes its trailer; decompression checks the data ended. */
  finish(): CodecResult;
  /** Releases the native state early (cancel, abort, error); later calls are not allowed. */
  close(): void;
}

export interface CompressionCodec {
  /** A new context, or undefined when the host does not support `format` in that direction. */
  create(format: CompressionFormat, mode: CodecMode): CodecInstance | undefined;
}
