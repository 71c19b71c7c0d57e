// Response: https://fetch.spec.whatwg.org/#response-class
import { defineInterface } from '../../streams/webidl/interface.js';
import { dictionaryObject, domString } from '../../streams/webidl/converters.js';
import { RangeErrorCtor, TypeErrorCtor } from '../../streams/webidl/intrinsics.js';
import type { ReadableStream } from '../../streams/readable-stream/readable-stream.js';
import { utf8Encode } from '../encoding/text-encoder.js';
import { parseURLString } from '../url.js';
import { Headers, copyHeaderList, createHeaders, fillHeaders, headerListOf, newHeaderList, listContains, listGet, listAppend, setGuard, guardOfHeaders, type HeaderList, type HeadersGuard } from './headers.js';
import { bodyIsUsed, bodyStream, bodyUnusable, bytesBody, cloneBody, consumeBody, extractBody, type Body, type ConsumeKind } from './body.js';

type ResponseType = 'basic' | 'cors' | 'default' | 'error' | 'opaque' | 'opaqueredirect';

interface ResponseState {
  type: ResponseType;
  status: number;
  statusText: string;
  urlList: string[];
  redirected: boolean;
  headers: Headers;
  body: Body | null;
  /**
   * Cloudflare Workers' ResponseInit.encodeBody: 'automatic' (the host encodes the body as its
   * Content-Encoding says) or 'manual' (the body's bytes are encoded already). Not in the standard.
   */
  encodeBody: 'automatic' | 'manual';
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** reason-phrase = *( HTAB / SP / VCHAR / obs-text ) */
const REASON_PHRASE = /^[\t\x20-\x7e\x80-\xff]*$/;

let stateOf: (x: unknown) => ResponseState | undefined;

function brand(x: unknown, member: string, kind = 'read'): ResponseState {
  const state = stateOf(x);
  if (state === undefined) {
    throw new TypeErrorCtor(kind === 'read' ? `Failed to read the '${member}' property from 'Response': Illegal invocation` : `Failed to execute '${member}' on 'Response': Illegal invocation`);
  }
  return state;
}

/** https://fetch.spec.whatwg.org/#initialize-a-response */
function initializeResponse(state: ResponseState, init: unknown, body: { body: Body; type: string | null } | null): void {
  const dict = dictionaryObject(init, "Failed to construct 'Response': The provided value");
  // ResponseInit members in IDL order: encodeBody (Workers'), headers, status, statusText.
  const encodeBodyValue = dict === null ? undefined : dict['encodeBody'];
  const headersInit = dict === null ? undefined : dict['headers'];
  const statusValue = dict === null ? undefined : dict['status'];
  const statusTextValue = dict === null ? undefined : dict['statusText'];
  // [EnforceRange] unsigned short status = 200
  let status = 200;
  if (statusValue !== undefined) {
    const n = Number(statusValue);
    if (!Number.isFinite(n) || Math.trunc(n) < 0 || Math.trunc(n) > 65535) {
      throw new TypeErrorCtor("Failed to construct 'Response': Value is outside the 'unsigned short' value range.");
    }
    status = Math.trunc(n);
  }
  let encodeBody: 'automatic' | 'manual' = 'automatic';
  if (encodeBodyValue !== undefined) {
    const value = domString(encodeBodyValue);
    if (value !== 'automatic' && value !== 'manual') {
      throw new TypeErrorCtor(`Failed to construct 'Response': The provided value '${value}' is not a valid enum value of type ResponseEncodeBody ('automatic' or 'manual').`);
    }
    encodeBody = value;
  }
  const statusText = statusTextValue === undefined ? '' : domString(statusTextValue);
  // Steps 1-2.
  if (status < 200 || status > 599) {
    throw new RangeErrorCtor(`Failed to construct 'Response': The status provided (${status}) is outside the range [200, 599].`);
  }
  for (let i = 0; i < statusText.length; i++) {
    if (statusText.charCodeAt(i) > 0xff) throw new TypeErrorCtor("Failed to construct 'Response': Invalid statusText.");
  }
  if (!REASON_PHRASE.test(statusText)) throw new TypeErrorCtor("Failed to construct 'Response': Invalid statusText.");
  // Steps 3-5.
  state.encodeBody = encodeBody;
  state.status = status;
  state.statusText = statusText;
  if (headersInit !== undefined) fillHeaders(state.headers, headersInit);
  // Step 6.
  if (body !== null) {
    if (NULL_BODY_STATUSES.has(status)) {
      throw new TypeErrorCtor(`Failed to construct 'Response': Response with null body status (${status}) cannot have a body.`);
    }
    state.body = body.body;
    const list = headerListOf(state.headers);
    if (body.type !== null && !listContains(list, 'content-type')) listAppend(list, 'Content-Type', body.type);
  }
}

function newState(): ResponseState {
  return { type: 'default', status: 200, statusText: '', urlList: [], redirected: false, headers: createHeaders(newHeaderList(), 'response'), body: null, encodeBody: 'automatic' };
}

export class Response {
  #state: ResponseState;

