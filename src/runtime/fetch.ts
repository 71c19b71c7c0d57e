// fetch() inside the isolate: the Request is made here (so its checks are the realm's own),
// the network is the host's (undici), and both bodies stream across by id (body-channels.ts),
// negative ids telling outbound fetches from served requests. Aborting the signal aborts the
// host's request and errors the body.
// https://fetch.spec.whatwg.org/#fetch-method
import { hostSink, type BodyChannels, type HostBodySink } from './body-channels.js';
import { inspect } from './console.js';
import type { HostApi } from './host-api.js';
import { setResponseURL } from '../web/fetch/response.js';
import { processDataURL } from '../web/fetch/data-url.js';
import { serializeMimeType } from '../web/mime-type.js';
import { IdTable } from './id-table.js';

export interface FetchRequestHead {
  method: string;
  url: string;
  headers: [string, string][];
  redirect: string;
  /** The request has a body (it follows as an outgoing body with the same id). */
  body: boolean;
}

export type FetchResult =
  | { status: number; statusText: string; headers: [string, string][]; url: string; redirected: boolean; body: boolean }
  | { error: string };

/** The host functions fetch uses (documented in host-api.ts). */
export type FetchHost = Pick<
  HostApi,
  'fetchStart' | 'fetchAbort' | 'bodyPull' | 'bodyCancel' | 'responseWrite' | 'responseEnd' | 'responseError' | 'log'
>;

interface Pending {
  resolve: (response: unknown) => void;
  reject: (reason: unknown) => void;
  signal: { aborted: boolean; reason: unknown };
}

type RequestLike = {
  method: string;
  url: string;
  headers: Iterable<[string, string]>;
  redirect: string;
  body: unknown;
  signal: { aborted: boolean; reason: unknown; addEventListener(type: string, listener: () => void, options?: object): void };
};

const PromiseCtor = Promise;
const TypeErrorCtor = TypeError;

export class FetchClient {
  #host: FetchHost;
  #global: Record<string, unknown>;
  #bodies: BodyChannels;
  #sink: HostBodySink;
  #pending = new IdTable<Pending>();
  #nextId = -1;

  constructor(host: FetchHost, global: Record<string, unknown>, bodies: BodyChannels) {
    this.#host = host;
    this.#global = global;
    this.#bodies = bodies;
    this.#sink = hostSink(host);
  }

  /** The `fetch(input, init)` operation of the global. */
  fetch(input: unknown, init: unknown): Promise<unknown> {
    return new PromiseCtor((resolve, reject) => {
      const RequestCtor = this.#global['Request'] as new (input: unknown, init: unknown) => RequestLike;
      let request: RequestLike;
      try {
        request = new RequestCtor(input, init);
      } catch (error) {
        reject(error);
        return;
      }
      const { signal } = request;
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      // Scheme fetch "data": answered here, no network (https://fetch.spec.whatwg.org/#scheme-fetch).
      if (request.url.startsWith('data:')) {
        this.#fetchDataURL(request.url, resolve, reject);
        return;
      }
      const id = this.#nextId--;
      const body = request.body as never | null;
      const head: FetchRequestHead = {
        method: request.method,
        url: request.url,
        headers: [...request.headers],
        redirect: request.redirect,
        body: body !== null,
      };
      this.#pending.set(id, { resolve, reject, signal });
      signal.addEventListener(
        'abort',
        () => {
          const reason = signal.reason;
          const pending = this.#pending.get(id);
          this.#pending.delete(id);
          this.#host.fetchAbort(id, reason instanceof Error ? reason.message : String(reason));
          this.#bodies.cancel(id, 'The fetch was aborted.');
          if (pending) pending.reject(reason);
          // A body still streaming errors (a finished one is no longer known: a no-op).
          this.#bodies.push(id, null, 'The fetch was aborted.');
        },
        { once: true },
      );
      this.#host.fetchStart(id, head);
      if (body !== null) void this.#bodies.pump(id, body, this.#sink, (text) => this.#host.log('error', text));
    });
  }

  /** A response whose status message is OK, its Content-Type the URL's MIME type, its body the URL's; or a network error. */
  #fetchDataURL(href: string, resolve: (response: unknown) => void, reject: (reason: unknown) => void): void {
    const dataURLStruct = processDataURL(href);
    if (dataURLStruct === null) {
      reject(new TypeErrorCtor('fetch failed: the data: URL is not valid'));
      return;
    }
    const ResponseCtor = this.#global['Response'] as new (body: unknown, init: object) => unknown;
    const response = new ResponseCtor(dataURLStruct.body, { status: 200, statusText: 'OK', headers: [['Content-Type', serializeMimeType(dataURLStruct.mimeType)]] });
    setResponseURL(response, href, false);
    resolve(response);
  }

  /** The host answers fetch `id`: the response head (its body follows), or a network error. */
  settle(id: number, result: FetchResult): void {
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    this.#pending.delete(id);
    if ('error' in result) {
      // Fetch: a network error rejects with a TypeError.
      pending.reject(new TypeErrorCtor(`fetch failed: ${result.error}`));
      return;
    }
    try {
      const ResponseCtor = this.#global['Response'] as new (body: unknown, init: object) => unknown;
      let stream: unknown = null;
      if (result.body) {
        // highWaterMark 0: no bytes are asked for until someone reads, so a body the app returns
        // untouched can go host to host (BodyChannels.handOver).
        stream = this.#bodies.incoming(id, (i, credit) => this.#host.bodyPull(i, credit), (i, reason) => this.#host.bodyCancel(i, reason), 0);
      }
      const response = new ResponseCtor(stream, { status: result.status, statusText: result.statusText, headers: result.headers });
      setResponseURL(response, result.url, result.redirected);
      pending.resolve(response);
    } catch (error) {
      this.#host.log('error', `fetch: cannot make the Response: ${inspect(error)}`);
      pending.reject(new TypeErrorCtor(`fetch failed: ${error instanceof Error ? error.message : String(error)}`));
    }
  }
}
