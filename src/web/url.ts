// URL and URLSearchParams: https://url.spec.whatwg.org/
// The basic URL parser runs in the isolate (url-parser.ts), for the constructor and the setters;
// behind a small synchronous bridge the host does UTS #46 for domains that need it (an isolate
// keeps no IDNA tables). An http(s) URL already in its serialized form (a server's request URLs) is
// its own parse (scanSimpleURL). URLSearchParams (the application/x-www-form-urlencoded parser
// and serializer) lives here.
import { defineInterface } from '../streams/webidl/interface.js';
import { domString } from '../streams/webidl/converters.js';
import { SymbolIterator, TypeErrorCtor, arrayOfList, internalAppend, internalList, reflectApply, uncurryThis, type InternalList } from '../streams/webidl/intrinsics.js';
import { definePairIterator } from './pair-iterator.js';
import { utf8Encode } from './encoding/text-encoder.js';
import { isBlob } from './blob.js';
import { addBlobURLEntry, removeBlobURLEntry } from './blob-url-store.js';
import { utf8DecodeWithoutBOM } from './encoding/utf8-decoder.js';
import { asciiSet, parseURLInIsolate, percentDecodeBytes, setURLMember, setURLQuery, urlRecordOf, type URLRecord, type URLSetter } from './url-parser.js';

/** A parsed URL's serialized parts, as the URL class's getters return them. */
export interface URLParts {
  href: string;
  origin: string;
  protocol: string;
  username: string;
  password: string;
  host: string;
  hostname: string;
  port: string;
  pathname: string;
  search: string;
  hash: string;
}

export interface URLBridge {
  /**
   * https://url.spec.whatwg.org/#concept-domain-to-ascii's UTS #46 ToASCII (beStrict false) for a
   * domain that needs IDNA (the isolate keeps no Unicode tables); null for failure.
   */
  urlDomainToASCII(domain: string): string | null;
}

let bridge: URLBridge | undefined;
export function setURLBridge(value: URLBridge): void {
  bridge = value;
}

/**
 * Recent parse results, by input and base: servers parse the same few URLs over and over, and a
 * parse by the host is a call to it (measured in an isolate: 20,000 parses of distinct non-simple
 * URLs took 1.4-1.8 s through the host, 0.4-0.5 s in the isolate). The parts are immutable
 * strings, so a hit is indistinguishable from a parse.
 */
const CACHE_SIZE = 128;
const cache = new Map<string, URLParts | null>();
// Map and String methods as the runtime found them: an app's patches of the prototypes do not
// reach the parse (every `new URL(request.url)`) or the query lists.
const mapGet = uncurryThis(Map.prototype.get as (this: never, key: unknown) => unknown);
const mapHas = uncurryThis(Map.prototype.has as (this: never, key: unknown) => boolean);
const mapSet = uncurryThis(Map.prototype.set as (this: never, key: unknown, value: unknown) => unknown);
const mapDelete = uncurryThis(Map.prototype.delete as (this: never, key: unknown) => boolean);
const mapSize = uncurryThis(Object.getOwnPropertyDescriptor(Map.prototype, 'size')!.get as (this: never) => number);
const mapKeys = uncurryThis(Map.prototype.keys as (this: never) => Iterator<unknown>);
const mapIteratorNext = uncurryThis(Object.getPrototypeOf(new Map().keys()).next as (this: never) => IteratorResult<unknown>);
const stringSlice = uncurryThis(String.prototype.slice);
const stringIndexOf = uncurryThis(String.prototype.indexOf);
const stringSplit = uncurryThis(String.prototype.split as (this: never, separator: string) => string[]);
const stringReplaceAll = uncurryThis(String.prototype.replaceAll as (this: never, search: string, replacement: string) => string);
const stringIncludes = uncurryThis(String.prototype.includes);
const stringCharCodeAt = uncurryThis(String.prototype.charCodeAt);
const toWellFormed = (String.prototype as { toWellFormed?: (this: string) => string }).toWellFormed;
const ReflectOwnKeys = Reflect.ownKeys;
const ReflectGetOwnPropertyDescriptor = Reflect.getOwnPropertyDescriptor;
const arraySort = uncurryThis(Array.prototype.sort as (this: never, compare: (a: never, b: never) => number) => unknown);

