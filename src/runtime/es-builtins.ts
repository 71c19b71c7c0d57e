// ECMAScript built-ins newer than the isolate's V8 (Node 20: V8 11.3), which Workers, Deno and
// Node 22+ have:
// - ES2024: Promise.withResolvers, Object.groupBy, Map.groupBy (here);
// - ES2025: the Set methods (es-builtins/set-methods.ts); the global Iterator and the iterator
//   helpers (es-builtins/iterator-helpers.ts).
// Each is installed only where the engine lacks it, with a built-in's property attributes
// (writable, configurable, not enumerable), `name` and `length` (methods are not constructors),
// and steps from ECMA-262; internal steps use intrinsics captured when the bundle is evaluated,
// before any app code, so an app that patches Map.prototype.set, Array.prototype or
// Set.prototype.add sees no call that ECMA-262 would not make. Not provided:
// Promise.try, RegExp.escape, Array.fromAsync.
import { installSetMethods } from './es-builtins/set-methods.js';
import { installIteratorHelpers } from './es-builtins/iterator-helpers.js';
import { defineBuiltins, reflectApply, ReflectConstruct } from './es-builtins/abstract-ops.js';
const ReflectOwnKeys = Reflect.ownKeys;
const ObjectCreate = Object.create;
const ObjectDefineProperty = Object.defineProperty;
const TypeErrorCtor = TypeError;
const MapCtor = Map;
const mapGet = Map.prototype.get;
const mapSet = Map.prototype.set;
const mapForEach = Map.prototype.forEach;

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

export function installEsBuiltins(global: {
  Promise: PromiseConstructor;
  Object: ObjectConstructor;
  Map: MapConstructor;
  Set: SetConstructor;
}): void {
  const promiseMethods = {
    /** @see https://tc39.es/ecma262/#sec-promise.withResolvers */
    withResolvers(this: unknown): { promise: unknown; resolve: unknown; reject: unknown } {
      // Steps 1-2: NewPromiseCapability(this value).
      const { promise, resolve, reject } = newPromiseCapability(this);
      // Steps 3-6: an ordinary object with three data properties.
      return { promise, resolve, reject };
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
  defineBuiltins(global.Promise, promiseMethods);
  defineBuiltins(global.Object, objectMethods);
  defineBuiltins(global.Map, mapMethods);
  installSetMethods(global.Set);
  installIteratorHelpers(global);
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
