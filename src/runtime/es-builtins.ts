// ECMAScript built-ins newer than the isolate's V8 (Node 20: V8 11.3), which Workers, Deno and
// Node 22+ have:
// - ES2024: Promise.withResolvers, Object.groupBy, Map.groupBy (here);
// - ES2025: Promise.try, RegExp.escape (here); the Set methods (es-builtins/set-methods.ts);
//   the global Iterator and the iterator helpers (es-builtins/iterator-helpers.ts);
// - ES2026: Array.fromAsync (es-builtins/array-from-async.ts); Uint8Array.fromBase64, fromHex
//   and Uint8Array.prototype.toBase64, toHex, setFromBase64, setFromHex (es-builtins/base64.ts).
// Each is installed only where the engine lacks it, with a built-in's property attributes
// (writable, configurable, not enumerable), `name` and `length` (methods are not constructors),
// and steps from ECMA-262; internal steps use intrinsics captured when the bundle is evaluated,
// before any app code, so an app that patches Map.prototype.set, Array.prototype or
// Set.prototype.add sees no call that ECMA-262 would not make. Not provided:
// Iterator.concat, explicit resource management (Symbol.dispose, DisposableStack...).
import { installSetMethods } from './es-builtins/set-methods.js';
import { installIteratorHelpers } from './es-builtins/iterator-helpers.js';
import { arrayFromAsyncMethods } from './es-builtins/array-from-async.js';
import { installBase64 } from './es-builtins/base64.js';
import { defineBuiltins, isObject, reflectApply, ReflectConstruct } from './es-builtins/abstract-ops.js';
const ReflectOwnKeys = Reflect.ownKeys;
const ObjectCreate = Object.create;
const ObjectDefineProperty = Object.defineProperty;
const TypeErrorCtor = TypeError;
const MapCtor = Map;
const mapGet = Map.prototype.get;
const mapSet = Map.prototype.set;
const mapForEach = Map.prototype.forEach;
const stringCodePointAt = String.prototype.codePointAt;
const StringFromCodePoint = String.fromCodePoint;

interface PromiseCapability {
  promise: object;
  resolve: Function;
  reject: Function;
}

/** @see https://tc39.es/ecma262/#sec-newpromisecapability */
function newPromiseCapability(C: unknown): PromiseCapability {
  // Step 1: Reflect.construct throws the TypeError for a function that is not a constructor.
  if (typeof C !== 'function') throw new TypeErrorCtor('the receiver is not a constructor');
  let resolve: unknown;
  let reject: unknown;
  // Steps 2-5: the executor is an anonymous built-in of length 2 that is not a constructor (an
  // arrow function written in the argument list has neither a name nor [[Construct]]).
  const promise = ReflectConstruct(C, [
    (res: unknown, rej: unknown): void => {
      if (resolve !== undefined || reject !== undefined) throw new TypeErrorCtor('the promise executor was called twice');
      resolve = res;
      reject = rej;
    },
  ]) as object;
  // Steps 6-7.
  if (typeof resolve !== 'function' || typeof reject !== 'function') throw new TypeErrorCtor('the promise resolving functions are not callable');
  return { promise, resolve, reject };
}

const HEX_DIGITS = '0123456789abcdef';

/** `\x` and two lowercase hex digits (a code point up to 0xFF). */
function hexEscape(c: number): string {
  return '\\x' + HEX_DIGITS[c >> 4]! + HEX_DIGITS[c & 15]!;
}

/** UnicodeEscape (https://tc39.es/ecma262/#sec-unicodeescape) of a code unit: `\u` and four lowercase hex digits. */
function unicodeEscape(cu: number): string {
  return '\\u' + HEX_DIGITS[cu >> 12]! + HEX_DIGITS[(cu >> 8) & 15]! + HEX_DIGITS[(cu >> 4) & 15]! + HEX_DIGITS[cu & 15]!;
}

/** @see https://tc39.es/ecma262/#sec-encodeforregexpescape */
function encodeForRegExpEscape(c: number): string {
  switch (c) {
    // Step 1: SyntaxCharacter ^ $ \ . * + ? ( ) [ ] { } | and /.
    case 0x5e: case 0x24: case 0x5c: case 0x2e: case 0x2a: case 0x2b: case 0x3f: case 0x28: case 0x29:
    case 0x5b: case 0x5d: case 0x7b: case 0x7d: case 0x7c: case 0x2f:
      return '\\' + StringFromCodePoint(c);
    // Step 2: ControlEscape (table 65).
    case 0x09: return '\\t';
    case 0x0a: return '\\n';
    case 0x0b: return '\\v';
    case 0x0c: return '\\f';
    case 0x0d: return '\\r';
    // Steps 3-5: the other punctuators , - = < > # & ! % : ; @ ~ ' ` ", WhiteSpace (the rest of it:
    // U+0020, U+00A0, U+FEFF and category Zs) and LineTerminator (U+2028, U+2029).
    case 0x2c: case 0x2d: case 0x3d: case 0x3c: case 0x3e: case 0x23: case 0x26: case 0x21: case 0x25:
    case 0x3a: case 0x3b: case 0x40: case 0x7e: case 0x27: case 0x60: case 0x22:
    case 0x20: case 0xa0: case 0xfeff: case 0x1680: case 0x202f: case 0x205f: case 0x3000: case 0x2028: case 0x2029:
      return c <= 0xff ? hexEscape(c) : unicodeEscape(c);
  }
  if (c >= 0x2000 && c <= 0x200a) return unicodeEscape(c);
  // Step 5: a lone surrogate (a pair was read as one code point) as its \u escape.
  if (c >= 0xd800 && c <= 0xdfff) return unicodeEscape(c);
  // Step 6.
  return StringFromCodePoint(c);
}

