// The network half of fetch() for the host (https://fetch.spec.whatwg.org/#http-fetch): one
// HTTP request per hop on undici's dispatcher, the redirects HTTP-redirect fetch follows, and the
// content codings of the response body. It replaces undici's own fetch(), whose WebIDL objects,
// Node web streams and promise chain cost ~0.2 ms of CPU per request here (measured: 3.1k
// fetches/s against 8.3k with its dispatcher alone, 64 in flight); the isolate makes the
// Request and the Response, so the host needs only the protocol.
import { pipeline, Transform } from 'node:stream';
import zlib from 'node:zlib';
import type { ReadableStreamReadResult } from 'node:stream/web';
import type { Dispatcher } from 'undici';
import { SimpleQueue } from '../streams/abstract-ops/simple-queue.js';

/** A body read chunk by chunk (what the host pipes or hands to the isolate). */
export type ChunkReader = Pick<ReadableStreamDefaultReader<Uint8Array>, 'read' | 'cancel'>;

export interface HttpFetchRequest {
  method: string;
  url: URL;
  /** Name-value pairs as they go out (the isolate combined them: combineForTransmission). */
  headers: readonly [string, string][];
  /**
   * Bytes or a Blob (a body with a source: sent again after a 307 or 308), a stream (no source:
   * a redirect other than 303 is a network error), or none.
   */
  body: Uint8Array | Blob | AsyncIterable<Uint8Array> | null;
  redirect: 'follow' | 'manual' | 'error';
}

export interface HttpFetchResponse {
  status: number;
  statusText: string;
  /** Header lines as received, names lowercased. */
  headers: [string, string][];
  /** The response's URL (the last of its URL list), without its fragment. */
  url: string;
  redirected: boolean;
  /** Decoded unless a coding is one this does not know (zstd is the caller's), null for none. */
  body: ChunkReader | null;
}

/**
 * The whole of `body` if it has already arrived (a small response comes in the packet of its
 * head) and is at most `max` bytes; else null, and the body is read as usual.
 */
export function takeWholeBody(body: ChunkReader, max: number): Uint8Array | null {
  return body instanceof BodyQueue ? body.takeWhole(max) : null;
}

