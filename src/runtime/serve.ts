// The isolate half of serving a request: the app's `fetch(request, env, ctx)` called with a
// Request whose body streams from the client's socket, and the Response's body streamed back.
// Bytes cross in both directions only on demand: the request body is pulled (the host reads the
// socket only when the app reads), and the response body is written while the host's socket
// accepts it (a `false` from responseWrite pauses the pump until responseDrain).
import { ReadableStream } from '../streams/readable-stream/readable-stream.js';
import { ReadableStreamDefaultReader } from '../streams/readable-stream/default-reader.js';
import { inspect } from './console.js';

/** What crosses for a request: the head only; the body follows through bodyPull/bodyPush. */
export interface RequestHead {
  method: string;
  url: string;
  headers: [string, string][];
  /** The request has a body (it is streamed). */
  body: boolean;
}

export interface ResponseHead {
  status: number;
  statusText: string;
  /** Header list, with each Set-Cookie its own entry. */
  headers: [string, string][];
  /** The response has a body (it is streamed with responseWrite). */
  body: boolean;
}

/** A dispatch's outcome: the head, or why the app failed (logged in the isolate already). */
export type DispatchResult = { head: ResponseHead } | { error: string };

export interface ServeHost {
  /** The request body `id` wants bytes: the host reads the socket and calls bodyPush. */
  bodyPull(id: number): void;
  /** The app cancelled the request body. */
  bodyCancel(id: number, reason: string): void;
  /** A response body chunk; false: the client is slow, wait for responseDrain(id). */
  responseWrite(id: number, chunk: Uint8Array): boolean;
  responseEnd(id: number): void;
  /** The response body errored mid-way: the host ends the response abruptly. */
  responseError(id: number, message: string): void;
  /** Every ctx.waitUntil promise of request `id` has settled. */
  waitUntilSettled(id: number): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', text: string): void;
}

interface AppExports {
  fetch?: (request: unknown, env: unknown, ctx: unknown) => unknown;
}

const TypeErrorCtor = TypeError;
const PromiseCtor = Promise;
const ReflectApply = Reflect.apply;
const rsGetReader = ReadableStream.prototype.getReader;
const readerRead = ReadableStreamDefaultReader.prototype.read;
const readerCancel = ReadableStreamDefaultReader.prototype.cancel;
const readerReleaseLock = ReadableStreamDefaultReader.prototype.releaseLock;
const U8Proto: object = Uint8Array.prototype;

/** How many bytes of request body the isolate may hold ahead of the app's reads. */
const REQUEST_BODY_HIGH_WATER_MARK = 64 * 1024;

export class Server {
  #host: ServeHost;
  #global: Record<string, unknown>;
  #app: AppExports | undefined;
  #env: object = Object.freeze({});
  /** Request bodies waiting for bytes: id -> the pending pull's resolver and the controller. */
  #bodies = new Map<number, { controller: ReadableByteStreamController; pulled: (() => void) | undefined }>();
  /** Response pumps: id -> the reader and the pending drain's resolver. */
  #responses = new Map<number, { reader: ReadableStreamDefaultReader<unknown>; drained: (() => void) | undefined }>();

  constructor(host: ServeHost, global: Record<string, unknown>) {
    this.#host = host;
    this.#global = global;
  }

  /** The app module's default export and its env (a frozen copy of strings). */
  registerApp(exports: unknown, env: Record<string, string>): void {
    const app = exports as AppExports | null | undefined;
    if (typeof app !== 'object' || app === null || typeof app.fetch !== 'function') {
      throw new TypeErrorCtor('The app module must export default { fetch(request, env, ctx) }.');
    }
    this.#app = app;
    const copy: Record<string, string> = {};
    for (const key of Object.keys(env)) copy[key] = String(env[key]);
    this.#env = Object.freeze(copy);
  }

