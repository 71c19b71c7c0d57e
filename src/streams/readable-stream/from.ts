// https://streams.spec.whatwg.org/#readable-stream-from-iterable
import { TypeErrorCtor, SymbolAsyncIterator, SymbolIterator, reflectApply, promiseResolve } from '../webidl/intrinsics.js';
import { isObject } from '../webidl/converters.js';
import { promiseRejectedWith, promiseResolvedWith, transformPromiseWith, PerformPromiseThen } from '../webidl/promise.js';
import { CreateReadableStream, type ReadableStreamImpl } from './readable-stream.js';
import {
  ReadableStreamDefaultControllerClose,
  ReadableStreamDefaultControllerEnqueue,
  type ReadableStreamDefaultControllerImpl,
} from './default-controller.js';

/** https://tc39.es/ecma262/#sec-iterator-records */
interface IteratorRecord {
  iterator: object;
  nextMethod: unknown;
  done: boolean;
}

export function ReadableStreamFromIterable(asyncIterable: unknown): ReadableStreamImpl {
  let stream: ReadableStreamImpl;
  // Step 2. Let iteratorRecord be ? GetIterator(asyncIterable, async).
  const iteratorRecord = GetIterator(asyncIterable);
  const startAlgorithm = () => undefined;
  const pullAlgorithm = (): Promise<undefined> => {
    let nextResult: unknown;
    try {
      nextResult = IteratorNext(iteratorRecord);
    } catch (e) {
      return promiseRejectedWith(e);
    }
    const nextPromise = promiseResolvedWith(nextResult);
    return transformPromiseWith(nextPromise, (iterResult) => {
      if (!isObject(iterResult)) throw new TypeErrorCtor('The promise returned by the iterator.next() method must fulfill with an object');
      const done = IteratorComplete(iterResult);
      const controller = stream.controller as ReadableStreamDefaultControllerImpl;
      if (done) {
        ReadableStreamDefaultControllerClose(controller);
      } else {
        const value = IteratorValue(iterResult);
        ReadableStreamDefaultControllerEnqueue(controller, value);
      }
      return undefined;
    });
  };
  const cancelAlgorithm = (reason: unknown): Promise<undefined> => {
    const iterator = iteratorRecord.iterator;
    let returnMethod: unknown;
    try {
      returnMethod = GetMethod(iterator, 'return');
    } catch (e) {
      return promiseRejectedWith(e);
    }
    if (returnMethod === undefined) return promiseResolvedWith(undefined);
    let returnResult: unknown;
    try {
      returnResult = reflectApply(returnMethod as Function, iterator, [reason]);
    } catch (e) {
      return promiseRejectedWith(e);
    }
    const returnPromise = promiseResolvedWith(returnResult);
    return transformPromiseWith(returnPromise, (iterResult) => {
      if (!isObject(iterResult)) throw new TypeErrorCtor('The promise returned by the iterator.return() method must fulfill with an object');
      return undefined;
    });
  };
  stream = CreateReadableStream(startAlgorithm, pullAlgorithm, cancelAlgorithm, 0);
  return stream;
}

// ECMAScript iteration helpers (https://tc39.es/ecma262/#sec-operations-on-iterator-objects).

function GetMethod(v: unknown, p: PropertyKey): Function | undefined {
  const func = (v as Record<PropertyKey, unknown>)[p];
  if (func === undefined || func === null) return undefined;
  if (typeof func !== 'function') throw new TypeErrorCtor(`${String(p)} is not a function`);
  return func;
}

/** GetIterator(obj, async), with CreateAsyncFromSyncIterator for sync iterables. */
function GetIterator(obj: unknown): IteratorRecord {
  if (obj === null || obj === undefined) {
    throw new TypeErrorCtor(`Failed to execute 'from' on 'ReadableStream': ${String(obj)} is not async iterable`);
  }
  const method = GetMethod(Object(obj), SymbolAsyncIterator);
  if (method === undefined) {
    const syncMethod = GetMethod(Object(obj), SymbolIterator);
    if (syncMethod === undefined) {
      throw new TypeErrorCtor("Failed to execute 'from' on 'ReadableStream': the argument is not iterable");
    }
    const syncIteratorRecord = GetIteratorFromMethod(obj, syncMethod);
    return CreateAsyncFromSyncIterator(syncIteratorRecord);
  }
  return GetIteratorFromMethod(obj, method);
}

