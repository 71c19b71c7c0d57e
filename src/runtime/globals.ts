// The realm side of the runtime: installs every global an app (or a WPT test realm) starts with.
// It is bundled into one script that is evaluated inside the target realm (an isolate, or a
// node:vm context in library mode), so every class belongs to that realm. What needs the host
// arrives through `bridge`, whose members take and return only primitives, ArrayBuffers,
// Uint8Arrays and plain data objects (so the isolate host can pass them across by copy or transfer).
import { install as installStreams } from '../streams/install.js';
import { installEsBuiltins } from './es-builtins.js';
import { installDomBasics, type DomHooks } from '../web/install-dom.js';
import { installTextStreams } from '../web/install-text-streams.js';
import { installCompressionStreams } from '../web/install-compression-streams.js';
import type { CompressionCodec } from '../web/compression-codec.js';
import { installEncoding } from '../web/encoding/install.js';
import { installFetchApi } from '../web/fetch/install.js';
import type { URLBridge } from '../web/url.js';
import { CryptoKey, SubtleCrypto, setSubtleBridge, type SubtleBridge } from '../web/crypto-subtle.js';
import { exposeInterface } from '../streams/webidl/interface.js';
import { Crypto, createCrypto, setRandomSource } from '../web/crypto.js';
import type { TextCodecBridge } from '../web/encoding/text-decoder.js';

/** Everything the host provides. Optional members: the globals that need them are left out. */
export interface RuntimeBridge extends DomHooks {
  /** zlib (and brotli) behind CompressionStream / DecompressionStream. */
  compression?: CompressionCodec;
  /** The encodings TextDecoder does not decode itself (legacy single- and multi-byte). */
  textCodec?: TextCodecBridge;
  /** The URL parser (the host's). */
  url?: URLBridge;
  /** crypto.subtle's algorithms (the host's WebCrypto). */
  subtle?: SubtleBridge;
  /** The host's CSPRNG, behind crypto.getRandomValues and randomUUID. */
  randomBytes?: (length: number) => Uint8Array;
  // --- one member per host service; add yours here ---
}

export function installGlobals(global: object, bridge: RuntimeBridge): void {
  // ECMAScript built-ins the engine lacks, before anything captures intrinsics.
  installEsBuiltins(global as never);
  // Streams first: the others build on them, and they capture their intrinsics now.
  installStreams(global);
  installDomBasics(global, bridge);
  installEncoding(global, bridge.textCodec);
  installTextStreams(global);
  installFetchApi(global, bridge.url);
  if (bridge.subtle !== undefined) setSubtleBridge(bridge.subtle);
  if (bridge.randomBytes !== undefined) {
    const randomBytes = bridge.randomBytes;
    setRandomSource((length) => randomBytes(length));
    exposeInterface(global, 'Crypto', Crypto);
    exposeInterface(global, 'CryptoKey', CryptoKey);
    exposeInterface(global, 'SubtleCrypto', SubtleCrypto);
    Object.defineProperty(global, 'crypto', { value: createCrypto(), writable: true, enumerable: true, configurable: true });
  }
  if (bridge.compression !== undefined) installCompressionStreams(global, bridge.compression);
  // --- one line per area; add yours here ---
}
