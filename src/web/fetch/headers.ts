// Headers: https://fetch.spec.whatwg.org/#headers-class
// A server runtime's Headers: as in Node, Deno and Cloudflare Workers, the forbidden request- and
// response-header names are not filtered (a proxy must pass Cookie on, an app must set
// Set-Cookie); the guards that remain are "immutable" and "none".
import { defineInterface } from '../../streams/webidl/interface.js';
import { domString } from '../../streams/webidl/converters.js';
import { SymbolIterator, TypeErrorCtor } from '../../streams/webidl/intrinsics.js';
import { definePairIterator } from '../pair-iterator.js';
import { HTTP_TOKEN } from '../mime-type.js';

export type HeadersGuard = 'immutable' | 'request' | 'request-no-cors' | 'response' | 'none';
/** A header list: [name as given, value] pairs in insertion order. */
export type HeaderList = [string, string][];

/** A header value must not contain NUL, CR or LF (after normalization). */
const INVALID_VALUE = /[\0\r\n]/;
const ArrayIsArray = Array.isArray;
const ObjectCreate = Object.create;

/** https://fetch.spec.whatwg.org/#concept-header-value-normalize: strip leading/trailing HTTP whitespace. */
export function normalizeHeaderValue(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isHttpWhitespace(value.charCodeAt(start))) start++;
  while (end > start && isHttpWhitespace(value.charCodeAt(end - 1))) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

function isHttpWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** ByteString conversion: a code unit above U+00FF is a TypeError. */
function byteString(value: unknown, op: string): string {
  const s = domString(value);
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0xff) throw new TypeErrorCtor(`Failed to execute '${op}' on 'Headers': Value is not a valid ByteString.`);
  }
  return s;
}

function validateName(name: string, op: string): void {
  if (!HTTP_TOKEN.test(name)) throw new TypeErrorCtor(`Failed to execute '${op}' on 'Headers': Invalid name '${name}'.`);
}

function validateValue(name: string, value: string, op: string): void {
  if (INVALID_VALUE.test(value)) throw new TypeErrorCtor(`Failed to execute '${op}' on 'Headers': Invalid value for '${name}'.`);
}

const lower = (s: string): string => s.toLowerCase();

// Header list operations (https://fetch.spec.whatwg.org/#concept-header-list).

export function listContains(list: HeaderList, name: string): boolean {
  const key = lower(name);
  for (let i = 0; i < list.length; i++) if (lower(list[i]![0]) === key) return true;
  return false;
}

/** "get": the values of `name` combined with ", ", or null. */
export function listGet(list: HeaderList, name: string): string | null {
  const key = lower(name);
  let out: string | null = null;
  for (let i = 0; i < list.length; i++) {
    const [n, v] = list[i]!;
    if (lower(n) === key) out = out === null ? v : `${out}, ${v}`;
  }
  return out;
}

/** "append": a name already present keeps its first casing. */
export function listAppend(list: HeaderList, name: string, value: string): void {
  const key = lower(name);
  for (let i = 0; i < list.length; i++) {
    if (lower(list[i]![0]) === key) {
      name = list[i]![0];
      break;
    }
  }
  list.push([name, value]);
}

export function listDelete(list: HeaderList, name: string): void {
  const key = lower(name);
  for (let i = list.length - 1; i >= 0; i--) if (lower(list[i]![0]) === key) list.splice(i, 1);
}

/** "set": the first `name` gets the value, the others go. */
export function listSet(list: HeaderList, name: string, value: string): void {
  const key = lower(name);
  let found = false;
  for (let i = 0; i < list.length; i++) {
    if (lower(list[i]![0]) !== key) continue;
    if (!found) {
      list[i]![1] = value;
      found = true;
    } else {
      list.splice(i--, 1);
    }
  }
  if (!found) list.push([name, value]);
}

/** "sort and combine": lowercase names, sorted; Set-Cookie values stay separate. */
export function sortAndCombine(list: HeaderList): HeaderList {
  // One pass to combine (a "get" per name scans the list: quadratic), then the names sorted.
  const combined: Record<string, string> = ObjectCreate(null) as Record<string, string>;
  const names: string[] = [];
  const cookies: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const [n, v] = list[i]!;
    const key = lower(n);
    if (key === 'set-cookie') {
      if (cookies.length === 0) names.push(key);
      cookies.push(v);
      continue;
    }
    const before = combined[key];
    if (before === undefined) names.push(key);
    combined[key] = before === undefined ? v : `${before}, ${v}`;
  }
  names.sort();
  const out: HeaderList = [];
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    if (name === 'set-cookie') for (let j = 0; j < cookies.length; j++) out.push([name, cookies[j]!]);
    else out.push([name, combined[name]!]);
  }
  return out;
}

