import { nodeCompressionCodec } from '../../src/host/codec-node.js';
import { nodeTextCodec } from '../../src/host/text-codec-node.js';
import { nodeURLBridge } from '../../src/host/url-node.js';
import { librarySubtleBridge } from '../../src/host/crypto-bridge.js';
import { randomFillSync } from 'node:crypto';
import type { RuntimeBridge } from '../../src/runtime/globals.js';

/**
 * The host services a library-mode realm gets: Node's timers and node:zlib. (The isolate host
 * gives an isolate the same services through isolated-vm references.)
 */
export function libraryBridge(): RuntimeBridge {
  const timers = new Map<number, NodeJS.Timeout>();
  let nextId = 1;
  return {
    setTimeout(callback, ms) {
      const id = nextId++;
      const timer = setTimeout(() => {
        timers.delete(id);
        callback();
      }, ms);
      // A realm's pending AbortSignal.timeout() must not keep the worker process alive.
      timer.unref();
      timers.set(id, timer);
      return id;
    },
    clearTimeout(id) {
      clearTimeout(timers.get(id));
      timers.delete(id);
    },
    queueTask: (callback) => void setImmediate(callback),
    compression: nodeCompressionCodec,
    textCodec: nodeTextCodec(),
    url: nodeURLBridge,
    subtle: librarySubtleBridge(),
    randomBytes: (length) => randomFillSync(new Uint8Array(length)),
  };
}
