// fetch() inside the isolate: the Request is made here (so its checks are the realm's own),
// the network is the host's (undici), and both bodies stream across by id (body-channels.ts),
// negative ids telling outbound fetches from served requests. Aborting the signal aborts the
// host's request and errors the body.
// https://fetch.spec.whatwg.org/#fetch-method
import { cancelReadableBody, hostSink, type BodyChannels, type HostBodySink } from './body-channels.js';
import { inspect } from './console.js';
import { HEADERS_BYTES_MAX, headersBytes, type HostApi } from './host-api.js';
import { Response, responseBody, setResponseBody, setResponseURL } from '../web/fetch/response.js';
import { bodyStream, bytesBody, consumeBytes, takeKnownBytes } from '../web/fetch/body.js';
import { bytesMatchMetadata } from '../web/fetch/integrity.js';
import { processDataURL } from '../web/fetch/data-url.js';
import { serializeMimeType } from '../web/mime-type.js';
import { IdTable } from './id-table.js';
import { addAbortAlgorithm, signalIsAborted, signalReason } from '../web/abort.js';
import { combineForTransmission, headerListArray, listGet, listSet } from '../web/fetch/headers.js';
import { fixedLengthOf } from '../web/identity-transform-stream.js';
import { internalAppend } from '../streams/webidl/intrinsics.js';
import { blobSize, blobToBytes, blobType } from '../web/blob.js';
import { parseSingleRangeHeaderValue } from '../web/fetch/range.js';
import { fetchRequestParams, Request, type FetchRequestParams } from '../web/fetch/request.js';
import { promiseThen, reflectApply, viewByteLength } from '../streams/webidl/intrinsics.js';
import { crossingBytes } from '../web/buffer-source.js';

export interface FetchRequestHead {
  method: string;
  url: string;
  headers: [string, string][];
  redirect: string;
  /** The request has a body: `bytes`, or one that follows as an outgoing body with the same id. */
  body: boolean;
  /**
   * A body whose source is known (a string, bytes, a Blob, form data): its bytes, sent whole, so
   * the host's HTTP client can send them again after a 307/308 redirect (HTTP-redirect fetch
   * step 11 makes a redirect of a streamed body a network error).
   */
  bytes?: Uint8Array;
  /** Such a body over KNOWN_PART: its bytes went ahead in parts (HostApi.fetchUpload). */
  uploaded?: true;
  /** Workers' `env.ASSETS.fetch()`: the app's assets directory answers, not the network (host/assets.ts). */
  assets?: true;
}

export type FetchResult =
  | {
      status: number;
      statusText: string;
      headers: [string, string][];
      url: string;
      redirected: boolean;
      body: boolean;
      /** The whole body, when it came with the head (the host had all of it, and it is small). */
      bytes?: Uint8Array;
    }
  | { error: string };

/** The host functions fetch uses (documented in host-api.ts). */
export type FetchHost = Pick<
  HostApi,
  'fetchStart' | 'fetchUpload' | 'fetchAbort' | 'bodyPull' | 'bodyCancel' | 'responseWrite' | 'responseEnd' | 'responseError' | 'log'
>;

interface Pending {
  resolve: (response: unknown) => void;
  reject: (reason: unknown) => void;
  /** Removes the fetch's abort algorithm from its signal (once the fetch is over). */
  removeAbort: () => void;
}

const PromiseCtor = Promise;
const TypeErrorCtor = TypeError;
/** A known request body over this goes to the host in parts of this size ahead of fetchStart. */
const KNOWN_PART = 1024 * 1024;

export class FetchClient {
  #host: FetchHost;
  #bodies: BodyChannels;
  #sink: HostBodySink;
  #pending = new IdTable<Pending>();
  #nextId = -1;
  /**
   * The default `User-Agent` value (navigator.userAgent, set at boot), sent when the request has
   * none, as HTTP-network-or-cache fetch says a user agent should; without it undici sent its own
   * (`undici`).
   */
  userAgent = '';

  constructor(host: FetchHost, bodies: BodyChannels) {
    this.#host = host;
    this.#bodies = bodies;
    this.#sink = hostSink(host);
  }