function GetIteratorFromMethod(obj: unknown, method: Function): IteratorRecord {
  const iterator = reflectApply(method, obj, []);
  if (!isObject(iterator)) throw new TypeErrorCtor('The iterator method must return an object');
  const nextMethod = (iterator as Record<string, unknown>).next;
  return { iterator, nextMethod, done: false };
}

function IteratorNext(record: IteratorRecord, value?: unknown): unknown {
  let result: unknown;
  try {
    result =
      arguments.length < 2
        ? reflectApply(record.nextMethod as Function, record.iterator, [])
        : reflectApply(record.nextMethod as Function, record.iterator, [value]);
  } catch (e) {
    record.done = true;
    throw e;
  }
  if (!isObject(result)) {
    record.done = true;
    throw new TypeErrorCtor('The iterator.next() method must return an object');
  }
  return result;
}

function IteratorComplete(iterResult: object): boolean {
  return !!(iterResult as { done?: unknown }).done;
}

function IteratorValue(iterResult: object): unknown {
  return (iterResult as { value?: unknown }).value;
}

/** IteratorClose(iteratorRecord, completion) for a throw completion: rethrows `error` after calling return(). */
function IteratorCloseWithThrow(record: IteratorRecord, error: unknown): never {
  const iterator = record.iterator;
  try {
    const returnMethod = GetMethod(iterator, 'return');
    if (returnMethod !== undefined) reflectApply(returnMethod, iterator, []);
  } catch {
    // The original throw completion wins.
  }
  throw error;
}

/** https://tc39.es/ecma262/#sec-createasyncfromsynciterator (next and return are all the stream uses). */
function CreateAsyncFromSyncIterator(syncIteratorRecord: IteratorRecord): IteratorRecord {
  const asyncIterator = {
    next(...args: unknown[]): Promise<unknown> {
      let result: unknown;
      try {
        result = args.length > 0 ? IteratorNext(syncIteratorRecord, args[0]) : IteratorNext(syncIteratorRecord);
      } catch (e) {
        return promiseRejectedWith(e);
      }
      return AsyncFromSyncIteratorContinuation(result as object, syncIteratorRecord, true);
    },
    return(value: unknown): Promise<unknown> {
      const syncIterator = syncIteratorRecord.iterator;
      let returnMethod: Function | undefined;
      try {
        returnMethod = GetMethod(syncIterator, 'return');
      } catch (e) {
        return promiseRejectedWith(e);
      }
      if (returnMethod === undefined) return promiseResolvedWith({ value, done: true });
      let result: unknown;
      try {
        result = reflectApply(returnMethod, syncIterator, [value]);
      } catch (e) {
        return promiseRejectedWith(e);
      }
      if (!isObject(result)) {
        return promiseRejectedWith(new TypeErrorCtor('The iterator.return() method must return an object'));
      }
      return AsyncFromSyncIteratorContinuation(result, syncIteratorRecord, false);
    },
  };
  return { iterator: asyncIterator, nextMethod: asyncIterator.next, done: false };
}

/** https://tc39.es/ecma262/#sec-asyncfromsynciteratorcontinuation */
function AsyncFromSyncIteratorContinuation(
  result: object,
  syncIteratorRecord: IteratorRecord,
  closeOnRejection: boolean,
): Promise<unknown> {
  let done: boolean;
  let value: unknown;
  let valueWrapper: Promise<unknown>;
  try {
    done = IteratorComplete(result);
    value = IteratorValue(result);
  } catch (e) {
    return promiseRejectedWith(e);
  }
  try {
    valueWrapper = promiseResolve(value);
  } catch (e) {
    if (!done && closeOnRejection) {
      try {
        IteratorCloseWithThrow(syncIteratorRecord, e);
      } catch (closeError) {
        return promiseRejectedWith(closeError);
      }
    }
    return promiseRejectedWith(e);
  }
  // Callbacks written in the call, not as named consts: a bundler's keepNames would otherwise
  // define a `name` on a fresh closure per chunk (measured: 3x slower iteration).
  return PerformPromiseThen(
    valueWrapper,
    (v: unknown) => ({ value: v, done }),
    done || !closeOnRejection ? undefined : (error: unknown) => IteratorCloseWithThrow(syncIteratorRecord, error),
  );
}
