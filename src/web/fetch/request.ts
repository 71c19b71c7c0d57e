// Request: https://fetch.spec.whatwg.org/#request-class
import { defineInterface } from '../../streams/webidl/interface.js';
import { dictionaryObject, domString, toBoolean } from '../../streams/webidl/converters.js';
import { TypeErrorCtor } from '../../streams/webidl/intrinsics.js';
import { ReadableStream } from '../../streams/readable-stream/readable-stream.js';
import { TransformStream } from '../../streams/transform-stream/transform-stream.js';

const rsPipeThrough = ReadableStream.prototype.pipeThrough;
import { AbortSignal, createAbortSignal, createDependentAbortSignal, isAbortSignal } from '../abort.js';
import { parseURLString, withoutFragment } from '../url.js';
import { resolveBlobURL } from '../blob-url-store.js';
import type { Blob } from '../blob.js';
import { Headers, appendHeaderChecked, copyHeaderList, createHeaders, fillHeaders, headerListOf, listAppend, newHeaderList, listContains, listGet, normalizeHeaderValue, type HeaderList } from './headers.js';
import { bodyIsUsed, bodyStream, bodyUnusable, cloneBody, consumeBody, disturbBody, extractBody, type Body, type ConsumeKind } from './body.js';
import { HTTP_TOKEN } from '../mime-type.js';

interface RequestState {
  method: string;
  url: string;
  headers: Headers;
  body: Body | null;
  signal: AbortSignal;
  referrer: string;
  referrerPolicy: string;
  mode: string;
  credentials: string;
  cache: string;
  redirect: string;
  integrity: string;
  keepalive: boolean;
  /** The URL's blob URL entry, resolved when the URL was parsed (a later revoke does not take it away). */
  blobURLEntry: Blob | null;
}

const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);
const NORMALIZED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);
const ENUMS: Record<string, readonly string[]> = {
  referrerPolicy: ['', 'no-referrer', 'no-referrer-when-downgrade', 'same-origin', 'origin', 'strict-origin', 'origin-when-cross-origin', 'strict-origin-when-cross-origin', 'unsafe-url'],
  mode: ['navigate', 'same-origin', 'no-cors', 'cors'],
  credentials: ['omit', 'same-origin', 'include'],
  cache: ['default', 'no-store', 'reload', 'no-cache', 'force-cache', 'only-if-cached'],
  redirect: ['follow', 'error', 'manual'],
  duplex: ['half'],
  priority: ['high', 'low', 'auto'],
};
/** RequestInit members, in IDL order (read in this order). */
const INIT_MEMBERS = ['body', 'cache', 'credentials', 'duplex', 'headers', 'integrity', 'keepalive', 'method', 'mode', 'priority', 'redirect', 'referrer', 'referrerPolicy', 'signal', 'window'] as const;

let stateOf: (x: unknown) => RequestState | undefined;
const CONTEXT = "Failed to construct 'Request':";

/** Steps 5-7's URL: parsed, and refused when it carries credentials. */
function parseRequestURL(text: string): string {
  const parsed = parseURLString(text);
  if (parsed === null) throw new TypeErrorCtor(`${CONTEXT} Invalid URL: '${text}'.`);
  if (parsed.includes('@') && /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(parsed)) throw new TypeErrorCtor(`${CONTEXT} Request cannot be constructed from a URL that includes credentials: '${text}'.`);
  return parsed;
}

/** Step 25: a method that is a token, not forbidden, and normalized. */
function normalizeRequestMethod(method: string): string {
  // Already normalized (most requests): a token, not forbidden, its own normalization.
  if (NORMALIZED_METHODS.has(method)) return method;
  if (!HTTP_TOKEN.test(method)) throw new TypeErrorCtor(`${CONTEXT} '${method}' is not a valid HTTP method.`);
  const upper = method.toUpperCase();
  if (FORBIDDEN_METHODS.has(upper)) throw new TypeErrorCtor(`${CONTEXT} '${method}' HTTP method is unsupported.`);
  return NORMALIZED_METHODS.has(upper) ? upper : method;
}

