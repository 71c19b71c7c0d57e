// The ES2025 Set methods: Set.prototype.union, intersection, difference, symmetricDifference,
// isSubsetOf, isSupersetOf and isDisjointFrom (https://tc39.es/ecma262/#sec-properties-of-the-set-prototype-object).
//
// ECMA-262 walks a Set's [[SetData]] by index, re-reading its length after each call out, and
// skips the entries deleted meanwhile ("if e is not empty"): deletions are seen, values added are
// visited, a value deleted and added again is visited again. That is how a native Set iterator
// walks a live Set, so the receiver is walked with the original %SetIteratorPrototype%.next.
// Results are new %Set% objects (no species, no `add` looked up), filled with the original
// Set.prototype.add, which also makes -0 +0 (CanonicalizeKeyedCollectionKey).
import { uncurryThis, TypeErrorCtor, RangeErrorCtor } from '../../streams/webidl/intrinsics.js';
import {
  DONE, defineBuiltins, getIteratorFromMethod, isCallable, isObject, iteratorClose, iteratorStepValue, reflectApply,
  toIntegerOrInfinity, type IteratorRecord,
} from './abstract-ops.js';

const SetCtor = Set;
const setAdd = uncurryThis(Set.prototype.add);
const setHas = uncurryThis(Set.prototype.has);
const setDelete = uncurryThis(Set.prototype.delete);
const setValues = uncurryThis(Set.prototype.values);
const setSize = uncurryThis(Object.getOwnPropertyDescriptor(Set.prototype, 'size')!.get as (this: Set<unknown>) => number);
const setIteratorNext = uncurryThis(Object.getPrototypeOf(new Set().values()).next as (this: Iterator<unknown>) => IteratorResult<unknown>);

/** A Set Record (https://tc39.es/ecma262/#sec-set-records). */
interface SetRecord {
  readonly set: object;
  readonly size: number;
  readonly has: Function;
  readonly keys: Function;
}

/** RequireInternalSlot(O, [[SetData]]). */
function requireSet(o: unknown, method: string): void {
  try {
    setSize(o);
  } catch {
    throw new TypeErrorCtor(`Set.prototype.${method} called on a value that is not a Set`);
  }
}

/** @see https://tc39.es/ecma262/#sec-getsetrecord */
function getSetRecord(obj: unknown): SetRecord {
  // Step 1.
  if (!isObject(obj)) throw new TypeErrorCtor('the argument is not a set-like object');
  // Steps 2-7: size read once, ToNumber (which throws for a BigInt or a Symbol).
  const numSize = +((obj as { size: unknown }).size as number);
  if (numSize !== numSize) throw new TypeErrorCtor("the argument's size is not a number");
  const intSize = toIntegerOrInfinity(numSize);
  if (intSize < 0) throw new RangeErrorCtor("the argument's size is negative");
  // Steps 8-11: has, then keys, each read once.
  const has = (obj as { has: unknown }).has;
  if (!isCallable(has)) throw new TypeErrorCtor("the argument's has is not a function");
  const keys = (obj as { keys: unknown }).keys;
  if (!isCallable(keys)) throw new TypeErrorCtor("the argument's keys is not a function");
  return { set: obj, size: intSize, has, keys };
}

/** GetIteratorFromMethod(otherRec.[[SetObject]], otherRec.[[Keys]]). */
function keysIterator(record: SetRecord): IteratorRecord {
  return getIteratorFromMethod(record.set, record.keys);
}

/** ToBoolean(? Call(otherRec.[[Has]], otherRec.[[SetObject]], « e »)). */
function otherHas(record: SetRecord, value: unknown): boolean {
  return !!reflectApply(record.has, record.set, [value]);
}

/** "A copy of O.[[SetData]]": a new %Set% with the receiver's values, in order. */
function copySet(o: Set<unknown>): Set<unknown> {
  const copy = new SetCtor<unknown>();
  const it = setValues(o);
  for (let r = setIteratorNext(it); !r.done; r = setIteratorNext(it)) setAdd(copy, r.value);
  return copy;
}

/** CanonicalizeKeyedCollectionKey (https://tc39.es/ecma262/#sec-canonicalizekeyedcollectionkey). */
function canonicalize(key: unknown): unknown {
  return key === 0 ? 0 : key;
}