/** A bounded cache: the oldest entry goes when it is full. */
function cacheSet<V>(map: Map<string, V>, key: string, value: V): void {
  if (mapSize(map) >= CACHE_SIZE) mapDelete(map, mapIteratorNext(mapKeys(map)).value);
  mapSet(map, key, value);
}

/** The URL parser on `input` against `base` (the simple-URL scan, then the cache, then the basic URL parser): the parts, or null for failure. */
export function parse(input: string, base: string | undefined): URLParts | null {
  const simple = base === undefined ? simpleURLParts(input) : simpleURLPartsAgainst(input, base);
  if (simple !== undefined) return simple;
  // A URL parsed before (parts are immutable): routers and fetch() often parse the same few.
  const key = input.length + (base === undefined ? 0 : base.length) <= CACHED_INPUT_MAX ? (base === undefined ? input : `${base}\u0000${input}`) : undefined;
  if (key !== undefined) {
    const hit = mapGet(cache, key) as URLParts | null | undefined;
    if (hit !== undefined || mapHas(cache, key)) return hit ?? null;
  }
  const parts = parseURLInIsolate(input, base, domainToASCIIByHost);
  if (parts === undefined) throw noIDNA();
  if (key !== undefined) cacheSet(cache, key, parts);
  return parts;
}

/** The most characters (input and base) of a parse that is remembered. */
const CACHED_INPUT_MAX = 2048;

/** Recent IDNA results of the host, by domain (a parse of the same URL asks again). */
const idnaCache = new Map<string, string | null>();

/**
 * The longest domain the host's IDNA processing takes (tr46, JavaScript on the host's thread:
 * measured ~1 ms per KiB, 2 s for 2 MiB). Longer is a failure: NANO's limit, not the standard's,
 * which sets none with beStrict false; DNS names are at most 253 octets.
 */
export const IDNA_DOMAIN_MAX = 4096;

/** UTS #46 ToASCII on the host (the isolate has no Unicode tables); undefined without a host. */
export function domainToASCIIByHost(domain: string): string | null | undefined {
  if (bridge === undefined) return undefined;
  if (domain.length > IDNA_DOMAIN_MAX) return null;
  const hit = mapGet(idnaCache, domain) as string | null | undefined;
  if (hit !== undefined || mapHas(idnaCache, domain)) return hit ?? null;
  const result = bridge.urlDomainToASCII(domain);
  cacheSet(idnaCache, domain, result);
  return result;
}

export function noIDNA(): TypeError {
  return new TypeErrorCtor('URL parsing is not available in this realm (no IDNA processing).');
}

/**
 * The URL record a URL object's setters change: made from its href at the first one, then kept
 * (the parts the constructor got may be the parse cache's or the simple-URL scan's, shared and
 * immutable; a record a setter changed may not round-trip through its href).
 */
function recordOf(state: URLState): URLRecord {
  if (state.record === undefined) {
    const record = urlRecordOf(state.parts.href, domainToASCIIByHost);
    if (record === undefined) throw noIDNA();
    state.record = record;
  }
  return state.record;
}

// A simple URL's parse without the host (docs/fast-paths.md #23): most URLs a server sees (its
// request URLs, `new URL(request.url)`) are http(s) URLs already in their serialized form, and
// for those the parser's result is slices of the input. Everything else goes to the basic URL parser.

const SLASH = 0x2f;
const BACKSLASH = 0x5c;
const DOT = 0x2e;