/** A fetch that failed at the network: its message says why (fetch() rejects with a TypeError). */
export class NetworkError extends Error {}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** https://fetch.spec.whatwg.org/#bad-port */
const BAD_PORTS = new Set([
  0, 1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135,
  137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720,
  1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);
/** HTTP-redirect fetch step 7: a twenty-first redirect is a network error. */
const MAX_REDIRECTS = 20;
/** More codings than this are refused (each is a decoder; undici's and curl's bound too). */
const MAX_CODINGS = 5;
/** Bytes of a redirect's body read (to keep its connection) before the connection is dropped instead. */
const REDIRECT_BODY_DRAIN = 64 * 1024;
/** A coded body of at most this size that came whole is decoded at once, if it decodes to at most this. */
const DECODE_AT_ONCE_MAX = 64 * 1024;
/** Response body bytes buffered here before the socket is paused. */
const BODY_HIGH_WATER_MARK = 64 * 1024;
/** https://fetch.spec.whatwg.org/#request-body-header-name */
const REQUEST_BODY_HEADER_NAMES = new Set(['content-encoding', 'content-language', 'content-location', 'content-type']);
/**
 * Removed when a redirect leaves the origin: Authorization (HTTP-redirect fetch step 13), and what
 * would equally hand credentials or routing to another server (Node's fetch removes the same).
 */
const CROSS_ORIGIN_REMOVED = new Set(['authorization', 'proxy-authorization', 'cookie']);

/**
 * https://fetch.spec.whatwg.org/#concept-http-fetch with HTTP-redirect fetch: the response, or a
 * NetworkError. `signal` aborts the request at any point (the body errors with its reason).
 */
export async function httpFetch(dispatcher: Dispatcher, request: HttpFetchRequest, signal: AbortSignal): Promise<HttpFetchResponse> {
  let { method, url, body } = request;
  // A stream (no source) keeps the app's Content-Length; bytes and Blobs have their own.
  let headers = requestHeadersToSend(request.headers, body !== null && !(body instanceof Uint8Array) && !(body instanceof Blob));
  let redirects = 0;
  for (;;) {
    // Main fetch step 7 (each redirect runs main fetch again): port blocking.
    if (url.port !== '' && BAD_PORTS.has(Number(url.port))) throw new NetworkError(`${url.port} is a bad port (https://fetch.spec.whatwg.org/#port-blocking)`);
    const hop = await transmit(dispatcher, method, url, withDefaultHeaders(headers, url.protocol === 'https:'), body, signal);
    const { status } = hop;
    if (REDIRECT_STATUSES.has(status) && request.redirect !== 'manual') {
      // HTTP fetch step 4.4: mode "error" makes any redirect status a network error.
      if (request.redirect === 'error') {
        void hop.body.cancel();
        throw new NetworkError(`the response is a redirect (${status}) and the request's redirect mode is "error"`);
      }
      // HTTP-redirect fetch (https://fetch.spec.whatwg.org/#http-redirect-fetch).
      // Steps 3-5: the location URL; none returns the response itself.
      const location = locationURL(hop.rawHeaders, url);
      if (location !== null) {
        await discard(hop.body);
        if (location === 'failure') throw new NetworkError('the redirect\'s Location is not a URL');
        // Step 6: only HTTP(S) schemes.
        if (location.protocol !== 'http:' && location.protocol !== 'https:') throw new NetworkError(`the redirect's Location has the scheme "${location.protocol}"`);
        // Step 7-8.
        if (++redirects > MAX_REDIRECTS) throw new NetworkError(`more than ${MAX_REDIRECTS} redirects`);
        // Steps 9-10 (a request whose mode is "cors"): a Location with credentials is refused.
        if (location.username !== '' || location.password !== '') throw new NetworkError("the redirect's Location includes credentials");
        // Step 11: a body with no source (a stream) cannot be sent again.
        if (status !== 303 && body !== null && !(body instanceof Uint8Array) && !(body instanceof Blob)) {
          throw new NetworkError('a request with a streamed body cannot follow a redirect other than 303');
        }
        // Step 12: a POST redirected by 301 or 302, and anything but GET or HEAD by 303, becomes a
        // GET without a body or its headers.
        if (((status === 301 || status === 302) && method === 'POST') || (status === 303 && method !== 'GET' && method !== 'HEAD')) {
          method = 'GET';
          body = null;
          headers = headers.filter(([name]) => !REQUEST_BODY_HEADER_NAMES.has(name.toLowerCase()));
        }
        // Step 13.
        if (location.origin !== url.origin) headers = headers.filter(([name]) => !CROSS_ORIGIN_REMOVED.has(name.toLowerCase()));
        // Steps 14-20: the same request at the new URL (step 14: a body with a source is sent again).
        url = location;
        continue;
      }
    }
    const response: HttpFetchResponse = {
      status,
      statusText: hop.statusText,
      headers: headerPairs(hop.rawHeaders),
      url: withoutFragment(url),
      redirected: redirects > 0,
      body: null,
    };
    if (method === 'HEAD' || NULL_BODY_STATUSES.has(status)) {
      void hop.body.cancel();
      return response;
    }
    const codings = contentCodings(hop.rawHeaders);
    if (codings === 'refused') {
      void hop.body.cancel();
      throw new NetworkError(`the response has more than ${MAX_CODINGS} content codings`);
    }
    if (codings === null) {
      response.body = hop.body;
      return response;
    }
    // A small coded body that came whole is decoded at once (it can then cross with the head):
    // less work than the streams, and bounded (DECODE_AT_ONCE_MAX both ways). Else, or when it
    // does not decode whole, it is decoded as it is read.
    const raw = hop.body.takeWhole(DECODE_AT_ONCE_MAX);
    const decoded = raw === null ? null : decodeAtOnce(raw, codings);
    if (decoded !== null) response.body = BodyQueue.of(decoded);
    else response.body = decodedBody(raw === null ? hop.body : BodyQueue.of(raw), codings.map(decoderFor).reverse());
    return response;
  }
}

/** Fields of one connection (RFC 9110 7.6.1), and Expect, whose 100-continue the host does not wait for. */
const CONNECTION_FIELDS = ['connection', 'keep-alive', 'proxy-connection', 'te', 'transfer-encoding', 'upgrade', 'expect'];

/**
 * The headers an app's request goes out with: the host frames it, so the fields of the
 * app's own connection (a forwarded incoming request's Transfer-Encoding: chunked, Expect:
 * 100-continue from curl, Keep-Alive, and the fields its Connection names) are dropped, as a proxy
 * drops them and Workers does, where undici refused such a request ("invalid transfer-encoding
 * header"). A known body (or none) goes with its own length; a streamed one keeps the app's
 * Content-Length (an S3 upload needs it), which undici holds the body to.
 */
export function requestHeadersToSend(headers: readonly [string, string][], streamed: boolean): readonly [string, string][] {
  let named: string[] | undefined;
  for (const [name, value] of headers) {
    if (name.toLowerCase() !== 'connection') continue;
    for (const token of value.split(',')) {
      const field = token.trim().toLowerCase();
      if (field !== '') (named ??= []).push(field);
    }
  }
  let out: [string, string][] | undefined;
  for (let i = 0; i < headers.length; i++) {
    const name = headers[i]![0].toLowerCase();
    const drop = CONNECTION_FIELDS.includes(name) || (named !== undefined && named.includes(name)) || (!streamed && name === 'content-length');
    if (drop) out ??= headers.slice(0, i) as [string, string][];
    else out?.push(headers[i]!);
  }
  return out ?? headers;
}

/**
 * The header list as fetch and HTTP-network-or-cache fetch complete it: Accept and Accept-Language
 * when absent (fetch steps 12-13), Accept-Encoding (br over HTTPS only, as browsers send it), and
 * no Host: a forbidden request header, the URL's authority is the host.
 */
function withDefaultHeaders(headers: readonly [string, string][], https: boolean): string[] {
  const flat: string[] = [];
  let accept = false;
  let acceptLanguage = false;
  let acceptEncoding = false;
  let range = false;
  for (const [name, value] of headers) {
    const lower = name.length === 4 || name.length === 5 || name.length === 6 || name.length === 15 ? name.toLowerCase() : '';
    if (lower === 'host') continue;
    flat.push(name, value);
    if (lower === 'accept') accept = true;
    else if (lower === 'range') range = true;
    else if (lower === 'accept-encoding') acceptEncoding = true;
    else if (lower === 'accept-language') acceptLanguage = true;
  }
  if (!accept) flat.push('accept', '*/*');
  if (!acceptLanguage) flat.push('accept-language', '*');
  // A range request asks for identity (step 18), else for what can be decoded (step 19).
  if (range) flat.push('accept-encoding', 'identity');
  else if (!acceptEncoding) flat.push('accept-encoding', https ? 'br, gzip, deflate' : 'gzip, deflate');
  return flat;
}

interface Hop {
  status: number;
  statusText: string;
  rawHeaders: Buffer[];
  body: BodyQueue;
}

/** One request on the wire: resolves with the response head; its body follows in `body`. */
function transmit(dispatcher: Dispatcher, method: string, url: URL, headers: string[], body: HttpFetchRequest['body'], signal: AbortSignal): Promise<Hop> {
  return new Promise<Hop>((resolve, reject) => {
    if (signal.aborted) return reject(abortError(signal));
    const queue = new BodyQueue();
    let head = false;
    let abortHop: ((error: Error) => void) | undefined;
    const onAbort = (): void => {
      const error = abortError(signal);
      abortHop?.(error);
      if (!head) reject(error);
      queue.fail(error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const done = (): void => signal.removeEventListener('abort', onAbort);
    queue.onCancel = (reason) => {
      done();
      abortHop?.(reason instanceof Error ? reason : new Error(String(reason)));
    };
    // The path keeps an empty query's '?' (URL's search is '' for both).
    let path = url.pathname + url.search;
    if (url.search === '' && url.href.charCodeAt(url.href.length - url.hash.length - 1) === 63) path += '?';
    const handler: Dispatcher.DispatchHandler = {
      onConnect(abort) {
        abortHop = abort;
        if (signal.aborted) abort(abortError(signal));
      },
      onHeaders(status, rawHeaders, resume, statusText) {
        // Informational responses (1xx) are not the response.
        if (status < 200) return true;
        head = true;
        queue.onResume = resume;
        resolve({ status, statusText, rawHeaders, body: queue });
        return true;
      },
      onData(chunk) {
        return queue.push(chunk);
      },
      onComplete() {
        done();
        queue.end();
      },
      onError(error) {
        done();
        if (!head) reject(error);
        else queue.fail(error);
      },
    };
    const wireBody = body instanceof Uint8Array && !Buffer.isBuffer(body) ? Buffer.from(body.buffer, body.byteOffset, body.byteLength) : body;
    dispatcher.dispatch({ origin: url.origin, path, method: method as Dispatcher.HttpMethod, headers, body: wireBody as never }, handler);
  });
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error(String(reason));
}

/** A redirect's body: read to its end (its connection is kept) unless it is long. */
async function discard(body: BodyQueue): Promise<void> {
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await body.read();
      if (done) return;
      bytes += value.byteLength;
      if (bytes > REDIRECT_BODY_DRAIN) return void body.cancel();
    }
  } catch {
    // The redirect is followed whatever became of its body.
  }
}

/**
 * https://fetch.spec.whatwg.org/#concept-response-location-url: null without a Location, failure
 * when there is more than one or it does not parse against the response's URL; the request's
 * fragment carries over to a location without one.
 */
function locationURL(rawHeaders: Buffer[], current: URL): URL | null | 'failure' {
  const values = rawHeaderValues(rawHeaders, 'location');
  if (values.length === 0) return null;
  // Extracting header list values: Location allows a single header.
  if (values.length > 1) return 'failure';
  const value = values[0]!;
  // Bytes past ASCII are read as UTF-8, as browsers read a Location.
  const text = value.toString(value.every((byte) => byte < 0x80) ? 'latin1' : 'utf8').trim();
  let location: URL;
  try {
    location = new URL(text, current);
  } catch {
    return 'failure';
  }
  if (location.hash === '' && !text.includes('#') && current.hash !== '') location.hash = current.hash;
  return location;
}

/** The values of the header lines named `lowerName` (lowercase), in order. */
function rawHeaderValues(rawHeaders: Buffer[], lowerName: string): Buffer[] {
  const values: Buffer[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length === lowerName.length && name.toString('latin1').toLowerCase() === lowerName) values.push(rawHeaders[i + 1]!);
  }
  return values;
}

