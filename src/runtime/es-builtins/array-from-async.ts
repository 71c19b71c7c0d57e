// Array.fromAsync (ES2026, https://tc39.es/ecma262/#sec-array.fromasync): an async iterable, else
// a sync iterable (through the steps of an async-from-sync iterator, job for job), else an array-like,
// into a new `this` (when `this` is a constructor) or a new Array. The closure runs as an internal
// async function, whose `await` is ECMA-262's Await; the method itself is an ordinary function.
import { TypeErrorCtor, SymbolAsyncIterator, SymbolIterator, promiseResolve, promiseThen } from '../../streams/webidl/intrinsics.js';
import {
  createDataPropertyOrThrow, getIteratorFromMethod, getMethod, isCallable, isConstructor, isObject, iterResult, iteratorCloseOnThrow, reflectApply, toIntegerOrInfinity,
  ReflectConstruct, ReflectSet, type IteratorRecord,
} from './abstract-ops.js';

const ArrayCtor = Array;
const promiseReject = Promise.reject.bind(Promise) as (reason: unknown) => Promise<never>;
const ObjectCtor = Object;
const MAX_SAFE_INTEGER = 2 ** 53 - 1;

/** Set(A, "length", 𝔽(length), true). */
function setLength(A: object, length: number): void {
  if (!ReflectSet(A, 'length', length, A)) throw new TypeErrorCtor('cannot set the length of the result');
}

/**
 * AsyncFromSyncIteratorContinuation (https://tc39.es/ecma262/#sec-asyncfromsynciteratorcontinuation):
 * a promise of the sync result's value, awaited, as a new iterator result. `done` and `value`
 * are read now; a rejection of the value closes the sync iterator unless the result was done and
 * `closeOnRejection` is false. Errors reject the promise (IfAbruptRejectPromise), so a caller's
 * Await sees them a job later, as it sees a rejection.
 */
function asyncFromSyncIteratorContinuation(result: unknown, record: IteratorRecord, closeOnRejection: boolean): Promise<unknown> {
  let done: boolean;
  let valueWrapper: Promise<unknown>;
  try {
    if (!isObject(result)) throw new TypeErrorCtor('the iterator result is not an object');
    // Steps 1-4: IteratorComplete, IteratorValue.
    done = !!(result as IteratorResult<unknown>).done;
    const value = (result as IteratorResult<unknown>).value;
    // Steps 5-7: PromiseResolve(%Promise%, value); its failure closes the iterator when asked.
    try {
      valueWrapper = promiseResolve(value);
    } catch (e) {
      if (!done && closeOnRejection) iteratorCloseOnThrow(record.iterator);
      throw e;
    }
  } catch (e) {
    return promiseReject(e);
  }
  // Steps 8-13: the value's fulfillment makes the result; its rejection closes the iterator
  // (unless done) and rejects.
  const onRejected = !done && closeOnRejection ? (e: unknown): never => {
    iteratorCloseOnThrow(record.iterator);
    throw e;
  } : undefined;
  return reflectApply(promiseThen, valueWrapper, [(v: unknown) => iterResult(v, done), onRejected]) as Promise<unknown>;
}

/**
 * %AsyncFromSyncIteratorPrototype%.next (https://tc39.es/ecma262/#sec-%asyncfromsynciteratorprototype%.next)
 * of the async-from-sync iterator over `record`: a promise of the next iterator result.
 */
function asyncFromSyncIteratorNext(record: IteratorRecord): Promise<unknown> {
  let result: unknown;
  try {
    result = reflectApply(record.next as Function, record.iterator, []);
  } catch (e) {
    return promiseReject(e);
  }
  return asyncFromSyncIteratorContinuation(result, record, true);
}

/**
 * AsyncIteratorClose (https://tc39.es/ecma262/#sec-asynciteratorclose) with a throw completion:
 * `return` is called and its result awaited, and whatever it throws is dropped (the caller
 * rethrows its error). For a sync iterator, through %AsyncFromSyncIteratorPrototype%.return: the
 * sync `return`, then AsyncFromSyncIteratorContinuation without closing on rejection.
 */