export function installSetMethods(SetGlobal: SetConstructor): void {
  const methods = {
    /** @see https://tc39.es/ecma262/#sec-set.prototype.union */
    union(this: Set<unknown>, other: unknown): Set<unknown> {
      requireSet(this, 'union');
      const otherRec = getSetRecord(other);
      // Step 4 before step 5: keys() runs before the receiver is copied.
      const keysIter = keysIterator(otherRec);
      const result = copySet(this);
      for (let next = iteratorStepValue(keysIter); next !== DONE; next = iteratorStepValue(keysIter)) setAdd(result, canonicalize(next));
      return result;
    },
    /** @see https://tc39.es/ecma262/#sec-set.prototype.intersection */
    intersection(this: Set<unknown>, other: unknown): Set<unknown> {
      requireSet(this, 'intersection');
      const otherRec = getSetRecord(other);
      const result = new SetCtor<unknown>();
      // SetDataSize now: GetSetRecord ran the argument's getters, which may change the receiver.
      if (setSize(this) <= otherRec.size) {
        // Step 5: the receiver walked live; `has` may change it.
        const it = setValues(this);
        for (let r = setIteratorNext(it); !r.done; r = setIteratorNext(it)) {
          const e = r.value;
          if (otherHas(otherRec, e)) setAdd(result, e);
        }
      } else {
        // Step 6: the other's keys, kept when the receiver has them (now).
        const keysIter = keysIterator(otherRec);
        for (let next = iteratorStepValue(keysIter); next !== DONE; next = iteratorStepValue(keysIter)) {
          next = canonicalize(next);
          if (setHas(this, next)) setAdd(result, next);
        }
      }
      return result;
    },
    /** @see https://tc39.es/ecma262/#sec-set.prototype.difference */
    difference(this: Set<unknown>, other: unknown): Set<unknown> {
      requireSet(this, 'difference');
      const otherRec = getSetRecord(other);
      // Step 4: the copy is made before `has` or keys() can change the receiver.
      const result = copySet(this);
      if (setSize(this) <= otherRec.size) {
        // Step 5: ECMA-262 walks the copy (resultSetData), not the receiver; deleting the current
        // entry from a Set being iterated is allowed.
        const it = setValues(result);
        for (let r = setIteratorNext(it); !r.done; r = setIteratorNext(it)) {
          const e = r.value;
          if (otherHas(otherRec, e)) setDelete(result, e);
        }
      } else {
        const keysIter = keysIterator(otherRec);
        for (let next = iteratorStepValue(keysIter); next !== DONE; next = iteratorStepValue(keysIter)) setDelete(result, canonicalize(next));
      }
      return result;
    },
    /** @see https://tc39.es/ecma262/#sec-set.prototype.symmetricdifference */
    symmetricDifference(this: Set<unknown>, other: unknown): Set<unknown> {
      requireSet(this, 'symmetricDifference');
      const otherRec = getSetRecord(other);
      // Steps 4-5: keys() first, then the copy.
      const keysIter = keysIterator(otherRec);
      const result = copySet(this);
      for (let next = iteratorStepValue(keysIter); next !== DONE; next = iteratorStepValue(keysIter)) {
        next = canonicalize(next);
        // Step 7.b: whether the value is in the result, then in the receiver as it is now.
        const alreadyInResult = setHas(result, next);
        if (setHas(this, next)) {
          if (alreadyInResult) setDelete(result, next);
        } else if (!alreadyInResult) {
          setAdd(result, next);
        }
      }
      return result;
    },
    /** @see https://tc39.es/ecma262/#sec-set.prototype.issubsetof */
    isSubsetOf(this: Set<unknown>, other: unknown): boolean {
      requireSet(this, 'isSubsetOf');
      const otherRec = getSetRecord(other);
      if (setSize(this) > otherRec.size) return false;
      const it = setValues(this);
      for (let r = setIteratorNext(it); !r.done; r = setIteratorNext(it)) {
        if (!otherHas(otherRec, r.value)) return false;
      }
      return true;
    },
    /** @see https://tc39.es/ecma262/#sec-set.prototype.issupersetof */
    isSupersetOf(this: Set<unknown>, other: unknown): boolean {
      requireSet(this, 'isSupersetOf');
      const otherRec = getSetRecord(other);
      if (setSize(this) < otherRec.size) return false;
      const keysIter = keysIterator(otherRec);
      for (let next = iteratorStepValue(keysIter); next !== DONE; next = iteratorStepValue(keysIter)) {
        // Step 7.b.i: IteratorClose with a normal completion, then false.
        if (!setHas(this, next)) {
          iteratorClose(keysIter.iterator);
          return false;
        }
      }
      return true;
    },
    /** @see https://tc39.es/ecma262/#sec-set.prototype.isdisjointfrom */
    isDisjointFrom(this: Set<unknown>, other: unknown): boolean {
      requireSet(this, 'isDisjointFrom');
      const otherRec = getSetRecord(other);
      if (setSize(this) <= otherRec.size) {
        const it = setValues(this);
        for (let r = setIteratorNext(it); !r.done; r = setIteratorNext(it)) {
          if (otherHas(otherRec, r.value)) return false;
        }
      } else {
        const keysIter = keysIterator(otherRec);
        for (let next = iteratorStepValue(keysIter); next !== DONE; next = iteratorStepValue(keysIter)) {
          if (setHas(this, next)) {
            iteratorClose(keysIter.iterator);
            return false;
          }
        }
      }
      return true;
    },
  };
  defineBuiltins(SetGlobal.prototype, methods);
}