function headerPairs(rawHeaders: Buffer[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) pairs.push([rawHeaders[i]!.toString('latin1').toLowerCase(), rawHeaders[i + 1]!.toString('latin1')]);
  return pairs;
}

function withoutFragment(url: URL): string {
  return url.hash === '' && !url.href.endsWith('#') ? url.href : url.href.slice(0, url.href.length - url.hash.length - (url.hash === '' ? 1 : 0));
}

/**
 * The response's content codings in the order they were applied (RFC 9110 8.4), or null when it
 * has none or one that is not gzip (x-gzip), deflate or br: the body is then left as it came,
 * Content-Encoding and all. 'refused' past MAX_CODINGS.
 */
function contentCodings(rawHeaders: Buffer[]): string[] | null | 'refused' {
  const values = rawHeaderValues(rawHeaders, 'content-encoding');
  if (values.length === 0) return null;
  const codings = values.map((value) => value.toString('latin1')).join(',').toLowerCase().split(',').map((coding) => coding.trim()).filter((coding) => coding !== '');
  if (codings.length > MAX_CODINGS) return 'refused';
  if (codings.length === 0 || !codings.every((coding) => coding === 'gzip' || coding === 'x-gzip' || coding === 'deflate' || coding === 'br')) return null;
  return codings;
}

