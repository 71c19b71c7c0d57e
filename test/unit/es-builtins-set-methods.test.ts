// The ES2025 Set methods (src/runtime/es-builtins/set-methods.ts) inside an isolate, against
// ECMA-262: property shapes, GetSetRecord's reads and checks in order, which of `has` and
// `keys()` each method uses for which sizes, results that are plain %Set%s, -0, iterator
// closing, a receiver changed while it is walked, and that patched intrinsics are not called.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalInIsolate } from './es-builtins-isolate.js';

const METHODS = ['union', 'intersection', 'difference', 'symmetricDifference', 'isSubsetOf', 'isSupersetOf', 'isDisjointFrom'];

test('Set methods: property shapes, receiver and GetSetRecord checks', { timeout: 30_000 }, async () => {
  const r = await evalInIsolate<Record<string, unknown>>(`
    const out = {};
    const names = ${JSON.stringify(METHODS)};
    out.shapes = names.map((k) => {
      const d = Object.getOwnPropertyDescriptor(Set.prototype, k);
      let construct;
      try { new d.value(new Set()); construct = 'constructed'; } catch (e) { construct = e.constructor.name; }
      return [typeof d.value, d.writable, d.enumerable, d.configurable, d.value.name, d.value.length, Object.hasOwn(d.value, 'prototype'), construct];
    });
    const err = (f) => { try { f(); return 'no error'; } catch (e) { return e.constructor.name; } };
    const setLike = (size, extra) => ({ size, has: () => false, keys: () => [].values(), ...extra });
    out.errors = names.map((k) => [
      err(() => Set.prototype[k].call({}, new Set())),
      err(() => Set.prototype[k].call(new Map(), new Set())),
      err(() => new Set()[k](1)),
      err(() => new Set()[k]([1])),
      err(() => new Set()[k](setLike(undefined))),
      err(() => new Set()[k](setLike(NaN))),
      err(() => new Set()[k](setLike(-1))),
      err(() => new Set()[k](setLike(-0.5))),
      err(() => new Set()[k](setLike(1n))),
      err(() => new Set()[k](setLike(1, { has: 1 }))),
      err(() => new Set()[k](setLike(1, { keys: undefined }))),
      err(() => new Set()[k](setLike(Infinity))),
    ]);
    // GetSetRecord reads size (converted once), has, keys, in that order, each once.
    const log = [];
    const observed = {
      get size() { log.push('get size'); return { valueOf() { log.push('valueOf'); return 1; } }; },
      get has() { log.push('get has'); return () => false; },
      get keys() { log.push('get keys'); return () => { log.push('call keys'); return { get next() { log.push('get next'); return () => { log.push('call next'); return { get done() { log.push('get done'); return true; }, get value() { log.push('get value'); } }; }; } }; }; },
    };
    new Set([1, 2]).union(observed);
    out.unionOrder = log.splice(0);
    // this.size (2) > other.size (1): intersection uses keys(), not has.
    new Set([1, 2]).intersection(observed);
    out.intersectionBigger = log.splice(0);
    // this.size (1) <= other.size (1): has, not keys().
    new Set([1]).intersection(observed);
    out.intersectionSmaller = log.splice(0);
    return out;
  `);
  assert.deepEqual(
    r.shapes,
    METHODS.map((name) => ['function', true, false, true, name, 1, false, 'TypeError']),
  );
  assert.deepEqual(
    r.errors,
    METHODS.map(() => ['TypeError', 'TypeError', 'TypeError', 'TypeError', 'TypeError', 'TypeError', 'RangeError', 'no error', 'TypeError', 'TypeError', 'TypeError', 'no error']),
  );
  assert.deepEqual(r.unionOrder, ['get size', 'valueOf', 'get has', 'get keys', 'call keys', 'get next', 'call next', 'get done']);
  assert.deepEqual(r.intersectionBigger, ['get size', 'valueOf', 'get has', 'get keys', 'call keys', 'get next', 'call next', 'get done']);
  assert.deepEqual(r.intersectionSmaller, ['get size', 'valueOf', 'get has', 'get keys']);
});