  /**
   * The `fetch(input, init)` operation of the global; with `assets`, Workers' assets binding's
   * (the request goes to the app's assets directory: no data:, blob: or network).
   */
  fetch(input: unknown, init: unknown, assets = false): Promise<unknown> {
    return new PromiseCtor((resolve, reject) => {
      let request: FetchRequestParams;
      try {
        // Step 2: the Request made from input and init (its checks are the realm's own).
        request = fetchRequestParams(new Request(input, init));
      } catch (error) {
        reject(error);
        return;
      }
      const { signal, body } = request;
      if (signalIsAborted(signal)) {
        // Step 5: abort the fetch() call (https://fetch.spec.whatwg.org/#abort-fetch): reject,
        // and cancel the request's body with the same reason.
        const reason = signalReason(signal);
        reject(reason);
        if (body !== null) cancelReadableBody(bodyStream(body) as never, reason);
        return;
      }
      // Main fetch step 22: with integrity metadata, the promise waits for the whole body.
      if (request.integrity !== '') resolve = checkingIntegrity(request.integrity, resolve, reject);
      if (assets && !request.url.startsWith('http:') && !request.url.startsWith('https:')) {
        reject(new TypeErrorCtor(`Failed to fetch: an asset's URL must be http or https, not ${request.url}`));
        return;
      }
      // Scheme fetch "data": answered here, no network (https://fetch.spec.whatwg.org/#scheme-fetch).
      if (request.url.startsWith('data:')) {
        this.#fetchDataURL(request.url, request.method, resolve, reject);
        return;
      }
      if (!assets && request.url.startsWith('blob:')) {
        fetchBlobURL(request, resolve, reject);
        return;
      }
      const list = combineForTransmission(request.headerList);
      if (this.userAgent !== '' && listGet(request.headerList, 'user-agent') === null) internalAppend(list, ['user-agent', this.userAgent]);
      // A FixedLengthStream's readable side goes with its expected length, as Workers sends it
      // (the host keeps a streamed body's Content-Length and holds the body to it).
      const fixedLength = body !== null && body.stream !== null ? fixedLengthOf(body.stream) : undefined;
      if (fixedLength !== undefined) listSet(list, 'content-length', `${fixedLength}`);
      // A plain array: it crosses to the host.
      const headers = headerListArray(list);
      const size = headersBytes(headers);
      if (size > HEADERS_BYTES_MAX) {
        const error = new TypeErrorCtor(`Failed to fetch: the request's headers are ${size} bytes; a request may have at most ${HEADERS_BYTES_MAX}.`);
        reject(error);
        if (body !== null) cancelReadableBody(bodyStream(body) as never, error);
        return;
      }
      const id = this.#nextId--;
      const head: FetchRequestHead = {
        method: request.method,
        url: request.url,
        headers,
        redirect: request.redirect,
        body: body !== null,
      };
      if (assets) head.assets = true;
      const bytes = takeKnownBytes(body);
      if (bytes !== null) {
        const length = viewByteLength(bytes);
        if (length <= KNOWN_PART) head.bytes = bytes;
        else {
          // In parts, each a host call of its own: one crossing is copied on the host's thread
          // (a 48 MiB body held its event loop ~30 ms).
          for (let at = 0; at < length; at += KNOWN_PART) this.#host.fetchUpload(id, crossingBytes(bytes, at, length - at < KNOWN_PART ? length - at : KNOWN_PART));
          head.uploaded = true;
        }
      }
      // Step 12: abort the fetch() call with the signal's abort reason: reject (unless settled),
      // cancel the request's body, error the response's body. Removed once the fetch is over,
      // so a long-lived signal does not keep one per fetch.
      const removeAbort = addAbortAlgorithm(signal, () => {
        const reason = signalReason(signal);
        this.#pending.delete(id);
        this.#host.fetchAbort(id, reason instanceof Error ? reason.message : String(reason));
        // The promise itself (a no-op once settled; unsettled while an integrity check reads).
        reject(reason);
        this.#bodies.cancelOutgoing(id, reason);
        this.#bodies.errorIncoming(id, reason);
      });
      this.#pending.set(id, { resolve, reject, removeAbort });
      this.#host.fetchStart(id, head);
      if (body !== null && bytes === null) void this.#bodies.pump(id, bodyStream(body) as never, this.#sink, (text) => this.#host.log('error', text));
    });
  }