  /** Calls the app for request `id`; resolves with the response head (the body follows). */
  async dispatch(id: number, head: RequestHead): Promise<DispatchResult> {
    const app = this.#app;
    if (app === undefined) return { error: 'no app is registered' };
    const waitUntil: Promise<unknown>[] = [];
    let response: unknown;
    try {
      const RequestCtor = this.#global['Request'] as new (url: string, init: object) => unknown;
      const init: Record<string, unknown> = { method: head.method, headers: head.headers };
      if (head.body) {
        init['body'] = this.#requestBody(id);
        init['duplex'] = 'half';
      }
      const request = new RequestCtor(head.url, init);
      const ctx = Object.freeze({
        waitUntil: (promise: unknown) => void waitUntil.push(PromiseCtor.resolve(promise)),
        passThroughOnException: () => {},
      });
      response = await ReflectApply(app.fetch!, app, [request, this.#env, ctx]);
      const ResponseCtor = this.#global['Response'] as Function;
      if (!(response instanceof ResponseCtor)) {
        throw new TypeErrorCtor(`The app's fetch() resolved with ${inspect(response, 1)}, not a Response.`);
      }
    } catch (error) {
      this.#host.log('error', `Uncaught (in fetch) ${inspect(error)}`);
      this.#settleWaitUntil(id, waitUntil);
      return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    }
    const res = response as { status: number; statusText: string; headers: Iterable<[string, string]> & { getSetCookie(): string[] }; body: ReadableStream | null };
    const headers: [string, string][] = [];
    for (const [name, value] of res.headers) if (name !== 'set-cookie') headers.push([name, value]);
    for (const cookie of res.headers.getSetCookie()) headers.push(['set-cookie', cookie]);
    const body = res.body;
    if (body !== null) void this.#pump(id, body);
    this.#settleWaitUntil(id, waitUntil);
    return { head: { status: res.status, statusText: res.statusText, headers, body: body !== null } };
  }

  /** The host delivers request body bytes (null: the body ended; error: the client aborted). */
  bodyPush(id: number, chunk: Uint8Array | null, error?: string): void {
    const entry = this.#bodies.get(id);
    if (entry === undefined) return;
    const { controller } = entry;
    const pulled = entry.pulled;
    entry.pulled = undefined;
    try {
      if (error !== undefined) {
        this.#bodies.delete(id);
        controller.error(new TypeErrorCtor(error));
      } else if (chunk === null) {
        this.#bodies.delete(id);
        controller.close();
        // A pending BYOB read is answered with an empty view when the stream closes.
        controller.byobRequest?.respond(0);
      } else if (chunk.byteLength > 0) {
        controller.enqueue(chunk);
      }
    } catch {
      // The stream was cancelled or errored meanwhile: the bytes have nowhere to go.
    }
    pulled?.();
  }

  /** The client accepts more of response `id`. */
  responseDrain(id: number): void {
    const entry = this.#responses.get(id);
    const drained = entry?.drained;
    if (entry) entry.drained = undefined;
    drained?.();
  }

  /** The client went away: cancel the app's response body with `reason`. */
  responseCancel(id: number, reason: string): void {
    const entry = this.#responses.get(id);
    if (entry === undefined) return;
    this.#responses.delete(id);
    ReflectApply(readerCancel, entry.reader, [new TypeErrorCtor(reason)]).catch(() => {});
    entry.drained?.();
  }

  #requestBody(id: number): ReadableStream {
    const host = this.#host;
    const bodies = this.#bodies;
    return new ReadableStream(
      {
        type: 'bytes',
        start(controller: ReadableByteStreamController) {
          bodies.set(id, { controller, pulled: undefined });
        },
        pull() {
          const entry = bodies.get(id);
          if (entry === undefined) return undefined;
          // Resolved by bodyPush: pull() is not called again until these bytes arrived.
          const promise = new PromiseCtor<void>((resolve) => (entry.pulled = resolve));
          host.bodyPull(id);
          return promise;
        },
        cancel(reason: unknown) {
          if (!bodies.delete(id)) return;
          host.bodyCancel(id, reason instanceof Error ? reason.message : String(reason));
        },
      } as never,
      { highWaterMark: REQUEST_BODY_HIGH_WATER_MARK },
    );
  }

  async #pump(id: number, body: ReadableStream): Promise<void> {
    const host = this.#host;
    let reader: ReadableStreamDefaultReader<unknown>;
    try {
      reader = ReflectApply(rsGetReader, body, []) as ReadableStreamDefaultReader<unknown>;
    } catch (error) {
      host.responseError(id, `the response body is not readable: ${inspect(error)}`);
      return;
    }
    const entry = { reader, drained: undefined as (() => void) | undefined };
    this.#responses.set(id, entry);
    try {
      for (;;) {
        const result = (await ReflectApply(readerRead, reader, [])) as { done: boolean; value: unknown };
        if (!this.#responses.has(id)) return; // cancelled by the client meanwhile
        if (result.done) break;
        const chunk = result.value;
        // Fetch: a body chunk that is not a Uint8Array is a TypeError (the response errors).
        if (typeof chunk !== 'object' || chunk === null || Object.getPrototypeOf(chunk) !== U8Proto) {
          throw new TypeErrorCtor(`The response body chunk ${inspect(chunk, 1)} is not a Uint8Array.`);
        }
        if ((chunk as Uint8Array).byteLength === 0) continue;
        if (!host.responseWrite(id, chunk as Uint8Array)) {
          await new PromiseCtor<void>((resolve) => (entry.drained = resolve));
        }
      }
      this.#responses.delete(id);
      host.responseEnd(id);
    } catch (error) {
      if (!this.#responses.delete(id)) return;
      host.log('error', `Uncaught (in response body) ${inspect(error)}`);
      ReflectApply(readerCancel, reader, [error]).catch(() => {});
      host.responseError(id, error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      return;
    }
    try {
      ReflectApply(readerReleaseLock, reader, []);
    } catch {
      // Nothing to release.
    }
  }

  #settleWaitUntil(id: number, promises: Promise<unknown>[]): void {
    const host = this.#host;
    if (promises.length === 0) {
      host.waitUntilSettled(id);
      return;
    }
    let left = promises.length;
    const one = (): void => {
      if (--left === 0) host.waitUntilSettled(id);
    };
    for (const promise of promises) {
      promise.then(one, (error: unknown) => {
        host.log('error', `Uncaught (in waitUntil) ${inspect(error)}`);
        one();
      });
    }
  }
}
