// The ES2025 iterator helpers (https://tc39.es/ecma262/#sec-iterator-objects): the global
// `Iterator` (an abstract constructor whose prototype is the existing %Iterator.prototype%),
// Iterator.from with %WrapForValidIteratorPrototype%, and on %Iterator.prototype% map, filter,
// take, drop, flatMap, reduce, toArray, forEach, some, every, find and the `constructor` and
// @@toStringTag accessors.
//
// ECMA-262 runs each helper as a generator (CreateIteratorFromClosure over an abstract closure,
// branded "Iterator Helper"). Here each closure is a native generator function written step by
// step from the spec's closure, held in a #private field of the helper: the engine then gives the
// generator states ECMA-262 describes (a re-entrant next() is a TypeError, a completed helper
// answers { value: undefined, done: true }), and `return()` at a Yield runs the closure's
// IfAbruptCloseIterator in a `finally`. The internal generator is never reachable from the app.
import { uncurryThis, internalList, internalAppend, arrayOfList, ObjectGetPrototypeOf, ObjectSetPrototypeOf, ObjectDefineProperty, TypeErrorCtor, RangeErrorCtor, SymbolIterator, type InternalList } from '../../streams/webidl/intrinsics.js';
import {
  DONE, IteratorRecord, defineBuiltins, getIteratorDirect, getMethod, isCallable, isObject, iterResult, iteratorClose, iteratorCloseOnThrow,
  iteratorStep, iteratorStepValue, reflectApply, toIntegerOrInfinity, ReflectDefineProperty, ReflectSet,
} from './abstract-ops.js';

const SymbolToStringTag: typeof Symbol.toStringTag = Symbol.toStringTag;
/** %Iterator.prototype%, reached without syntax an app could intercept (it runs before any app). */
const IteratorPrototype: object = ObjectGetPrototypeOf(ObjectGetPrototypeOf([][SymbolIterator]()));
const GeneratorPrototype = ObjectGetPrototypeOf(function* () {}).prototype as Generator<unknown, void, undefined>;
const generatorNext = uncurryThis(GeneratorPrototype.next as (this: Generator) => IteratorResult<unknown>);
const generatorReturn = uncurryThis(GeneratorPrototype.return as (this: Generator, value: undefined) => IteratorResult<unknown>);
const functionHasInstance = Function.prototype[Symbol.hasInstance];
const ReflectGetOwnPropertyDescriptor = Reflect.getOwnPropertyDescriptor;

type Body = Generator<unknown, void, undefined>;

/**
 * %IteratorHelperPrototype% (https://tc39.es/ecma262/#sec-%iteratorhelperprototype%-object) is
 * this class's prototype, re-parented to %Iterator.prototype% and without `constructor`.
 */
class IteratorHelper {
  /** The closure, as a generator: [[GeneratorState]] is its state. */
  readonly #body: Body;
  /** [[UnderlyingIterator]]. */
  readonly #underlying: IteratorRecord;
  /** Whether the state has left suspended-start (the body may not have run yet). */
  #started = false;

  constructor(body: Body, underlying: IteratorRecord) {
    this.#body = body;
    this.#underlying = underlying;
  }