  /** A response whose status message is OK, its Content-Type the URL's MIME type, its body the URL's; or a network error. */
  #fetchDataURL(href: string, method: string, resolve: (response: unknown) => void, reject: (reason: unknown) => void): void {
    const dataURLStruct = processDataURL(href);
    if (dataURLStruct === null) {
      reject(new TypeErrorCtor('fetch failed: the data: URL is not valid'));
      return;
    }
    // Main fetch: a HEAD or CONNECT request's response has a null body.
    const body = method === 'HEAD' || method === 'CONNECT' ? null : dataURLStruct.body;
    const response = new Response(body, { status: 200, statusText: 'OK', headers: [['Content-Type', serializeMimeType(dataURLStruct.mimeType)]] });
    setResponseURL(response, href, false);
    resolve(response);
  }

  /** The host answers fetch `id`: the response head (its body follows), or a network error. */
  settle(id: number, result: FetchResult): void {
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    this.#pending.delete(id);
    if ('error' in result) {
      // Fetch: a network error rejects with a TypeError. A request body still streaming has
      // nowhere to go: its stream is cancelled (else the pump would read it to its end for nothing).
      pending.removeAbort();
      const error = new TypeErrorCtor(`fetch failed: ${result.error}`);
      pending.reject(error);
      this.#bodies.cancelOutgoing(id, error);
      return;
    }
    try {
      let stream: unknown = null;
      if (result.bytes !== undefined) {
        stream = this.#bodies.incomingWhole(id, result.bytes, pending.removeAbort);
      } else if (result.body) {
        // highWaterMark 0: no bytes are asked for until someone reads, so a body the app returns
        // untouched can go host to host (BodyChannels.handOver).
        stream = this.#bodies.incoming(id, (i, credit) => this.#host.bodyPull(i, credit), (i, reason) => this.#host.bodyCancel(i, reason), 0, pending.removeAbort);
      } else {
        pending.removeAbort();
      }
      const response = new Response(stream, { status: result.status, statusText: result.statusText, headers: result.headers });
      setResponseURL(response, result.url, result.redirected);
      pending.resolve(response);
    } catch (error) {
      pending.removeAbort();
      this.#host.log('error', `fetch: cannot make the Response: ${inspect(error)}`);
      pending.reject(new TypeErrorCtor(`fetch failed: ${error instanceof Error ? error.message : String(error)}`));
    }
  }
}

/**
 * Main fetch step 22 (https://fetch.spec.whatwg.org/#main-fetch): the response is handed over
 * only once its whole body matched `integrity`, as a response of those bytes; a null body, a
 * body that errors or does not match is a network error.
 */
function checkingIntegrity(integrity: string, resolve: (response: unknown) => void, reject: (reason: unknown) => void): (response: unknown) => void {
  const networkError = (): void => reject(new TypeErrorCtor("fetch failed: the response does not match the request's integrity metadata"));
  return (response) => {
    const body = responseBody(response as Response);
    if (body === null) return networkError();
    consumeBytes(
      body,
      (bytes) => {
        const matched = (match: boolean): void => {
          if (!match) return networkError();
          setResponseBody(response as Response, bytesBody(bytes));
          resolve(response);
        };
        reflectApply(promiseThen, bytesMatchMetadata(bytes, integrity), [matched, networkError]);
      },
      networkError,
    );
  };
}

/**
 * Scheme fetch "blob" (https://fetch.spec.whatwg.org/#scheme-fetch): a GET of a blob URL the
 * realm's blob URL store knows, whole (200) or one byte range of it (206).
 */
function fetchBlobURL(request: FetchRequestParams, resolve: (response: unknown) => void, reject: (reason: unknown) => void): void {
  // Steps 1-4: the URL's blob URL entry (resolved when the Request parsed it), for a GET only.
  const blob = request.blobURLEntry;
  if (request.method !== 'GET' || blob === null) return reject(new TypeErrorCtor(`fetch failed: ${blob === null ? 'no Blob behind this blob: URL' : 'a blob: URL answers GET only'}`));
  const fullLength = blobSize(blob);
  const type = blobType(blob);
  const rangeHeader = listGet(request.headerList, 'range');
  let response: Response;
  if (rangeHeader === null) {
    // Step 9: the whole Blob.
    response = new Response(blob, { status: 200, statusText: 'OK', headers: [['Content-Length', `${fullLength}`], ['Content-Type', type]] });
  } else {
    // Step 10: one range of it.
    const range = parseSingleRangeHeaderValue(rangeHeader, true);
    if (range === null) return reject(new TypeErrorCtor('fetch failed: the Range header is not one byte range'));
    let [rangeStart, rangeEnd] = range;
    if (rangeStart === null) {
      rangeStart = fullLength - rangeEnd!;
      rangeEnd = rangeStart + rangeEnd! - 1;
    } else {
      if (rangeStart >= fullLength) return reject(new TypeErrorCtor('fetch failed: the range starts past the end of the Blob'));
      if (rangeEnd === null || rangeEnd >= fullLength) rangeEnd = fullLength - 1;
    }
    const sliced = blobToBytes(blob).slice(rangeStart, rangeEnd + 1);
    response = new Response(sliced, {
      status: 206,
      statusText: 'Partial Content',
      headers: [['Content-Length', `${sliced.length}`], ['Content-Type', type], ['Content-Range', `bytes ${rangeStart}-${rangeEnd}/${fullLength}`]],
    });
  }
  setResponseURL(response, request.url, false);
  resolve(response);
}
