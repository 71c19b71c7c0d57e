// The ES2025 iterator helpers (src/runtime/es-builtins/iterator-helpers.ts) inside an isolate,
// against ECMA-262: the Iterator constructor and prototype, property shapes, the weird
// accessors, argument validation that closes the iterator, `next` read once, counters, generator
// states (re-entrancy, return() before start and at a yield), flatMap's flattening, closing on
// early results, Iterator.from's wrapper, and that patched intrinsics are not called.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalInIsolate } from './es-builtins-isolate.js';

const METHODS: [string, number][] = [
  ['map', 1], ['filter', 1], ['take', 1], ['drop', 1], ['flatMap', 1], ['reduce', 1], ['toArray', 0], ['forEach', 1], ['some', 1], ['every', 1], ['find', 1],
];

test('Iterator: the constructor, its prototype, method shapes and the weird accessors', { timeout: 30_000 }, async () => {
  const r = await evalInIsolate<Record<string, unknown>>(`
    const out = {};
    const IteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));
    const g = Object.getOwnPropertyDescriptor(globalThis, 'Iterator');
    out.global = [typeof g.value, g.writable, g.enumerable, g.configurable, Iterator.name, Iterator.length];
    const p = Object.getOwnPropertyDescriptor(Iterator, 'prototype');
    out.prototype = [p.value === IteratorPrototype, p.writable, p.enumerable, p.configurable];
    const err = (f) => { try { f(); return 'no error'; } catch (e) { return e.constructor.name; } };
    out.abstract = [err(() => Iterator()), err(() => new Iterator()), err(() => Reflect.construct(Iterator, [], Iterator))];
    class Counter extends Iterator { constructor() { super(); this.i = 0; } next() { return this.i < 3 ? { value: this.i++, done: false } : { value: undefined, done: true }; } }
    const counter = new Counter();
    out.subclass = [counter instanceof Iterator, Object.getPrototypeOf(Counter.prototype) === IteratorPrototype, counter.map((x) => x * 2).toArray()];
    function F() {}
    out.reflectConstruct = Object.getPrototypeOf(Reflect.construct(Iterator, [], F)) === F.prototype;
    const shape = (o, k) => {
      const d = Object.getOwnPropertyDescriptor(o, k);
      return [typeof d.value, d.writable, d.enumerable, d.configurable, d.value.name, d.value.length, Object.hasOwn(d.value, 'prototype'), err(() => new d.value())];
    };
    out.methods = ${JSON.stringify(METHODS.map(([k]) => k))}.map((k) => shape(Iterator.prototype, k));
    out.from = shape(Iterator, 'from');
    // The accessors: getters and setters with their names, not enumerable, configurable.
    const tag = Object.getOwnPropertyDescriptor(Iterator.prototype, Symbol.toStringTag);
    const ctor = Object.getOwnPropertyDescriptor(Iterator.prototype, 'constructor');
    out.accessors = [tag, ctor].map((d) => [d.get.name, d.get.length, d.set.name, d.set.length, d.enumerable, d.configurable, 'value' in d]);
    out.getters = [Iterator.prototype[Symbol.toStringTag], tag.get.call(undefined), Iterator.prototype.constructor === Iterator, ctor.get.call(1) === Iterator, Object.prototype.toString.call(counter)];
    // SetterThatIgnoresPrototypeProperties.
    const setter = (d, key) => {
      const res = [err(() => d.set.call(undefined, 'v')), err(() => d.set.call(1, 'v')), err(() => d.set.call(IteratorPrototype, 'v')), err(() => { 'use strict'; IteratorPrototype[key] = 'v'; })];
      const plain = {};
      d.set.call(plain, 'v');
      const pd = Object.getOwnPropertyDescriptor(plain, key);
      res.push([pd.value, pd.writable, pd.enumerable, pd.configurable]);
      // An inheriting object: the assignment defines an own property, the prototype unchanged.
      const child = Object.create(IteratorPrototype);
      child[key] = 'w';
      res.push([Object.hasOwn(child, key) && child[key], d.get.call(IteratorPrototype) !== 'w']);
      // An own accessor is Set through (the setter called), not redefined.
      let seen;
      const own = { set [key](v) { seen = v; }, get [key]() { return 'own'; } };
      d.set.call(own, 'x');
      res.push(seen);
      // A frozen object: CreateDataPropertyOrThrow fails.
      res.push(err(() => d.set.call(Object.freeze({}), 'v')));
      return res;
    };
    out.setTag = setter(tag, Symbol.toStringTag);
    out.setCtor = setter(ctor, 'constructor');
    // %IteratorHelperPrototype% and %WrapForValidIteratorPrototype%.
    const helper = [].values().map((x) => x);
    const HelperPrototype = Object.getPrototypeOf(helper);
    const ht = Object.getOwnPropertyDescriptor(HelperPrototype, Symbol.toStringTag);
    out.helperPrototype = [
      Object.getPrototypeOf(HelperPrototype) === IteratorPrototype,
      Reflect.ownKeys(HelperPrototype).map(String),
      [ht.value, ht.writable, ht.enumerable, ht.configurable],
      shape(HelperPrototype, 'next'), shape(HelperPrototype, 'return'),
      helper.constructor === Iterator, Object.prototype.toString.call(helper),
      Reflect.ownKeys(helper).length,
    ];
    const wrapped = Iterator.from({ next() { return { done: true }; } });
    const WrapPrototype = Object.getPrototypeOf(wrapped);
    out.wrapPrototype = [Object.getPrototypeOf(WrapPrototype) === IteratorPrototype, Reflect.ownKeys(WrapPrototype), shape(WrapPrototype, 'next'), shape(WrapPrototype, 'return'), Reflect.ownKeys(wrapped).length];
    // Brand checks.
    out.brands = [
      err(() => HelperPrototype.next.call({})), err(() => HelperPrototype.return.call({})), err(() => HelperPrototype.next.call(wrapped)),
      err(() => WrapPrototype.next.call(helper)), err(() => WrapPrototype.return.call({})), err(() => HelperPrototype.next.call((function* () {})())),
      err(() => Object.getPrototypeOf(function* () {}).prototype.next.call(helper)),
    ];
    return out;
  `);
  assert.deepEqual(r.global, ['function', true, false, true, 'Iterator', 0]);
  assert.deepEqual(r.prototype, [true, false, false, false]);
  assert.deepEqual(r.abstract, ['TypeError', 'TypeError', 'TypeError']);
  assert.deepEqual(r.subclass, [true, true, [0, 2, 4]]);
  assert.equal(r.reflectConstruct, true);
  assert.deepEqual(r.methods, METHODS.map(([name, length]) => ['function', true, false, true, name, length, false, 'TypeError']));
  assert.deepEqual(r.from, ['function', true, false, true, 'from', 1, false, 'TypeError']);
  assert.deepEqual(r.accessors, [
    ['get [Symbol.toStringTag]', 0, 'set [Symbol.toStringTag]', 1, false, true, false],
    ['get constructor', 0, 'set constructor', 1, false, true, false],
  ]);
  assert.deepEqual(r.getters, ['Iterator', 'Iterator', true, true, '[object Iterator]']);
  const setterResult = ['TypeError', 'TypeError', 'TypeError', 'TypeError', ['v', true, true, true], ['w', true], 'x', 'TypeError'];
  assert.deepEqual(r.setTag, setterResult);
  assert.deepEqual(r.setCtor, setterResult);
  assert.deepEqual(r.helperPrototype, [
    true,
    ['next', 'return', 'Symbol(Symbol.toStringTag)'],
    ['Iterator Helper', false, false, true],
    ['function', true, false, true, 'next', 0, false, 'TypeError'],
    ['function', true, false, true, 'return', 0, false, 'TypeError'],
    true,
    '[object Iterator Helper]',
    0,
  ]);
  assert.deepEqual(r.wrapPrototype, [
    true,
    ['next', 'return'],
    ['function', true, false, true, 'next', 0, false, 'TypeError'],
    ['function', true, false, true, 'return', 0, false, 'TypeError'],
    0,
  ]);
  assert.deepEqual(r.brands, ['TypeError', 'TypeError', 'TypeError', 'TypeError', 'TypeError', 'TypeError', 'TypeError']);
});

