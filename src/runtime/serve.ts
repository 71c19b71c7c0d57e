// The isolate half of serving a request: the app's `fetch(request, env, ctx)` called with a
// Request whose body streams from the client's socket, and the Response's body streamed back.
// Bytes cross in both directions under credit (body-channels.ts): the host reads the socket only
// while the app's request body has room, and the response body's pump stops once the host holds
// a window of bytes its socket has not taken.
import { IsReadableStreamLocked, ReadableStreamCancel, readableStreamImpl, type ReadableStream } from '../streams/readable-stream/readable-stream.js';
import { setPromiseIsHandledToTrue } from '../streams/webidl/promise.js';
import { Response, isResponse, responseBody, responseEncodedManually, responseHeaderList } from '../web/fetch/response.js';
import { createIncomingRequest, type Request } from '../web/fetch/request.js';
import { bodyStream, takeKnownBytes } from '../web/fetch/body.js';
import { inspect } from './console.js';
import { HEADERS_BYTES_MAX, headersBytes, type HostApi } from './host-api.js';
import { hostSink, type BodyChannels, type HostBodySink } from './body-channels.js';
import { unpackRequestHead } from './request-head.js';
import type { RequestHead } from './host-api.js';
import { IdTable } from './id-table.js';
import { arrayOfList, internalAppend, internalList, promiseResolve, promiseThen, type InternalList } from '../streams/webidl/intrinsics.js';
import { createAbortSignal, SignalAbort, type AbortSignal } from '../web/abort.js';
import { DOMException } from '../web/dom-exception.js';
import { fixedLengthOf } from '../web/identity-transform-stream.js';

export interface ResponseHead {
  status: number;
  statusText: string;
  /** The header list as name, value, name, value... (each Set-Cookie its own pair): what Node's writeHead takes. */
  headers: string[];
  /** The response has a body to stream (after responseStart, with responseWrite). */
  body: boolean;
  /** The whole body, when its bytes were known: sent with the head. */
  bytes?: Uint8Array;
  /**
   * The host's view of a small known body: its bytes as a latin1 string (one character per
   * byte), carried inside the packed text instead of `bytes` (see dispatch-results.ts).
   */
  latin1?: string;
  /** The body is the untouched body of the isolate's fetch with this id: the host pipes it. */
  hostBody?: number;
  /** The Response was made with `encodeBody: 'manual'`: its bytes are encoded as its Content-Encoding says (the host does not encode them). */
  manual?: true;
}

/**
 * A dispatch's outcome: the head, or why the app failed (logged in the isolate already).
 * `settled`: no waitUntil work was pending, so no waitUntilSettled call follows.
 */
export type DispatchResult = ({ head: ResponseHead } | { error: string }) & { settled?: true };

/** The host functions serving uses (documented in host-api.ts). */
export type ServeHost = Pick<
  HostApi,
  'bodyPull' | 'bodyCancel' | 'responseWrite' | 'responseEnd' | 'responseError' | 'waitUntilSettled' | 'log'
>;

interface AppExports {
  fetch?: (request: unknown, env: unknown, ctx: unknown) => unknown;
}

const TypeErrorCtor = TypeError;
const ErrorCtor = Error;
const ReflectApply = Reflect.apply;
const StringToLowerCase = String.prototype.toLowerCase;

/**
 * `inspect(value)`, or a fixed text when that throws: the value may be the app's (a Proxy, an
 * error whose getters throw) and an error on the error path must not lose the request's answer.
 */
function describe(value: unknown): string {
  try {
    return inspect(value);
  } catch {
    return '(a value that could not be inspected)';
  }
}

/** "Name: message" of an error, as safely as describe(). */
function errorMessage(error: unknown): string {
  try {
    return error instanceof ErrorCtor ? `${error.name}: ${error.message}` : `${error}`;
  } catch {
    return 'an error that could not be described';
  }
}


export class Server {
  #host: ServeHost;
  #app: AppExports | undefined;
  #env: object = Object.freeze({});
  #bodies: BodyChannels;
  #sink: HostBodySink;
  /** Response bodies waiting for the host to write the head (responseStart). */
  #pending = new IdTable<ReadableStream>();
  /**
   * The signals of requests whose response is not done (the app is handling them, or their body
   * streams from the isolate): a client that disconnects aborts it, as Workers and Deno do, so an
   * app can stop work nobody waits for (`fetch(upstream, { signal: request.signal })`).
   */
  #signals = new IdTable<AbortSignal>();

  constructor(host: ServeHost, bodies: BodyChannels) {
    this.#host = host;
    this.#bodies = bodies;
    this.#sink = hostSink(host);
  }