const ALPHANUMERIC = asciiSet(null, '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz');
/** Code points a path keeps as they are (no percent-encoding, no rewriting): unreserved, sub-delims, ':', '@', '/', '%', '[', ']', '|'. */
const PATH_KEPT = asciiSet(ALPHANUMERIC, "-._~!$&'()*+,;=:@/%[]|");
/** Code points a special URL's query keeps: every printable ASCII but the special-query percent-encode set's (", #, <, >, '). */
const QUERY_KEPT = asciiSet(ALPHANUMERIC, '-._~!$&()*+,;=:@/%[]|?^`{}\\');

/** Where scanSimpleURL found the components of the last simple URL (one realm runs one scan at a time). */
const layout = { https: false, hostnameEnd: 0, pathStart: 0, queryStart: 0 };

/**
 * Whether `input` is an http: or https: URL the basic URL parser would return unchanged:
 * lowercase scheme; a host of non-empty lowercase ASCII labels (no punycode "xn--" label, which
 * needs IDNA) or a dotted-quad IPv4 address in its shortest form; a port that is neither empty,
 * zero-led nor the scheme's default; no credentials; a path of PATH_KEPT with no "." or ".."
 * segment (nor "%2e"); a query of QUERY_KEPT; no fragment. Its components go to `layout`.
 */
function scanSimpleURL(input: string): boolean {
  let hostStart: number;
  let defaultPort: string;
  if (input.startsWith('http://')) {
    hostStart = 7;
    defaultPort = '80';
  } else if (input.startsWith('https://')) {
    hostStart = 8;
    defaultPort = '443';
  } else return false;
  const length = input.length;
  // The host: labels of [a-z0-9-], each non-empty.
  let i = hostStart;
  let labelStart = i;
  let labels = 0;
  for (; i < length; i++) {
    const c = input.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d) continue;
    if (c !== DOT && c !== SLASH && c !== 0x3a) return false;
    if (i === labelStart || input.startsWith('xn--', labelStart)) return false;
    labels++;
    if (c !== DOT) break;
    labelStart = i + 1;
  }
  if (i === length) return false; // no path: the serialization adds "/"
  // A host ending in a number is an IPv4 address: only the shortest dotted quad serializes as itself.
  if (isNumberLabel(input, labelStart, i) && !isDottedQuad(input, hostStart, i, labels)) return false;
  const hostnameEnd = i;
  if (input.charCodeAt(i) === 0x3a) {
    const portStart = i + 1;
    for (i = portStart; i < length; i++) {
      const c = input.charCodeAt(i);
      if (c === SLASH) break;
      if (c < 0x30 || c > 0x39) return false;
    }
    if (i === length) return false;
    const port = stringSlice(input, portStart, i);
    if (port.length === 0 || port.length > 5 || port.charCodeAt(0) === 0x30 || Number(port) > 65535 || port === defaultPort) return false;
  }
  const pathStart = i;
  // The path: PATH_KEPT code points, no dot segment.
  for (; i < length; i++) {
    const c = input.charCodeAt(i);
    if (c === 0x3f) break;
    if (c >= 128 || PATH_KEPT[c] === 0) return false;
    if (c === DOT && input.charCodeAt(i - 1) === SLASH) {
      // "." or ".." as a whole segment.
      let end = i + 1;
      if (input.charCodeAt(end) === DOT) end++;
      const next = end < length ? input.charCodeAt(end) : SLASH;
      if (next === SLASH || next === 0x3f) return false;
    } else if (c === 0x25 && input.charCodeAt(i + 1) === 0x32 && (input.charCodeAt(i + 2) | 0x20) === 0x65) {
      return false; // "%2e": a dot for the dot-segment test
    }
  }
  const queryStart = i;
  for (i++; i < length; i++) {
    const c = input.charCodeAt(i);
    if (c >= 128 || QUERY_KEPT[c] === 0) return false;
  }
  layout.https = hostStart === 8;
  layout.hostnameEnd = hostnameEnd;
  layout.pathStart = pathStart;
  layout.queryStart = queryStart;
  return true;
}