test('Iterator helpers: argument validation, next read once, counters, results', { timeout: 30_000 }, async () => {
  const r = await evalInIsolate<Record<string, unknown>>(`
    const out = {};
    const err = (f) => { try { f(); return 'no error'; } catch (e) { return e.constructor.name; } };
    // A closable iterator whose next must not be read: validation fails first, and closes it.
    const closable = () => {
      const log = [];
      return [{ __proto__: Iterator.prototype, get next() { log.push('get next'); throw new Error('next read'); }, return() { log.push('return'); return {}; } }, log];
    };
    const validation = (call) => { const [it, log] = closable(); return [err(() => call(it)), log]; };
    out.validation = {
      map: validation((it) => it.map(1)), filter: validation((it) => it.filter({})), flatMap: validation((it) => it.flatMap()),
      reduce: validation((it) => it.reduce(null, 0)), forEach: validation((it) => it.forEach('f')),
      some: validation((it) => it.some()), every: validation((it) => it.every()), find: validation((it) => it.find()),
      takeUndefined: validation((it) => it.take()), takeNaN: validation((it) => it.take(NaN)), takeNegative: validation((it) => it.take(-1)),
      takeThrows: validation((it) => it.take({ valueOf() { throw new SyntaxError('x'); } })), takeBigInt: validation((it) => it.take(1n)),
      dropNegative: validation((it) => it.drop(-0.5 - 1)), dropNaN: validation((it) => it.drop('x')),
    };
    out.nonObjectThis = ['map', 'toArray', 'take', 'reduce'].map((k) => err(() => Iterator.prototype[k].call(1, () => {}, 0)));
    // take(-0.5) is take(0); Infinity is allowed.
    out.limits = [[1, 2].values().take(-0.5).toArray(), [1, 2].values().take(Infinity).toArray(), [1, 2, 3].values().drop(Infinity).toArray(), [1, 2, 3].values().drop('1').toArray()];
    // A non-callable next fails at the first next(), not at creation.
    const lazy = Iterator.prototype.map.call({ next: 0 }, (x) => x);
    out.nonCallableNext = err(() => lazy.next());
    // next is read once, by the method, whatever the number of steps.
    let nextReads = 0;
    const source = () => { let i = 0; return { get next() { nextReads++; return () => (i < 3 ? { value: i++, done: false } : { value: undefined, done: true }); } }; };
    const it = Iterator.prototype.map.call(source(), (x) => x);
    const readsAfterCreate = nextReads;
    it.next(); it.next(); it.next(); it.next();
    out.nextReads = [readsAfterCreate, nextReads];
    // Callback arguments: (value, counter), this undefined; reduce (acc, value, counter).
    const args = [];
    const rec = function () { args.push([this === undefined, ...arguments]); return true; };
    ['a', 'b'].values().map(rec).toArray();
    ['a', 'b'].values().filter(rec).toArray();
    ['a', 'b'].values().flatMap(function () { rec.apply(this, arguments); return []; }).toArray();
    ['a', 'b'].values().forEach(rec);
    ['a', 'b'].values().every(rec);
    ['a', 'b'].values().some(function () { rec.apply(this, arguments); return false; });
    ['a', 'b'].values().find(function () { rec.apply(this, arguments); return false; });
    out.args = args;
    const reduceArgs = [];
    out.reduce = [
      ['a', 'b', 'c'].values().reduce(function (acc, v, k) { reduceArgs.push([this === undefined, acc, v, k]); return acc + v; }),
      ['a', 'b'].values().reduce((acc, v, k) => { reduceArgs.push([acc, v, k]); return acc + v; }, 'x'),
      [].values().reduce((a) => a, undefined),
      err(() => [].values().reduce((a) => a)),
    ];
    out.reduceArgs = reduceArgs;
    out.results = [
      [1, 2, 3, 4, 5].values().filter((x) => x % 2).map((x) => x * 10).toArray(),
      [1, 2, 3].values().drop(1).toArray(),
      [1, 2, 3].values().take(2).toArray(),
      [1, 2, 3].values().some((x) => x === 2), [1, 2, 3].values().every((x) => x < 3), [1, 2, 3].values().find((x) => x > 1),
      Array.isArray([1].values().toArray()),
    ];
    // drop reads neither value of the dropped results; take stops reading at its limit.
    const reads = [];
    const observed = () => { let i = 0; return { __proto__: Iterator.prototype, next() { const k = i++; return { get done() { reads.push('done ' + k); return k >= 4; }, get value() { reads.push('value ' + k); return k; } }; } }; };
    out.dropResult = observed().drop(2).toArray();
    out.dropReads = reads.splice(0);
    out.takeResult = observed().take(1).toArray();
    out.takeReads = reads.splice(0);
    return out;
  `);
  const closedWith = (error: string) => [error, ['return']];
  assert.deepEqual(r.validation, {
    map: closedWith('TypeError'), filter: closedWith('TypeError'), flatMap: closedWith('TypeError'), reduce: closedWith('TypeError'),
    forEach: closedWith('TypeError'), some: closedWith('TypeError'), every: closedWith('TypeError'), find: closedWith('TypeError'),
    takeUndefined: closedWith('RangeError'), takeNaN: closedWith('RangeError'), takeNegative: closedWith('RangeError'),
    takeThrows: closedWith('SyntaxError'), takeBigInt: closedWith('TypeError'), dropNegative: closedWith('RangeError'), dropNaN: closedWith('RangeError'),
  });
  assert.deepEqual(r.nonObjectThis, ['TypeError', 'TypeError', 'TypeError', 'TypeError']);
  assert.deepEqual(r.limits, [[], [1, 2], [], [2, 3]]);
  assert.equal(r.nonCallableNext, 'TypeError');
  assert.deepEqual(r.nextReads, [1, 1]);
  const pairs = [[true, 'a', 0], [true, 'b', 1]];
  assert.deepEqual(r.args, [...pairs, ...pairs, ...pairs, ...pairs, ...pairs, ...pairs, ...pairs]);
  assert.deepEqual(r.reduce, ['abc', 'xab', null, 'TypeError']);
  assert.deepEqual(r.reduceArgs, [[true, 'a', 'b', 1], [true, 'ab', 'c', 2], ['x', 'a', 0], ['xa', 'b', 1]]);
  assert.deepEqual(r.results, [[10, 30, 50], [2, 3], [1, 2], true, false, 2, true]);
  assert.deepEqual(r.dropResult, [2, 3]);
  assert.deepEqual(r.dropReads, ['done 0', 'done 1', 'done 2', 'value 2', 'done 3', 'value 3', 'done 4']);
  assert.deepEqual(r.takeResult, [0]);
  assert.deepEqual(r.takeReads, ['done 0', 'value 0']);
});

