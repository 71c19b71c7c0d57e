// Abort algorithms run before the 'abort' event; dependent signals; timeout through the hooks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AbortController, AbortSignal, addAbortAlgorithm } from '../../src/web/abort.js';
import { DOMException } from '../../src/web/dom-exception.js';
import { installDomBasics } from '../../src/web/install-dom.js';

const timers: Array<{ cb: () => void; ms: number }> = [];
installDomBasics({}, {
  setTimeout: (cb, ms) => timers.push({ cb, ms }),
  clearTimeout: () => {},
  queueTask: (cb) => setImmediate(cb),
});

test('abort algorithms run before listeners and onabort, in order; removed ones do not run', () => {
  const controller = new AbortController();
  const signal = controller.signal;
  const log: string[] = [];
  signal.addEventListener('abort', () => log.push('listener'));
  signal.onabort = () => log.push('onabort');
  addAbortAlgorithm(signal, () => log.push(`algorithm1:${signal.aborted}`));
  const remove = addAbortAlgorithm(signal, () => log.push('removed'));
  addAbortAlgorithm(signal, () => log.push('algorithm3'));
  remove();
  const reason = new Error('why');
  controller.abort(reason);
  controller.abort(new Error('again'));
  assert.deepEqual(log, ['algorithm1:true', 'algorithm3', 'listener', 'onabort']);
  assert.equal(signal.reason, reason);
  assert.throws(() => signal.throwIfAborted(), (e) => e === reason);
});

test('default reason is an AbortError DOMException; AbortSignal is not constructible', () => {
  const controller = new AbortController();
  controller.abort();
  assert.ok(controller.signal.reason instanceof DOMException);
  assert.equal((controller.signal.reason as DOMException).name, 'AbortError');
  assert.throws(() => new (AbortSignal as any)(), TypeError);
  assert.equal(AbortSignal.abort('r').reason, 'r');
});

test('AbortSignal.any: dependents abort after their source, flattened to sources, events in order', () => {
  const a = new AbortController();
  const b = new AbortController();
  const any1 = AbortSignal.any([a.signal, b.signal]);
  const any2 = AbortSignal.any([any1]);
  const log: string[] = [];
  a.signal.addEventListener('abort', () => log.push(`a:${any1.aborted}:${any2.aborted}`));
  any1.addEventListener('abort', () => log.push('any1'));
  any2.addEventListener('abort', () => log.push('any2'));
  const reason = new Error('r');
  a.abort(reason);
  // Dependents are marked aborted before the source's event fires.
  assert.deepEqual(log, ['a:true:true', 'any1', 'any2']);
  assert.equal(any2.reason, reason);
  b.abort();
  assert.equal(any1.reason, reason);
  assert.equal(AbortSignal.any([AbortSignal.abort('x')]).reason, 'x');
  assert.throws(() => AbortSignal.any([{} as AbortSignal]), TypeError);
});

test('AbortSignal.timeout uses the host timer and aborts with TimeoutError', () => {
  timers.length = 0;
  const signal = AbortSignal.timeout(25);
  assert.equal(timers.length, 1);
  assert.equal(timers[0]!.ms, 25);
  assert.equal(signal.aborted, false);
  timers[0]!.cb();
  assert.equal(signal.aborted, true);
  assert.equal((signal.reason as DOMException).name, 'TimeoutError');
  assert.throws(() => AbortSignal.timeout(-1), TypeError);
});
