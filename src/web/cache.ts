// The Cache interface of the Service Workers standard (https://w3c.github.io/ServiceWorker/#cache-interface),
// as Workers and Deno give it to servers: a request response list per cache, in the realm's
// memory (bounded by the isolate's heap limit). Stored responses keep their body as bytes, so
// each match() hands out a fresh copy.
import { defineInterface } from '../streams/webidl/interface.js';
import { dictionaryObject, domString, toBoolean } from '../streams/webidl/converters.js';
import { TypeErrorCtor } from '../streams/webidl/intrinsics.js';
import { createDOMException } from './dom-exception.js';
import { createAbortSignal, createDependentAbortSignal, SignalAbort, type AbortSignal } from './abort.js';
import { bodyUnusable, bytesBody, cloneBody, consumeBytes } from './fetch/body.js';
import { listGet, type HeaderList } from './fetch/headers.js';
import { Request, copyRequestObject, fetchRequestParams, isRequest, requestMatchParts } from './fetch/request.js';
import { Response, copyResponseObject, isResponse, responseBody, responseHeaderList, responseStatus, responseType } from './fetch/response.js';
import { withoutFragment } from './url.js';
import { followsHttpCaching, removeStale, setExpiry, storeUntil } from './http-caching.js';

interface CacheQueryOptions {
  ignoreSearch: boolean;
  ignoreMethod: boolean;
  ignoreVary: boolean;
}

/** A request response list entry: a copy of each, the response's body as bytes. */
type RequestResponse = [request: Request, response: Response];
export type RequestResponseList = RequestResponse[];

type CacheOperation = { type: 'put'; request: Request; response: Response; options: null } | { type: 'delete'; request: Request; response: null; options: CacheQueryOptions };

/** The fetch that add() and addAll() use (the runtime's own; none in a realm without a network). */
let cacheFetch: ((request: Request) => Promise<Response>) | undefined;

export function setCacheFetch(fetch: (request: Request) => Promise<Response>): void {
  cacheFetch = fetch;
}

const DEFAULT_OPTIONS: CacheQueryOptions = { ignoreSearch: false, ignoreMethod: false, ignoreVary: false };

/** CacheQueryOptions, converted as WebIDL does (members in order: ignoreMethod, ignoreSearch, ignoreVary). */
export function cacheQueryOptions(value: unknown, context: string): CacheQueryOptions {
  const dict = dictionaryObject(value, context);
  if (dict === null) return DEFAULT_OPTIONS;
  const ignoreMethod = toBoolean(dict['ignoreMethod']);
  const ignoreSearch = toBoolean(dict['ignoreSearch']);
  const ignoreVary = toBoolean(dict['ignoreVary']);
  return { ignoreSearch, ignoreMethod, ignoreVary };
}

/** WebIDL's conversion of a RequestInfo argument: a Request, or a USVString. */
function requestInfo(value: unknown): Request | string {
  return isRequest(value) ? value : domString(value);
}

/** The algorithms' step: a Request object's request, or a new Request of the string (which may throw). */
function toRequest(info: Request | string): Request {
  return typeof info === 'string' ? new Request(info) : info;
}

/** Fetch's "getting, decoding, and splitting" of a header into field values (names here: no quotes). */
function splitHeader(list: HeaderList, name: string): string[] {
  const value = listGet(list, name);
  if (value === null) return [];
  return value.split(',').map((part) => part.replace(/^[\t ]+|[\t ]+$/g, ''));
}

function isHttpScheme(url: string): boolean {
  return url.startsWith('http:') || url.startsWith('https:');
}

