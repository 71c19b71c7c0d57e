// CacheStorage (https://w3c.github.io/ServiceWorker/#cachestorage-interface): the realm's name to
// cache map behind `caches`, plus Workers' `caches.default` (a cache outside the map).
import { defineInterface } from '../streams/webidl/interface.js';
import { dictionaryObject, domString } from '../streams/webidl/converters.js';
import { TypeErrorCtor } from '../streams/webidl/intrinsics.js';
import { isRequest, type Request } from './fetch/request.js';
import type { Response } from './fetch/response.js';
import { cacheQueryOptions, createCache, matchAll, promiseOperation, type Cache, type RequestResponseList } from './cache.js';
import { followHttpCaching } from './http-caching.js';

let storageIllegal = true;
let mapOf: (x: unknown) => Map<string, RequestResponseList> | undefined;

function brand(x: unknown, op: string): Map<string, RequestResponseList> {
  const map = mapOf(x);
  if (map === undefined) throw new TypeErrorCtor(`Failed to execute '${op}' on 'CacheStorage': Illegal invocation`);
  return map;
}

function required(count: number, op: string): void {
  if (count < 1) throw new TypeErrorCtor(`Failed to execute '${op}' on 'CacheStorage': 1 argument required, but only 0 present.`);
}

export class CacheStorage {
  #map = new Map<string, RequestResponseList>();
  #default: Cache | undefined;

  constructor() {
    if (storageIllegal) throw new TypeErrorCtor('Illegal constructor');
  }

  /** match(): the named cache's first match, or the first match of any cache, in creation order. */
  match(request: unknown, options: unknown = undefined): Promise<Response | undefined> {
    return promiseOperation(async () => {
      const map = brand(this, 'match');
      required(arguments.length, 'match');
      const info: Request | string = isRequest(request) ? request : domString(request);
      // MultiCacheQueryOptions: the inherited members first, then cacheName.
      const queryOptions = cacheQueryOptions(options, "Failed to execute 'match' on 'CacheStorage': parameter 2");
      const dict = dictionaryObject(options, "Failed to execute 'match' on 'CacheStorage': parameter 2");
      const cacheName = dict === null || dict['cacheName'] === undefined ? undefined : domString(dict['cacheName']);
      if (cacheName !== undefined) {
        const list = map.get(cacheName);
        return list === undefined ? undefined : (await matchAll(list, info, queryOptions))[0];
      }
      for (const list of [...map.values()]) {
        const response = (await matchAll(list, info, queryOptions))[0];
        if (response !== undefined) return response;
      }
      return undefined;
    });
  }

  has(cacheName: unknown): Promise<boolean> {
    return promiseOperation(() => {
      const map = brand(this, 'has');
      required(arguments.length, 'has');
      return map.has(domString(cacheName));
    });
  }

  /** open(): a new Cache object over the named cache, made empty if there was none. */
  open(cacheName: unknown): Promise<Cache> {
    return promiseOperation(() => {
      const map = brand(this, 'open');
      required(arguments.length, 'open');
      const name = domString(cacheName);
      let list = map.get(name);
      if (list === undefined) map.set(name, (list = []));
      return createCache(list);
    });
  }

  delete(cacheName: unknown): Promise<boolean> {
    return promiseOperation(() => {
      const map = brand(this, 'delete');
      required(arguments.length, 'delete');
      return map.delete(domString(cacheName));
    });
  }

  keys(): Promise<string[]> {
    return promiseOperation(() => [...brand(this, 'keys').keys()]);
  }

  /** Cloudflare Workers' `caches.default`: one cache, not among the named ones. */
  get default(): Cache {
    brand(this, 'default');
    if (this.#default === undefined) {
      // Workers' cache follows the responses' HTTP caching headers (http-caching.ts).
      const list: RequestResponseList = [];
      followHttpCaching(list);
      this.#default = createCache(list);
    }
    return this.#default;
  }

  static {
    mapOf = (x) => (typeof x === 'object' && x !== null && #map in x ? (x as CacheStorage).#map : undefined);
  }
}

defineInterface(CacheStorage, 'CacheStorage');

/** The realm's one CacheStorage (`self.caches`). */
export function createCacheStorage(): CacheStorage {
  storageIllegal = false;
  try {
    return new CacheStorage();
  } finally {
    storageIllegal = true;
  }
}