/** The state of a request made from a URL alone (steps 5-7, before init applies); a new signal unless one is given. */
function defaultRequestState(url: string, signal: AbortSignal = createAbortSignal()): RequestState {
  return {
    method: 'GET', url, headers: createHeaders(newHeaderList(), 'request'), body: null, signal,
    referrer: 'client', referrerPolicy: '', mode: 'cors', credentials: 'same-origin', cache: 'default', redirect: 'follow', integrity: '', keepalive: false,
    // The URL parser resolves a blob: URL's entry (https://url.spec.whatwg.org/#concept-url-parser step 3).
    blobURLEntry: url.startsWith('blob:') ? resolveBlobURL(withoutFragment(url)) : null,
  };
}

/** What the next `new Request(WITH_STATE)` takes as its state (see requestWithState). */
const WITH_STATE = {};
let pendingState: RequestState | undefined;

/** A Request object over `state`, for the algorithms that make one without the constructor's steps. */
function requestWithState(state: RequestState): Request {
  pendingState = state;
  return new Request(WITH_STATE);
}

function enumValue(member: string, value: unknown): string {
  const s = domString(value);
  if (!ENUMS[member]!.includes(s)) throw new TypeErrorCtor(`${CONTEXT} The provided value '${s}' is not a valid enum value of type Request${member[0]!.toUpperCase()}${member.slice(1)}.`);
  return s;
}

export class Request {
  #state: RequestState;