  /**
   * The app's env, a frozen copy of strings, before its module runs: its fetch() gets it, and so
   * does the module's `import { env } from 'cloudflare:workers'` (Workers' way to reach the env
   * at the top level; host/app-bundle.ts points the import at `globalThis.__nanoEnv`).
   */
  defineEnv(env: Record<string, string>, binding?: [name: string, value: object]): void {
    const copy: Record<string, unknown> = {};
    const keys = Object.keys(env);
    for (let i = 0; i < keys.length; i++) copy[keys[i]!] = String(env[keys[i]!]);
    if (binding !== undefined) copy[binding[0]] = binding[1];
    this.#env = Object.freeze(copy);
    Object.defineProperty(globalThis, '__nanoEnv', { value: this.#env, writable: false, enumerable: false, configurable: true });
  }

  /** The app module's default export. */
  registerApp(exports: unknown): void {
    const app = exports as AppExports | null | undefined;
    if (typeof app !== 'object' || app === null || typeof app.fetch !== 'function') {
      throw new TypeErrorCtor('The app module must export default { fetch(request, env, ctx) }.');
    }
    this.#app = app;
  }

  /**
   * The app's Request, or undefined when its URL does not parse: the client's fault, not the
   * app's (a Host the host's syntax check let through that the URL parser refuses: an IPv4
   * address out of range, bad punycode). That is answered 400 without calling the app, as a
   * server answers a request it cannot parse (RFC 9112 3.2); it was the app's 500, with an
   * "Uncaught (in fetch)" line the app had nothing to do with.
   */
  #incomingRequest(id: number, head: RequestHead, body: ReadableStream | null, signal: AbortSignal): Request | undefined {
    try {
      return createIncomingRequest(head.url, head.method, head.rawHeaders, body, signal);
    } catch (error) {
      this.#signals.delete(id);
      this.#host.log('warn', `The request's URL ${head.url} is not valid (${error instanceof Error ? error.message : String(error)}): answered 400 without calling the app.`);
      return undefined;
    }
  }

  /**
   * Calls the app for request `id` (its head packed, see request-head.ts); `settle` gets the
   * response head (the body follows), or why the app failed, once. Through a callback, not as the
   * value of a promise: resolving a promise with the result would look up its `then`, which an
   * app may have put on Object.prototype (a thenable that never calls back hung every request).
   */
  dispatch(id: number, packed: string, settle: (result: DispatchResult) => void): void {
    let settled = false;
    const once = (result: DispatchResult): void => {
      if (settled) return;
      settled = true;
      settle(result);
    };
    // #dispatch catches everything itself: its promise is not reacted to (a `then` on it would
    // read its `constructor`, which the app may have made throw).
    void this.#dispatch(id, packed, once);
  }

  async #dispatch(id: number, packed: string, settle: (result: DispatchResult) => void): Promise<void> {
    try {
      await this.#respond(id, packed, settle);
    } catch (error) {
      settle({ error: `runtime: ${describe(error)}` });
    }
  }

