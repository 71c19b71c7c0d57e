// The host half of CompressionStream / DecompressionStream: node:zlib driven synchronously,
// one chunk at a time, through the zlib handle's writeSync (what zlib's own *Sync functions
// use). The stream classes of node:zlib cannot be used: they answer asynchronously and only
// flush on their own schedule, and the one-shot *Sync functions close the engine after one call.
import zlib from 'node:zlib';
import type { CodecInstance, CodecMode, CodecResult, CompressionCodec, CompressionFormat } from '../web/compression-codec.js';

const C = zlib.constants;
/** Output is produced in pieces of this size (what node:zlib uses by default). */
const CHUNK = 16 * 1024;
/**
 * Input is given to the engine at most this much at a time, and a call with an output cap (the
 * isolate's codecs) stops after about CALL_BUDGET_MS of work: zlib and brotli run on the host's
 * thread, and one 64 MiB write of zeros compressed in one call held the host's event loop 229 ms
 * with gzip and 1,110 ms with brotli (measured; all 64 MiB compress to a few KiB, so the output
 * cap never stopped it). The isolate asks for the rest (resume), a host task at a time.
 */
const INPUT_STEP = 64 * 1024;
const CALL_BUDGET_NS = 4_000_000n;

/** The parts of node:zlib's engine object and native handle this file uses. */
interface ZlibHandle {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
  close(): void;
  onerror: (message: string, errno: number) => void;
}
interface ZlibEngine {
  _handle: ZlibHandle | null;
  /** [availOutAfter, availInAfter], written by writeSync. */
  _writeState: Uint32Array;
}

interface FormatEntry {
  create: () => ZlibEngine;
  process: number;
  /** Everything given so far out, the stream going on (a response body sent as it comes). */
  sync: number;
  finish: number;
}

/** The brotli compressors' window: 2^20 bytes (see ENGINES). */
const BROTLI_WINDOW_BITS = 20;

const ENGINES: Record<CodecMode, Record<CompressionFormat, FormatEntry>> = {
  compress: {
    deflate: zlibEntry(() => zlib.createDeflate()),
    'deflate-raw': zlibEntry(() => zlib.createDeflateRaw()),
    gzip: zlibEntry(() => zlib.createGzip()),
    // A 1 MiB window (node's default is 4 MiB): quality 11's binary-tree hash is twice the
    // window in 4-byte entries, so an encoder's memory is ~10 MiB at most instead of ~37 MiB,
    // counted against the app (CODEC_MEMORY_FACTOR); repeats over 1 MiB apart are not matched.
    brotli: brotliEntry(() => zlib.createBrotliCompress({ params: { [C.BROTLI_PARAM_LGWIN]: BROTLI_WINDOW_BITS } })),
  },
  decompress: {
    deflate: zlibEntry(() => zlib.createInflate()),
    'deflate-raw': zlibEntry(() => zlib.createInflateRaw()),
    gzip: zlibEntry(() => zlib.createGunzip()),
    brotli: brotliEntry(() => zlib.createBrotliDecompress()),
  },
};

function zlibEntry(create: () => unknown): FormatEntry {
  return { create: create as () => ZlibEngine, process: C.Z_NO_FLUSH, sync: C.Z_SYNC_FLUSH, finish: C.Z_FINISH };
}
function brotliEntry(create: () => unknown): FormatEntry {
  return { create: create as () => ZlibEngine, process: C.BROTLI_OPERATION_PROCESS, sync: C.BROTLI_OPERATION_FLUSH, finish: C.BROTLI_OPERATION_FINISH };
}

/** Where a call stopped at its output cap: the input it had not given the engine yet. */
interface Pending {
  input: Uint8Array;
  inOff: number;
  inLen: number;
  flush: number;
  finishing: boolean;
}

class NodeCodecInstance implements CodecInstance {
  #engine: ZlibEngine;
  #handle: ZlibHandle | null;
  #entry: FormatEntry;
  #decompress: boolean;
  #error: string | undefined;
  /** Output one call may produce before it returns with `more` (Infinity: all of it). */
  #outputCap: number;
  #pending: Pending | undefined;

  #onClose: (() => void) | undefined;

  constructor(entry: FormatEntry, mode: CodecMode, outputCap: number, onClose?: () => void) {
    this.#onClose = onClose;
    this.#entry = entry;
    this.#outputCap = outputCap;
    this.#decompress = mode === 'decompress';
    this.#engine = entry.create();
    const handle = this.#engine._handle;
    if (handle === null) throw new Error('zlib: no native handle');
    // writeSync reports errors through onerror, synchronously; record them instead of letting
    // the engine destroy itself (and emit 'error' nobody listens to).
    handle.onerror = (message) => {
      this.#error = message;
    };
    this.#handle = handle;
  }

  push(chunk: Uint8Array): CodecResult {
    return this.#run({ input: chunk, inOff: 0, inLen: chunk.byteLength, flush: this.#entry.process, finishing: false });
  }

  finish(): CodecResult {
    return this.#run({ input: new Uint8Array(0), inOff: 0, inLen: 0, flush: this.#entry.finish, finishing: true });
  }

  /** What the engine holds of the input so far, as output that decodes on its own (the stream goes on). */
  flush(): CodecResult {
    return this.#run({ input: new Uint8Array(0), inOff: 0, inLen: 0, flush: this.#entry.sync, finishing: false });
  }

  /** Finished or failed: no more calls. */
  get closed(): boolean {
    return this.#handle === null;
  }