/** The parts of `input` when scanSimpleURL accepts it (its parse is slices of it), else undefined. */
export function simpleURLParts(input: string): URLParts | undefined {
  if (!scanSimpleURL(input)) return undefined;
  const { https, hostnameEnd, pathStart, queryStart } = layout;
  const protocol = https ? 'https:' : 'http:';
  const hostStart = https ? 8 : 7;
  const host = stringSlice(input, hostStart, pathStart);
  return {
    href: input,
    origin: `${protocol}//${host}`,
    protocol,
    username: '',
    password: '',
    host,
    hostname: hostnameEnd === pathStart ? host : stringSlice(input, hostStart, hostnameEnd),
    port: hostnameEnd === pathStart ? '' : stringSlice(input, hostnameEnd + 1, pathStart),
    pathname: stringSlice(input, pathStart, queryStart),
    // An empty query serializes as "?" in href and as "" in search.
    search: queryStart + 1 < input.length ? stringSlice(input, queryStart) : '',
    hash: '',
  };
}

/**
 * `new URL('/path?query', base)` (path-absolute input, the common relative form) when `base` is
 * a URL scanSimpleURL accepts: the base's scheme and host with the input as path and query, when
 * that URL is one scanSimpleURL accepts too (so no character of the input is rewritten, no dot
 * segment, no fragment); else undefined (the basic URL parser). A scheme-relative input ("//h" or
 * "\\h" for a special scheme) is not path-absolute. Each of these was a host call, and a host
 * call waits for the host's event loop.
 */
export function simpleURLPartsAgainst(input: string, base: string): URLParts | undefined {
  if (input.charCodeAt(0) !== SLASH) return undefined;
  const second = input.charCodeAt(1);
  if (second === SLASH || second === BACKSLASH) return undefined;
  if (!scanSimpleURL(base)) return undefined;
  return simpleURLParts(stringSlice(base, 0, layout.pathStart) + input);
}

/** The URL standard's "ends in a number" test on one label: all digits, or "0x" and hex digits. */
function isNumberLabel(input: string, start: number, end: number): boolean {
  let i = start;
  let hex = false;
  if (end - start >= 2 && input.charCodeAt(i) === 0x30 && input.charCodeAt(i + 1) === 0x78) {
    hex = true;
    i += 2;
  }
  for (; i < end; i++) {
    const c = input.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) continue;
    if (hex && c >= 0x61 && c <= 0x66) continue;
    return false;
  }
  return true;
}

/** Four decimal labels of 0-255 without leading zeros: an IPv4 address as it serializes. */
function isDottedQuad(input: string, start: number, end: number, labels: number): boolean {
  if (labels !== 4) return false;
  let value = 0;
  let digits = 0;
  for (let i = start; i <= end; i++) {
    const c = i < end ? input.charCodeAt(i) : DOT;
    if (c === DOT) {
      if (digits === 0 || value > 255) return false;
      value = 0;
      digits = 0;
      continue;
    }
    if (c < 0x30 || c > 0x39 || (digits === 1 && value === 0)) return false;
    value = value * 10 + (c - 0x30);
    digits++;
  }
  return true;
}

// application/x-www-form-urlencoded (https://url.spec.whatwg.org/#concept-urlencoded)

/** A list of name-value pairs: the runtime's own, with no prototype (intrinsics.ts: InternalList). */
export type ParamList = InternalList<[string, string]>;

/** https://url.spec.whatwg.org/#concept-urlencoded-parser */
export function parseUrlencoded(input: string): ParamList {
  const out = internalList<[string, string]>();
  const sequences = stringSplit(input, '&');
  for (let i = 0; i < sequences.length; i++) {
    const sequence = sequences[i]!;
    if (sequence === '') continue;
    const eq = stringIndexOf(sequence, '=');
    const name = eq === -1 ? sequence : stringSlice(sequence, 0, eq);
    const value = eq === -1 ? '' : stringSlice(sequence, eq + 1);
    internalAppend(out, [percentDecode(stringReplaceAll(name, '+', ' ')), percentDecode(stringReplaceAll(value, '+', ' '))]);
  }
  return out;
}