test('Set methods: results, has/keys branching by size, plain %Set% results, -0, closing', { timeout: 30_000 }, async () => {
  const r = await evalInIsolate<Record<string, unknown>>(`
    const out = {};
    const list = (s) => [...s].map((v) => Object.is(v, -0) ? '-0' : v);
    out.results = [
      list(new Set([1, 2, 3]).union(new Set([3, 4, 1, 5]))),
      list(new Set([1, 2, 3]).intersection(new Set([3, 4, 1]))),
      list(new Set([1, 2, 3, 4]).intersection(new Set([3, 1]))),
      list(new Set([1, 2, 3]).difference(new Set([3, 4]))),
      list(new Set([1, 2, 3]).difference(new Set([3]))),
      list(new Set([1, 2, 3]).symmetricDifference(new Set([3, 4, 5]))),
      new Set([1, 2]).isSubsetOf(new Set([2, 1, 3])),
      new Set([1, 4]).isSubsetOf(new Set([2, 1, 3])),
      new Set([1, 2, 3]).isSupersetOf(new Set([2, 1])),
      new Set([1, 2]).isSupersetOf(new Set([2, 1, 3])),
      new Set([1, 2]).isDisjointFrom(new Set([3, 4, 5])),
      new Set([1, 2, 3]).isDisjointFrom(new Set([3])),
      list(new Set([1]).union(new Map([[2, 'two']]))),
    ];
    // A counting set-like: which of has / keys() each method calls, for a given reported size.
    const calls = (method, thisValues, size, values) => {
      const log = [];
      const other = {
        size,
        has(v) { log.push('has'); return values.includes(v); },
        keys() { log.push('keys'); let i = 0; return { next() { return i < values.length ? { value: values[i++], done: false } : { value: undefined, done: true }; } }; },
      };
      const result = new Set(thisValues)[method](other);
      return [result instanceof Set ? list(result) : result, [...new Set(log)]];
    };
    out.branches = {
      intersection: [calls('intersection', [1, 2], 2, [2, 3]), calls('intersection', [1, 2, 3], 2, [2, 3])],
      difference: [calls('difference', [1, 2], 2, [2, 3]), calls('difference', [1, 2, 3], 2, [2, 3])],
      isSubsetOf: [calls('isSubsetOf', [1, 2], 2, [2, 1]), calls('isSubsetOf', [1, 2, 3], 2, [1, 2])],
      isSupersetOf: [calls('isSupersetOf', [1, 2], 2, [2, 1]), calls('isSupersetOf', [1], 2, [1])],
      isDisjointFrom: [calls('isDisjointFrom', [1, 2], 2, [3, 4]), calls('isDisjointFrom', [1, 2, 3], 2, [4, 5])],
      union: [calls('union', [1], 5, [2])],
      symmetricDifference: [calls('symmetricDifference', [1], 5, [1, 2])],
    };
    // Results are %Set%s: no species, no subclass, no add of the receiver's class.
    let added = 0;
    class MySet extends Set { static get [Symbol.species]() { throw new Error('species read'); } add(v) { added++; return super.add(v); } }
    const mine = new MySet([1, 2]);
    added = 0;
    const results = ['union', 'intersection', 'difference', 'symmetricDifference'].map((k) => mine[k](new Set([2, 3])));
    out.plain = [results.every((s) => Object.getPrototypeOf(s) === Set.prototype), added];
    // -0 from keys() becomes +0 in the result (has is given the receiver's values, never -0).
    const negZero = { size: 10, has: () => true, keys: () => [-0].values() };
    out.negZero = [
      list(new Set([1]).union(negZero)),
      list(new Set([0, 1]).intersection({ size: 1, has: () => true, keys: () => [-0].values() })),
      list(new Set([1]).symmetricDifference(negZero)),
      new Set([0]).isSupersetOf({ size: 1, has: () => true, keys: () => [-0].values() }),
    ];
    // isSupersetOf and isDisjointFrom close keys() when they stop early (and not when they read it all).
    const closing = (values) => {
      const log = [];
      return [{ size: 1, has: () => false, keys() { let i = 0; return { next: () => (i < values.length ? { value: values[i++], done: false } : { done: true }), return() { log.push('return'); return {}; } }; } }, log];
    };
    let [other, log] = closing([1, 9, 2]);
    out.superset = [new Set([1, 2, 3]).isSupersetOf(other), log.length];
    [other, log] = closing([1, 2]);
    out.supersetAll = [new Set([1, 2, 3]).isSupersetOf(other), log.length];
    [other, log] = closing([7, 2, 8]);
    out.disjoint = [new Set([1, 2, 3]).isDisjointFrom(other), log.length];
    const badReturn = { size: 1, has: () => false, keys: () => ({ next: () => ({ value: 9, done: false }), return: () => 1 }) };
    try { new Set([1]).isSupersetOf(badReturn); out.badReturn = 'no error'; } catch (e) { out.badReturn = e.constructor.name; }
    return out;
  `);
  assert.deepEqual(r.results, [[1, 2, 3, 4, 5], [1, 3], [3, 1], [1, 2], [1, 2], [1, 2, 4, 5], true, false, true, false, true, false, [1, 2]]);
  assert.deepEqual(r.branches, {
    intersection: [[[2], ['has']], [[2, 3], ['keys']]],
    difference: [[[1], ['has']], [[1], ['keys']]],
    isSubsetOf: [[true, ['has']], [false, []]],
    isSupersetOf: [[true, ['keys']], [false, []]],
    isDisjointFrom: [[true, ['has']], [true, ['keys']]],
    union: [[[1, 2], ['keys']]],
    symmetricDifference: [[[2], ['keys']]],
  });
  assert.deepEqual(r.plain, [true, 0]);
  assert.deepEqual(r.negZero, [[1, 0], [0], [1, 0], true]);
  assert.deepEqual(r.superset, [false, 1]);
  assert.deepEqual(r.supersetAll, [true, 0]);
  assert.deepEqual(r.disjoint, [false, 1]);
  assert.equal(r.badReturn, 'TypeError');
});