  /** Settles with the result: an async function returning it would resolve its promise with it. */
  async #respond(id: number, packed: string, settle: (result: DispatchResult) => void): Promise<void> {
    const app = this.#app;
    if (app === undefined) return settle({ error: 'no app is registered' });
    const head = unpackRequestHead(packed);
    const waitUntil = internalList<Promise<unknown>>();
    let response: unknown;
    try {
      const body = head.body
        ? this.#bodies.incoming(id, (i, credit) => this.#host.bodyPull(i, credit), (i, reason) => this.#host.bodyCancel(i, reason))
        : null;
      // The built-in Request, as Workers hand it, whatever an app did to globalThis.Request.
      const signal = createAbortSignal();
      this.#signals.set(id, signal);
      const request = this.#incomingRequest(id, head, body, signal);
      if (request === undefined) {
        response = Response.json({ error: 'The request names an invalid host.', status: 400 }, { status: 400 });
      } else {
        const ctx = Object.freeze({
          waitUntil: (promise: unknown) => internalAppend(waitUntil, promiseResolve(promise)),
          passThroughOnException: () => {},
        });
        response = ReflectApply(app.fetch!, app, [request, this.#env, ctx]);
        // A Response returned as it is is not awaited: awaiting it would look up its `then`.
        if (!isResponse(response)) response = await response;
        // The built-in Response (a brand check), whatever an app did to globalThis.Response: only
        // its internal state can be served.
        if (!isResponse(response)) {
          throw new TypeErrorCtor(`The app's fetch() resolved with ${inspect(response, 1)}, not a Response.`);
        }
      }
    } catch (error) {
      this.#signals.delete(id);
      this.#host.log('error', `Uncaught (in fetch) ${describe(error)}`);
      const message = errorMessage(error);
      return settle(this.#settleWaitUntil(id, waitUntil) ? { error: message, settled: true } : { error: message });
    }
    const res = response as Response;
    // The header list as set (names as given), each Set-Cookie its own line.
    const list = responseHeaderList(res);
    const names = internalList<string>();
    for (let i = 0; i < list.length; i++) {
      internalAppend(names, list[i]![0]);
      internalAppend(names, list[i]![1]);
    }
    // The status line's reason phrase goes with them (an app sets it: statusText).
    const size = headersBytes(list) + res.statusText.length;
    if (size > HEADERS_BYTES_MAX) {
      this.#signals.delete(id);
      const message = `The response's headers (with its status text) are ${size} bytes; a response may have at most ${HEADERS_BYTES_MAX}.`;
      this.#host.log('error', message);
      return settle(this.#settleWaitUntil(id, waitUntil) ? { error: message, settled: true } : { error: message });
    }
    const settled = this.#settleWaitUntil(id, waitUntil);
    const record = responseBody(res);
    // A body whose bytes are known (a string, JSON, bytes: most responses) goes with the head:
    // one crossing, no stream made (docs/fast-paths.md). A larger one streams (in parts: the
    // host copies each crossing on its own thread), framed by its length as a known body is.
    const large = record !== null && record.stream === null && record.length !== null && record.length > KNOWN_BYTES_MAX;
    if (large) withContentLength(names, record.length!);
    // A FixedLengthStream's readable side: sent with its expected length, as Workers sends it.
    const fixedLength = record !== null && record.stream !== null ? fixedLengthOf(record.stream) : undefined;
    if (fixedLength !== undefined) withContentLength(names, fixedLength);
    const headers = arrayOfList(names);
    const bytes = large ? null : takeKnownBytes(record);
    let out: ResponseHead;
    if (bytes !== null) out = { status: res.status, statusText: res.statusText, headers, body: false, bytes };
    else if (record === null) out = { status: res.status, statusText: res.statusText, headers, body: false };
    else {
      const stream = bodyStream(record);
      // A fetch() body returned untouched: the host pipes it to the client itself, or it came
      // whole with its head and goes back as a known body.
      const whole = this.#bodies.takeWhole(stream);
      const hostBody = whole === undefined ? this.#bodies.handOver(stream) : undefined;
      if (whole !== undefined) out = { status: res.status, statusText: res.statusText, headers, body: false, bytes: whole };
      else if (hostBody !== undefined) out = { status: res.status, statusText: res.statusText, headers, body: false, hostBody };
      else {
        this.#pending.set(id, stream);
        out = { status: res.status, statusText: res.statusText, headers, body: true };
      }
    }
    // Done but for a body the isolate streams: that one keeps the signal until it ends.
    if (!out.body) this.#signals.delete(id);
    if (responseEncodedManually(res)) out.manual = true;
    settle(settled ? { head: out, settled } : { head: out });
  }

  /** The host wrote the head: stream the body of response `id`. */
  responseStart(id: number): void {
    const body = this.#pending.get(id);
    if (body === undefined) return;
    this.#pending.delete(id);
    const pumped = this.#bodies.pump(id, body, this.#sink, (text) => this.#host.log('error', text));
    // Through the captured then: the app may have replaced Promise.prototype.then.
    ReflectApply(promiseThen, pumped, [() => this.#signals.delete(id)]);
  }

  /** The client left before the body started: cancel it. */
  responseAbandon(id: number, reason: string): void {
    const signal = this.#signals.get(id);
    if (signal !== undefined) {
      this.#signals.delete(id);
      SignalAbort(signal, new DOMException(reason, 'AbortError'));
    }
    const body = this.#pending.get(id);
    if (body === undefined) return;
    this.#pending.delete(id);
    // cancel() as the stream's own algorithm and the captured then: neither its `cancel` nor
    // `.catch` is the app's to replace. A locked stream's cancel() only rejects.
    const impl = readableStreamImpl(body)!;
    if (!IsReadableStreamLocked(impl)) setPromiseIsHandledToTrue(ReadableStreamCancel(impl, new TypeErrorCtor(reason)));
  }

  /** True when nothing was pending (the result says so); else waitUntilSettled follows. */
  #settleWaitUntil(id: number, promises: InternalList<Promise<unknown>>): boolean {
    const host = this.#host;
    if (promises.length === 0) return true;
    let left = promises.length;
    const one = (): void => {
      if (--left === 0) host.waitUntilSettled(id);
    };
    const failed = (error: unknown): void => {
      host.log('error', `Uncaught (in waitUntil) ${describe(error)}`);
      one();
    };
    for (let i = 0; i < promises.length; i++) {
      // The captured then: the app may have replaced Promise.prototype.then.
      try {
        ReflectApply(promiseThen, promises[i], [one, failed]);
      } catch (error) {
        // It throws only when the app made the promise's `constructor` throw: not waited for.
        failed(error);
      }
    }
    return false;
  }
}

/** The most bytes of a known body that go with its response's head (in one crossing). */
const KNOWN_BYTES_MAX = 1024 * 1024;

/** `headers` (name, value, name, value...) with one Content-Length, `length`, in place of any the app set. */
function withContentLength(headers: InternalList<string>, length: number): void {
  let to = 0;
  for (let i = 0; i < headers.length; i += 2) {
    if (ReflectApply(StringToLowerCase, headers[i], []) === 'content-length') continue;
    headers[to++] = headers[i]!;
    headers[to++] = headers[i + 1]!;
  }
  headers.length = to;
  internalAppend(headers, 'content-length');
  internalAppend(headers, `${length}`);
}
