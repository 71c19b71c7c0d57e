// The host half of fetch() in an isolate (src/runtime/fetch.ts): the network (http-fetch.ts, on
// undici's dispatcher), with the request body streamed from the isolate and the response body
// streamed back on demand, one per negative id.
import { isIP } from 'node:net';
import { fetchDecodesZstd, zstdDecodedStream } from './zstd-decoding.js';
import { Agent, buildConnector } from 'undici';
import { httpFetch, takeWholeBody, type ChunkReader, type HttpFetchResponse } from './http-fetch.js';
import { slicesReader, type AssetDirectory, type AssetResponse } from './assets.js';
import { headersBytes, windowCost, type FetchRequestHead, type FetchResult } from '../runtime/host-api.js';
import { DnsTurns, type DnsTurnsOptions, type LookupCallback } from './dns-turns.js';
import { FetchPolicy } from './fetch-policy.js';
import { IdTable } from '../runtime/id-table.js';
import { SimpleQueue } from '../streams/abstract-ops/simple-queue.js';

/** How the host reaches back into the isolate for one fetch. */
export interface FetchCallbacks {
  settle(id: number, result: FetchResult): void;
  /** Bytes of response body `id` (null: the end; error: it failed). */
  push(id: number, chunk: Uint8Array | null, error?: string): void;
  /** The request body's writer may continue. */
  drain(id: number): void;
  /** Stop sending request body `id`. */
  cancelUpload(id: number, reason: string): void;
}

/**
 * Fetches one app may have in flight at once by default (until their response body ends; the
 * app's `limits.fetchesInFlight`); more wait their turn. Without a bound one app could open
 * sockets until the process runs out of file descriptors, and then no app could accept a
 * connection (measured: one isolate's 3,000 concurrent fetches to a silent upstream opened 3,000
 * connections).
 */
export const MAX_FETCHES_IN_FLIGHT = 256;

/**
 * What a fetch with a streamed request body counts against the app's held bytes (see
 * OutboundFetch.start): the isolate sends up to its window (body-channels.ts OUTGOING_WINDOW)
 * before it waits, waiting fetch or not.
 */
const STREAMED_BODY_COST = 1024 * 1024;
/** What a fetch costs beyond its URL, headers and body (its records here and in undici). */
const FETCH_OVERHEAD = 1024;

/**
 * A response body that arrived whole with its head, up to this size, crosses with the head (a
 * round trip to the host fewer for the isolate: bodyPull, then the bytes); the isolate's memory
 * limit counts it, as it would once read.
 */
const WHOLE_BODY_MAX = 64 * 1024;

/** How much of an upload may wait in the host before the isolate is told to pause. */
const UPLOAD_HIGH_WATER_MARK = 64 * 1024;

interface Upload {
  chunks: Uint8Array[];
  bytes: number;
  ended: boolean;
  error: string | undefined;
  /** The body iterator waits here for the next chunk. */
  wake: (() => void) | undefined;
  paused: boolean;
}

interface Flight {
  controller: AbortController;
  upload: Upload | undefined;
  reader: ChunkReader | undefined;
  reading: boolean;
  /** Response body the isolate will still take (its credit in windowCost units, see body-channels.ts). */
  credit: number;
  /** It holds one of the app's in-flight places (it started; it has not ended). */
  slot: boolean;
  /** Frees a zstd-decoded body's window (#zstdWindow) when the flight ends. */
  releaseWindow?: () => void;
}

export class OutboundFetch {
  #flights = new IdTable<Flight>();
  #callbacks: FetchCallbacks;
  #agent: Agent;

  /**
   * `maxHeldBytes`: the most bytes the app's fetches (waiting or in flight) may hold in the host
   * in their URLs, headers and request bodies; default no limit.
   */
  /** The app's static assets, which `env.ASSETS.fetch()` reads (assets.ts); none without `assets`. */
  assets: AssetDirectory | undefined = undefined;