/** Lenient flushing, as browsers and curl decode: a body cut short yields what it held. */
const ZLIB_OPTIONS = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
const BROTLI_OPTIONS = { flush: zlib.constants.BROTLI_OPERATION_FLUSH, finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH };

function decoderFor(coding: string): Transform {
  if (coding === 'deflate') return deflateDecoder();
  return coding === 'br' ? zlib.createBrotliDecompress(BROTLI_OPTIONS) : zlib.createGunzip(ZLIB_OPTIONS);
}

/**
 * "deflate" is zlib's format (RFC 9110 8.4.1.2), but servers also send raw DEFLATE, which browsers
 * accept: a zlib header is compression method 8 in CMF's low nibble, a window of at most 32 KiB,
 * and CMF and FLG together a multiple of 31 (RFC 1950); a raw stream's first bytes make that only
 * with nonzero padding, which encoders do not write.
 */
function isZlibHeader(bytes: Uint8Array): boolean {
  const cmf = bytes[0]!;
  return (cmf & 0x0f) === 8 && cmf >> 4 <= 7 && (bytes.length < 2 || ((cmf << 8) | bytes[1]!) % 31 === 0);
}

/** All of `raw` decoded through `codings` (last applied first), or null: larger than DECODE_AT_ONCE_MAX, or not valid. */
function decodeAtOnce(raw: Uint8Array, codings: string[]): Uint8Array | null {
  let bytes: Uint8Array = raw;
  try {
    for (let i = codings.length - 1; i >= 0; i--) {
      const coding = codings[i];
      if (coding === 'br') bytes = zlib.brotliDecompressSync(bytes, { ...BROTLI_OPTIONS, maxOutputLength: DECODE_AT_ONCE_MAX });
      else if (coding !== 'deflate') bytes = zlib.gunzipSync(bytes, { ...ZLIB_OPTIONS, maxOutputLength: DECODE_AT_ONCE_MAX });
      else if (bytes.length === 0 || isZlibHeader(bytes)) bytes = zlib.inflateSync(bytes, { ...ZLIB_OPTIONS, maxOutputLength: DECODE_AT_ONCE_MAX });
      else bytes = zlib.inflateRawSync(bytes, { ...ZLIB_OPTIONS, maxOutputLength: DECODE_AT_ONCE_MAX });
    }
  } catch {
    // Too large, or not valid: the stream decoders say so as the body is read.
    return null;
  }
  return bytes;
}