  /** Goes on where the last call stopped at its output cap (it returned `more`). */
  resume(): CodecResult {
    const pending = this.#pending;
    if (pending === undefined) return { chunks: [], error: undefined };
    this.#pending = undefined;
    return this.#run(pending);
  }

  close(): void {
    const handle = this.#handle;
    if (handle === null) return;
    this.#handle = null;
    this.#engine._handle = null;
    handle.close();
    this.#onClose?.();
  }

  #run(call: Pending): CodecResult {
    const handle = this.#handle;
    if (handle === null) throw new TypeError('The compression context is closed.');
    // The output of the last call is not all out yet: its input would be overtaken.
    if (this.#pending !== undefined) throw new TypeError('The compression context has output pending: resume() first.');
    const { input, flush, finishing } = call;
    const state = this.#engine._writeState;
    const chunks: Uint8Array[] = [];
    let produced = 0;
    let inOff = call.inOff; // writeSync offsets are relative to the view
    let inLen = call.inLen;
    const capped = this.#outputCap !== Infinity;
    const started = capped ? process.hrtime.bigint() : 0n;
    for (;;) {
      if (produced >= this.#outputCap || (capped && process.hrtime.bigint() - started > CALL_BUDGET_NS)) {
        // The engine has more for this input: the caller asks for it with resume().
        this.#pending = { input, inOff, inLen, flush, finishing };
        return { chunks, error: undefined, more: true };
      }
      const out = new Uint8Array(CHUNK);
      const step = Math.min(inLen, INPUT_STEP);
      // A finish gives the engine all that is left (none: finish() has no input of its own).
      handle.writeSync(step < inLen ? this.#entry.process : flush, input, inOff, step, out, 0, CHUNK);
      if (this.#error !== undefined) {
        const message = this.#error;
        this.close();
        throw new TypeError(`The ${this.#decompress ? 'compressed' : 'input'} data is not valid: ${message}.`);
      }
      const availOut = state[0]!;
      const taken = step - state[1]!;
      const piece = CHUNK - availOut;
      produced += piece;
      // A fresh Uint8Array per piece, each over its own buffer (sliced when short), owned by the caller.
      if (piece > 0) chunks.push(piece === CHUNK ? out : out.slice(0, piece));
      inOff += taken;
      inLen -= taken;
      // Room left in the output buffer: the engine has taken all it will from this step's input.
      // Done unless more input is waiting and the engine still takes some (a decompressor that
      // reached the end of its data takes none: the rest is trailing data).
      if (availOut !== 0 && (inLen === 0 || taken === 0)) break;
    }
    // Decompression: input left over means the compressed data ended inside this chunk.
    // (A truncated stream is reported by the engine itself on finish, as an error above.)
    const error = this.#decompress && !finishing && inLen > 0 ? 'Trailing data after the end of the compressed data.' : undefined;
    if (finishing) this.close();
    return { chunks, error };
  }
}

/**
 * A node:zlib context for `format` in `mode` (undefined when there is none), whose calls each
 * produce at most about `outputCap` bytes and then return `more` (resume() goes on).
 */
export type NodeCodec = CodecInstance & { resume(): CodecResult; flush(): CodecResult; readonly closed: boolean };

/** The engine for `format` in `mode`; undefined for anything else (the names come from an isolate). */
function engineEntry(format: CompressionFormat, mode: CodecMode): FormatEntry | undefined {
  const table = Object.hasOwn(ENGINES, mode) ? ENGINES[mode] : undefined;
  return table !== undefined && Object.hasOwn(table, format) ? table[format] : undefined;
}

/** `brotliQuality`: a brotli compressor at this quality (node's default, used by CompressionStream, is 11). */
export function createNodeCodec(format: CompressionFormat, mode: CodecMode, outputCap = Infinity, onClose?: () => void, brotliQuality?: number): NodeCodec | undefined {
  let entry = engineEntry(format, mode);
  if (entry === undefined) return undefined;
  if (brotliQuality !== undefined && format === 'brotli' && mode === 'compress') {
    entry = brotliEntry(() => zlib.createBrotliCompress({ params: { [C.BROTLI_PARAM_LGWIN]: BROTLI_WINDOW_BITS, [C.BROTLI_PARAM_QUALITY]: brotliQuality } }));
  }
  return new NodeCodecInstance(entry, mode, outputCap, onClose);
}

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * The most native memory one open context of node:zlib's default settings may hold, by the
 * libraries' own accounting: zlib's deflate (1 << (windowBits + 2)) + (1 << (memLevel + 9)) =
 * 256 KiB with its state, inflate a 32 KiB window and ~7 KiB; brotli's decoder a ring buffer of
 * up to 16 MiB (the stream's window, at most 2^24), its encoder (quality 11, a 2^20 window here)
 * a 1 MiB ring buffer, an 8 MiB binary-tree hash and 512 KiB of buckets. Measured resident here:
 * 225 KiB per deflate context after one write. Undefined: not supported.
 */
export function codecMemoryEstimate(format: CompressionFormat, mode: CodecMode): number | undefined {
  if (engineEntry(format, mode) === undefined) return undefined;
  if (format === 'brotli') return mode === 'compress' ? 10 * MiB : 16 * MiB + 64 * KiB;
  return mode === 'compress' ? 264 * KiB : 40 * KiB;
}

/** node:zlib as a CompressionCodec: gzip, deflate, deflate-raw and brotli, both directions (each call produces all its output). */
export const nodeCompressionCodec: CompressionCodec = {
  create: (format, mode) => createNodeCodec(format, mode),
};