  // WebIDL: constructor(RequestInfo input, optional RequestInit init = {})
  constructor(input: unknown, init: unknown = undefined) {
    // No script can reach WITH_STATE: only requestWithState makes this call.
    if (input === WITH_STATE) {
      this.#state = pendingState!;
      pendingState = undefined;
      return;
    }
    if (arguments.length < 1) throw new TypeErrorCtor(`${CONTEXT} 1 argument required, but only 0 present.`);
    const dict = dictionaryObject(init, `${CONTEXT} The provided value`);
    // Convert the members first, in IDL order (as WebIDL does before the algorithm runs).
    const given: Partial<Record<(typeof INIT_MEMBERS)[number], unknown>> = {};
    if (dict !== null) {
      for (const member of INIT_MEMBERS) {
        const value = dict[member];
        if (value !== undefined) given[member] = value;
      }
    }
    const inputState = stateOf(input);
    let state: RequestState;
    let inputSignal: AbortSignal | null = null;
    // Steps 5-7.
    if (inputState === undefined) {
      state = defaultRequestState(parseRequestURL(domString(input)));
    } else {
      state = { ...inputState, headers: inputState.headers };
      inputSignal = inputState.signal;
    }
    const initGiven = Object.keys(given).length > 0;
    // Step 12: a non-empty init resets what the input request carried over.
    if (initGiven) {
      if (state.mode === 'navigate') state.mode = 'same-origin';
      state.referrer = 'client';
      state.referrerPolicy = '';
    }
    if (given.window !== undefined && given.window !== null) throw new TypeErrorCtor(`${CONTEXT} 'window' must be null.`);
    if (given.referrer !== undefined) {
      const referrer = domString(given.referrer);
      if (referrer === '') state.referrer = 'no-referrer';
      else {
        const parsed = parseURLString(referrer);
        if (parsed === null) throw new TypeErrorCtor(`${CONTEXT} Invalid referrer URL: '${referrer}'.`);
        state.referrer = parsed;
      }
    }
    if (given.referrerPolicy !== undefined) state.referrerPolicy = enumValue('referrerPolicy', given.referrerPolicy);
    if (given.mode !== undefined) {
      const mode = enumValue('mode', given.mode);
      if (mode === 'navigate') throw new TypeErrorCtor(`${CONTEXT} Cannot construct a Request with a RequestInit whose mode member is set as 'navigate'.`);
      state.mode = mode;
    }
    if (given.credentials !== undefined) state.credentials = enumValue('credentials', given.credentials);
    if (given.cache !== undefined) state.cache = enumValue('cache', given.cache);
    if (state.cache === 'only-if-cached' && state.mode !== 'same-origin') {
      throw new TypeErrorCtor(`${CONTEXT} 'only-if-cached' can be set only with 'same-origin' mode.`);
    }
    if (given.redirect !== undefined) state.redirect = enumValue('redirect', given.redirect);
    if (given.integrity !== undefined) state.integrity = domString(given.integrity);
    if (given.keepalive !== undefined) state.keepalive = toBoolean(given.keepalive);
    if (given.priority !== undefined) enumValue('priority', given.priority);
    if (given.duplex !== undefined) enumValue('duplex', given.duplex);
    // Step 25. The method.
    if (given.method !== undefined) state.method = normalizeRequestMethod(domString(given.method));
    // Steps 26-29. The signal follows init's signal, else the input request's.
    let signal = inputSignal;
    if (given.signal !== undefined) {
      if (given.signal !== null && !isAbortSignal(given.signal)) throw new TypeErrorCtor(`${CONTEXT} Failed to read the 'signal' property from 'RequestInit': The provided value is not of type 'AbortSignal'.`);
      signal = given.signal as AbortSignal | null;
    }
    // Step 27. no-cors allows only the CORS-safelisted methods.
    if (state.mode === 'no-cors' && state.method !== 'GET' && state.method !== 'HEAD' && state.method !== 'POST') {
      throw new TypeErrorCtor(`${CONTEXT} '${state.method}' is unsupported in no-cors mode.`);
    }
    state.signal = signal === null ? createAbortSignal() : createDependentAbortSignal([signal]);
    // Steps 30-32. Headers: a copy of the input's, or init's.
    const list: HeaderList = copyHeaderList(headerListOf(state.headers));
    state.headers = createHeaders(initGiven && given.headers !== undefined ? newHeaderList() : list, 'request');
    if (given.headers !== undefined) {
      const source = given.headers;
      if (source instanceof Headers) {
        // Its pairs as they are, by index (not through an array the app's iterator would walk).
        const pairs = headerListOf(source);
        for (let i = 0; i < pairs.length; i++) appendHeaderChecked(state.headers, pairs[i]![0], pairs[i]![1], 'constructor');
      } else {
        fillHeaders(state.headers, source);
      }
    }
    // Steps 33-34.
    const inputBody = inputState === undefined ? null : inputState.body;
    const initBodyGiven = given.body !== undefined && given.body !== null;
    if ((initBodyGiven || inputBody !== null) && (state.method === 'GET' || state.method === 'HEAD')) {
      throw new TypeErrorCtor(`${CONTEXT} Request with GET/HEAD method cannot have body.`);
    }
    // Steps 35-36.
    let initBody: Body | null = null;
    if (initBodyGiven) {
      const extracted = extractBody(given.body);
      initBody = extracted.body;
      const headerList = headerListOf(state.headers);
      if (extracted.type !== null && !listContains(headerList, 'content-type')) listAppend(headerList, 'Content-Type', extracted.type);
    }
    const inputOrInitBody = initBody ?? inputBody;
    // Step 37. A stream body needs duplex: 'half'.
    if (inputOrInitBody !== null && inputOrInitBody.source === null && inputOrInitBody.stream !== null && !inputOrInitBody.used) {
      if (initBody !== null && given.duplex === undefined) {
        throw new TypeErrorCtor(`${CONTEXT} The duplex member must be specified for a request with a streaming body.`);
      }
    }
    // Steps 38-40. Taking the input's body leaves the input used.
    let finalBody = inputOrInitBody;
    if (initBody === null && inputBody !== null) {
      if (bodyUnusable(inputBody)) throw new TypeErrorCtor(`${CONTEXT} Cannot construct a Request with a Request object that has already been used.`);
      if (inputBody.stream !== null) {
        // "Create a proxy": the input's stream piped through an identity transform (it stays
        // the input's body, now locked and disturbed).
        const proxy = new TransformStream();
        finalBody = { stream: rsPipeThrough.call(inputBody.stream, proxy) as ReadableStream, source: null, length: inputBody.length, used: false };
      } else {
        // No stream made yet: the bytes move; the input reads as used (its stream, if asked
        // for, is the locked, disturbed, closed one reading would have left).
        finalBody = { stream: null, source: inputBody.source, length: inputBody.length, used: false };
        inputBody.source = null;
        inputBody.used = true;
      }
    }
    // An input request whose body is replaced by init's is left disturbed too.
    if (initBody !== null && inputBody !== null && !bodyUnusable(inputBody)) disturbBody(inputBody);
    state.body = finalBody;
    this.#state = state;
  }