/** The last sort and combine of a list, and the pairs it was made from (to see that it is stale). */
interface SortedPairs {
  names: string[];
  values: string[];
  pairs: HeaderList;
}
const lastSorted = new WeakMap<HeaderList, SortedPairs>();

/**
 * Sort and combine for iteration, which asks again at every step (WebIDL: a change made while
 * iterating is seen): the last result is reused while the list holds the same pairs. Made anew
 * each step, iterating n headers was cubic (1,000 headers: 15 s; `new Response(body, { headers })`
 * iterates them). The result is shared: callers only read it.
 */
export function sortedForIteration(list: HeaderList): HeaderList {
  const last = lastSorted.get(list);
  if (last !== undefined && last.names.length === list.length) {
    let same = true;
    for (let i = 0; i < list.length; i++) {
      const pair = list[i]!;
      if (pair[0] !== last.names[i] || pair[1] !== last.values[i]) {
        same = false;
        break;
      }
    }
    if (same) return last.pairs;
  }
  const names: string[] = [];
  const values: string[] = [];
  for (let i = 0; i < list.length; i++) {
    names.push(list[i]![0]);
    values.push(list[i]![1]);
  }
  const pairs = sortAndCombine(list);
  lastSorted.set(list, { names, values, pairs });
  return pairs;
}

/**
 * The header list as a request sends it: each name once, in the casing it was first given,
 * its values combined as "get" combines them (WPT fetch/api/basic/request-headers-case.any.js).
 */
export function combineForTransmission(list: HeaderList): HeaderList {
  const out: HeaderList = [];
  const seen = new Set<string>();
  for (const [name] of list) {
    const key = lower(name);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push([name, listGet(list, key)!]);
  }
  return out;
}

interface HeadersState {
  list: HeaderList;
  guard: HeadersGuard;
}

let stateOf: (h: unknown) => HeadersState | undefined;

export class Headers {
  #state: HeadersState;

  // WebIDL: constructor(optional HeadersInit init)
  constructor(init: unknown = undefined) {
    this.#state = { list: [], guard: 'none' };
    if (init !== undefined) fillHeaders(this, init);
  }

  append(name: unknown, value: unknown): void {
    const state = checked(this, 'append', arguments.length, 2);
    appendHeader(state, byteString(name, 'append'), byteString(value, 'append'), 'append');
  }

  delete(name: unknown): void {
    const state = checked(this, 'delete', arguments.length, 1);
    const n = byteString(name, 'delete');
    validateName(n, 'delete');
    if (state.guard === 'immutable') throw new TypeErrorCtor("Failed to execute 'delete' on 'Headers': Headers are immutable.");
    listDelete(state.list, n);
  }

  get(name: unknown): string | null {
    const state = checked(this, 'get', arguments.length, 1);
    const n = byteString(name, 'get');
    validateName(n, 'get');
    return listGet(state.list, n);
  }

  getSetCookie(): string[] {
    const state = checked(this, 'getSetCookie', 0, 0);
    const out: string[] = [];
    for (const [n, v] of state.list) if (lower(n) === 'set-cookie') out.push(v);
    return out;
  }

  has(name: unknown): boolean {
    const state = checked(this, 'has', arguments.length, 1);
    const n = byteString(name, 'has');
    validateName(n, 'has');
    return listContains(state.list, n);
  }

  set(name: unknown, value: unknown): void {
    const state = checked(this, 'set', arguments.length, 2);
    const n = byteString(name, 'set');
    const v = normalizeHeaderValue(byteString(value, 'set'));
    validateName(n, 'set');
    validateValue(n, v, 'set');
    if (state.guard === 'immutable') throw new TypeErrorCtor("Failed to execute 'set' on 'Headers': Headers are immutable.");
    listSet(state.list, n, v);
  }

  forEach(callback: unknown, thisArg: unknown = undefined): void {
    const state = checked(this, 'forEach', arguments.length, 1);
    if (typeof callback !== 'function') throw new TypeErrorCtor("Failed to execute 'forEach' on 'Headers': parameter 1 is not of type 'Function'.");
    // The pairs are recomputed each step: the callback may change the list (WebIDL iterable).
    for (let i = 0; ; i++) {
      const pairs = sortedForIteration(state.list);
      if (i >= pairs.length) break;
      const [name, value] = pairs[i]!;
      Reflect.apply(callback, thisArg, [value, name, this]);
    }
  }

  entries(): IterableIterator<[string, string]> {
    checked(this, 'entries', 0, 0);
    return createIterator(this, 'key+value');
  }

  keys(): IterableIterator<string> {
    checked(this, 'keys', 0, 0);
    return createIterator(this, 'key');
  }

  values(): IterableIterator<string> {
    checked(this, 'values', 0, 0);
    return createIterator(this, 'value');
  }