function deflateDecoder(): Transform {
  let inner: Transform | undefined;
  const outer = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (inner === undefined) {
        inner = isZlibHeader(chunk) ? zlib.createInflate(ZLIB_OPTIONS) : zlib.createInflateRaw(ZLIB_OPTIONS);
        inner.on('data', (data: Buffer) => outer.push(data));
        inner.on('error', (error) => outer.destroy(error));
      }
      inner.write(chunk, callback);
    },
    flush(callback) {
      if (inner === undefined) return callback();
      inner.once('end', () => callback());
      inner.end();
    },
  });
  return outer;
}

/**
 * Response body bytes between the socket (or a decoder) and their reader: up to
 * BODY_HIGH_WATER_MARK wait here before the producer is paused (`push` answers false; `onResume`
 * lets it go on once the reader has taken them).
 */
class BodyQueue implements ChunkReader {
  /** A body of these bytes, whole. */
  static of(bytes: Uint8Array): BodyQueue {
    const queue = new BodyQueue();
    if (bytes.byteLength > 0) queue.push(bytes);
    queue.end();
    return queue;
  }

  #chunks = new SimpleQueue<Uint8Array>(4);
  #bytes = 0;
  #paused = false;
  #ended = false;
  #cancelled = false;
  #error: Error | undefined;
  #waiter: { resolve: (result: ReadableStreamReadResult<Uint8Array>) => void; reject: (error: Error) => void } | undefined;
  onResume: () => void = () => {};
  onCancel: (reason: unknown) => void = () => {};