  get method(): string {
    return brand(this, 'method').method;
  }

  get url(): string {
    return brand(this, 'url').url;
  }

  get headers(): Headers {
    return brand(this, 'headers').headers;
  }

  get destination(): string {
    brand(this, 'destination');
    return '';
  }

  get referrer(): string {
    const referrer = brand(this, 'referrer').referrer;
    return referrer === 'no-referrer' ? '' : referrer === 'client' ? 'about:client' : referrer;
  }

  get referrerPolicy(): string {
    return brand(this, 'referrerPolicy').referrerPolicy;
  }

  get mode(): string {
    return brand(this, 'mode').mode;
  }

  get credentials(): string {
    return brand(this, 'credentials').credentials;
  }

  get cache(): string {
    return brand(this, 'cache').cache;
  }

  get redirect(): string {
    return brand(this, 'redirect').redirect;
  }

  get integrity(): string {
    return brand(this, 'integrity').integrity;
  }

  get keepalive(): boolean {
    return brand(this, 'keepalive').keepalive;
  }

  get isReloadNavigation(): boolean {
    brand(this, 'isReloadNavigation');
    return false;
  }

  get isHistoryNavigation(): boolean {
    brand(this, 'isHistoryNavigation');
    return false;
  }

  get signal(): AbortSignal {
    return brand(this, 'signal').signal;
  }

  get duplex(): string {
    brand(this, 'duplex');
    return 'half';
  }

  get body(): ReadableStream | null {
    const state = brand(this, 'body');
    return state.body === null ? null : bodyStream(state.body);
  }

  get bodyUsed(): boolean {
    return bodyIsUsed(brand(this, 'bodyUsed').body);
  }

  clone(): Request {
    const state = stateOf(this);
    if (state === undefined) throw new TypeErrorCtor("Failed to execute 'clone' on 'Request': Illegal invocation");
    if (bodyUnusable(state.body)) throw new TypeErrorCtor("Failed to execute 'clone' on 'Request': Request body is already used.");
    return requestWithState({
      ...state,
      headers: createHeaders(copyHeaderList(headerListOf(state.headers)), 'request'),
      body: state.body === null ? null : cloneBody(state.body),
      signal: createDependentAbortSignal([state.signal]),
    });
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
    stateOf = (x) => (typeof x === 'object' && x !== null && #state in x ? (x as Request).#state : undefined);
  }
}

/**
 * The Request an app is handed for a request the host received: the object
 * `new Request(url, { method, headers, body, duplex: 'half' })` makes, built without converting a
 * RequestInit (15 member reads and a generic iteration of the header pairs per request). The
 * values are host strings: the URL as the host serialized it, header names and values as the HTTP
 * parser decoded them (latin1, so every one is a ByteString); they get the same checks as there.
 * `signal`: the request's own, which the server aborts when the client disconnects.
 */
export function createIncomingRequest(url: string, method: string, rawHeaders: readonly string[], body: ReadableStream | null, signal?: AbortSignal): Request {
  // In the constructor's order: the URL, the method, the headers, the body.
  const state = defaultRequestState(parseRequestURL(url), signal);
  state.method = normalizeRequestMethod(method);
  const cookie = joinedCookieLines(rawHeaders);
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (cookie !== undefined && isCookie(name)) {
      // All the lines as one, where the first was.
      if (cookie.first === i) appendHeaderChecked(state.headers, name, cookie.value, 'constructor');
      continue;
    }
    appendHeaderChecked(state.headers, name, rawHeaders[i + 1]!, 'constructor');
  }
  if (body !== null && (state.method === 'GET' || state.method === 'HEAD')) {
    throw new TypeErrorCtor(`${CONTEXT} Request with GET/HEAD method cannot have body.`);
  }
  if (body !== null) state.body = extractBody(body).body;
  return requestWithState(state);
}

