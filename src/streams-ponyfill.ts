// The `nano-runtime/streams` package entry for plain Node: the Streams standard's classes, and
// the streams other standards define on them (Encoding's text streams, Compression's streams,
// the latter backed by node:zlib). Nothing is put on globalThis.
import { nodeCompressionCodec } from './host/codec-node.js';
import { setCompressionCodec } from './web/compression-format.js';

export * from './streams/index.js';
export { TextEncoderStream } from './web/text-encoder-stream.js';
export { TextDecoderStream } from './web/text-decoder-stream.js';
export { CompressionStream } from './web/compression-stream.js';
export { DecompressionStream } from './web/decompression-stream.js';

setCompressionCodec(nodeCompressionCodec);