/** Percent-decode the UTF-8 bytes of `s`, then UTF-8 decode without BOM (replacing errors). */
function percentDecode(s: string): string {
  if (!stringIncludes(s, '%')) return s;
  return utf8DecodeWithoutBOM(percentDecodeBytes(utf8Encode(s)));
}

const HEX = '0123456789ABCDEF';

/** https://url.spec.whatwg.org/#concept-urlencoded-byte-serializer over UTF-8 */
function serializeComponent(s: string): string {
  const bytes = utf8Encode(s);
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x20) out += '+';
    else if (b === 0x2a || b === 0x2d || b === 0x2e || b === 0x5f || (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a)) {
      out += String.fromCharCode(b);
    } else out += `%${HEX[b >> 4]}${HEX[b & 15]}`;
  }
  return out;
}

/** https://url.spec.whatwg.org/#concept-urlencoded-serializer */
export function serializeUrlencoded(list: ArrayLike<readonly [string, string]>): string {
  let out = '';
  for (let i = 0; i < list.length; i++) {
    if (i > 0) out += '&';
    out += `${serializeComponent(list[i]![0])}=${serializeComponent(list[i]![1])}`;
  }
  return out;
}

/** USVString: lone surrogates become U+FFFD. */
export function usvString(value: unknown): string {
  const s = domString(value);
  return toWellFormed !== undefined ? reflectApply(toWellFormed, s, []) : s;
}

// URLSearchParams

interface ParamsState {
  list: ParamList;
  /** The URL this object belongs to, or null. */
  url: URL | null;
}

let paramsState: (x: unknown) => ParamsState | undefined;

export class URLSearchParams {
  #state: ParamsState;

