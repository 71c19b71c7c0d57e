// ES2024 built-ins the isolate's V8 lacks (src/runtime/es-builtins.ts), checked inside an isolate
// against ECMA-262: property attributes, name and length, subclassing, grouping order and keys,
// iterator closing, and that patched intrinsics are not called.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NanoIsolate } from '../../src/host/isolate/nano-isolate.js';

test('Promise.withResolvers, Object.groupBy and Map.groupBy in an isolate behave as ECMA-262 says', { timeout: 30_000 }, async () => {
  const nano = await NanoIsolate.create({ memoryLimitMb: 32 });
  try {
    const result = JSON.parse(
      (await nano.context.eval(`(() => {
        const out = {};
        const shape = (o, k) => { const d = Object.getOwnPropertyDescriptor(o, k); return [typeof d.value, d.writable, d.enumerable, d.configurable, d.value.name, d.value.length, 'prototype' in d.value]; };
        out.shapes = [shape(Promise, 'withResolvers'), shape(Object, 'groupBy'), shape(Map, 'groupBy')];
        const { promise, resolve, reject } = Promise.withResolvers();
        out.resolvers = [promise instanceof Promise, typeof resolve, typeof reject, Object.keys(Promise.withResolvers())];
        class Sub extends Promise {}
        out.sub = Promise.withResolvers.call(Sub).promise instanceof Sub;
        try { Promise.withResolvers.call(() => {}); out.arrow = 'no error'; } catch (e) { out.arrow = e.constructor === TypeError; }
        try { Promise.withResolvers.call(function (executor) { executor(() => {}, () => {}); executor(() => {}, () => {}); }); out.twice = 'no error'; } catch (e) { out.twice = e.constructor === TypeError; }
        const calls = [];
        const grouped = Object.groupBy([1, 2, 3, 4, 5], (v, k) => { calls.push(k); return v % 2 ? 'odd' : 'even'; });
        out.object = [Object.getPrototypeOf(grouped), Object.keys(grouped), grouped.odd, grouped.even, calls];
        const sym = Symbol('s');
        out.keys = Object.getOwnPropertySymbols(Object.groupBy(['a'], () => sym)).length === 1 && Object.keys(Object.groupBy([1], () => ({ toString: () => 'k' })))[0] === 'k';
        const m = Map.groupBy([-0, 0, NaN, NaN, 1], (v) => v);
        out.map = [m instanceof Map, [...m.keys()].map((k) => Object.is(k, -0) ? '-0' : String(k)), m.get(0).length, m.get(NaN).length];
        // An abrupt callback closes the iterator.
        let closed = false;
        const iterable = { [Symbol.iterator]() { let i = 0; return { next: () => ({ value: i++, done: false }), return() { closed = true; return {}; } }; } };
        try { Object.groupBy(iterable, (v) => { if (v === 2) throw new RangeError('stop'); return 'x'; }); } catch (e) { out.closed = [e instanceof RangeError, closed]; }
        // Internal steps use the intrinsics: patched Map and Array prototypes are not called.
        const set = Map.prototype.set, push = Array.prototype.push;
        let patched = 0;
        Map.prototype.set = function () { patched++; return set.apply(this, arguments); };
        Object.defineProperty(Array.prototype, '1', { set() { patched++; }, configurable: true });
        const again = Map.groupBy([1, 1, 1], () => 'k');
        const objAgain = Object.groupBy([1, 1], () => 'k');
        delete Array.prototype[1];
        Map.prototype.set = set;
        out.patched = [patched, again.get('k').length, objAgain.k.length];
        try { Object.groupBy(null, () => 0); } catch (e) { out.nullItems = e.constructor === TypeError; }
        try { Object.groupBy([], 'not callable'); } catch (e) { out.notCallable = e.constructor === TypeError; }
        return JSON.stringify(out);
      })()`)) as string,
    );
    assert.deepEqual(result.shapes, [
      ['function', true, false, true, 'withResolvers', 0, false],
      ['function', true, false, true, 'groupBy', 2, false],
      ['function', true, false, true, 'groupBy', 2, false],
    ]);
    assert.deepEqual(result.resolvers, [true, 'function', 'function', ['promise', 'resolve', 'reject']]);
    assert.equal(result.sub, true);
    assert.equal(result.arrow, true);
    assert.equal(result.twice, true);
    assert.deepEqual(result.object, [null, ['odd', 'even'], [1, 3, 5], [2, 4], [0, 1, 2, 3, 4]]);
    assert.equal(result.keys, true);
    assert.deepEqual(result.map, [true, ['0', 'NaN', '1'], 2, 2]);
    assert.deepEqual(result.closed, [true, true]);
    assert.deepEqual(result.patched, [0, 3, 2]);
    assert.equal(result.nullItems, true);
    assert.equal(result.notCallable, true);
  } finally {
    nano.dispose();
  }
});
