// How an app's response body goes on the wire. The host frames every body from the bytes it
// actually sends (RFC 9112 section 6): a Content-Length that disagrees with them would make the
// client read the next response on the connection from the wrong place (a proxy in front that
// reuses connections across clients would hand one client's bytes to another). And the bytes an
// app holds are decoded ones (fetch() decodes what it receives): a Content-Encoding header on
// its response asks for the body to be encoded that way, as in Cloudflare Workers, unless the
// Response was made with `encodeBody: 'manual'` (its bytes are encoded already).
import type { ServerResponse } from 'node:http';
import { codecMemoryEstimate, createNodeCodec, type NodeCodec } from './codec-node.js';
import type { CompressionFormat } from '../web/compression-codec.js';

/** The content codings the host applies: a Content-Encoding value of one of these, alone. */
export type ContentCoding = 'gzip' | 'deflate' | 'br';

/** The coding a Content-Encoding value asks for, if the host applies it (others are sent as the app made them). */
export function contentCoding(value: string): ContentCoding | undefined {
  const v = value.trim().toLowerCase();
  if (v === 'gzip' || v === 'x-gzip') return 'gzip';
  if (v === 'deflate' || v === 'br') return v;
  return undefined;
}

/**
 * Whether a request's Accept-Encoding accepts `coding` (RFC 9110 12.5.3): no header accepts any
 * coding; otherwise the coding (or `*`) must be listed with a qvalue above 0 (an empty header
 * asks for none).
 */
export function acceptsCoding(header: string | undefined, coding: ContentCoding): boolean {
  if (header === undefined) return true;
  let own: number | undefined;
  let any: number | undefined;
  for (const item of header.split(',')) {
    const [token, ...params] = item.split(';');
    const name = token!.trim().toLowerCase();
    if (name === '') continue;
    let q = 1;
    for (const param of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(param);
      if (m) q = Number(m[1]);
    }
    if (name === coding || (coding === 'gzip' && name === 'x-gzip')) own = Math.max(own ?? 0, q);
    else if (name === '*') any = q;
  }
  return (own ?? any ?? 0) > 0;
}

/** A Content-Length value as one non-negative integer (a list of the same value counts as one, RFC 9110 8.6); else undefined. */
export function contentLength(value: string): number | undefined {
  let length: number | undefined;
  for (const part of value.split(',')) {
    const digits = part.trim();
    if (!/^\d{1,15}$/.test(digits)) return undefined;
    const n = Number(digits);
    if (length !== undefined && n !== length) return undefined;
    length = n;
  }
  return length;
}

const FORMAT: Record<ContentCoding, CompressionFormat> = { gzip: 'gzip', deflate: 'deflate', br: 'brotli' };

/** An encoder for a response: zlib's defaults, brotli at quality 4 (built for responses made as they are sent). */
export function responseEncoder(coding: ContentCoding, onClose?: () => void): NodeCodec {
  return createNodeCodec(FORMAT[coding], 'compress', Infinity, onClose, coding === 'br' ? 4 : undefined)!;
}

/** The host memory a response encoder is counted at against its app's codec budget (codecMemoryEstimate). */
export function responseEncoderCost(coding: ContentCoding): number {
  return codecMemoryEstimate(FORMAT[coding], 'compress')!;
}

/** Encodes `bytes` whole (a known body). */
export function encodeWhole(coding: ContentCoding, bytes: Uint8Array): Uint8Array {
  const encoder = responseEncoder(coding);
  const parts = [...encoder.push(bytes).chunks, ...encoder.finish().chunks];
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/**
 * A streamed body with something to enforce or apply: the Content-Length the app gave (sent as
 * it is; a body longer or shorter fails the response), or a coding (the body encoded as it
 * goes, sent chunked). `fail` ends the response abruptly: the client sees it incomplete.
 */
export class ResponseBody {
  readonly #res: ServerResponse;
  readonly #encoder: NodeCodec | undefined;
  readonly #expected: number | undefined;
  readonly #fail: (message: string) => void;
  readonly #onWork: (ns: bigint) => void;
  #sent = 0;
  #failed = false;
  #started = false;
  /** Input the encoder may hold back, and whether some came since the last tick (see tick). */
  #unflushed = false;
  #wrote = false;

  /** `released`: the encoder closed (its memory given back). */
  constructor(res: ServerResponse, options: { coding?: ContentCoding; expected?: number; fail: (message: string) => void; onWork: (ns: bigint) => void; released?: () => void }) {
    this.#res = res;
    this.#encoder = options.coding === undefined ? undefined : responseEncoder(options.coding, options.released);
    this.#expected = options.expected;
    this.#fail = options.fail;
    this.#onWork = options.onWork;
  }

  /** Bytes went to the response (its head with them). */
  get started(): boolean {
    return this.#started;
  }

  /** Sends one chunk of the app's body; false: the socket is full (wait for 'drain'). `written`: the chunk is no longer needed. */
  write(chunk: Uint8Array, written?: () => void): boolean {
    if (this.#failed) return true;
    const encoder = this.#encoder;
    if (encoder === undefined) {
      if (this.#expected !== undefined && this.#sent + chunk.byteLength > this.#expected) {
        this.#failWith(`The response body is longer than its Content-Length (${this.#expected}).`);
        return true;
      }
      this.#sent += chunk.byteLength;
      this.#started = true;
      return this.#res.write(chunk, written);
    }
    const started = process.hrtime.bigint();
    const out = encoder.push(chunk).chunks;
    this.#onWork(process.hrtime.bigint() - started);
    written?.();
    this.#unflushed = true;
    this.#wrote = true;
    let more = true;
    for (const part of out) more = this.#res.write(part);
    if (out.length > 0) this.#started = true;
    return more;
  }

  /**
   * A watch tick (10 ms): an encoder given input, then none for a whole tick, gives out what it
   * holds (a sync flush), so a sparse stream (server-sent events, tokens of a model's answer)
   * reaches the client as it is written, as it does unencoded; a body written without pause is
   * flushed only at its end, as before, keeping its compression. Before, an encoded event stream
   * arrived all at once when it ended.
   */
  tick(): void {
    const encoder = this.#encoder;
    if (encoder === undefined || this.#failed || encoder.closed) return;
    if (this.#wrote) {
      this.#wrote = false;
      return;
    }
    if (!this.#unflushed) return;
    this.#unflushed = false;
    const started = process.hrtime.bigint();
    const out = encoder.flush().chunks;
    this.#onWork(process.hrtime.bigint() - started);
    for (const part of out) this.#res.write(part);
    if (out.length > 0) this.#started = true;
  }

  /** The app's body ended. */
  end(): void {
    if (this.#failed) return;
    const encoder = this.#encoder;
    if (encoder !== undefined) {
      const started = process.hrtime.bigint();
      const out = encoder.finish().chunks;
      this.#onWork(process.hrtime.bigint() - started);
      for (const part of out) this.#res.write(part);
    } else if (this.#expected !== undefined && this.#sent !== this.#expected) {
      this.#failWith(`The response body is shorter than its Content-Length (${this.#sent} of ${this.#expected} bytes).`);
      return;
    }
    this.#res.end();
  }

  /** The response is over early (the client left, the body errored): frees the encoder. */
  close(): void {
    this.#encoder?.close();
  }

  #failWith(message: string): void {
    this.#failed = true;
    this.#encoder?.close();
    this.#fail(message);
  }
}
