// ECMAScript built-ins newer than the isolate's V8 (Node 20: V8 11.3), which Workers, Deno and
// Node 22 have: Promise.withResolvers (ES2024) and Object.groupBy, Map.groupBy (ES2024). Each is
// installed only where the engine lacks it, with a built-in's property attributes (writable,
// configurable, not enumerable), `name` and `length`, and steps from ECMA-262; its internal steps
// use the intrinsics captured here, so an app that patches Map.prototype.set or Array.prototype
// sees no call. Array.fromAsync, the Set methods and iterator helpers are not provided.
const ReflectApply = Reflect.apply;
const ReflectConstruct = Reflect.construct;
const ReflectOwnKeys = Reflect.ownKeys;
const ObjectCreate = Object.create;
const ObjectDefineProperty = Object.defineProperty;
const TypeErrorCtor = TypeError;
const MapCtor = Map;
const mapGet = Map.prototype.get;
const mapSet = Map.prototype.set;
const mapForEach = Map.prototype.forEach;

/** Defines `fn` on `target` as a built-in method is defined (ECMA-262 clause 18). */
function defineMethod(target: object, name: string, fn: Function): void {
  if (name in target) return;
  ObjectDefineProperty(target, name, { value: fn, writable: true, enumerable: false, configurable: true });
}

export function installEsBuiltins(global: { Promise: PromiseConstructor; Object: ObjectConstructor; Map: MapConstructor }): void {
  const methods = {
    /** @see https://tc39.es/ecma262/#sec-promise.withResolvers */
    withResolvers(this: unknown): { promise: unknown; resolve: unknown; reject: unknown } {
      // Steps 1-2: NewPromiseCapability(this value); Reflect.construct throws the TypeError
      // for a value that is not a constructor.
      let resolve: unknown;
      let reject: unknown;
      const executor = function (res: unknown, rej: unknown): void {
        if (resolve !== undefined || reject !== undefined) throw new TypeErrorCtor('Promise.withResolvers: the executor was called twice');
        resolve = res;
        reject = rej;
      };
      if (typeof this !== 'function') throw new TypeErrorCtor('Promise.withResolvers called on a value that is not a constructor');
      const promise = ReflectConstruct(this, [executor]);
      if (typeof resolve !== 'function' || typeof reject !== 'function') throw new TypeErrorCtor('Promise.withResolvers: the resolving functions are not callable');
      // Steps 3-6: an ordinary object with three data properties.
      return { promise, resolve, reject };
    },
    /** @see https://tc39.es/ecma262/#sec-object.groupby */
    groupBy(items: unknown, callbackfn: unknown): object {
      const groups = groupBy(items, callbackfn, 'property');
      // Steps 2-3: a null-prototype object, an array per key in insertion order.
      const obj = ObjectCreate(null) as Record<PropertyKey, unknown>;
      ReflectApply(mapForEach, groups, [(elements: unknown[], key: PropertyKey) => ObjectDefineProperty(obj, key, { value: elements, writable: true, enumerable: true, configurable: true })]);
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
  defineMethod(global.Promise, 'withResolvers', methods.withResolvers);
  defineMethod(global.Object, 'groupBy', methods.groupBy);
  defineMethod(global.Map, 'groupBy', mapMethods.groupBy);
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
    let key: unknown = ReflectApply(callbackfn, undefined, [value, k]);
    // ToPropertyKey, once: an object literal's computed key does exactly that.
    if (keyCoercion === 'property') key = ReflectOwnKeys({ [key as PropertyKey]: undefined })[0];
    else if (key === 0) key = 0;
    // AddValueToKeyedGroup.
    const group = ReflectApply(mapGet, groups, [key]) as unknown[] | undefined;
    if (group === undefined) ReflectApply(mapSet, groups, [key, [value]]);
    else ObjectDefineProperty(group, group.length, { value, writable: true, enumerable: true, configurable: true });
    k++;
  }
  return groups;
}