async function asyncIteratorCloseOnThrow(record: IteratorRecord, sync: boolean): Promise<void> {
  try {
    const returnMethod = getMethod(record.iterator, 'return');
    if (returnMethod === undefined) {
      // The async-from-sync iterator's return() exists always: with no sync one it answers a
      // promise of a done result, which AsyncIteratorClose awaits.
      if (sync) await promiseResolve(iterResult(undefined, true));
      return;
    }
    const innerResult = reflectApply(returnMethod, record.iterator, []);
    await (sync ? asyncFromSyncIteratorContinuation(innerResult, record, false) : innerResult);
  } catch {
    // The original error wins.
  }
}

/** The closure of Array.fromAsync step 3. */
async function fromAsyncClosure(C: unknown, asyncItems: unknown, mapfn: unknown, thisArg: unknown): Promise<unknown> {
  // Steps 3.a-b.
  const mapping = mapfn !== undefined;
  if (mapping && !isCallable(mapfn)) throw new TypeErrorCtor('Array.fromAsync: the mapper is not a function');
  // Steps 3.c-g: @@asyncIterator, else @@iterator (GetMethod throws for undefined and null).
  const usingAsyncIterator = getMethod(asyncItems, SymbolAsyncIterator);
  const usingSyncIterator = usingAsyncIterator === undefined ? getMethod(asyncItems, SymbolIterator) : undefined;
  if (usingAsyncIterator !== undefined || usingSyncIterator !== undefined) {
    const sync = usingAsyncIterator === undefined;
    const iteratorRecord = getIteratorFromMethod(asyncItems, sync ? usingSyncIterator : usingAsyncIterator);
    // Step 3.h.i-ii.
    const A = isConstructor(C) ? ReflectConstruct(C, []) : new ArrayCtor<unknown>();
    for (let k = 0; ; k++) {
      if (k >= MAX_SAFE_INTEGER) {
        const error = new TypeErrorCtor('Array.fromAsync: too many values');
        await asyncIteratorCloseOnThrow(iteratorRecord, sync);
        throw error;
      }
      // Steps 3.h.iv.3-8: the async iterator's next(), or the async-from-sync iterator's
      // (CreateAsyncFromSyncIterator: each value awaited, the sync iterator closed on its
      // rejection), the result awaited.
      const nextResult: unknown = await (sync
        ? asyncFromSyncIteratorNext(iteratorRecord)
        : reflectApply(iteratorRecord.next as Function, iteratorRecord.iterator, []));
      if (!isObject(nextResult)) throw new TypeErrorCtor('the iterator result is not an object');
      if ((nextResult as IteratorResult<unknown>).done) {
        setLength(A, k);
        return A;
      }
      const nextValue = (nextResult as IteratorResult<unknown>).value;
      // Steps 3.h.iv.9-12: the mapper's errors, a rejection of what it returns, and a failed
      // CreateDataPropertyOrThrow close the iterator.
      let mappedValue = nextValue;
      try {
        if (mapping) mappedValue = await reflectApply(mapfn as Function, thisArg, [nextValue, k]);
        createDataPropertyOrThrow(A, k, mappedValue);
      } catch (e) {
        await asyncIteratorCloseOnThrow(iteratorRecord, sync);
        throw e;
      }
    }
  }
  // Step 3.i: an array-like.
  const arrayLike = ObjectCtor(asyncItems) as Record<number, unknown>;
  // LengthOfArrayLike: ToLength(? Get(arrayLike, "length")).
  const integerLength = toIntegerOrInfinity(+((arrayLike as { length: unknown }).length as number));
  const len = integerLength <= 0 ? 0 : integerLength < MAX_SAFE_INTEGER ? integerLength : MAX_SAFE_INTEGER;
  const A = isConstructor(C) ? ReflectConstruct(C, [len]) : new ArrayCtor<unknown>(len);
  for (let k = 0; k < len; k++) {
    const kValue = await arrayLike[k];
    const mappedValue = mapping ? await reflectApply(mapfn as Function, thisArg, [kValue, k]) : kValue;
    createDataPropertyOrThrow(A, k, mappedValue);
  }
  setLength(A, len);
  return A;
}

export const arrayFromAsyncMethods = {
  /** @see https://tc39.es/ecma262/#sec-array.fromasync (length 1: the defaults) */
  fromAsync(this: unknown, asyncItems: unknown, mapfn: unknown = undefined, thisArg: unknown = undefined): Promise<unknown> {
    // Steps 1-5: the closure runs now, up to its first await; its errors reject the promise.
    return fromAsyncClosure(this, asyncItems, mapfn, thisArg);
  },
};