  push(chunk: Uint8Array): boolean {
    if (this.#cancelled || this.#ended) return true;
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter.resolve({ done: false, value: chunk });
      return true;
    }
    this.#chunks.push(chunk);
    this.#bytes += chunk.byteLength;
    if (this.#bytes < BODY_HIGH_WATER_MARK) return true;
    this.#paused = true;
    return false;
  }

  end(): void {
    if (this.#ended || this.#cancelled) return;
    this.#ended = true;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.resolve({ done: true, value: undefined });
  }

  /** The body failed: what was received before is still read, then the error. */
  fail(error: Error): void {
    if (this.#ended || this.#cancelled || this.#error !== undefined) return;
    this.#error = error;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(error);
  }

  read(): Promise<ReadableStreamReadResult<Uint8Array>> {
    if (this.#chunks.length > 0) {
      const value = this.#chunks.shift();
      this.#bytes -= value.byteLength;
      if (this.#paused && this.#bytes < BODY_HIGH_WATER_MARK) {
        this.#paused = false;
        this.onResume();
      }
      return Promise.resolve({ done: false, value });
    }
    if (this.#error !== undefined) return Promise.reject(this.#error);
    if (this.#ended || this.#cancelled) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => (this.#waiter = { resolve, reject }));
  }

  /** All of the body, when it has ended and is at most `max` bytes, taken at once (the reader is then done). */
  takeWhole(max: number): Uint8Array | null {
    if (!this.#ended || this.#cancelled || this.#error !== undefined || this.#bytes > max) return null;
    const whole = new Uint8Array(this.#bytes);
    for (let at = 0; this.#chunks.length > 0; ) {
      const chunk = this.#chunks.shift();
      whole.set(chunk, at);
      at += chunk.byteLength;
    }
    this.#bytes = 0;
    return whole;
  }

  cancel(reason?: unknown): Promise<void> {
    if (this.#cancelled) return Promise.resolve();
    const ended = this.#ended;
    this.#cancelled = true;
    while (this.#chunks.length > 0) this.#chunks.shift();
    this.#bytes = 0;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.resolve({ done: true, value: undefined });
    if (!ended && this.#error === undefined) this.onCancel(reason ?? new Error('The body was cancelled.'));
    return Promise.resolve();
  }
}

/** `raw` through `decoders` (the last coding's first), read as it is decoded, under the same backpressure. */
function decodedBody(raw: BodyQueue, decoders: Transform[]): ChunkReader {
  const decoded = new BodyQueue();
  const first = decoders[0]!;
  const last = decoders.length === 1 ? first : (pipeline(decoders as never, (error: Error | null) => error && decoded.fail(error)) as unknown as Transform);
  if (decoders.length === 1) first.on('error', (error) => decoded.fail(error));
  last.on('data', (chunk: Buffer) => {
    if (!decoded.push(chunk)) last.pause();
  });
  last.on('end', () => decoded.end());
  decoded.onResume = () => last.resume();
  decoded.onCancel = (reason) => {
    for (const decoder of decoders) decoder.destroy();
    void raw.cancel(reason);
  };
  // The raw bytes into the first decoder, waiting for it to drain.
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await raw.read();
        if (done) return void first.end();
        if (first.destroyed) return;
        if (!first.write(value)) {
          await new Promise<void>((resolve) => {
            first.once('drain', resolve);
            first.once('close', resolve);
          });
        }
      }
    } catch (error) {
      decoded.fail(error as Error);
      for (const decoder of decoders) decoder.destroy();
    }
  })();
  return decoded;
}