  static #validate(o: unknown): IteratorHelper {
    // GeneratorValidate's brand check: only a helper has these slots.
    if (!isObject(o) || !(#body in o)) throw new TypeErrorCtor('not an Iterator Helper');
    return o;
  }

  /** @see https://tc39.es/ecma262/#sec-%iteratorhelperprototype%.next */
  next(): IteratorResult<unknown> {
    const helper = IteratorHelper.#validate(this);
    // GeneratorResume: executing → TypeError, completed → done, both from the engine.
    helper.#started = true;
    return generatorNext(helper.#body);
  }

  /** @see https://tc39.es/ecma262/#sec-%iteratorhelperprototype%.return */
  return(): IteratorResult<unknown> {
    const helper = IteratorHelper.#validate(this);
    if (!helper.#started) {
      // Step 4: suspended-start → completed (the body never runs), then the underlying iterator
      // is closed: a next() it makes meanwhile finds the helper completed.
      helper.#started = true;
      generatorReturn(helper.#body, undefined);
      iteratorClose(helper.#underlying.iterator);
      return iterResult(undefined, true);
    }
    // Steps 5-6: GeneratorResumeAbrupt with a return completion: the body's `finally` closes the
    // underlying iterator; executing → TypeError, completed → done.
    return generatorReturn(helper.#body, undefined);
  }
}

/** %WrapForValidIteratorPrototype% (https://tc39.es/ecma262/#sec-%wrapforvaliditeratorprototype%-object). */
class WrapForValidIterator {
  /** [[Iterated]]. */
  readonly #iterated: IteratorRecord;

  constructor(iterated: IteratorRecord) {
    this.#iterated = iterated;
  }

  static #iteratedOf(o: unknown): IteratorRecord {
    if (!isObject(o) || !(#iterated in o)) throw new TypeErrorCtor('not an iterator made by Iterator.from');
    return o.#iterated;
  }

  /** @see https://tc39.es/ecma262/#sec-%wrapforvaliditeratorprototype%.next */
  next(): unknown {
    const record = WrapForValidIterator.#iteratedOf(this);
    return reflectApply(record.next as Function, record.iterator, []);
  }

  /** @see https://tc39.es/ecma262/#sec-%wrapforvaliditeratorprototype%.return */
  return(): unknown {
    const iterator = WrapForValidIterator.#iteratedOf(this).iterator;
    const returnMethod = getMethod(iterator, 'return');
    if (returnMethod === undefined) return iterResult(undefined, true);
    return reflectApply(returnMethod, iterator, []);
  }
}

/** A class's prototype made an intrinsic prototype object: under %Iterator.prototype%, no constructor. */
function asIntrinsicPrototype(proto: object): void {
  ObjectSetPrototypeOf(proto, IteratorPrototype);
  delete (proto as { constructor?: unknown }).constructor;
}

/** @see https://tc39.es/ecma262/#sec-getiteratorflattenable */
function getIteratorFlattenable(obj: unknown, iterateStrings: boolean): IteratorRecord {
  // Step 1: a primitive is refused, but for a String when strings are iterated.
  if (!isObject(obj) && !(iterateStrings && typeof obj === 'string')) throw new TypeErrorCtor('the value is not an object');
  // Steps 2-4: GetMethod(obj, @@iterator) (a string's is read on the primitive), called if any.
  const method = getMethod(obj, SymbolIterator);
  const iterator = method === undefined ? obj : reflectApply(method, obj, []);
  // Steps 5-6.
  if (!isObject(iterator)) throw new TypeErrorCtor('the iterator is not an object');
  return getIteratorDirect(iterator);
}

/** The `this` of an Iterator.prototype method: an object (steps 1-2). */
function thisObject(o: unknown, method: string): object {
  if (!isObject(o)) throw new TypeErrorCtor(`Iterator.prototype.${method} called on a value that is not an object`);
  return o;
}

/** Steps 3-4 of map, filter, flatMap, forEach...: a function, or the iterator closed and a TypeError. */
function requireCallable(o: object, fn: unknown, method: string): asserts fn is Function {
  if (isCallable(fn)) return;
  iteratorCloseOnThrow(o);
  throw new TypeErrorCtor(`Iterator.prototype.${method}: the argument is not a function`);
}

/** Steps 3-8 of take and drop: the limit as an integer, or the iterator closed and the error thrown. */
function toLimit(o: object, limit: unknown, method: string): number {
  let numLimit: number;
  try {
    numLimit = +(limit as number);
  } catch (e) {
    iteratorCloseOnThrow(o);
    throw e;
  }
  if (numLimit !== numLimit) {
    iteratorCloseOnThrow(o);
    throw new RangeErrorCtor(`Iterator.prototype.${method}: the limit is NaN`);
  }
  const integerLimit = toIntegerOrInfinity(numLimit);
  if (integerLimit < 0) {
    iteratorCloseOnThrow(o);
    throw new RangeErrorCtor(`Iterator.prototype.${method}: the limit is negative`);
  }
  return integerLimit;
}

/** Calls `fn(...args)`; if it throws, closes `iterated` (IfAbruptCloseIterator) and rethrows. */
function callOrClose(iterated: IteratorRecord, fn: Function, args: unknown[]): unknown {
  try {
    return reflectApply(fn, undefined, args);
  } catch (e) {
    iteratorCloseOnThrow(iterated.iterator);
    throw e;
  }
}

// The closures, one per helper. Each `yield` is "Completion(Yield(value))" followed by
// IfAbruptCloseIterator: the only abrupt completion a helper's body can be resumed with is
// return() (helpers have no throw()), which runs the `finally` with `resumed` still false.

/** @see https://tc39.es/ecma262/#sec-iterator.prototype.map (step 6) */
function* mapBody(iterated: IteratorRecord, mapper: Function): Body {
  for (let counter = 0; ; counter++) {
    const value = iteratorStepValue(iterated);
    if (value === DONE) return;
    const mapped = callOrClose(iterated, mapper, [value, counter]);
    let resumed = false;
    try {
      yield mapped;
      resumed = true;
    } finally {
      if (!resumed) iteratorClose(iterated.iterator);
    }
  }
}

/** @see https://tc39.es/ecma262/#sec-iterator.prototype.filter (step 6) */
function* filterBody(iterated: IteratorRecord, predicate: Function): Body {
  for (let counter = 0; ; counter++) {
    const value = iteratorStepValue(iterated);
    if (value === DONE) return;
    if (!callOrClose(iterated, predicate, [value, counter])) continue;
    let resumed = false;
    try {
      yield value;
      resumed = true;
    } finally {
      if (!resumed) iteratorClose(iterated.iterator);
    }
  }
}

/** @see https://tc39.es/ecma262/#sec-iterator.prototype.take (step 10) */
function* takeBody(iterated: IteratorRecord, limit: number): Body {
  for (let remaining = limit; ; ) {
    // Step 10.b.i: at the limit, the underlying iterator is closed (its errors propagate).
    if (remaining === 0) return iteratorClose(iterated.iterator);
    if (remaining !== Infinity) remaining--;
    const value = iteratorStepValue(iterated);
    if (value === DONE) return;
    let resumed = false;
    try {
      yield value;
      resumed = true;
    } finally {
      if (!resumed) iteratorClose(iterated.iterator);
    }
  }
}

/** @see https://tc39.es/ecma262/#sec-iterator.prototype.drop (step 10) */
function* dropBody(iterated: IteratorRecord, limit: number): Body {
  // Step 10.b: the dropped results' `value` is not read (IteratorStep).
  for (let remaining = limit; remaining > 0; ) {
    if (remaining !== Infinity) remaining--;
    if (iteratorStep(iterated) === DONE) return;
  }
  for (;;) {
    const value = iteratorStepValue(iterated);
    if (value === DONE) return;
    let resumed = false;
    try {
      yield value;
      resumed = true;
    } finally {
      if (!resumed) iteratorClose(iterated.iterator);
    }
  }
}

/** @see https://tc39.es/ecma262/#sec-iterator.prototype.flatmap (step 6) */
function* flatMapBody(iterated: IteratorRecord, mapper: Function): Body {
  for (let counter = 0; ; counter++) {
    const value = iteratorStepValue(iterated);
    if (value === DONE) return;
    // Steps 6.b.iii-vi: the mapped value must be an object (REJECT-PRIMITIVES: no strings).
    let inner: IteratorRecord;
    try {
      inner = getIteratorFlattenable(reflectApply(mapper, undefined, [value, counter]), false);
    } catch (e) {
      iteratorCloseOnThrow(iterated.iterator);
      throw e;
    }
    for (;;) {
      let innerValue: unknown;
      try {
        innerValue = iteratorStepValue(inner);
      } catch (e) {
        iteratorCloseOnThrow(iterated.iterator);
        throw e;
      }
      if (innerValue === DONE) break;
      let resumed = false;
      try {
        yield innerValue;
        resumed = true;
      } finally {
        if (!resumed) {
          // Step 6.b.viii.4.b: the inner iterator is closed, then the outer one; if closing the
          // inner one throws, the outer one is closed with that error.
          try {
            iteratorClose(inner.iterator);
          } catch (e) {
            iteratorCloseOnThrow(iterated.iterator);
            // eslint-disable-next-line no-unsafe-finally
            throw e;
          }
          iteratorClose(iterated.iterator);
        }
      }
    }
  }
}

/** The abstract constructor %Iterator% (https://tc39.es/ecma262/#sec-iterator-constructor). */
const IteratorCtor = function Iterator(this: object): void {
  // Step 1: not callable, and not constructible as itself; a subclass's `super()` passes.
  if (new.target === undefined || (new.target as unknown) === IteratorCtor) throw new TypeErrorCtor('Iterator is an abstract class: it cannot be constructed directly');
} as unknown as { new (): object; prototype: object };

const iteratorStatics = {
  /** @see https://tc39.es/ecma262/#sec-iterator.from */
  from(O: unknown): object {
    const iteratorRecord = getIteratorFlattenable(O, true);
    // OrdinaryHasInstance(%Iterator%, iterator): Function.prototype[@@hasInstance] is exactly that.
    if (reflectApply(functionHasInstance, IteratorCtor, [iteratorRecord.iterator])) return iteratorRecord.iterator;
    return new WrapForValidIterator(iteratorRecord);
  },
};

const iteratorMethods = {
  /** @see https://tc39.es/ecma262/#sec-iterator.prototype.map */
  map(this: unknown, mapper: unknown): object {
    const O = thisObject(this, 'map');
    requireCallable(O, mapper, 'map');
    const iterated = getIteratorDirect(O);
    return new IteratorHelper(mapBody(iterated, mapper), iterated);
  },
  /** @see https://tc39.es/ecma262/#sec-iterator.prototype.filter */
  filter(this: unknown, predicate: unknown): object {
    const O = thisObject(this, 'filter');
    requireCallable(O, predicate, 'filter');
    const iterated = getIteratorDirect(O);
    return new IteratorHelper(filterBody(iterated, predicate), iterated);
  },
  /** @see https://tc39.es/ecma262/#sec-iterator.prototype.take */
  take(this: unknown, limit: unknown): object {
    const O = thisObject(this, 'take');
    const integerLimit = toLimit(O, limit, 'take');
    const iterated = getIteratorDirect(O);
    return new IteratorHelper(takeBody(iterated, integerLimit), iterated);
  },
  /** @see https://tc39.es/ecma262/#sec-iterator.prototype.drop */
  drop(this: unknown, limit: unknown): object {
    const O = thisObject(this, 'drop');
    const integerLimit = toLimit(O, limit, 'drop');
    const iterated = getIteratorDirect(O);
    return new IteratorHelper(dropBody(iterated, integerLimit), iterated);
  },
  /** @see https://tc39.es/ecma262/#sec-iterator.prototype.flatmap */
  flatMap(this: unknown, mapper: unknown): object {
    const O = thisObject(this, 'flatMap');
    requireCallable(O, mapper, 'flatMap');
    const iterated = getIteratorDirect(O);
    return new IteratorHelper(flatMapBody(iterated, mapper), iterated);
  },
  /** @see https://tc39.es/ecma262/#sec-iterator.prototype.reduce */
  reduce(this: unknown, reducer: unknown): unknown {
    const O = thisObject(this, 'reduce');
    requireCallable(O, reducer, 'reduce');
    const iterated = getIteratorDirect(O);
    let accumulator: unknown;
    let counter: number;
    // Steps 6-7: initialValue "not present" is not the same as undefined.
    if (arguments.length < 2) {
      accumulator = iteratorStepValue(iterated);
      if (accumulator === DONE) throw new TypeErrorCtor('Iterator.prototype.reduce of an empty iterator with no initial value');
      counter = 1;
    } else {
      accumulator = arguments[1];
      counter = 0;
    }
    for (; ; counter++) {
      const value = iteratorStepValue(iterated);
      if (value === DONE) return accumulator;
      accumulator = callOrClose(iterated, reducer, [accumulator, value, counter]);
    }
  },
  /** @see https://tc39.es/ecma262/#sec-iterator.prototype.toarray */
  toArray(this: unknown): unknown[] {
    const O = thisObject(this, 'toArray');
    const iterated = getIteratorDirect(O);
    const items: InternalList<unknown> = internalList();
    for (let value = iteratorStepValue(iterated); value !== DONE; value = iteratorStepValue(iterated)) internalAppend(items, value);
    // CreateArrayFromList.
    return arrayOfList(items);
  },
  /** @see https://tc39.es/ecma262/#sec-iterator.prototype.foreach */
  forEach(this: unknown, procedure: unknown): undefined {
    const O = thisObject(this, 'forEach');
    requireCallable(O, procedure, 'forEach');
    const iterated = getIteratorDirect(O);
    for (let counter = 0; ; counter++) {
      const value = iteratorStepValue(iterated);
      if (value === DONE) return undefined;
      callOrClose(iterated, procedure, [value, counter]);
    }
  },
  /** @see https://tc39.es/ecma262/#sec-iterator.prototype.some */
  some(this: unknown, predicate: unknown): boolean {
    const O = thisObject(this, 'some');
    requireCallable(O, predicate, 'some');
    const iterated = getIteratorDirect(O);
    for (let counter = 0; ; counter++) {
      const value = iteratorStepValue(iterated);
      if (value === DONE) return false;
      if (callOrClose(iterated, predicate, [value, counter])) {
        iteratorClose(O);
        return true;
      }
    }
  },
  /** @see https://tc39.es/ecma262/#sec-iterator.prototype.every */
  every(this: unknown, predicate: unknown): boolean {
    const O = thisObject(this, 'every');
    requireCallable(O, predicate, 'every');
    const iterated = getIteratorDirect(O);
    for (let counter = 0; ; counter++) {
      const value = iteratorStepValue(iterated);
      if (value === DONE) return true;
      if (!callOrClose(iterated, predicate, [value, counter])) {
        iteratorClose(O);
        return false;
      }
    }
  },
  /** @see https://tc39.es/ecma262/#sec-iterator.prototype.find */
  find(this: unknown, predicate: unknown): unknown {
    const O = thisObject(this, 'find');
    requireCallable(O, predicate, 'find');
    const iterated = getIteratorDirect(O);
    for (let counter = 0; ; counter++) {
      const value = iteratorStepValue(iterated);
      if (value === DONE) return undefined;
      if (callOrClose(iterated, predicate, [value, counter])) {
        iteratorClose(O);
        return value;
      }
    }
  },
};

/**
 * SetterThatIgnoresPrototypeProperties (https://tc39.es/ecma262/#sec-SetterThatIgnoresPrototypeProperties):
 * assigning through %Iterator.prototype%'s accessors defines or sets the property on the object
 * assigned to, as if the accessor were a writable data property; on %Iterator.prototype% itself,
 * a TypeError (as for a non-writable property in strict code).
 */
function setterThatIgnoresPrototypeProperties(thisValue: unknown, p: PropertyKey, v: unknown): void {
  if (!isObject(thisValue)) throw new TypeErrorCtor('the receiver is not an object');
  if (thisValue === IteratorPrototype) throw new TypeErrorCtor(`cannot assign ${String(p)} on Iterator.prototype`);
  const desc = ReflectGetOwnPropertyDescriptor(thisValue, p);
  if (desc === undefined) {
    if (!ReflectDefineProperty(thisValue, p, { __proto__: null, value: v, writable: true, enumerable: true, configurable: true } as PropertyDescriptor)) {
      throw new TypeErrorCtor(`cannot define ${String(p)}`);
    }
  } else if (!ReflectSet(thisValue, p, v, thisValue)) {
    throw new TypeErrorCtor(`cannot assign ${String(p)}`);
  }
}

const iteratorAccessors = {
  /** @see https://tc39.es/ecma262/#sec-get-iterator.prototype-%symbol.tostringtag% */
  get [SymbolToStringTag](): string {
    return 'Iterator';
  },
  set [SymbolToStringTag](v: unknown) {
    setterThatIgnoresPrototypeProperties(this, SymbolToStringTag, v);
  },
  /** @see https://tc39.es/ecma262/#sec-get-iterator.prototype.constructor */
  get constructor(): unknown {
    return IteratorCtor;
  },
  set constructor(v: unknown) {
    setterThatIgnoresPrototypeProperties(this, 'constructor', v);
  },
};

/** Installs `Iterator` and its helpers, unless the engine has `Iterator` (then it has them all). */
export function installIteratorHelpers(global: object): void {
  if ('Iterator' in global) return;
  ObjectDefineProperty(IteratorCtor, 'name', { value: 'Iterator' });
  // %Iterator.prototype% is not writable, enumerable or configurable (27.1.3.2.1).
  ObjectDefineProperty(IteratorCtor, 'prototype', { value: IteratorPrototype, writable: false });
  defineBuiltins(IteratorCtor, iteratorStatics);
  defineBuiltins(IteratorPrototype, iteratorMethods);
  // The accessors: not enumerable, configurable (27.1.4.1, 27.1.4.14).
  const accessors = Object.getOwnPropertyDescriptors(iteratorAccessors);
  ObjectDefineProperty(IteratorPrototype, SymbolToStringTag, { ...accessors[SymbolToStringTag], enumerable: false });
  ObjectDefineProperty(IteratorPrototype, 'constructor', { ...accessors.constructor, enumerable: false });
  asIntrinsicPrototype(IteratorHelper.prototype);
  ObjectDefineProperty(IteratorHelper.prototype, SymbolToStringTag, { value: 'Iterator Helper', writable: false, enumerable: false, configurable: true });
  asIntrinsicPrototype(WrapForValidIterator.prototype);
  ObjectDefineProperty(global, 'Iterator', { value: IteratorCtor, writable: true, enumerable: false, configurable: true });
}
