// Promise.try, RegExp.escape (ES2025) and Array.fromAsync (ES2026) from
// src/runtime/es-builtins.ts inside an isolate, against ECMA-262: shapes, argument handling,
// NewPromiseCapability's executor, escapes by code point class, fromAsync's three input kinds,
// `this` constructors, awaiting, closing, and patched intrinsics not called. Also that an app
// served by the runtime sees every newer built-in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalInIsolate } from './es-builtins-isolate.js';
import { NanoIsolate } from '../../src/host/isolate/nano-isolate.js';

test('Promise.try and NewPromiseCapability', { timeout: 30_000 }, async () => {
  const r = await evalInIsolate<Record<string, unknown>>(`
    const out = {};
    const err = (f) => { try { f(); return 'no error'; } catch (e) { return e.constructor.name; } };
    const settle = (p) => p.then((v) => ['fulfilled', v], (e) => ['rejected', e instanceof Error ? e.constructor.name : e]);
    const d = Object.getOwnPropertyDescriptor(Promise, 'try');
    out.shape = [typeof d.value, d.writable, d.enumerable, d.configurable, d.value.name, d.value.length, Object.hasOwn(d.value, 'prototype'), err(() => new Promise.try(() => {}))];
    const calls = [];
    const p = Promise.try(function (...args) { calls.push([this === undefined, ...args]); return 'value'; }, 1, 2);
    calls.push('after');
    out.calls = calls;
    out.results = [
      await settle(p),
      await settle(Promise.try(() => { throw new SyntaxError('sync'); })),
      await settle(Promise.try(() => Promise.resolve('adopted'))),
      await settle(Promise.try(5)),
      await settle(Promise.try()),
    ];
    out.thisChecks = [err(() => Promise.try.call(undefined, () => {})), err(() => Promise.try.call({}, () => {})), err(() => Promise.try.call(() => {}, () => {}))];
    class Sub extends Promise {}
    out.subclass = Promise.try.call(Sub, () => 1) instanceof Sub;
    // The executor given to the constructor: anonymous, length 2, not a constructor; a second
    // call throws; resolving functions that are not callable are a TypeError.
    let executor;
    const captured = Promise.try.call(function (e) { executor = e; e((v) => { out.resolvedWith = v; }, () => {}); }, (a) => a * 2, 21);
    out.executor = [executor.name, executor.length, Object.hasOwn(executor, 'prototype'), err(() => new executor()), err(() => executor(() => {}, () => {}))];
    out.notCallable = [err(() => Promise.try.call(function (e) { e(1, 2); }, () => {})), err(() => Promise.withResolvers.call(function (e) { e(() => {}); }))];
    let wrExecutor;
    Promise.withResolvers.call(function (e) { wrExecutor = e; e(() => {}, () => {}); });
    out.withResolversExecutor = [wrExecutor.name, wrExecutor.length, Object.hasOwn(wrExecutor, 'prototype')];
    return out;
  `);
  assert.deepEqual(r.shape, ['function', true, false, true, 'try', 1, false, 'TypeError']);
  assert.deepEqual(r.calls, [[true, 1, 2], 'after']);
  assert.deepEqual(r.results, [
    ['fulfilled', 'value'],
    ['rejected', 'SyntaxError'],
    ['fulfilled', 'adopted'],
    ['rejected', 'TypeError'],
    ['rejected', 'TypeError'],
  ]);
  assert.deepEqual(r.thisChecks, ['TypeError', 'TypeError', 'TypeError']);
  assert.equal(r.subclass, true);
  assert.equal(r.resolvedWith, 42);
  assert.deepEqual(r.executor, ['', 2, false, 'TypeError', 'TypeError']);
  assert.deepEqual(r.notCallable, ['TypeError', 'TypeError']);
  assert.deepEqual(r.withResolversExecutor, ['', 2, false]);
});