/** A URL with its query (and fragment) removed, for ignoreSearch. */
function withoutSearch(url: string): string {
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

/** https://w3c.github.io/ServiceWorker/#request-matches-cached-item-algorithm */
function requestMatchesCachedItem(requestQuery: Request, request: Request, response: Response | null, options: CacheQueryOptions): boolean {
  const query = requestMatchParts(requestQuery);
  const cached = requestMatchParts(request);
  // Step 1. Only GET is cached, unless the query ignores the method.
  if (!options.ignoreMethod && cached.method !== 'GET') return false;
  // Steps 2-4. The URLs, without fragments (and without queries under ignoreSearch).
  let queryURL = withoutFragment(query.url);
  let cachedURL = withoutFragment(cached.url);
  if (options.ignoreSearch) {
    queryURL = withoutSearch(queryURL);
    cachedURL = withoutSearch(cachedURL);
  }
  if (queryURL !== cachedURL) return false;
  // Steps 5-7. Vary: each named header must have the same value in both requests; `*` never matches.
  if (response === null || options.ignoreVary) return true;
  for (const fieldValue of splitHeader(responseHeaderList(response), 'vary')) {
    if (fieldValue === '*' || listGet(cached.headerList, fieldValue) !== listGet(query.headerList, fieldValue)) return false;
  }
  return true;
}

/** https://w3c.github.io/ServiceWorker/#query-cache */
function queryCache(requestQuery: Request, options: CacheQueryOptions, storage: RequestResponseList): RequestResponseList {
  const resultList: RequestResponseList = [];
  // The entries themselves (not copies): Batch Cache Operations removes them by identity.
  for (const entry of storage) {
    if (requestMatchesCachedItem(requestQuery, entry[0], entry[1], options)) resultList.push(entry);
  }
  return resultList;
}

/** https://w3c.github.io/ServiceWorker/#batch-cache-operations */
function batchCacheOperations(cache: RequestResponseList, operations: readonly CacheOperation[]): RequestResponseList {
  const backupCache = [...cache];
  const addedItems: RequestResponseList = [];
  try {
    const resultList: RequestResponseList = [];
    for (const operation of operations) {
      // Step 4.2.3: two operations of one batch must not touch the same entry.
      if (queryCache(operation.request, operation.options ?? DEFAULT_OPTIONS, addedItems).length > 0) {
        throw createDOMException('The batch touches one entry twice.', 'InvalidStateError');
      }
      let requestResponses: RequestResponseList = [];
      if (operation.type === 'delete') {
        requestResponses = queryCache(operation.request, operation.options, cache);
        for (const item of requestResponses) cache.splice(cache.indexOf(item), 1);
      } else {
        const { url, method } = requestMatchParts(operation.request);
        if (!isHttpScheme(url)) throw new TypeErrorCtor("Failed to execute 'put' on 'Cache': Request scheme must be http or https.");
        if (method !== 'GET') throw new TypeErrorCtor("Failed to execute 'put' on 'Cache': Request method must be GET.");
        // caches.default stores a response only as its caching headers allow (http-caching.ts).
        let until: number | undefined;
        if (followsHttpCaching(cache)) {
          until = storeUntil(responseHeaderList(operation.response), responseStatus(operation.response));
          if (until === undefined) continue;
          setExpiry(operation.response, until);
        }
        requestResponses = queryCache(operation.request, DEFAULT_OPTIONS, cache);
        for (const item of requestResponses) cache.splice(cache.indexOf(item), 1);
        cache.push([operation.request, operation.response]);
        addedItems.push([operation.request, operation.response]);
      }
      resultList.push(...requestResponses);
    }
    return resultList;
  } catch (error) {
    cache.length = 0;
    cache.push(...backupCache);
    throw error;
  }
}

/** A response as a Cache stores it: every byte of its body read (the original's body is used). */
function readResponse(response: Response): Promise<Response> {
  return new Promise((resolve, reject) => {
    const body = responseBody(response);
    if (body === null) return resolve(copyResponseObject(response, null));
    consumeBytes(body, (bytes) => resolve(copyResponseObject(response, bytesBody(bytes))), reject);
  });
}

/** A stored response handed out: a new Response object, its body a copy of the stored bytes. */
function handOut(response: Response): Response {
  const body = responseBody(response);
  return copyResponseObject(response, body === null ? null : cloneBody(body));
}

/** Vary: `*` can never match, so such a response cannot be stored. */
function varyStar(response: Response): boolean {
  return splitHeader(responseHeaderList(response), 'vary').includes('*');
}

const ObjectFreeze = Object.freeze;
/** The list the next Cache takes (createCache's; the interface has no constructor). */
let pendingList: RequestResponseList | undefined;
let listOf: (x: unknown) => RequestResponseList | undefined;

function brand(x: unknown, op: string): RequestResponseList {
  const list = listOf(x);
  if (list === undefined) throw new TypeErrorCtor(`Failed to execute '${op}' on 'Cache': Illegal invocation`);
  // caches.default: what is no longer fresh is gone before any operation looks.
  if (followsHttpCaching(list)) removeStale(list);
  return list;
}

/** A promise-returning operation: whatever its steps throw becomes a rejection (WebIDL). */
export function promiseOperation<T>(steps: () => Promise<T> | T): Promise<T> {
  try {
    return Promise.resolve(steps());
  } catch (error) {
    return Promise.reject(error);
  }
}

export class Cache {
  #list: RequestResponseList;

  constructor() {
    const list = pendingList;
    if (list === undefined) throw new TypeErrorCtor('Illegal constructor');
    pendingList = undefined;
    this.#list = list;
  }

  match(request: unknown, options: unknown = undefined): Promise<Response | undefined> {
    return promiseOperation(() => {
      const list = brand(this, 'match');
      if (arguments.length < 1) throw new TypeErrorCtor("Failed to execute 'match' on 'Cache': 1 argument required, but only 0 present.");
      const info = requestInfo(request);
      return matchAll(list, info, cacheQueryOptions(options, "Failed to execute 'match' on 'Cache': parameter 2")).then((responses) => responses[0]);
    });
  }

  matchAll(request: unknown = undefined, options: unknown = undefined): Promise<readonly Response[]> {
    return promiseOperation(() => {
      const list = brand(this, 'matchAll');
      const info = request === undefined ? undefined : requestInfo(request);
      return matchAll(list, info, cacheQueryOptions(options, "Failed to execute 'matchAll' on 'Cache': parameter 2"));
    });
  }

  add(request: unknown): Promise<undefined> {
    return promiseOperation(() => {
      const list = brand(this, 'add');
      if (arguments.length < 1) throw new TypeErrorCtor("Failed to execute 'add' on 'Cache': 1 argument required, but only 0 present.");
      return addAll(list, [toRequest(requestInfo(request))], 'add');
    });
  }

  addAll(requests: unknown): Promise<undefined> {
    return promiseOperation(() => {
      const list = brand(this, 'addAll');
      if (arguments.length < 1) throw new TypeErrorCtor("Failed to execute 'addAll' on 'Cache': 1 argument required, but only 0 present.");
      if (typeof requests !== 'object' || requests === null || typeof (requests as Iterable<unknown>)[Symbol.iterator] !== 'function') {
        throw new TypeErrorCtor("Failed to execute 'addAll' on 'Cache': The provided value cannot be converted to a sequence.");
      }
      // sequence<RequestInfo>: each converted as it is iterated.
      const converted: (Request | string)[] = [];
      for (const item of requests as Iterable<unknown>) converted.push(requestInfo(item));
      return addAll(list, converted.map(toRequest), 'addAll');
    });
  }

  put(request: unknown, response: unknown): Promise<undefined> {
    return promiseOperation(() => {
      const list = brand(this, 'put');
      if (arguments.length < 2) throw new TypeErrorCtor(`Failed to execute 'put' on 'Cache': 2 arguments required, but only ${arguments.length} present.`);
      const info = requestInfo(request);
      if (!isResponse(response)) throw new TypeErrorCtor("Failed to execute 'put' on 'Cache': parameter 2 is not of type 'Response'.");
      const innerRequest = toRequest(info);
      // Steps 3-7.
      const { url, method } = requestMatchParts(innerRequest);
      if (!isHttpScheme(url)) throw new TypeErrorCtor("Failed to execute 'put' on 'Cache': Request scheme must be http or https.");
      if (method !== 'GET') throw new TypeErrorCtor("Failed to execute 'put' on 'Cache': Request method must be GET.");
      if (responseStatus(response) === 206) throw new TypeErrorCtor("Failed to execute 'put' on 'Cache': Partial response (status code 206) is unsupported.");
      if (varyStar(response)) throw new TypeErrorCtor("Failed to execute 'put' on 'Cache': Vary header contains *.");
      if (bodyUnusable(responseBody(response))) throw new TypeErrorCtor("Failed to execute 'put' on 'Cache': Response body is already used.");
      const storedRequest = copyRequestObject(innerRequest);
      // Steps 10-13: read the whole body, then store.
      return readResponse(response).then((stored) => {
        batchCacheOperations(list, [{ type: 'put', request: storedRequest, response: stored, options: null }]);
        return undefined;
      });
    });
  }

  delete(request: unknown, options: unknown = undefined): Promise<boolean> {
    return promiseOperation(() => {
      const list = brand(this, 'delete');
      if (arguments.length < 1) throw new TypeErrorCtor("Failed to execute 'delete' on 'Cache': 1 argument required, but only 0 present.");
      const info = requestInfo(request);
      const queryOptions = cacheQueryOptions(options, "Failed to execute 'delete' on 'Cache': parameter 2");
      if (typeof info !== 'string' && requestMatchParts(info).method !== 'GET' && !queryOptions.ignoreMethod) return false;
      const r = toRequest(info);
      return batchCacheOperations(list, [{ type: 'delete', request: r, response: null, options: queryOptions }]).length > 0;
    });
  }

  keys(request: unknown = undefined, options: unknown = undefined): Promise<readonly Request[]> {
    return promiseOperation(() => {
      const list = brand(this, 'keys');
      const info = request === undefined ? undefined : requestInfo(request);
      const queryOptions = cacheQueryOptions(options, "Failed to execute 'keys' on 'Cache': parameter 2");
      let entries: RequestResponseList = list;
      if (info !== undefined) {
        if (typeof info !== 'string' && requestMatchParts(info).method !== 'GET' && !queryOptions.ignoreMethod) return ObjectFreeze([]);
        entries = queryCache(toRequest(info), queryOptions, list);
      }
      return ObjectFreeze(entries.map(([cachedRequest]) => copyRequestObject(cachedRequest)));
    });
  }

  static {
    listOf = (x) => (typeof x === 'object' && x !== null && #list in x ? (x as Cache).#list : undefined);
  }
}

defineInterface(Cache, 'Cache');

/** A Cache object over `list` (CacheStorage's open() makes a new one each time). */
export function createCache(list: RequestResponseList): Cache {
  pendingList = list;
  return new Cache();
}

/** matchAll()'s steps: copies of the matching responses, as a frozen array. */
export function matchAll(list: RequestResponseList, info: Request | string | undefined, options: CacheQueryOptions): Promise<readonly Response[]> {
  let entries: RequestResponseList = list;
  if (info !== undefined) {
    if (typeof info !== 'string' && requestMatchParts(info).method !== 'GET' && !options.ignoreMethod) return Promise.resolve(ObjectFreeze([]));
    entries = queryCache(toRequest(info), options, list);
  }
  return Promise.resolve(ObjectFreeze(entries.map(([, response]) => handOut(response))));
}

/** addAll()'s steps: fetch each request; only when all succeeded, store them in one batch. */
async function addAll(list: RequestResponseList, requests: readonly Request[], op: string): Promise<undefined> {
  for (const request of requests) {
    const { url, method } = requestMatchParts(request);
    if (!isHttpScheme(url) || method !== 'GET') throw new TypeErrorCtor(`Failed to execute '${op}' on 'Cache': Request scheme must be http or https, and its method GET.`);
  }
  if (cacheFetch === undefined) throw new TypeErrorCtor(`Failed to execute '${op}' on 'Cache': this realm has no fetch.`);
  const fetch = cacheFetch;
  // One signal terminates every fetch of the batch when one of them fails (step 4's "terminate all").
  const terminate = createAbortSignal();
  const requestList = requests.map((request) => copyRequestObject(request));
  const responses = requests.map((request) =>
    fetch(copyRequestObject(request, requestSignal(request, terminate))).then((response) => {
      if (responseType(response) === 'error' || responseStatus(response) < 200 || responseStatus(response) > 299 || responseStatus(response) === 206) {
        throw new TypeErrorCtor(`Failed to execute '${op}' on 'Cache': Request failed (status ${responseStatus(response)}).`);
      }
      if (varyStar(response)) throw new TypeErrorCtor(`Failed to execute '${op}' on 'Cache': Vary header contains *.`);
      return readResponse(response);
    }),
  );
  let stored: Response[];
  try {
    stored = await Promise.all(responses);
  } catch (error) {
    SignalAbort(terminate, createDOMException('Another request of the batch failed.', 'AbortError'));
    throw error;
  }
  batchCacheOperations(
    list,
    stored.map((response, index) => ({ type: 'put', request: requestList[index]!, response, options: null }) as CacheOperation),
  );
  return undefined;
}

/** The request's own signal, followed by `terminate` too. */
function requestSignal(request: Request, terminate: AbortSignal): AbortSignal {
  return createDependentAbortSignal([fetchRequestParams(request).signal, terminate]);
}