  // WebIDL: constructor(optional (sequence<sequence<USVString>> or record<USVString, USVString> or USVString) init = "")
  constructor(init: unknown = '') {
    this.#state = { list: internalList(), url: null };
    if ((typeof init === 'object' || typeof init === 'function') && init !== null) {
      const iter = (init as { [Symbol.iterator]?: unknown })[SymbolIterator];
      if (iter !== undefined && iter !== null) {
        if (typeof iter !== 'function') throw new TypeErrorCtor("Failed to construct 'URLSearchParams': The object's @@iterator is not callable.");
        // The app's own iterators (of the sequence and of each pair), as WebIDL's conversion calls them.
        for (const pair of reflectApply(iter, init, []) as Iterable<unknown>) {
          if (typeof pair !== 'object' || pair === null) throw new TypeErrorCtor("Failed to construct 'URLSearchParams': The provided value cannot be converted to a sequence.");
          const items = [...(pair as Iterable<unknown>)];
          if (items.length !== 2) throw new TypeErrorCtor("Failed to construct 'URLSearchParams': Sequence initializer must only contain pair elements.");
          internalAppend(this.#state.list, [usvString(items[0]), usvString(items[1])]);
        }
      } else {
        const keys = ReflectOwnKeys(init);
        for (let i = 0; i < keys.length; i++) {
          const key = keys[i]!;
          const desc = ReflectGetOwnPropertyDescriptor(init, key);
          if (desc === undefined || !desc.enumerable) continue;
          if (typeof key === 'symbol') throw new TypeErrorCtor("Failed to construct 'URLSearchParams': A Symbol cannot be a name.");
          const name = usvString(key);
          const value = usvString((init as Record<PropertyKey, unknown>)[key]);
          // A record: keys that convert to the same string keep the first place and the last value.
          const index = indexOfName(this.#state.list, name);
          if (index !== -1) this.#state.list[index]![1] = value;
          else internalAppend(this.#state.list, [name, value]);
        }
      }
    } else {
      let s = usvString(init);
      if (stringCharCodeAt(s, 0) === 0x3f) s = stringSlice(s, 1);
      this.#state.list = parseUrlencoded(s);
    }
  }

  get size(): number {
    return params(this, 'size').list.length;
  }

  append(name: unknown, value: unknown): void {
    const state = params(this, 'append', arguments.length, 2);
    internalAppend(state.list, [usvString(name), usvString(value)]);
    update(state);
  }

  delete(name: unknown, value: unknown = undefined): void {
    const state = params(this, 'delete', arguments.length, 1);
    const n = usvString(name);
    const v = value === undefined ? undefined : usvString(value);
    state.list = keepPairs(state.list, (k, x) => !(k === n && (v === undefined || x === v)));
    update(state);
  }

  get(name: unknown): string | null {
    const state = params(this, 'get', arguments.length, 1);
    const n = usvString(name);
    const index = indexOfName(state.list, n);
    return index === -1 ? null : state.list[index]![1];
  }

  getAll(name: unknown): string[] {
    const state = params(this, 'getAll', arguments.length, 1);
    const n = usvString(name);
    const out = internalList<string>();
    for (let i = 0; i < state.list.length; i++) if (state.list[i]![0] === n) internalAppend(out, state.list[i]![1]);
    return arrayOfList(out);
  }

  has(name: unknown, value: unknown = undefined): boolean {
    const state = params(this, 'has', arguments.length, 1);
    const n = usvString(name);
    const v = value === undefined ? undefined : usvString(value);
    for (let i = 0; i < state.list.length; i++) {
      const pair = state.list[i]!;
      if (pair[0] === n && (v === undefined || pair[1] === v)) return true;
    }
    return false;
  }

  set(name: unknown, value: unknown): void {
    const state = params(this, 'set', arguments.length, 2);
    const n = usvString(name);
    const v = usvString(value);
    const index = indexOfName(state.list, n);
    if (index === -1) internalAppend(state.list, [n, v]);
    else {
      state.list[index] = [n, v];
      state.list = keepPairs(state.list, (k, _x, i) => i <= index || k !== n);
    }
    update(state);
  }

  sort(): void {
    const state = params(this, 'sort');
    // By code units of the names; Array.prototype.sort is stable and generic: the original one, on the list.
    arraySort(state.list, (a: [string, string], b: [string, string]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    update(state);
  }

  toString(): string {
    return serializeUrlencoded(params(this, 'toString').list);
  }

  forEach(callback: unknown, thisArg: unknown = undefined): void {
    const state = params(this, 'forEach', arguments.length, 1);
    if (typeof callback !== 'function') throw new TypeErrorCtor("Failed to execute 'forEach' on 'URLSearchParams': parameter 1 is not of type 'Function'.");
    for (let i = 0; i < state.list.length; i++) {
      const pair = state.list[i]!;
      reflectApply(callback, thisArg, [pair[1], pair[0], this]);
    }
  }

  entries(): IterableIterator<[string, string]> {
    return paramsIterator(params(this, 'entries'), 'key+value');
  }

  keys(): IterableIterator<string> {
    return paramsIterator(params(this, 'keys'), 'key');
  }

  values(): IterableIterator<string> {
    return paramsIterator(params(this, 'values'), 'value');
  }

  static {
    paramsState = (x) => (typeof x === 'object' && x !== null && #state in x ? (x as URLSearchParams).#state : undefined);
  }
}

/** The index of the first pair named `name`, or -1. */
function indexOfName(list: ParamList, name: string): number {
  for (let i = 0; i < list.length; i++) if (list[i]![0] === name) return i;
  return -1;
}

/** A new list of the pairs `keep` accepts, in order (filter, without the app's methods or species). */
function keepPairs(list: ParamList, keep: (name: string, value: string, index: number) => boolean): ParamList {
  const out = internalList<[string, string]>();
  for (let i = 0; i < list.length; i++) if (keep(list[i]![0], list[i]![1], i)) internalAppend(out, list[i]!);
  return out;
}

function params(self: unknown, op: string, given = 0, required = 0): ParamsState {
  const state = paramsState(self);
  if (state === undefined) throw new TypeErrorCtor(`Failed to execute '${op}' on 'URLSearchParams': Illegal invocation`);
  if (given < required) {
    throw new TypeErrorCtor(`Failed to execute '${op}' on 'URLSearchParams': ${required} argument${required > 1 ? 's' : ''} required, but only ${given} present.`);
  }
  return state;
}

/** https://url.spec.whatwg.org/#concept-urlsearchparams-update */
function update(state: ParamsState): void {
  const url = state.url;
  if (url === null) return;
  const serialized = serializeUrlencoded(state.list);
  setQueryFromParams(url, serialized === '' ? null : serialized);
}

const paramsIterator = definePairIterator<ParamsState>('URLSearchParams', (state) => state.list);

defineInterface(URLSearchParams, 'URLSearchParams');
Object.defineProperty(URLSearchParams.prototype, SymbolIterator, {
  value: URLSearchParams.prototype.entries,
  writable: true,
  enumerable: false,
  configurable: true,
});

// URL

interface URLState {
  parts: URLParts;
  query: URLSearchParams;
  /** The URL record, once a setter or the query object has needed it (recordOf). */
  record?: URLRecord | undefined;
}

let urlState: (x: unknown) => URLState | undefined;
/** Sets the query of a URL (null for none), as URLSearchParams's update steps do. */
let setQueryFromParams: (url: URL, query: string | null) => void;

const MEMBERS = ['protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search', 'hash'] as const;

export class URL {
  #state: URLState;
  // The component accessors are defined on the prototype below, in IDL order.
  declare protocol: string;
  declare username: string;
  declare password: string;
  declare host: string;
  declare hostname: string;
  declare port: string;
  declare pathname: string;
  declare search: string;
  declare hash: string;

  // WebIDL: constructor(USVString url, optional USVString base)
  constructor(url: unknown, base: unknown = undefined) {
    if (arguments.length < 1) throw new TypeErrorCtor("Failed to construct 'URL': 1 argument required, but only 0 present.");
    const input = usvString(url);
    const baseString = base === undefined ? undefined : usvString(base);
    const parts = parse(input, baseString);
    if (parts === null) {
      throw new TypeErrorCtor(`Failed to construct 'URL': Invalid URL${baseString === undefined ? '' : ' or base'}: '${input}'`);
    }
    const query = new URLSearchParams(parts.search);
    this.#state = { parts, query };
    paramsState(query)!.url = this;
  }

  static parse(url: unknown, base: unknown = undefined): URL | null {
    if (arguments.length < 1) throw new TypeErrorCtor("Failed to execute 'parse' on 'URL': 1 argument required, but only 0 present.");
    try {
      return new URL(url, base);
    } catch {
      return null;
    }
  }

  static canParse(url: unknown, base: unknown = undefined): boolean {
    if (arguments.length < 1) throw new TypeErrorCtor("Failed to execute 'canParse' on 'URL': 1 argument required, but only 0 present.");
    return parse(usvString(url), base === undefined ? undefined : usvString(base)) !== null;
  }

  /** https://w3c.github.io/FileAPI/#dfn-createObjectURL */
  static createObjectURL(obj: unknown): string {
    if (arguments.length < 1) throw new TypeErrorCtor("Failed to execute 'createObjectURL' on 'URL': 1 argument required, but only 0 present.");
    if (!isBlob(obj)) throw new TypeErrorCtor("Failed to execute 'createObjectURL' on 'URL': parameter 1 is not of type 'Blob'.");
    return addBlobURLEntry(obj, realmOrigin());
  }

  /** https://w3c.github.io/FileAPI/#dfn-revokeObjectURL */
  static revokeObjectURL(value: unknown): void {
    if (arguments.length < 1) throw new TypeErrorCtor("Failed to execute 'revokeObjectURL' on 'URL': 1 argument required, but only 0 present.");
    const parts = parse(usvString(value), undefined);
    if (parts === null || parts.protocol !== 'blob:') return;
    // The entry of the URL as given: with a fragment, none (only exact matches revoke).
    removeBlobURLEntry(parts.href);
  }

  get href(): string {
    return url(this, 'href').parts.href;
  }

  set href(value: string) {
    const state = url(this, 'href');
    const parts = parse(usvString(value), undefined);
    if (parts === null) throw new TypeErrorCtor(`Failed to set the 'href' property on 'URL': Invalid URL '${value}'`);
    state.parts = parts;
    state.record = undefined;
    paramsState(state.query)!.list = parseUrlencoded(stringCharCodeAt(parts.search, 0) === 0x3f ? stringSlice(parts.search, 1) : parts.search);
  }

  get origin(): string {
    return url(this, 'origin').parts.origin;
  }

  get searchParams(): URLSearchParams {
    return url(this, 'searchParams').query;
  }

  toJSON(): string {
    return url(this, 'toJSON').parts.href;
  }

  toString(): string {
    return url(this, 'toString').parts.href;
  }

  static {
    urlState = (x) => (typeof x === 'object' && x !== null && #state in x ? (x as URL).#state : undefined);
    setQueryFromParams = (u, query) => {
      const state = u.#state;
      const parts = setURLQuery(recordOf(state), query, domainToASCIIByHost);
      if (parts === undefined) throw noIDNA();
      state.parts = parts;
    };
  }
}

function url(self: unknown, member: string): URLState {
  const state = urlState(self);
  if (state === undefined) throw new TypeErrorCtor(`Failed to read the '${member}' property from 'URL': Illegal invocation`);
  return state;
}

// The component getters and setters, in IDL order after href/origin.
for (const member of MEMBERS) {
  const descriptor: PropertyDescriptor = {
    get: {
      [member](this: unknown): string {
        return url(this, member).parts[member];
      },
    }[member],
    set: {
      [member](this: unknown, value: unknown): void {
        const state = url(this, member);
        const input = usvString(value);
        const parts = setURLMember(recordOf(state), member, input, domainToASCIIByHost);
        if (parts === undefined) throw noIDNA();
        state.parts = parts;
        // The search setter's list is the parse of the value as given (a leading "?" removed).
        if (member === 'search') paramsState(state.query)!.list = input === '' ? internalList() : parseUrlencoded(stringCharCodeAt(input, 0) === 0x3f ? stringSlice(input, 1) : input);
      },
    }[member],
    enumerable: true,
    configurable: true,
  };
  Object.defineProperty(descriptor.get!, 'name', { value: `get ${member}` });
  Object.defineProperty(descriptor.set!, 'name', { value: `set ${member}` });
  Object.defineProperty(URL.prototype, member, descriptor);
}

defineInterface(URL, 'URL');

export function isURL(x: unknown): x is URL {
  return urlState(x) !== undefined;
}

export function isURLSearchParams(x: unknown): x is URLSearchParams {
  return paramsState(x) !== undefined;
}

export function urlSearchParamsList(x: URLSearchParams): ParamList {
  return paramsState(x)!.list;
}

/**
 * The API base URL of the realm: its `location`, when it has one (as Deno does with
 * --location); an app isolate has none, so relative URLs fail there, as in Workers.
 */
export function apiBaseURL(): string | undefined {
  const location = (globalThis as { location?: { href?: unknown } }).location;
  const href = typeof location === 'object' && location !== null ? location.href : undefined;
  return typeof href === 'string' ? href : undefined;
}

/** The realm's origin, serialized: its location's, or "null" (opaque) for an app isolate. */
function realmOrigin(): string {
  const base = apiBaseURL();
  return (base === undefined ? null : parse(base, undefined)?.origin) ?? 'null';
}

/** A serialized URL without its fragment (a serialized URL's first "#" starts it). */
export function withoutFragment(href: string): string {
  const hash = href.indexOf('#');
  return hash === -1 ? href : href.slice(0, hash);
}

/** The URL parser for other specs (Request, Response.redirect) against the API base URL. */
export function parseURLString(input: string): string | null {
  const base = apiBaseURL();
  // A simple URL serializes as itself (no parts needed: a request keeps only the href).
  if (base === undefined && scanSimpleURL(input)) return input;
  return parse(input, base)?.href ?? null;
}