test('RegExp.escape', { timeout: 30_000 }, async () => {
  const r = await evalInIsolate<Record<string, unknown>>(`
    const out = {};
    const err = (f) => { try { f(); return 'no error'; } catch (e) { return e.constructor.name; } };
    const d = Object.getOwnPropertyDescriptor(RegExp, 'escape');
    out.shape = [typeof d.value, d.writable, d.enumerable, d.configurable, d.value.name, d.value.length, Object.hasOwn(d.value, 'prototype'), err(() => new RegExp.escape(''))];
    out.errors = [err(() => RegExp.escape()), err(() => RegExp.escape(1)), err(() => RegExp.escape(new String('a'))), err(() => RegExp.escape({ toString: () => 'a' }))];
    const inputs = ['', 'foo', 'Zed', '1.5', '_x', '^$\\\\.*+?()[]{}|/', ',-=<>#&!%:;@~\\'\`"', ' \\t\\n\\v\\f\\r\\u00a0\\u1680\\u2000\\u200a\\u202f\\u205f\\u3000\\u2028\\u2029\\ufeff',
      '\\ud800x\\udfff', 'a\\u{1F600}b', 'é€ß', '\\u180e\\u200b', 'x\\0y'];
    out.escaped = inputs.map((s) => RegExp.escape(s));
    // An escaped string matches itself, whatever precedes it in the pattern (\\0, \\1, \\c).
    out.matches = inputs.filter((s) => !/[\\ud800-\\udfff]/.test(s.replace(/\\u{1F600}/gu, ''))).map((s) => [
      new RegExp('^' + RegExp.escape(s) + '$').test(s), new RegExp('^' + RegExp.escape(s) + '$', 'u').test(s), new RegExp('^' + RegExp.escape(s) + '$', 'v').test(s),
    ].every(Boolean));
    out.afterEscape = [new RegExp('\\\\0' + RegExp.escape('1')).test('\\x001'), new RegExp('(a)\\\\1' + RegExp.escape('0')).test('aa0'), new RegExp('\\\\c' + RegExp.escape('J')).test('\\\\cJ')];
    // No patched intrinsic is called.
    const saved = [String.prototype.codePointAt, String.fromCodePoint, String.prototype.charCodeAt, Number.prototype.toString];
    let patched = 0;
    String.prototype.codePointAt = function () { patched++; return 0; };
    String.fromCodePoint = function () { patched++; return ''; };
    String.prototype.charCodeAt = function () { patched++; return 0; };
    Number.prototype.toString = function () { patched++; return ''; };
    const again = RegExp.escape('1a.\\u00a0\\u2028\\ud800\\u{1F600}');
    [String.prototype.codePointAt, String.fromCodePoint, String.prototype.charCodeAt, Number.prototype.toString] = saved;
    out.patched = [patched, again];
    return out;
  `);
  assert.deepEqual(r.shape, ['function', true, false, true, 'escape', 1, false, 'TypeError']);
  assert.deepEqual(r.errors, ['TypeError', 'TypeError', 'TypeError', 'TypeError']);
  assert.deepEqual(r.escaped, [
    '',
    String.raw`\x66oo`,
    String.raw`\x5aed`,
    String.raw`\x31\.5`,
    '_x',
    String.raw`\^\$\\\.\*\+\?\(\)\[\]\{\}\|\/`,
    String.raw`\x2c\x2d\x3d\x3c\x3e\x23\x26\x21\x25\x3a\x3b\x40\x7e\x27\x60\x22`,
    String.raw`\x20\t\n\v\f\r\xa0\u1680\u2000\u200a\u202f\u205f\u3000\u2028\u2029\ufeff`,
    String.raw`\ud800x\udfff`,
    String.raw`\x61` + '\u{1F600}b',
    'é€ß',
    '\u180e\u200b',
    String.raw`\x78` + '\0y',
  ]);
  assert.deepEqual(r.matches, [true, true, true, true, true, true, true, true, true, true, true, true]);
  assert.deepEqual(r.afterEscape, [true, true, true]);
  assert.deepEqual(r.patched, [0, String.raw`\x31a\.\xa0\u2028\ud800` + '\u{1F600}']);
});

