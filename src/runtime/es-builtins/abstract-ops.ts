// ECMA-262 abstract operations shared by the built-ins of src/runtime/es-builtins.ts: iterator
// records and their steps, GetMethod, ToIntegerOrInfinity, and how a built-in is defined. Every
// step goes through intrinsics captured when this module is evaluated (before any app code), so
// an app that patches a prototype sees only the calls ECMA-262 makes.
import { reflectApply, TypeErrorCtor, ObjectDefineProperty, MathTrunc } from '../../streams/webidl/intrinsics.js';

export { reflectApply };

export const ReflectConstruct = Reflect.construct;
export const ReflectDefineProperty = Reflect.defineProperty;
export const ReflectSet = Reflect.set;
const ReflectOwnKeys = Reflect.ownKeys;
const ProxyCtor = Proxy;

export function isObject(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

export function isCallable(value: unknown): value is Function {
  return typeof value === 'function';
}

/** A handler whose construct trap calls nothing of the target's. */
const constructProbe: ProxyHandler<Function> = { __proto__: null, construct: () => constructProbe } as ProxyHandler<Function>;
/**
 * IsConstructor (https://tc39.es/ecma262/#sec-isconstructor), without touching `value`: a proxy
 * has [[Construct]] exactly when its target has, and its trap runs instead of the target.
 */
export function isConstructor(value: unknown): value is new (...args: unknown[]) => object {
  if (typeof value !== 'function') return false;
  try {
    ReflectConstruct(new ProxyCtor(value, constructProbe), []);
    return true;
  } catch {
    return false;
  }
}

/** @see https://tc39.es/ecma262/#sec-getmethod */
export function getMethod(value: unknown, key: PropertyKey): Function | undefined {
  const method = (value as Record<PropertyKey, unknown>)[key];
  if (method === undefined || method === null) return undefined;
  if (!isCallable(method)) throw new TypeErrorCtor(`${String(key)} is not a function`);
  return method;
}

/** @see https://tc39.es/ecma262/#sec-tointegerorinfinity (of a Number already) */
export function toIntegerOrInfinity(number: number): number {
  if (number !== number) return 0;
  // Math.trunc keeps ±Infinity; `+ 0` makes -0 +0.
  return MathTrunc(number) + 0;
}

/**
 * An Iterator Record (https://tc39.es/ecma262/#sec-iterator-records), internal only. [[Done]] is
 * not kept: no caller here reads it (each closes the iterator where ECMA-262 says, explicitly).
 */
export class IteratorRecord {
  constructor(
    readonly iterator: object,
    readonly next: unknown,
  ) {}
}

/** @see https://tc39.es/ecma262/#sec-getiteratordirect (reads `next` once, checks nothing) */
export function getIteratorDirect(obj: object): IteratorRecord {
  return new IteratorRecord(obj, (obj as { next: unknown }).next);
}

/** @see https://tc39.es/ecma262/#sec-getiteratorfrommethod */
export function getIteratorFromMethod(obj: unknown, method: unknown): IteratorRecord {
  const iterator = reflectApply(method as Function, obj, []);
  if (!isObject(iterator)) throw new TypeErrorCtor('the iterator is not an object');
  return getIteratorDirect(iterator);
}

/** What IteratorStep and IteratorStepValue return at the end. */
export const DONE: unique symbol = Symbol('done') as never;

/** IteratorNext (https://tc39.es/ecma262/#sec-iteratornext) without a value. */
function iteratorNext(record: IteratorRecord): object {
  const result = reflectApply(record.next as Function, record.iterator, []);
  if (!isObject(result)) throw new TypeErrorCtor('the iterator result is not an object');
  return result;
}

/** @see https://tc39.es/ecma262/#sec-iteratorstep (the result, not its value) */
export function iteratorStep(record: IteratorRecord): object | typeof DONE {
  const result = iteratorNext(record);
  return (result as IteratorResult<unknown>).done ? DONE : result;
}

/** @see https://tc39.es/ecma262/#sec-iteratorstepvalue */
export function iteratorStepValue(record: IteratorRecord): unknown {
  const result = iteratorNext(record);
  if ((result as IteratorResult<unknown>).done) return DONE;
  return (result as IteratorResult<unknown>).value;
}

/**
 * IteratorClose (https://tc39.es/ecma262/#sec-iteratorclose) with a normal or return completion:
 * the `return` method's errors propagate, and a result that is not an object is a TypeError.
 * The caller then carries on with its completion.
 */
export function iteratorClose(iterator: object): void {
  const returnMethod = getMethod(iterator, 'return');
  if (returnMethod === undefined) return;
  const innerResult = reflectApply(returnMethod, iterator, []);
  if (!isObject(innerResult)) throw new TypeErrorCtor('the iterator return() result is not an object');
}

/**
 * IteratorClose with a throw completion (what IfAbruptCloseIterator does): `return` is called if
 * there is one, and whatever it throws or returns is dropped; the caller rethrows its error.
 */
export function iteratorCloseOnThrow(iterator: object): void {
  try {
    const returnMethod = (iterator as { return?: unknown }).return;
    if (returnMethod !== undefined && returnMethod !== null) reflectApply(returnMethod as Function, iterator, []);
  } catch {
    // The original error wins (IteratorClose step 5).
  }
}

/** CreateIteratorResultObject (https://tc39.es/ecma262/#sec-createiterresultobject). */
export function iterResult(value: unknown, done: boolean): IteratorResult<unknown> {
  return { value, done } as IteratorResult<unknown>;
}

/** CreateDataPropertyOrThrow (https://tc39.es/ecma262/#sec-createdatapropertyorthrow). */
export function createDataPropertyOrThrow(target: object, key: PropertyKey, value: unknown): void {
  if (!ReflectDefineProperty(target, key, { __proto__: null, value, writable: true, enumerable: true, configurable: true } as PropertyDescriptor)) {
    throw new TypeErrorCtor(`cannot define property ${String(key)}`);
  }
}

/**
 * Defines `value` on `target` as ECMA-262 clause 18 defines a built-in's property (writable,
 * configurable, not enumerable), unless `target` has the property already (the engine's own).
 */
export function defineBuiltin(target: object, key: PropertyKey, value: unknown): void {
  if (key in target) return;
  ObjectDefineProperty(target, key, { __proto__: null, value, writable: true, enumerable: false, configurable: true } as PropertyDescriptor);
}

/** Defines each own method of `methods` on `target` (see defineBuiltin). */
export function defineBuiltins(target: object, methods: object): void {
  const keys = ReflectOwnKeys(methods);
  for (let i = 0; i < keys.length; i++) defineBuiltin(target, keys[i]!, (methods as Record<PropertyKey, unknown>)[keys[i]!]);
}