export function installEsBuiltins(global: {
  Promise: PromiseConstructor;
  Object: ObjectConstructor;
  Map: MapConstructor;
  Set: SetConstructor;
  Array: ArrayConstructor;
  RegExp: RegExpConstructor;
  Uint8Array: Uint8ArrayConstructor;
}): void {
  const promiseMethods = {
    /** @see https://tc39.es/ecma262/#sec-promise.withResolvers */
    withResolvers(this: unknown): { promise: unknown; resolve: unknown; reject: unknown } {
      // Steps 1-2: NewPromiseCapability(this value).
      const { promise, resolve, reject } = newPromiseCapability(this);
      // Steps 3-6: an ordinary object with three data properties.
      return { promise, resolve, reject };
    },
    /** @see https://tc39.es/ecma262/#sec-promise.try (length 1: the rest parameter) */
    try(this: unknown, callbackfn: unknown, ...args: unknown[]): object {
      // Steps 1-3.
      if (!isObject(this)) throw new TypeErrorCtor('Promise.try called on a value that is not an object');
      const capability = newPromiseCapability(this);
      // Steps 4-6: the callback's completion settles the promise (calling a non-function throws).
      let status: unknown;
      try {
        status = reflectApply(callbackfn as Function, undefined, args);
      } catch (e) {
        reflectApply(capability.reject, undefined, [e]);
        return capability.promise;
      }
      reflectApply(capability.resolve, undefined, [status]);
      return capability.promise;
    },
  };
  const objectMethods = {
    /** @see https://tc39.es/ecma262/#sec-object.groupby */
    groupBy(items: unknown, callbackfn: unknown): object {
      const groups = groupBy(items, callbackfn, 'property');
      // Steps 2-3: a null-prototype object, an array per key in insertion order.
      const obj = ObjectCreate(null) as Record<PropertyKey, unknown>;
      reflectApply(mapForEach, groups, [(elements: unknown[], key: PropertyKey) => ObjectDefineProperty(obj, key, { __proto__: null, value: elements, writable: true, enumerable: true, configurable: true } as PropertyDescriptor)]);
      return obj;
    },
  };
  const mapMethods = {
    /** @see https://tc39.es/ecma262/#sec-map.groupby */
    groupBy(items: unknown, callbackfn: unknown): Map<unknown, unknown[]> {
      // The groups are a %Map% already (keyed by SameValue, -0 made +0).
      return groupBy(items, callbackfn, 'zero');
    },
  };
  const regExpMethods = {
    /** @see https://tc39.es/ecma262/#sec-regexp.escape */
    escape(S: unknown): string {
      // Step 1.
      if (typeof S !== 'string') throw new TypeErrorCtor('RegExp.escape: the argument is not a string');
      // Steps 2-4, over the code points (a lone surrogate is one).
      let escaped = '';
      for (let i = 0; i < S.length; ) {
        const c = reflectApply(stringCodePointAt, S, [i]) as number;
        // Step 4.a: a leading DecimalDigit or AsciiLetter as \x and two hex digits.
        if (i === 0 && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a))) escaped = hexEscape(c);
        else escaped += encodeForRegExpEscape(c);
        i += c > 0xffff ? 2 : 1;
      }
      return escaped;
    },
  };
  defineBuiltins(global.Promise, promiseMethods);
  defineBuiltins(global.Object, objectMethods);
  defineBuiltins(global.Map, mapMethods);
  defineBuiltins(global.RegExp, regExpMethods);
  defineBuiltins(global.Array, arrayFromAsyncMethods);
  installSetMethods(global.Set);
  installIteratorHelpers(global);
  installBase64(global.Uint8Array);
}

/**
 * GroupBy (https://tc39.es/ecma262/#sec-groupby): `items` iterated, each value added to the group
 * of `callbackfn(value, k)`'s key (a property key, or the value with -0 as +0). An abrupt
 * completion in the loop body closes the iterator, as for-of does.
 */
function groupBy(items: unknown, callbackfn: unknown, keyCoercion: 'property' | 'zero'): Map<unknown, unknown[]> {
  // Steps 1-2.
  if (items === null || items === undefined) throw new TypeErrorCtor('groupBy: the items are null or undefined');
  if (typeof callbackfn !== 'function') throw new TypeErrorCtor('groupBy: the callback is not a function');
  const groups = new MapCtor<unknown, unknown[]>();
  let k = 0;
  // Steps 4-6.
  for (const value of items as Iterable<unknown>) {
    let key: unknown = reflectApply(callbackfn, undefined, [value, k]);
    // ToPropertyKey, once: an object literal's computed key does exactly that.
    if (keyCoercion === 'property') key = ReflectOwnKeys({ [key as PropertyKey]: undefined })[0];
    else if (key === 0) key = 0;
    // AddValueToKeyedGroup.
    const group = reflectApply(mapGet, groups, [key]) as unknown[] | undefined;
    if (group === undefined) reflectApply(mapSet, groups, [key, [value]]);
    else ObjectDefineProperty(group, group.length, { __proto__: null, value, writable: true, enumerable: true, configurable: true } as PropertyDescriptor);
    k++;
  }
  return groups;
}