test('Array.fromAsync', { timeout: 30_000 }, async () => {
  const r = await evalInIsolate<Record<string, unknown>>(`
    const out = {};
    const err = (f) => { try { f(); return 'no error'; } catch (e) { return e.constructor.name; } };
    const settle = (p) => p.then((v) => ['fulfilled', v], (e) => ['rejected', e instanceof Error ? e.constructor.name : e]);
    const d = Object.getOwnPropertyDescriptor(Array, 'fromAsync');
    out.shape = [typeof d.value, d.writable, d.enumerable, d.configurable, d.value.name, d.value.length, Object.hasOwn(d.value, 'prototype'), err(() => new Array.fromAsync([])), Object.getPrototypeOf(d.value) === Function.prototype];
    // Errors reject (never throw); the mapper is checked before the input is looked at.
    const log = [];
    const observed = { get [Symbol.asyncIterator]() { log.push('asyncIterator'); }, get [Symbol.iterator]() { log.push('iterator'); }, get length() { log.push('length'); return 0; } };
    const rejected = Array.fromAsync(observed, 'not callable');
    out.mapperFirst = [rejected instanceof Promise, await settle(rejected), log.splice(0)];
    out.lookupOrder = [await settle(Array.fromAsync(observed)), log.splice(0)];
    out.nullish = [await settle(Array.fromAsync(null)), await settle(Array.fromAsync()), await settle(Array.fromAsync({ [Symbol.asyncIterator]: 1 }))];
    // Async iterables, sync iterables (values awaited), array-likes (values awaited).
    async function* gen() { yield 1; yield Promise.resolve(2); }
    const mapArgs = [];
    out.inputs = [
      await Array.fromAsync(gen()),
      await Array.fromAsync([Promise.resolve('a'), 'b', { then(f) { f('c'); } }]),
      await Array.fromAsync({ length: '2.7', 0: Promise.resolve('x'), 1: 'y', 2: 'never' }),
      await Array.fromAsync(new Set([1, 2]), function (v, k) { mapArgs.push([this.tag, v, k]); return Promise.resolve(v * 10); }, { tag: 't' }),
      await Array.fromAsync('ab'),
      await Array.fromAsync(5),
    ];
    out.mapArgs = mapArgs;
    // this: a constructor is constructed with no argument for iterables and with the length for
    // array-likes; anything else gives an Array.
    const ctorCalls = [];
    function C(...args) { ctorCalls.push(args); }
    const fromIterable = await Array.fromAsync.call(C, [1, 2]);
    const fromArrayLike = await Array.fromAsync.call(C, { length: 2, 0: 'a', 1: 'b' });
    out.ctor = [ctorCalls, fromIterable instanceof C, Object.entries(fromIterable), fromArrayLike instanceof C, Object.entries(fromArrayLike)];
    out.nonCtor = [
      Array.isArray(await Array.fromAsync.call(undefined, [1])), Array.isArray(await Array.fromAsync.call(() => {}, [1])),
      Array.isArray(await Array.fromAsync.call(Math.max, { length: 1, 0: 1 })), Array.isArray(await Array.fromAsync.call({}, [1])),
    ];
    // Closing: a mapper that throws or rejects closes the async iterator; a rejected value of a
    // sync iterator closes it unless its result said done; a failed define closes it.
    const closing = (values, done) => {
      const events = [];
      let i = 0;
      return [{ [Symbol.iterator]() { return { next() { events.push('next'); return i < values.length ? { value: values[i++], done: false } : { value: done, done: true }; }, return() { events.push('return'); return {}; } }; } }, events];
    };
    let [iterable, events] = closing([1, Promise.reject(new SyntaxError('value')), 3]);
    out.syncRejected = [await settle(Array.fromAsync(iterable)), events];
    [iterable, events] = closing([1], Promise.reject(new SyntaxError('done value')));
    out.syncDoneRejected = [await settle(Array.fromAsync(iterable)), events];
    [iterable, events] = closing([1, 2]);
    out.syncMapperThrows = [await settle(Array.fromAsync(iterable, () => { throw new SyntaxError('map'); })), events];
    const asyncEvents = [];
    const asyncIterable = { [Symbol.asyncIterator]() { let i = 0; return { next() { asyncEvents.push('next'); return Promise.resolve({ value: i++, done: i > 3 }); }, return() { asyncEvents.push('return'); return Promise.resolve({}); } }; } };
    out.asyncMapperRejects = [await settle(Array.fromAsync(asyncIterable, (v) => v === 1 ? Promise.reject(new SyntaxError('later')) : v)), asyncEvents.splice(0)];
    out.asyncFine = [await Array.fromAsync(asyncIterable), asyncEvents.splice(0)];
    out.asyncNotObject = await settle(Array.fromAsync({ [Symbol.asyncIterator]() { return { next() { return Promise.resolve(1); } }; } }));
    function Frozen() { return Object.freeze({}); }
    [iterable, events] = closing([1, 2]);
    out.defineFails = [await settle(Array.fromAsync.call(Frozen, iterable)), events];
    // The result's indexes are defined (no setter of Array.prototype runs), its length set.
    let patched = 0;
    Object.defineProperty(Array.prototype, '0', { set() { patched++; }, configurable: true });
    Object.defineProperty(Object.prototype, 'get', { get() { patched++; }, configurable: true });
    const defined = await Array.fromAsync(gen());
    const definedArrayLike = await Array.fromAsync({ length: 1, 0: 'z' });
    delete Array.prototype[0];
    delete Object.prototype.get;
    out.patched = [patched, Object.hasOwn(defined, 0) && defined, Object.hasOwn(definedArrayLike, 0) && definedArrayLike];
    return out;
  `);
  assert.deepEqual(r.shape, ['function', true, false, true, 'fromAsync', 1, false, 'TypeError', true]);
  assert.deepEqual(r.mapperFirst, [true, ['rejected', 'TypeError'], []]);
  assert.deepEqual(r.lookupOrder, [['fulfilled', []], ['asyncIterator', 'iterator', 'length']]);
  assert.deepEqual(r.nullish, [['rejected', 'TypeError'], ['rejected', 'TypeError'], ['rejected', 'TypeError']]);
  assert.deepEqual(r.inputs, [[1, 2], ['a', 'b', 'c'], ['x', 'y'], [10, 20], ['a', 'b'], []]);
  assert.deepEqual(r.mapArgs, [['t', 1, 0], ['t', 2, 1]]);
  assert.deepEqual(r.ctor, [[[], [2]], true, [['0', 1], ['1', 2], ['length', 2]], true, [['0', 'a'], ['1', 'b'], ['length', 2]]]);
  assert.deepEqual(r.nonCtor, [true, true, true, true]);
  assert.deepEqual(r.syncRejected, [['rejected', 'SyntaxError'], ['next', 'next', 'return']]);
  assert.deepEqual(r.syncDoneRejected, [['rejected', 'SyntaxError'], ['next', 'next']]);
  assert.deepEqual(r.syncMapperThrows, [['rejected', 'SyntaxError'], ['next', 'return']]);
  assert.deepEqual(r.asyncMapperRejects, [['rejected', 'SyntaxError'], ['next', 'next', 'return']]);
  assert.deepEqual(r.asyncFine, [[0, 1, 2], ['next', 'next', 'next', 'next']]);
  assert.deepEqual(r.asyncNotObject, ['rejected', 'TypeError']);
  assert.deepEqual(r.defineFails, [['rejected', 'TypeError'], ['next', 'return']]);
  assert.deepEqual(r.patched, [0, [1, 2], ['z']]);
});

