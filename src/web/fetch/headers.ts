// Headers: https://fetch.spec.whatwg.org/#headers-class
// A server runtime's Headers: as in Node, Deno and Cloudflare Workers, the forbidden request- and
// response-header names are not filtered (a proxy must pass Cookie on, an app must set
// Set-Cookie); the guards that remain are "immutable" and "none".
import { defineInterface } from '../../streams/webidl/interface.js';
import { domString } from '../../streams/webidl/converters.js';
import { SymbolIterator, TypeErrorCtor, arrayOfList, internalAppend, internalList, reflectApply, uncurryThis, type InternalList } from '../../streams/webidl/intrinsics.js';
import { definePairIterator } from '../pair-iterator.js';

export type HeadersGuard = 'immutable' | 'request' | 'request-no-cors' | 'response' | 'none';
/** A header list: [name as given, value] pairs in insertion order. */
// The runtime's own list, with no prototype (intrinsics.ts: InternalList): every request's headers
// go through it after app code ran, which may have replaced Array.prototype's methods or put
// setters on its indexes. Made by newHeaderList; read by index.
export type HeaderList = InternalList<[string, string]>;

export const newHeaderList: () => HeaderList = internalList;

/** A copy of the list: new pairs, as a Request or Response clone needs. */
export function copyHeaderList(list: HeaderList): HeaderList {
  const out = newHeaderList();
  for (let i = 0; i < list.length; i++) out[i] = [list[i]![0], list[i]![1]];
  return out;
}

/** The list as a plain array (for the host, or a caller that wants one): its elements defined, not set. */
export const headerListArray: (list: HeaderList) => [string, string][] = arrayOfList;

const ArrayIsArray = Array.isArray;
const ObjectCreate = Object.create;
const ReflectOwnKeys = Reflect.ownKeys;
const ReflectGetOwnPropertyDescriptor = Reflect.getOwnPropertyDescriptor;
// String and list methods as the runtime found them, whatever the app does to the prototypes.
const charCodeAt = uncurryThis(String.prototype.charCodeAt);
const stringSlice = uncurryThis(String.prototype.slice);
const toLowerCase = uncurryThis(String.prototype.toLowerCase);
const arraySort = uncurryThis(Array.prototype.sort as (this: never) => unknown);
const weakMapGet = uncurryThis(WeakMap.prototype.get as (this: never, key: object) => unknown);
const weakMapSet = uncurryThis(WeakMap.prototype.set as (this: never, key: object, value: unknown) => unknown);

/** tchar (RFC 9110 5.6.2) by code unit below 128. */
const TOKEN_CHARS = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") TOKEN_CHARS[c.charCodeAt(0)] = 1;

/** A token (a header name, a method): what /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/ matches, with no RegExp method to replace. */
export function isHttpToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = charCodeAt(s, i);
    if (c >= 128 || TOKEN_CHARS[c] === 0) return false;
  }
  return true;
}

/** A header value must not contain NUL, CR or LF (after normalization). */
function hasInvalidValueChar(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = charCodeAt(value, i);
    if (c === 0 || c === 0x0a || c === 0x0d) return true;
  }
  return false;
}

/** https://fetch.spec.whatwg.org/#concept-header-value-normalize: strip leading/trailing HTTP whitespace. */
export function normalizeHeaderValue(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isHttpWhitespace(charCodeAt(value, start))) start++;
  while (end > start && isHttpWhitespace(charCodeAt(value, end - 1))) end--;
  return start === 0 && end === value.length ? value : stringSlice(value, start, end);
}

function isHttpWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** ByteString conversion: a code unit above U+00FF is a TypeError. */
function byteString(value: unknown, op: string): string {
  const s = domString(value);
  for (let i = 0; i < s.length; i++) {
    if (charCodeAt(s, i) > 0xff) throw new TypeErrorCtor(`Failed to execute '${op}' on 'Headers': Value is not a valid ByteString.`);
  }
  return s;
}

function validateName(name: string, op: string): void {
  if (!isHttpToken(name)) throw new TypeErrorCtor(`Failed to execute '${op}' on 'Headers': Invalid name '${name}'.`);
}

function validateValue(name: string, value: string, op: string): void {
  if (hasInvalidValueChar(value)) throw new TypeErrorCtor(`Failed to execute '${op}' on 'Headers': Invalid value for '${name}'.`);
}

const lower = (s: string): string => toLowerCase(s);

/** Removes entry `index` of the list, the later ones moving down (splice without species or methods). */
function removeAt(list: HeaderList, index: number): void {
  for (let i = index + 1; i < list.length; i++) list[i - 1] = list[i]!;
  list.length--;
}

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
    const pair = list[i]!;
    if (lower(pair[0]) === key) out = out === null ? pair[1] : `${out}, ${pair[1]}`;
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
  internalAppend(list, [name, value]);
}