function isCookie(name: string): boolean {
  return name.length === 6 && name.toLowerCase() === 'cookie';
}

/**
 * A request with more than one Cookie line (an HTTP/2 hop converted to HTTP/1.1, or a client that
 * splits them): one cookie-string, the lines joined with "; " (RFC 9113 8.2.3; node:http joins
 * them so), where Headers would join them with ", " and a cookie parser would read the next
 * cookie as part of the previous one's value. Undefined for one line or none (the usual case).
 */
function joinedCookieLines(rawHeaders: readonly string[]): { first: number; value: string } | undefined {
  let first = -1;
  let value = '';
  let lines = 0;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (!isCookie(rawHeaders[i]!)) continue;
    const line = normalizeHeaderValue(rawHeaders[i + 1]!);
    if (lines++ === 0) {
      first = i;
      value = line;
    } else {
      value = `${value}; ${line}`;
    }
  }
  return lines > 1 ? { first, value } : undefined;
}

function brand(x: unknown, member: string): RequestState {
  const state = stateOf(x);
  if (state === undefined) throw new TypeErrorCtor(`Failed to read the '${member}' property from 'Request': Illegal invocation`);
  return state;
}

function consume(self: unknown, kind: ConsumeKind): Promise<unknown> {
  const state = stateOf(self);
  if (state === undefined) return Promise.reject(new TypeErrorCtor(`Failed to execute '${kind}' on 'Request': Illegal invocation`));
  return consumeBody(state.body, kind, () => listGet(headerListOf(state.headers), 'content-type') ?? '');
}

defineInterface(Request, 'Request');

export function isRequest(x: unknown): x is Request {
  return stateOf(x) !== undefined;
}

export function requestBody(request: Request): Body | null {
  return stateOf(request)!.body;
}

/** What fetch() reads of its Request: the request itself, never its getters (a script may redefine them). */
export interface FetchRequestParams {
  method: string;
  url: string;
  headerList: HeaderList;
  redirect: string;
  integrity: string;
  signal: AbortSignal;
  /** The body itself: its bytes when its source is known (fetch sends them whole), else its stream. */
  body: Body | null;
  blobURLEntry: Blob | null;
}

export function fetchRequestParams(request: Request): FetchRequestParams {
  const state = stateOf(request)!;
  return {
    method: state.method,
    url: state.url,
    headerList: headerListOf(state.headers),
    redirect: state.redirect,
    integrity: state.integrity,
    signal: state.signal,
    body: state.body,
    blobURLEntry: state.blobURLEntry,
  };
}

/**
 * A new Request object over a copy of `request`'s request, with no body, its own headers (guard
 * "request") and a signal of its own (or `signal`): the Cache API's stored and returned requests.
 */
export function copyRequestObject(request: Request, signal: AbortSignal = createAbortSignal()): Request {
  const state = stateOf(request)!;
  return requestWithState({
    ...state,
    headers: createHeaders(copyHeaderList(headerListOf(state.headers)), 'request'),
    body: null,
    signal,
  });
}

/** The request's method, URL and header list (the Cache API's matching reads them). */
export function requestMatchParts(request: Request): { method: string; url: string; headerList: HeaderList } {
  const state = stateOf(request)!;
  return { method: state.method, url: state.url, headerList: headerListOf(state.headers) };
}