test('Set methods: a receiver changed during the walk, and patched intrinsics not called', { timeout: 30_000 }, async () => {
  const r = await evalInIsolate<Record<string, unknown>>(`
    const out = {};
    // intersection walks the receiver live: a value deleted before it is reached is skipped, one
    // added is visited, one deleted and added again is visited again (only kept once).
    const base = new Set(['a', 'b', 'c', 'd']);
    const seen = [];
    const result = base.intersection({ size: 10, keys() { throw new Error('keys'); }, has(v) {
      seen.push(v);
      if (v === 'a') { base.delete('c'); base.add('e'); base.delete('b'); base.add('b'); }
      return true;
    } });
    out.intersection = [seen, [...result]];
    // difference walks its copy: the receiver's changes during has() change nothing.
    const base2 = new Set(['a', 'b', 'c']);
    const seen2 = [];
    const diff = base2.difference({ size: 10, keys() { throw new Error('keys'); }, has(v) { seen2.push(v); base2.delete('c'); base2.add('z'); return v === 'a'; } });
    out.difference = [seen2, [...diff], [...base2]];
    // keys() runs before union copies the receiver (and its next() after): both changes show.
    const base3 = new Set([1, 2]);
    const union = base3.union({ size: 1, has() {}, keys() { base3.add(3); base3.delete(1); let done = false; return { next() { base3.add(4); const r = { value: 5, done }; done = true; return r; } }; } });
    out.union = [...union];
    // difference copies the receiver before keys() runs.
    const base4 = new Set([1, 2, 3]);
    const diff4 = base4.difference({ size: 1, has() {}, keys() { base4.delete(3); base4.add(9); return [2].values(); } });
    out.difference4 = [...diff4];
    // symmetricDifference asks the receiver as it is when each key arrives.
    const base5 = new Set([1, 2]);
    let step = 0;
    const sym = base5.symmetricDifference({ size: 1, has() {}, keys() { return { next() { step++; if (step === 1) return { value: 1, done: false }; if (step === 2) { base5.delete(2); return { value: 2, done: false }; } return { done: true }; } }; } });
    out.symmetric = [...sym];
    // Patched intrinsics are never called.
    const sets = Array.from({ length: 14 }, () => new Set([1, 2, 3]));
    const originals = { add: Set.prototype.add, has: Set.prototype.has, delete: Set.prototype.delete, values: Set.prototype.values, keys: Set.prototype.keys, iter: Set.prototype[Symbol.iterator] };
    const setIterProto = Object.getPrototypeOf(new Set().values());
    const setIterNext = setIterProto.next;
    const arrayIterNext = Object.getPrototypeOf([].values()).next;
    let patched = 0;
    const spy = (name) => function () { patched++; return originals[name].apply(this, arguments); };
    Set.prototype.add = spy('add'); Set.prototype.has = spy('has'); Set.prototype.delete = spy('delete'); Set.prototype.values = spy('values');
    Set.prototype[Symbol.iterator] = spy('iter');
    setIterProto.next = function () { patched++; return setIterNext.call(this); };
    Object.getPrototypeOf([].values()).next = function () { patched++; return arrayIterNext.call(this); };
    Object.defineProperty(Object.prototype, 'get', { get() { patched++; }, configurable: true });
    const other = { size: 2, has: (v) => v === 2, keys: () => ({ i: 0, next() { return this.i < 2 ? { value: [2, 7][this.i++], done: false } : { done: true }; } }) };
    const big = { size: 9, has: (v) => v === 2, keys: other.keys };
    const names = ['union', 'intersection', 'difference', 'symmetricDifference', 'isSubsetOf', 'isSupersetOf', 'isDisjointFrom'];
    const answers = [];
    // Indexed loops: the test itself must not call the patched array iterator.
    for (let i = 0; i < names.length; i++) {
      for (let j = 0; j < 2; j++) { const res = sets[i * 2 + j][names[i]](j === 0 ? other : big); answers[answers.length] = typeof res === 'boolean' ? res : res.size; }
    }
    delete Object.prototype.get;
    const patchedCount = patched;
    Object.assign(Set.prototype, { add: originals.add, has: originals.has, delete: originals.delete, values: originals.values });
    Set.prototype[Symbol.iterator] = originals.iter;
    setIterProto.next = setIterNext;
    Object.getPrototypeOf([].values()).next = arrayIterNext;
    out.patched = [patchedCount, answers];
    return out;
  `);
  assert.deepEqual(r.intersection, [['a', 'd', 'e', 'b'], ['a', 'd', 'e', 'b']]);
  assert.deepEqual(r.difference, [['a', 'b', 'c'], ['b', 'c'], ['a', 'b', 'z']]);
  assert.deepEqual(r.union, [2, 3, 5]);
  assert.deepEqual(r.difference4, [1, 3]);
  assert.deepEqual(r.symmetric, [2]);
  assert.deepEqual(r.patched, [0, [4, 4, 1, 1, 2, 2, 3, 3, false, false, false, false, false, false]]);
});