  static {
    stateOf = (h) => (typeof h === 'object' && h !== null && #state in h ? (h as Headers).#state : undefined);
  }
}

function checked(self: unknown, op: string, given: number, required: number): HeadersState {
  const state = stateOf(self);
  if (state === undefined) throw new TypeErrorCtor(`Failed to execute '${op}' on 'Headers': Illegal invocation`);
  if (given < required) {
    throw new TypeErrorCtor(`Failed to execute '${op}' on 'Headers': ${required} argument${required > 1 ? 's' : ''} required, but only ${given} present.`);
  }
  return state;
}

/** https://fetch.spec.whatwg.org/#concept-headers-append */
function appendHeader(state: HeadersState, name: string, value: string, op: string): void {
  const v = normalizeHeaderValue(value);
  validateName(name, op);
  validateValue(name, v, op);
  if (state.guard === 'immutable') throw new TypeErrorCtor(`Failed to execute '${op}' on 'Headers': Headers are immutable.`);
  listAppend(state.list, name, v);
}

/** https://fetch.spec.whatwg.org/#concept-headers-fill: a sequence of pairs or a record. */
export function fillHeaders(headers: Headers, init: unknown): void {
  const state = stateOf(headers)!;
  const op = 'constructor';
  if (typeof init !== 'object' && typeof init !== 'function') {
    throw new TypeErrorCtor("Failed to construct 'Headers': The provided value is not of type '(record<ByteString, ByteString> or sequence<sequence<ByteString>>)'.");
  }
  if (init === null) throw new TypeErrorCtor("Failed to construct 'Headers': The provided value is not of type '(record<ByteString, ByteString> or sequence<sequence<ByteString>>)'.");
  const iteratorMethod = (init as { [Symbol.iterator]?: unknown })[SymbolIterator];
  if (iteratorMethod !== undefined && iteratorMethod !== null) {
    if (typeof iteratorMethod !== 'function') throw new TypeErrorCtor("Failed to construct 'Headers': The object's @@iterator is not callable.");
    // sequence<sequence<ByteString>>: every pair converted before any is appended.
    const pairs: [string, string][] = [];
    for (const pair of Reflect.apply(iteratorMethod, init, []) as Iterable<unknown>) {
      if (typeof pair !== 'object' || pair === null) throw new TypeErrorCtor("Failed to construct 'Headers': The provided value cannot be converted to a sequence.");
      const items = ArrayIsArray(pair) ? pair : [...(pair as Iterable<unknown>)];
      if (items.length !== 2) throw new TypeErrorCtor("Failed to construct 'Headers': Invalid value: a header pair must have exactly two items.");
      pairs.push([byteString(items[0], op), byteString(items[1], op)]);
    }
    for (const [name, value] of pairs) appendHeader(state, name, value, op);
    return;
  }
  // record<ByteString, ByteString>: own enumerable string keys, in order.
  const record: [string, string][] = [];
  for (const key of Reflect.ownKeys(init as object)) {
    const desc = Reflect.getOwnPropertyDescriptor(init as object, key);
    if (desc === undefined || !desc.enumerable) continue;
    // An enumerable Symbol key does not convert to a ByteString: a TypeError.
    if (typeof key === 'symbol') throw new TypeErrorCtor("Failed to construct 'Headers': A Symbol cannot be a header name.");
    record.push([byteString(key, op), byteString((init as Record<PropertyKey, unknown>)[key], op)]);
  }
  for (const [name, value] of record) appendHeader(state, name, value, op);
}

// Default iterator objects (WebIDL "iterable<ByteString, ByteString>").

const createIterator = definePairIterator<Headers>('Headers', (target) => sortedForIteration(stateOf(target)!.list));

defineInterface(Headers, 'Headers');
Object.defineProperty(Headers.prototype, SymbolIterator, {
  value: Headers.prototype.entries,
  writable: true,
  enumerable: false,
  configurable: true,
});

// For Request, Response and the runtime.

/** "Append" a header whose name and value are ByteStrings already (no WebIDL conversion). */
export function appendHeaderChecked(headers: Headers, name: string, value: string, op: string): void {
  appendHeader(stateOf(headers)!, name, value, op);
}

export function createHeaders(list: HeaderList, guard: HeadersGuard): Headers {
  const headers = new Headers();
  const state = stateOf(headers)!;
  state.list = list;
  state.guard = guard;
  return headers;
}

export function headerListOf(headers: Headers): HeaderList {
  return stateOf(headers)!.list;
}

export function setGuard(headers: Headers, guard: HeadersGuard): void {
  stateOf(headers)!.guard = guard;
}

export function isHeaders(x: unknown): x is Headers {
  return stateOf(x) !== undefined;
}

export function guardOfHeaders(headers: Headers): HeadersGuard {
  return stateOf(headers)!.guard;
}