  constructor(
    callbacks: FetchCallbacks,
    allow: readonly string[],
    maxInFlight = MAX_FETCHES_IN_FLIGHT,
    maxHeldBytes = Infinity,
    // Host names resolve in turns with other apps' (dns-turns.ts); no more waiting than fetches in
    // flight. `dnsTurns`: the app's owner of those turns (tests: a scheduler, a resolver).
    dnsTurns: DnsTurnsOptions = {},
  ) {
    const dns = new DnsTurns({ maxWaiting: maxInFlight, ...dnsTurns });
    this.#maxHeldBytes = maxHeldBytes;
    this.#callbacks = callbacks;
    this.#maxInFlight = maxInFlight;
    const policy = new FetchPolicy(allow);
    // Every connection's address is checked after DNS, so a name that resolves to an internal
    // address is refused too. An IP literal skips DNS (Node connects to it without a lookup), so
    // the connector checks it before connecting: every connection, the redirects undici follows
    // included (before, a public URL redirecting to http://169.254.169.254/ or any internal IP
    // was followed: measured with a redirect to 127.0.0.2 from an app allowed 127.0.0.1 only).
    const connector = buildConnector({
      lookup: (hostname, options, callback) => {
        dns.lookup(hostname, options, (error, address, family) => {
          if (error) return callback(error, address as string, family!);
          const refuse = (refusal: string) => callback(Object.assign(new Error(refusal), { code: 'EREFUSED_POLICY' }), '', 0);
          if (typeof address === 'string') {
            const refusal = policy.refusal(hostname, address);
            return refusal ? refuse(refusal) : callback(null, address, family!);
          }
          // net.connect asks for every address (`all`) when it tries them in turn (Node 20's
          // autoSelectFamily): it is given the allowed ones, and the name is refused if none is.
          const allowed = address.filter((a) => policy.refusal(hostname, a.address) === null);
          if (allowed.length === 0 && address.length > 0) return refuse(policy.refusal(hostname, address[0]!.address)!);
          (callback as LookupCallback)(null, allowed);
        });
      },
    } as buildConnector.BuildOptions);
    this.#agent = new Agent({
      connect: (options, callback) => {
        const literal = options.hostname.replace(/^\[|\]$/g, '');
        const refusal = isIP(literal) ? policy.refusal(literal, literal) : null;
        if (refusal) return callback(Object.assign(new Error(refusal), { code: 'EREFUSED_POLICY' }), null);
        connector(options, callback);
      },
    });
    this.#policy = policy;
  }

  #policy: FetchPolicy;

  #maxInFlight: number;
  #inFlight = 0;
  /** Fetches waiting for a place, oldest first (a ring: a flood of waiting fetches dequeues in O(1)). */
  #waiting = new SimpleQueue<[id: number, head: FetchRequestHead]>();

  /** Known bodies that came in parts, by fetch, until their fetchStart. */
  #uploaded = new IdTable<Blob>();
  /** Uploads refused for the held-bytes budget: their fetchStart fails. */
  #refusedUploads = new Set<number>();

  /**
   * The bytes held for the app's fetches: each fetch's URL, headers and request body (a known
   * one's size, a streamed one's window) from its call to its end. The fetches wait for a place
   * with a copy the app no longer holds: 1,000 POSTs of the same 4 MiB took the host's RSS up
   * 4 GB for an app limited to 128 MiB.
   */
  #heldBytes = 0;
  #held = new IdTable<number>();
  readonly #maxHeldBytes: number;

  #hold(id: number, bytes: number): boolean {
    if (this.#heldBytes + bytes > this.#maxHeldBytes) return false;
    this.#heldBytes += bytes;
    this.#held.set(id, (this.#held.get(id) ?? 0) + bytes);
    return true;
  }

  #release(id: number): void {
    const bytes = this.#held.get(id);
    if (bytes === undefined) return;
    this.#held.delete(id);
    this.#heldBytes -= bytes;
  }

  /**
   * What a zstd-decoded response body's frames reserve: fzstd allocates each frame's window (up
   * to 8 MiB) in the host, so the largest held so far counts against the app's held bytes until
   * the decoded body ends (read to its end, failed, cancelled, or its fetch aborted), also when the
   * body is piped host to host (takeBody) and outlives its fetch's flight: 256 fetches of 8 MiB
   * windows, or as many client requests piping one each, would otherwise be gigabytes outside the
   * app's limits. Past the budget the body fails with a TypeError.
   */
  #zstdWindow(): { reserve(window: number): void; release(): void } {
    let reserved = 0;
    return {
      reserve: (window) => {
        if (window <= reserved) return;
        if (this.#heldBytes + window - reserved > this.#maxHeldBytes) {
          throw new TypeError(`a zstd frame's window of ${window} bytes: ${this.#overBudget()}`);
        }
        this.#heldBytes += window - reserved;
        reserved = window;
      },
      release: () => {
        this.#heldBytes -= reserved;
        reserved = 0;
      },
    };
  }

  #overBudget(): string {
    return `the app's fetches would hold more than ${this.#maxHeldBytes} bytes in the host (URLs, headers and request bodies of fetches waiting or in flight, and zstd windows of bodies being decoded; limits.memoryMb): await some first`;
  }

  /**
   * A part of fetch `id`'s known body. A Blob made of the last one and the part copies only the
   * part, and undici can send a Blob again after a 307/308 redirect, as it can bytes.
   */
  upload(id: number, part: Uint8Array): void {
    if (this.#refusedUploads.has(id)) return;
    if (!this.#hold(id, part.byteLength)) {
      this.#uploaded.delete(id);
      this.#release(id);
      this.#refusedUploads.add(id);
      return;
    }
    const before = this.#uploaded.get(id);
    this.#uploaded.set(id, new Blob(before === undefined ? [part] : [before, part]));
  }

  start(id: number, head: FetchRequestHead): void {
    let cost = FETCH_OVERHEAD + head.url.length + headersBytes(head.headers);
    if (head.bytes !== undefined) cost += head.bytes.byteLength;
    else if (head.body && !head.uploaded) cost += STREAMED_BODY_COST;
    if (this.#refusedUploads.delete(id) || !this.#hold(id, cost)) {
      this.#uploaded.delete(id);
      this.#release(id);
      this.#callbacks.settle(id, { error: this.#overBudget() });
      return;
    }
    const controller = new AbortController();
    const flight: Flight = { controller, upload: undefined, reader: undefined, reading: false, credit: 0, slot: false };
    // A streamed upload buffers here (under its high-water mark) even while the fetch waits.
    if (head.body && head.bytes === undefined) flight.upload = { chunks: [], bytes: 0, ended: false, error: undefined, wake: undefined, paused: false };
    this.#flights.set(id, flight);
    this.#waiting.push([id, head]);
    this.#startWaiting();
  }

  /** Starts waiting fetches while the app has places (an aborted one is skipped). */
  #startWaiting(): void {
    while (this.#inFlight < this.#maxInFlight && this.#waiting.length > 0) {
      const [id, head] = this.#waiting.shift();
      const flight = this.#flights.get(id);
      if (flight === undefined) continue;
      flight.slot = true;
      this.#inFlight++;
      void this.#run(id, head, flight);
    }
  }

  /** Fetch `id` is over for the host: its flight goes, and its place to a waiting fetch. */
  #finish(id: number): void {
    const flight = this.#flights.get(id);
    this.#flights.delete(id);
    // A zstd body's window. A body piped host to host (takeBody) has reserved none yet (nothing
    // read it), and reserves and frees its windows as the host reads it.
    flight?.releaseWindow?.();
    // An uploaded body not sent (the fetch failed or was aborted before it ran).
    this.#uploaded.delete(id);
    this.#release(id);
    if (flight?.slot) {
      flight.slot = false;
      this.#inFlight--;
      this.#startWaiting();
    }
  }

  async #run(id: number, head: FetchRequestHead, flight: Flight): Promise<void> {
    if (head.assets === true) return this.#runAsset(id, head, flight);
    let url: URL;
    try {
      url = new URL(head.url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`the scheme "${url.protocol}" is not supported`);
      const literal = url.hostname.replace(/^\[|\]$/g, '');
      if (isIP(literal)) {
        const refusal = this.#policy.refusal(literal, literal);
        if (refusal) throw new Error(refusal);
      }
    } catch (error) {
      this.#fail(id, (error as Error).message);
      return;
    }
    const body = head.bytes !== undefined ? head.bytes : head.uploaded ? (this.#uploaded.get(id) ?? new Blob([])) : flight.upload !== undefined ? this.#uploadIterable(id, flight.upload) : null;
    this.#uploaded.delete(id);
    const redirect = head.redirect === 'manual' ? 'manual' : head.redirect === 'error' ? 'error' : 'follow';
    let response: HttpFetchResponse;
    try {
      response = await httpFetch(this.#agent, { method: head.method, url, headers: head.headers, body, redirect }, flight.controller.signal);
    } catch (error) {
      // The network's reason (an empty message says nothing: then its code).
      this.#fail(id, (error as Error).message || (error as { code?: string }).code || String(error));
      return;
    }
    if (!this.#flights.has(id)) {
      void response.body?.cancel().catch(() => {});
      return;
    }
    const hasBody = response.body !== null;
    let whole: Uint8Array | null = null;
    if (hasBody) {
      // Content-Encoding: zstd, which zlib has not here (Node 20), decoded with fzstd.
      const coding = response.headers.find(([name]) => name === 'content-encoding');
      const zstd = fetchDecodesZstd(coding === undefined ? null : coding[1]);
      if (zstd) {
        const window = this.#zstdWindow();
        flight.releaseWindow = window.release;
        flight.reader = zstdDecodedStream(response.body!, window.reserve, window.release).getReader();
      } else {
        // A body that came whole with its head goes with it: the isolate reads it without asking.
        whole = takeWholeBody(response.body!, WHOLE_BODY_MAX);
        if (whole === null) flight.reader = response.body!;
      }
    }
    this.#callbacks.settle(id, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
      url: response.url,
      redirected: response.redirected,
      body: hasBody,
      ...(whole !== null ? { bytes: whole } : {}),
    });
    if (!hasBody || whole !== null) this.#finish(id);
  }

  /**
   * `env.ASSETS.fetch()`: the app's asset directory answers, no network (assets.ts). A small body
   * goes with the head, a larger one in parts as the isolate asks, as a network body does.
   */
  async #runAsset(id: number, head: FetchRequestHead, flight: Flight): Promise<void> {
    let response: AssetResponse;
    try {
      if (this.assets === undefined) throw new Error('the app has no assets directory');
      response = await this.assets.serve(head.method, head.url, head.headers);
    } catch (error) {
      this.#fail(id, (error as Error).message);
      return;
    }
    if (!this.#flights.has(id)) return;
    const bytes = response.bytes;
    const whole = bytes !== null && bytes.byteLength <= WHOLE_BODY_MAX;
    if (bytes !== null && !whole) flight.reader = slicesReader(bytes, WHOLE_BODY_MAX);
    this.#callbacks.settle(id, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
      url: head.url,
      redirected: false,
      body: bytes !== null,
      ...(whole ? { bytes } : {}),
    });
    if (bytes === null || whole) this.#finish(id);
  }

  #fail(id: number, message: string): void {
    this.#finish(id);
    this.#callbacks.settle(id, { error: message });
  }

  /** The isolate grants `credit` more bytes of the response body: read while it lasts. */
  pull(id: number, credit: number): void {
    const flight = this.#flights.get(id);
    if (!flight?.reader) return;
    flight.credit += credit;
    if (!flight.reading) this.#read(id, flight);
  }

  #read(id: number, flight: Flight): void {
    if (flight.credit <= 0 || !flight.reader) return;
    flight.reading = true;
    flight.reader.read().then(
      ({ done, value }) => {
        flight.reading = false;
        if (done) {
          this.#finish(id);
          this.#callbacks.push(id, null);
        } else {
          flight.credit -= windowCost(value.byteLength);
          this.#callbacks.push(id, value);
          if (this.#flights.get(id) === flight) this.#read(id, flight);
        }
      },
      (error: Error) => {
        this.#finish(id);
        this.#callbacks.push(id, null, `the response body failed: ${error.cause instanceof Error ? error.cause.message : error.message}`);
      },
    );
  }

  /** The response body's reader, taken out of the isolate's hands (piped host to host). */
  takeBody(id: number): ChunkReader | undefined {
    const flight = this.#flights.get(id);
    if (!flight?.reader || flight.reading) return undefined;
    this.#finish(id);
    return flight.reader;
  }

  /** The isolate cancelled the response body. */
  cancelBody(id: number): void {
    const flight = this.#flights.get(id);
    if (!flight) return;
    this.#finish(id);
    void flight.reader?.cancel().catch(() => {});
    flight.controller.abort();
  }

  abort(id: number, reason: string): void {
    const flight = this.#flights.get(id);
    if (!flight) return;
    this.#finish(id);
    if (flight.upload) flight.upload.error = reason;
    flight.upload?.wake?.();
    flight.controller.abort(new Error(reason));
  }

  /** Request body chunks from the isolate; false: more than the high-water mark waits (drain follows). */
  write(id: number, chunks: Uint8Array[]): boolean {
    const upload = this.#flights.get(id)?.upload;
    if (!upload || upload.ended) return true;
    for (const chunk of chunks) {
      upload.chunks.push(chunk);
      upload.bytes += chunk.byteLength;
    }
    upload.wake?.();
    if (upload.bytes >= UPLOAD_HIGH_WATER_MARK) {
      upload.paused = true;
      return false;
    }
    return true;
  }

  end(id: number, error?: string): void {
    const upload = this.#flights.get(id)?.upload;
    if (!upload) return;
    upload.ended = true;
    upload.error = error;
    upload.wake?.();
    if (error !== undefined) this.abort(id, error);
  }

  async *#uploadIterable(id: number, upload: Upload): AsyncGenerator<Uint8Array> {
    for (;;) {
      const chunk = upload.chunks.shift();
      if (chunk !== undefined) {
        upload.bytes -= chunk.byteLength;
        if (upload.paused && upload.bytes < UPLOAD_HIGH_WATER_MARK / 2) {
          upload.paused = false;
          this.#callbacks.drain(id);
        }
        yield chunk;
        continue;
      }
      if (upload.error !== undefined) throw new Error(upload.error);
      if (upload.ended) return;
      await new Promise<void>((resolve) => (upload.wake = resolve));
      upload.wake = undefined;
    }
  }

  /** The isolate is going away: abort everything in flight. */
  close(): void {
    this.#uploaded.clear();
    this.#refusedUploads.clear();
    for (const id of this.#flights.ids()) this.abort(id, 'The app was stopped.');
    void this.#agent.close().catch(() => {});
  }
}