export function listDelete(list: HeaderList, name: string): void {
  const key = lower(name);
  for (let i = list.length - 1; i >= 0; i--) if (lower(list[i]![0]) === key) removeAt(list, i);
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
      removeAt(list, i--);
    }
  }
  if (!found) internalAppend(list, [name, value]);
}

/** "sort and combine": lowercase names, sorted; Set-Cookie values stay separate. */
export function sortAndCombine(list: HeaderList): HeaderList {
  // One pass to combine (a "get" per name scans the list: quadratic), then the names sorted.
  const combined: Record<string, string> = ObjectCreate(null) as Record<string, string>;
  const names = internalList<string>();
  const cookies = internalList<string>();
  for (let i = 0; i < list.length; i++) {
    const n = list[i]![0];
    const v = list[i]![1];
    const key = lower(n);
    if (key === 'set-cookie') {
      if (cookies.length === 0) internalAppend(names, key);
      internalAppend(cookies, v);
      continue;
    }
    const before = combined[key];
    if (before === undefined) internalAppend(names, key);
    combined[key] = before === undefined ? v : `${before}, ${v}`;
  }
  // Array.prototype.sort is generic: the original one, on the list with no prototype.
  arraySort(names);
  const out = newHeaderList();
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    if (name === 'set-cookie') for (let j = 0; j < cookies.length; j++) internalAppend(out, [name, cookies[j]!]);
    else internalAppend(out, [name, combined[name]!]);
  }
  return out;
}

/** The last sort and combine of a list, and the pairs it was made from (to see that it is stale). */
interface SortedPairs {
  names: InternalList<string>;
  values: InternalList<string>;
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
  const last = weakMapGet(lastSorted, list) as SortedPairs | undefined;
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
  const names = internalList<string>();
  const values = internalList<string>();
  for (let i = 0; i < list.length; i++) {
    names[i] = list[i]![0];
    values[i] = list[i]![1];
  }
  const pairs = sortAndCombine(list);
  weakMapSet(lastSorted, list, { names, values, pairs });
  return pairs;
}

/**
 * The header list as a request sends it: each name once, in the casing it was first given,
 * its values combined as "get" combines them (WPT fetch/api/basic/request-headers-case.any.js).
 */
export function combineForTransmission(list: HeaderList): HeaderList {
  const out = newHeaderList();
  const seen: Record<string, true> = ObjectCreate(null) as Record<string, true>;
  for (let i = 0; i < list.length; i++) {
    const name = list[i]![0];
    const key = lower(name);
    if (seen[key] === true) continue;
    seen[key] = true;
    internalAppend(out, [name, listGet(list, key)!]);
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
    this.#state = { list: newHeaderList(), guard: 'none' };
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
    const out = internalList<string>();
    for (let i = 0; i < state.list.length; i++) if (lower(state.list[i]![0]) === 'set-cookie') internalAppend(out, state.list[i]![1]);
    // The app's array, with its elements defined (no setter of Array.prototype met).
    return arrayOfList(out);
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
      const pair = pairs[i]!;
      reflectApply(callback, thisArg, [pair[1], pair[0], this]);
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
    const pairs = newHeaderList();
    // The app's own iterator, as WebIDL's sequence conversion calls it.
    for (const pair of reflectApply(iteratorMethod, init, []) as Iterable<unknown>) {
      if (typeof pair !== 'object' || pair === null) throw new TypeErrorCtor("Failed to construct 'Headers': The provided value cannot be converted to a sequence.");
      const items = ArrayIsArray(pair) ? pair : [...(pair as Iterable<unknown>)];
      if (items.length !== 2) throw new TypeErrorCtor("Failed to construct 'Headers': Invalid value: a header pair must have exactly two items.");
      internalAppend(pairs, [byteString(items[0], op), byteString(items[1], op)]);
    }
    for (let i = 0; i < pairs.length; i++) appendHeader(state, pairs[i]![0], pairs[i]![1], op);
    return;
  }
  // record<ByteString, ByteString>: own enumerable string keys, in order.
  const record = newHeaderList();
  const keys = ReflectOwnKeys(init as object);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const desc = ReflectGetOwnPropertyDescriptor(init as object, key);
    if (desc === undefined || !desc.enumerable) continue;
    // An enumerable Symbol key does not convert to a ByteString: a TypeError.
    if (typeof key === 'symbol') throw new TypeErrorCtor("Failed to construct 'Headers': A Symbol cannot be a header name.");
    internalAppend(record, [byteString(key, op), byteString((init as Record<PropertyKey, unknown>)[key], op)]);
  }
  for (let i = 0; i < record.length; i++) appendHeader(state, record[i]![0], record[i]![1], op);
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
