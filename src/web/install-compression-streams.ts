// Exposes CompressionStream and DecompressionStream on a realm's global, backed by the host's codec.
import { exposeInterface } from '../streams/webidl/interface.js';
import type { CompressionCodec } from './compression-codec.js';
import { setCompressionCodec } from './compression-format.js';
import { CompressionStream } from './compression-stream.js';
import { DecompressionStream } from './decompression-stream.js';

export function installCompressionStreams(global: object, codec: CompressionCodec): void {
  setCompressionCodec(codec);
  exposeInterface(global, 'CompressionStream', CompressionStream);
  exposeInterface(global, 'DecompressionStream', DecompressionStream);
}
