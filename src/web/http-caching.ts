// caches.default as Workers keeps it: unlike the Service Workers standard's caches (which store
// what they are given for as long as they are kept, as NANO's named caches do, WPT's
// cache-storage files checking it), Workers' cache follows the response's HTTP caching headers
// (https://developers.cloudflare.com/workers/runtime-apis/cache/): a response is stored only
// while it may be, for as long as Cache-Control or Expires says (or a default time for its
// status), and a Set-Cookie response not at all unless `private=Set-Cookie` says to drop the
// cookie. Frameworks rely on it (SvelteKit's adapter puts every response with Cache-Control in
// caches.default): without it, a page cached for 5 seconds was served for ever.
import { listDelete, listGet, type HeaderList } from './fetch/headers.js';
import { uncurryThis } from '../streams/webidl/intrinsics.js';

// Captured: an app replacing Date.now or WeakMap.prototype.get must not stretch what is fresh.
const DateNow = Date.now;
const DateParse = Date.parse;
const ObjectCreate = Object.create;
const weakSetAdd = uncurryThis(WeakSet.prototype.add as (this: WeakSet<object>, value: object) => WeakSet<object>);
const weakSetHas = uncurryThis(WeakSet.prototype.has as (this: WeakSet<object>, value: object) => boolean);
const weakMapGet = uncurryThis(WeakMap.prototype.get as (this: WeakMap<object, number>, key: object) => number | undefined);
const weakMapSet = uncurryThis(WeakMap.prototype.set as (this: WeakMap<object, number>, key: object, value: number) => WeakMap<object, number>);

/** The request response lists that follow HTTP caching (caches.default's). */
const httpLists = new WeakSet<object>();
/** When each response stored in such a list stops being fresh (ms since the epoch). */
const expiries = new WeakMap<object, number>();

/** Makes `list` follow HTTP caching. */
export function followHttpCaching(list: object): void {
  weakSetAdd(httpLists, list);
}

export function followsHttpCaching(list: object): boolean {
  return weakSetHas(httpLists, list);
}

/**
 * How long a response of `status` may be kept with no Cache-Control or Expires: Cloudflare's
 * default edge TTLs, in seconds (0: not stored).
 */
function defaultTtl(status: number): number {
  if (status === 200 || status === 206 || status === 301) return 7200;
  if (status === 302 || status === 303) return 1200;
  if (status === 404 || status === 410) return 180;
  return 0;
}

/** Cache-Control's directives (RFC 9111 5.2): lowercase names, values unquoted (a null-prototype record: no Map method of the app's is met). */
function cacheControl(value: string | null): Record<string, string> {
  const directives = ObjectCreate(null) as Record<string, string>;
  if (value === null) return directives;
  const pattern = /\s*([^=,\s]+)\s*(?:=\s*("(?:[^"\\]|\\.)*"|[^,]*))?\s*(?:,|$)/g;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(value)) !== null && match[0] !== '') {
    let argument = (match[2] ?? '').trim();
    if (argument.startsWith('"')) argument = argument.slice(1, -1).replace(/\\(.)/g, '$1');
    const name = match[1]!.toLowerCase();
    // The first of a repeated directive counts (RFC 9111 4.2.1 leaves it open; caches differ).
    if (directives[name] === undefined) directives[name] = argument;
  }
  return directives;
}

/** A delta-seconds argument (RFC 9111 1.2.2), or undefined when it is not one. */
function deltaSeconds(argument: string | undefined): number | undefined {
  if (argument === undefined || !/^\d+$/.test(argument)) return undefined;
  return Number(argument);
}

/**
 * Whether a response with these headers and status may be stored, and until when (ms since the
 * epoch). May drop its Set-Cookie headers (when Cache-Control says `private=Set-Cookie`): the
 * list is the stored copy's.
 */
export function storeUntil(headers: HeaderList, status: number): number | undefined {
  const directives = cacheControl(listGet(headers, 'cache-control'));
  if (directives['no-store'] !== undefined || directives['no-cache'] !== undefined) return undefined;
  const privateFields = directives['private'];
  if (privateFields !== undefined) {
    // `private` alone: the response is one user's. With field names, only those are.
    const fields = privateFields.split(',').map((field) => field.trim().toLowerCase());
    if (privateFields.trim() === '' || !fields.includes('set-cookie')) return undefined;
    listDelete(headers, 'set-cookie');
  } else if (listGet(headers, 'set-cookie') !== null) {
    return undefined;
  }
  const now = DateNow();
  let ttl = deltaSeconds(directives['s-maxage']) ?? deltaSeconds(directives['max-age']);
  if (ttl === undefined) {
    const expires = listGet(headers, 'expires');
    if (expires !== null) {
      // An invalid date (such as "0") means already expired (RFC 9111 5.3).
      const at = DateParse(expires);
      const date = listGet(headers, 'date');
      const base = date === null || DateParse(date) !== DateParse(date) ? now : DateParse(date);
      ttl = at !== at ? 0 : (at - base) / 1000;
    } else {
      ttl = defaultTtl(status);
    }
  }
  // Time the response already spent in other caches counts against it.
  const age = deltaSeconds(listGet(headers, 'age') ?? undefined) ?? 0;
  const fresh = ttl - age;
  return fresh > 0 ? now + fresh * 1000 : undefined;
}

/** Records when a stored response stops being fresh. */
export function setExpiry(response: object, until: number): void {
  weakMapSet(expiries, response, until);
}

/** Removes the entries of an HTTP-caching `list` that are no longer fresh. */
export function removeStale<T extends [object, object]>(list: T[]): void {
  const now = DateNow();
  let to = 0;
  for (let i = 0; i < list.length; i++) {
    const entry = list[i]!;
    const until = weakMapGet(expiries, entry[1]);
    if (until !== undefined && until <= now) continue;
    list[to++] = entry;
  }
  list.length = to;
}