test('an app served in an isolate sees the newer built-ins', { timeout: 30_000 }, async () => {
  const nano = await NanoIsolate.create({ memoryLimitMb: 32 });
  try {
    const app = `({ async fetch() {
      return Response.json({
        union: [...new Set([1, 2]).union(new Set([3]))],
        helpers: [1, 2, 3].values().map((x) => x * 2).filter((x) => x > 2).toArray(),
        iterator: typeof Iterator === 'function' && Iterator.from([1]).toArray(),
        tryResult: await Promise.try((a) => a, 'ok'),
        escape: RegExp.escape('a.b'),
        fromAsync: await Array.fromAsync([Promise.resolve(1), 2]),
        withResolvers: typeof Promise.withResolvers,
        groupBy: Object.keys(Object.groupBy([1, 2], (v) => (v % 2 ? 'odd' : 'even'))),
        base64: [new Uint8Array([102, 111]).toBase64(), [...Uint8Array.fromHex('ff00')]],
      });
    } })`;
    const result = await nano.serveOne(app, { method: 'GET', url: 'http://app.example/', rawHeaders: ['host', 'app.example'], body: false });
    assert.ok('head' in result, JSON.stringify(result));
    assert.equal(result.head.status, 200);
    // The whole body comes with the head: as a Latin-1 string (this one is ASCII) or as bytes.
    const head = result.head as { latin1?: string; bytes?: Uint8Array };
    const body = head.latin1 ?? (head.bytes === undefined ? '' : new TextDecoder().decode(head.bytes));
    assert.deepEqual(JSON.parse(body), {
      union: [1, 2, 3],
      helpers: [4, 6],
      iterator: [1],
      tryResult: 'ok',
      escape: String.raw`\x61\.b`,
      fromAsync: [1, 2],
      withResolvers: 'function',
      groupBy: ['odd', 'even'],
      base64: ['Zm8=', [255, 0]],
    });
  } finally {
    nano.dispose();
  }
});

/**
 * A sync iterable goes through an async-from-sync iterator, job for job: each next() result
 * becomes a promise of a new result (its value resolved, then wrapped), which the closure
 * awaits, so each value costs two jobs, a mapper's result one more, and the final done result
 * two (ECMA-262 AsyncFromSyncIteratorContinuation, then Await).
 */
test('Array.fromAsync over a sync iterable takes the async-from-sync iterator\'s jobs', { timeout: 30_000 }, async () => {
  const r = await evalInIsolate<Record<string, unknown>>(`
    const turnOf = async (start) => {
      let turn = 0;
      let running = true;
      const tick = () => { turn++; if (running) queueMicrotask(tick); };
      queueMicrotask(tick);
      const result = await start().then(() => turn);
      running = false;
      return result;
    };
    return {
      plain: await turnOf(() => Array.fromAsync([1, 2])),
      mapped: await turnOf(() => Array.fromAsync([1], (v) => v)),
      empty: await turnOf(() => Array.fromAsync([])),
      arrayLike: await turnOf(() => Array.fromAsync({ length: 1, 0: 'a' })),
    };
  `);
  // Two jobs per value and two for the done result, then the reaction to the returned promise;
  // an array-like awaits each value once.
  assert.deepEqual(r, { plain: 7, mapped: 6, empty: 3, arrayLike: 2 });
});