  // WebIDL: constructor(optional BodyInit? body = null, optional ResponseInit init = {})
  constructor(body: unknown = null, init: unknown = undefined) {
    this.#state = newState();
    const extracted = body === null || body === undefined ? null : extractBody(body);
    initializeResponse(this.#state, init, extracted);
  }

  static error(): Response {
    const response = new Response();
    const state = response.#state;
    state.type = 'error';
    state.status = 0;
    setGuard(state.headers, 'immutable');
    return response;
  }

  static redirect(url: unknown, status: unknown = 302): Response {
    if (arguments.length < 1) throw new TypeErrorCtor("Failed to execute 'redirect' on 'Response': 1 argument required, but only 0 present.");
    const parsed = parseURLString(domString(url));
    if (parsed === null) throw new TypeErrorCtor(`Failed to execute 'redirect' on 'Response': Invalid URL '${domString(url)}'.`);
    const code = Number(status);
    if (!REDIRECT_STATUSES.has(code)) throw new RangeErrorCtor(`Failed to execute 'redirect' on 'Response': Invalid status code ${status}.`);
    const response = new Response();
    const state = response.#state;
    state.status = code;
    listAppend(headerListOf(state.headers), 'Location', parsed);
    setGuard(state.headers, 'immutable');
    return response;
  }

  static json(data: unknown, init: unknown = undefined): Response {
    if (arguments.length < 1) throw new TypeErrorCtor("Failed to execute 'json' on 'Response': 1 argument required, but only 0 present.");
    const text = JSON.stringify(data);
    if (text === undefined) throw new TypeErrorCtor("Failed to execute 'json' on 'Response': The data is not JSON-serializable.");
    const response = new Response();
    initializeResponse(response.#state, init, { body: bytesBody(utf8Encode(text)), type: 'application/json' });
    return response;
  }

  get type(): ResponseType {
    return brand(this, 'type').type;
  }

  get url(): string {
    const list = brand(this, 'url').urlList;
    const last = list.length === 0 ? '' : list[list.length - 1]!;
    // The URL serializer with exclude fragment set.
    const hash = last.indexOf('#');
    return hash === -1 ? last : last.slice(0, hash);
  }

  get redirected(): boolean {
    return brand(this, 'redirected').redirected;
  }

  get status(): number {
    return brand(this, 'status').status;
  }

  get ok(): boolean {
    const status = brand(this, 'ok').status;
    return status >= 200 && status <= 299;
  }

  get statusText(): string {
    return brand(this, 'statusText').statusText;
  }

  get headers(): Headers {
    return brand(this, 'headers').headers;
  }

  get body(): ReadableStream | null {
    const state = brand(this, 'body');
    return state.body === null ? null : bodyStream(state.body);
  }

  get bodyUsed(): boolean {
    return bodyIsUsed(brand(this, 'bodyUsed').body);
  }

  clone(): Response {
    const state = brand(this, 'clone', 'execute');
    if (bodyUnusable(state.body)) throw new TypeErrorCtor("Failed to execute 'clone' on 'Response': Response body is already used.");
    return copyResponse(state, guardOfHeaders(state.headers), state.body === null ? null : cloneBody(state.body));
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return consume(this, 'arrayBuffer') as Promise<ArrayBuffer>;
  }

  blob(): Promise<Blob> {
    return consume(this, 'blob') as Promise<Blob>;
  }

  bytes(): Promise<Uint8Array> {
    return consume(this, 'bytes') as Promise<Uint8Array>;
  }

  formData(): Promise<FormData> {
    return consume(this, 'formData') as Promise<FormData>;
  }

  json(): Promise<unknown> {
    return consume(this, 'json');
  }

  text(): Promise<string> {
    return consume(this, 'text') as Promise<string>;
  }

  static {
    stateOf = (x) => (typeof x === 'object' && x !== null && #state in x ? (x as Response).#state : undefined);
  }
}

function consume(self: unknown, kind: ConsumeKind): Promise<unknown> {
  const state = stateOf(self);
  if (state === undefined) return Promise.reject(new TypeErrorCtor(`Failed to execute '${kind}' on 'Response': Illegal invocation`));
  return consumeBody(state.body, kind, () => listGet(headerListOf(state.headers), 'content-type') ?? '');
}

defineInterface(Response, 'Response');

// For the runtime and fetch().

export function isResponse(x: unknown): x is Response {
  return stateOf(x) !== undefined;
}

/** Sets what a fetch() response carries beyond its constructor's arguments (and its headers are immutable). */
export function setResponseURL(response: unknown, url: string, redirected: boolean): void {
  const state = stateOf(response);
  if (state === undefined) return;
  state.urlList = [url];
  state.redirected = redirected;
  state.type = 'basic';
  setGuard(state.headers, 'immutable');
}

export function responseBody(response: Response): Body | null {
  return stateOf(response)!.body;
}

export function responseHeaderList(response: Response): HeaderList {
  return headerListOf(stateOf(response)!.headers);
}

/** Replaces the response's body (fetch's integrity check hands over the bytes it read). */
export function setResponseBody(response: Response, body: Body | null): void {
  stateOf(response)!.body = body;
}

/** A new Response object over a copy of `state`: its own URL list and headers (with `guard`), and `body`. */
function copyResponse(state: ResponseState, guard: HeadersGuard, body: Body | null): Response {
  const copy = new Response();
  const target = stateOf(copy)!;
  target.type = state.type;
  target.status = state.status;
  target.statusText = state.statusText;
  target.urlList = [...state.urlList];
  target.redirected = state.redirected;
  target.encodeBody = state.encodeBody;
  target.headers = createHeaders(copyHeaderList(headerListOf(state.headers)), guard);
  target.body = body;
  return copy;
}

/** The Cache API's stored and returned responses: a copy whose body is `body`, its headers immutable. */
export function copyResponseObject(response: Response, body: Body | null): Response {
  return copyResponse(stateOf(response)!, 'immutable', body);
}

/** The Response was made with `encodeBody: 'manual'` (Workers'): its body's bytes are encoded already. */
export function responseEncodedManually(response: Response): boolean {
  return stateOf(response)!.encodeBody === 'manual';
}

export function responseStatus(response: Response): number {
  return stateOf(response)!.status;
}

export function responseType(response: Response): ResponseType {
  return stateOf(response)!.type;
}
