// WebIDL type conversions (https://webidl.spec.whatwg.org/#es-type-mapping) used by the stream
// interfaces. `context` is the "Failed to ..." prefix that makes every error say where.
import { NumberIsNaN, MathTrunc, TypeErrorCtor, reflectApply, PromiseCtor } from './intrinsics.js';
import { internalResolvedUndefined, promiseRejectedWith, promiseResolvedWith } from './promise.js';

export type Dict = Record<PropertyKey, unknown>;

/** Converting to a dictionary: undefined and null are the empty dictionary; other non-objects throw. */
export function dictionaryObject(value: unknown, context: string): Dict | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' && typeof value !== 'function') {
    throw new TypeErrorCtor(`${context} cannot convert to dictionary.`);
  }
  return value as Dict;
}

/** The `object` type: anything but an Object throws. */
export function objectArgument(value: unknown, context: string): object {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) {
    throw new TypeErrorCtor(`${context} parameter is not of type 'object'.`);
  }
  return value;
}

export function isObject(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

/** A callback function member: must be callable. */
export function callbackFunction<F extends Function>(value: unknown, context: string): F {
  if (typeof value !== 'function') throw new TypeErrorCtor(`${context} is not a function.`);
  return value as F;
}

/** `unrestricted double`. */
export function unrestrictedDouble(value: unknown): number {
  return +(value as number);
}

/** `[EnforceRange] unsigned long long`. */
export function enforceRangeUnsignedLongLong(value: unknown, context: string): number {
  let x = +(value as number);
  if (NumberIsNaN(x) || x === Infinity || x === -Infinity) {
    throw new TypeErrorCtor(`${context} is not a finite number.`);
  }
  x = MathTrunc(x);
  if (x < 0 || x > Number.MAX_SAFE_INTEGER) {
    throw new TypeErrorCtor(`${context} is outside the accepted range of 0 to ${Number.MAX_SAFE_INTEGER}.`);
  }
  return x === 0 ? 0 : x; // -0 becomes +0
}

export function toBoolean(value: unknown): boolean {
  return !!value;
}

/** DOMString: ToString, which throws on symbols. */
export function domString(value: unknown): string {
  return `${value as string}`;
}

/** Invokes a callback whose IDL return type is a promise: throws and returns become promises. */
export function invokePromiseCallback(fn: Function, thisArg: unknown, args: readonly unknown[]): Promise<undefined> {
  try {
    return promiseResolvedWith(reflectApply(fn, thisArg, args) as undefined);
  } catch (e) {
    return promiseRejectedWith(e);
  }
}

/**
 * Function.prototype.call as captured at install: callIntrinsic(fn, thisArg, a, b) is
 * fn.call(thisArg, a, b). The per-chunk callbacks go through it rather than Reflect.apply, whose
 * argument list is an array that V8 allocates whenever the call is not inlined.
 */
const callIntrinsic = Function.prototype.call.bind(Function.prototype.call) as (
  fn: Function,
  thisArg: unknown,
  ...args: unknown[]
) => unknown;

/**
 * invokePromiseCallback for a promise only the streams' own algorithms react to (pull, write,
 * transform), with the callback's one or two arguments: a callback that returns undefined gets
 * the shared fulfilled promise (docs/fast-paths.md #18).
 */
export function invokeInternalPromiseCallback1(fn: Function, thisArg: unknown, arg: unknown): Promise<unknown> {
  let result: unknown;
  try {
    result = callIntrinsic(fn, thisArg, arg);
  } catch (e) {
    return promiseRejectedWith(e);
  }
  return result === undefined ? internalResolvedUndefined : promiseResolvedWith(result);
}

export function invokeInternalPromiseCallback2(fn: Function, thisArg: unknown, arg0: unknown, arg1: unknown): Promise<unknown> {
  let result: unknown;
  try {
    result = callIntrinsic(fn, thisArg, arg0, arg1);
  } catch (e) {
    return promiseRejectedWith(e);
  }
  return result === undefined ? internalResolvedUndefined : promiseResolvedWith(result);
}

/** Invokes a callback whose IDL return type is `any` (start): exceptions propagate. */
export function invokeCallback(fn: Function, thisArg: unknown, args: readonly unknown[]): unknown {
  return reflectApply(fn, thisArg, args);
}

export { PromiseCtor };