test('Iterator helpers: generator states, return(), closing, flatMap, Iterator.from, patched intrinsics', { timeout: 30_000 }, async () => {
  const r = await evalInIsolate<Record<string, unknown>>(`
    const out = {};
    const err = (f) => { try { f(); return 'no error'; } catch (e) { return e.constructor.name; } };
    const underlying = (log, opts = {}) => {
      let i = 0;
      return { __proto__: Iterator.prototype,
        next() { log.push('next'); return i < (opts.length ?? 5) ? { value: i++, done: false } : { value: undefined, done: true }; },
        return() { log.push('return'); return opts.returnValue !== undefined ? opts.returnValue : {}; } };
    };
    // Re-entrant next() and return() while the helper runs: TypeError (the helper keeps going).
    let helper;
    const reentry = [];
    helper = underlying([]).map((x) => { if (x === 0) { reentry.push(err(() => helper.next()), err(() => helper.return())); } return x; });
    reentry.push(helper.next().value, helper.next().value);
    out.reentry = reentry;
    // return() before the first next(): the underlying iterator closed, the helper completed;
    // a next() made from inside the underlying return() already finds it completed.
    let log = [];
    let inner;
    const u = underlying(log);
    u.return = function () { log.push('return'); inner = early2.next(); return {}; };
    const early2 = u.filter(() => true);
    out.returnBeforeStart = [early2.return(), inner, early2.next(), early2.return(), log.splice(0)];
    // return() at a yield: the underlying return() called once; then done, nothing more called.
    const atYield = underlying(log).map((x) => x * 2);
    out.returnAtYield = [atYield.next(), atYield.return(), atYield.next(), atYield.return(), log.splice(0)];
    // The underlying return() result must be an object (at a yield, and before the start).
    const bad = underlying(log, { returnValue: 1 }).take(3);
    bad.next();
    out.badReturn = [err(() => bad.return()), bad.next(), log.splice(0)];
    out.badReturnBeforeStart = [err(() => underlying(log, { returnValue: 1 }).drop(1).return()), log.splice(0)];
    // An underlying iterator without return(): return() is fine.
    const noReturn = [1, 2].values().map((x) => x);
    noReturn.next();
    out.noReturn = [noReturn.return(), noReturn.next()];
    // take: at the limit, the underlying iterator is closed (on the next() after the last value).
    const take = underlying(log).take(2);
    out.take = [take.next().value, take.next().value, log.slice(), take.next(), log.splice(0)];
    const take0 = underlying(log).take(0);
    out.take0 = [take0.next(), log.splice(0)];
    // A helper whose callback throws is completed, and the underlying iterator closed.
    const throwing = underlying(log).map(() => { throw new SyntaxError('cb'); });
    out.callbackThrows = [err(() => throwing.next()), throwing.next(), log.splice(0)];
    // An underlying next() that throws does not close it.
    const nextThrows = { __proto__: Iterator.prototype, next() { throw new SyntaxError('next'); }, return() { log.push('return'); return {}; } };
    const failing = nextThrows.filter(() => true);
    out.nextThrows = [err(() => failing.next()), failing.next(), log.splice(0)];
    // some / every / find close on their answer; forEach and reduce close when the callback throws.
    out.earlyClose = [
      underlying(log).some((x) => x === 1), log.splice(0),
      underlying(log).every((x) => x < 1), log.splice(0),
      underlying(log).find((x) => x === 2), log.splice(0),
      err(() => underlying(log).forEach(() => { throw new SyntaxError(); })), log.splice(0),
      err(() => underlying(log).reduce(() => { throw new SyntaxError(); }, 0)), log.splice(0),
      underlying(log, { length: 2 }).some(() => false), log.splice(0),
    ];
    // flatMap: iterables and plain iterators are flattened; strings are refused; return() closes
    // the inner iterator, then the outer one.
    out.flat = [
      [1, 2].values().flatMap((x) => [x, x * 10]).toArray(),
      [1].values().flatMap(() => new String('ab')).toArray(),
      [1].values().flatMap(() => ({ i: 0, next() { return this.i < 2 ? { value: this.i++, done: false } : { done: true }; } })).toArray(),
      [1].values().flatMap(() => new Set(['s'])).toArray(),
    ];
    const stringMapped = underlying(log).flatMap(() => 'ab');
    out.flatString = [err(() => stringMapped.next()), log.splice(0)];
    out.flatNumber = [err(() => underlying(log).flatMap(() => 5).next()), log.splice(0)];
    const innerLog = [];
    const flat = underlying(log).flatMap(() => underlying(innerLog));
    flat.next();
    out.flatReturn = [flat.return(), log.splice(0), innerLog.splice(0)];
    const order = [];
    const flat2 = underlying(order).flatMap(() => { const it = underlying([]); it.return = () => { order.push('inner return'); throw new SyntaxError('inner'); }; return it; });
    flat2.next();
    out.flatInnerReturnThrows = [err(() => flat2.return()), order];
    // flatMap: an inner next() that throws closes the outer iterator, not the inner one; a
    // next() of the helper from the inner return() (while return() runs) is a TypeError.
    const innerThrows = [];
    const flat3 = underlying(innerThrows).flatMap(() => ({ next() { throw new SyntaxError('inner next'); }, return() { innerThrows.push('inner return'); return {}; } }));
    out.flatInnerNextThrows = [err(() => flat3.next()), innerThrows];
    let flat4;
    const reentrantInner = [];
    flat4 = underlying([]).flatMap(() => ({ next: () => ({ value: 1, done: false }), return() { reentrantInner.push(err(() => flat4.next())); return {}; } }));
    flat4.next();
    out.flatReentrantReturn = [flat4.return(), reentrantInner];
    // Iterator.from: strings iterated, other primitives refused, Iterator instances returned
    // as they are, others wrapped.
    const arrayIterator = [1].values();
    const plain = { next() { return { value: 1, done: false }; } };
    const wrapped = Iterator.from(plain);
    const hasIteratorMethod = { [Symbol.iterator]() { return plain; } };
    out.from = [
      Iterator.from('a\\u{1F600}').toArray(), err(() => Iterator.from(5)), err(() => Iterator.from(null)), err(() => Iterator.from({ [Symbol.iterator]: 1 })),
      err(() => Iterator.from({ [Symbol.iterator]() { return 1; } })),
      Iterator.from(arrayIterator) === arrayIterator, Iterator.from(new Set([1])).toArray(),
      wrapped !== plain, wrapped instanceof Iterator, wrapped.take(2).toArray(), Iterator.from(hasIteratorMethod) !== plain,
      wrapped.return(),
    ];
    const withReturn = { next() { return { done: true }; }, return(...a) { return { r: a.length, self: this === withReturn }; } };
    out.fromReturn = Iterator.from(withReturn).return();
    // Patched intrinsics are not called: the generator and array iterator prototypes' next and
    // return, Array.prototype index setters, Object.prototype.get, Iterator[Symbol.hasInstance].
    const GeneratorPrototype = Object.getPrototypeOf(function* () {}).prototype;
    const ArrayIteratorPrototype = Object.getPrototypeOf([].values());
    const saved = [GeneratorPrototype.next, GeneratorPrototype.return, ArrayIteratorPrototype.next];
    let patched = 0;
    const source = () => { let i = 0; return { __proto__: Iterator.prototype, next() { return i < 3 ? { value: i++, done: false } : { done: true }; }, return() { return {}; } }; };
    GeneratorPrototype.next = function () { patched++; return saved[0].call(this); };
    GeneratorPrototype.return = function (v) { patched++; return saved[1].call(this, v); };
    ArrayIteratorPrototype.next = function () { patched++; return saved[2].call(this); };
    Object.defineProperty(Array.prototype, '0', { set() { patched++; }, configurable: true });
    Object.defineProperty(Array.prototype, '1', { set() { patched++; }, configurable: true });
    Object.defineProperty(Iterator, Symbol.hasInstance, { value() { patched++; return true; }, configurable: true });
    Object.defineProperty(Object.prototype, 'get', { get() { patched++; }, configurable: true });
    const fromPatched = Iterator.from(source()).drop(1).map((x) => x + 1).filter(() => true).flatMap((x) => source().take(x)).toArray();
    const h = source().map((x) => x); h.next(); h.return();
    const h2 = source().map((x) => x); h2.return();
    const wrappedAgain = Iterator.from({ next() { return { done: true }; } });
    const savedGopd = Reflect.getOwnPropertyDescriptor;
    Reflect.getOwnPropertyDescriptor = function () { patched++; return savedGopd.apply(this, arguments); };
    const assigned = Object.create(Iterator.prototype);
    assigned.constructor = 1;
    assigned[Symbol.toStringTag] = 2;
    Reflect.getOwnPropertyDescriptor = savedGopd;
    delete Array.prototype[0]; delete Array.prototype[1]; delete Object.prototype.get; delete Iterator[Symbol.hasInstance];
    GeneratorPrototype.next = saved[0]; GeneratorPrototype.return = saved[1]; ArrayIteratorPrototype.next = saved[2];
    out.patched = [patched, fromPatched, Object.getPrototypeOf(wrappedAgain) !== Iterator.prototype, Object.hasOwn(assigned, 'constructor') && assigned[Symbol.toStringTag]];
    return out;
  `);
  assert.deepEqual(r.reentry, ['TypeError', 'TypeError', 0, 1]);
  // (JSON leaves out `value: undefined`.)
  assert.deepEqual(r.returnBeforeStart, [{ done: true }, { done: true }, { done: true }, { done: true }, ['return']]);
  assert.deepEqual(r.returnAtYield, [{ value: 0, done: false }, { done: true }, { done: true }, { done: true }, ['next', 'return']]);
  assert.deepEqual(r.badReturn, ['TypeError', { done: true }, ['next', 'return']]);
  assert.deepEqual(r.badReturnBeforeStart, ['TypeError', ['return']]);
  assert.deepEqual(r.noReturn, [{ done: true }, { done: true }]);
  assert.deepEqual(r.take, [0, 1, ['next', 'next'], { done: true }, ['next', 'next', 'return']]);
  assert.deepEqual(r.take0, [{ done: true }, ['return']]);
  assert.deepEqual(r.callbackThrows, ['SyntaxError', { done: true }, ['next', 'return']]);
  assert.deepEqual(r.nextThrows, ['SyntaxError', { done: true }, []]);
  assert.deepEqual(r.earlyClose, [
    true, ['next', 'next', 'return'],
    false, ['next', 'next', 'return'],
    2, ['next', 'next', 'next', 'return'],
    'SyntaxError', ['next', 'return'],
    'SyntaxError', ['next', 'return'],
    false, ['next', 'next', 'next'],
  ]);
  assert.deepEqual(r.flat, [[1, 10, 2, 20], ['a', 'b'], [0, 1], ['s']]);
  assert.deepEqual(r.flatString, ['TypeError', ['next', 'return']]);
  assert.deepEqual(r.flatNumber, ['TypeError', ['next', 'return']]);
  assert.deepEqual(r.flatReturn, [{ done: true }, ['next', 'return'], ['next', 'return']]);
  assert.deepEqual(r.flatInnerNextThrows, ['SyntaxError', ['next', 'return']]);
  assert.deepEqual(r.flatReentrantReturn, [{ done: true }, ['TypeError']]);
  assert.deepEqual(r.flatInnerReturnThrows, ['SyntaxError', ['next', 'inner return', 'return']]);
  assert.deepEqual(r.from, [
    ['a', '\u{1F600}'], 'TypeError', 'TypeError', 'TypeError', 'TypeError', true, [1], true, true, [1, 1], true, { done: true },
  ]);
  assert.deepEqual(r.fromReturn, { r: 0, self: true });
  assert.deepEqual(r.patched, [0, [0, 1, 0, 1, 2], true, 2]);
});
