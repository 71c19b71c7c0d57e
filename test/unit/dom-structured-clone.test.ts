// structuredClone: cycles, shared references, transfer, DataCloneError; MessageChannel delivery.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { structuredClone } from '../../src/web/structured-clone.js';
import { MessageChannel, MessageEvent, MessagePort } from '../../src/web/message-channel.js';
import { DOMException } from '../../src/web/dom-exception.js';
import { AbortController } from '../../src/web/abort.js';
import { installDomBasics } from '../../src/web/install-dom.js';
import { ReadableStream } from '../../src/streams/index.js';

const global: { crossOriginIsolated?: boolean } = {};
installDomBasics(global, {
  setTimeout: (cb, ms) => setTimeout(cb, ms) as unknown as number,
  clearTimeout: (id) => clearTimeout(id),
  queueTask: (cb) => setImmediate(cb),
});

function isDataCloneError(e: unknown): boolean {
  return e instanceof DOMException && e.name === 'DataCloneError' && e.code === 25;
}

test('cycles and shared references keep their shape', () => {
  const shared = { s: 1 };
  const input: any = { a: shared, b: shared, list: [shared] };
  input.self = input;
  input.list.push(input.list);
  const map = new Map<unknown, unknown>([[shared, input]]);
  input.map = map;
  const copy = structuredClone(input) as any;
  assert.notEqual(copy, input);
  assert.equal(copy.self, copy);
  assert.equal(copy.a, copy.b);
  assert.notEqual(copy.a, shared);
  assert.equal(copy.list[0], copy.a);
  assert.equal(copy.list[1], copy.list);
  assert.equal(copy.map.get(copy.a), copy);
});

test('wrappers, Date, RegExp, Error, typed arrays over one buffer', () => {
  const buffer = new ArrayBuffer(8);
  const input = [Object(1n), new String('s'), new Date(5), /a+/giy, new RangeError('bad'), new Uint8Array(buffer, 2, 3), new DataView(buffer)];
  const copy = structuredClone(input) as any[];
  assert.equal(typeof copy[0], 'object');
  assert.equal(copy[0].valueOf(), 1n);
  assert.equal(copy[1].valueOf(), 's');
  assert.equal(copy[2].getTime(), 5);
  assert.equal(copy[3].source, 'a+');
  assert.equal(copy[3].flags, 'giy');
  assert.ok(copy[4] instanceof RangeError);
  assert.equal(copy[4].message, 'bad');
  assert.equal(copy[5].byteOffset, 2);
  assert.equal(copy[5].length, 3);
  assert.equal(copy[5].buffer, copy[6].buffer);
  assert.notEqual(copy[5].buffer, buffer);
});

test('transfer detaches the buffer and the copy keeps the bytes; errors detach nothing', () => {
  const bytes = new Uint8Array([1, 2, 3]);
  const copy = structuredClone({ view: bytes }, { transfer: [bytes.buffer] }) as { view: Uint8Array };
  assert.equal(bytes.buffer.byteLength, 0);
  assert.deepEqual([...copy.view], [1, 2, 3]);
  const other = new ArrayBuffer(4);
  assert.throws(() => structuredClone({ other, f() {} }, { transfer: [other] }), isDataCloneError);
  assert.equal(other.byteLength, 4);
  assert.throws(() => structuredClone(other, { transfer: [other, other] }), isDataCloneError);
  assert.throws(() => structuredClone(copy.view.buffer, { transfer: [bytes.buffer] }), isDataCloneError);
});

test('functions, symbols, WeakMaps, streams outside the transfer list and locked streams throw DataCloneError', () => {
  assert.throws(() => structuredClone(() => {}), isDataCloneError);
  assert.throws(() => structuredClone(Symbol('s')), isDataCloneError);
  assert.throws(() => structuredClone(new WeakMap()), isDataCloneError);
  // Streams are transferable, not serializable (WPT streams/transferable/*.html has the transfers).
  const stream = new ReadableStream();
  assert.throws(() => structuredClone(stream), isDataCloneError);
  const locked = new ReadableStream();
  locked.getReader();
  assert.throws(() => structuredClone(locked, { transfer: [locked] }), isDataCloneError);
  const transferred = structuredClone(stream, { transfer: [stream] });
  assert.ok(transferred instanceof ReadableStream && transferred !== stream && stream.locked);
  assert.throws(() => structuredClone(stream, { transfer: [stream] }), isDataCloneError, 'detached after its transfer');
  assert.throws(() => structuredClone(1, { transfer: [1 as unknown as object] }), TypeError);
});

test('DOMException is serializable', () => {
  const copy = structuredClone(new DOMException('m', 'AbortError')) as DOMException;
  assert.ok(copy instanceof DOMException);
  assert.equal(copy.name, 'AbortError');
  assert.equal(copy.code, 20);
});

test('MessageChannel: messages wait for start(), arrive as tasks in order, ports transfer', async () => {
  const { port1, port2 } = new MessageChannel();
  const received: unknown[] = [];
  let second!: () => void;
  const gotTwo = new Promise<void>((resolve) => (second = resolve));
  port2.addEventListener('message', (e) => {
    received.push((e as MessageEvent).data);
    if (received.length === 2) second();
  });
  const payload = { n: 1 };
  port1.postMessage(payload);
  port1.postMessage('two', []);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(received, []);
  port2.start();
  assert.deepEqual(received, []);
  await gotTwo;
  assert.deepEqual(received, [{ n: 1 }, 'two']);
  assert.notEqual(received[0], payload);

  // Transfer port2's sibling through a third channel; the moved port keeps its entanglement.
  const carrier = new MessageChannel();
  const got = new Promise<MessageEvent>((resolve) => (carrier.port2.onmessage = (e) => resolve(e)));
  carrier.port1.postMessage({ port: port1 }, [port1]);
  const event = await got;
  const moved = (event.data as { port: MessagePort }).port;
  assert.ok(moved instanceof MessagePort);
  assert.notEqual(moved, port1);
  assert.deepEqual(event.ports, [moved]);
  assert.ok(Object.isFrozen(event.ports));
  const back = new Promise<unknown>((resolve) => port2.addEventListener('message', (e) => resolve((e as MessageEvent).data)));
  moved.postMessage('via moved');
  assert.equal(await back, 'via moved');
  assert.throws(() => structuredClone(port1, { transfer: [port1] }), isDataCloneError);
  assert.throws(() => moved.postMessage(1, [moved]), isDataCloneError);
});

test('the global says it is not cross-origin isolated, and a SharedArrayBuffer does not clone', () => {
  const descriptor = Object.getOwnPropertyDescriptor(global, 'crossOriginIsolated')!;
  assert.equal(descriptor.get!.name, 'get crossOriginIsolated');
  assert.equal(descriptor.set, undefined);
  assert.equal(global.crossOriginIsolated, false);
  assert.throws(() => structuredClone(new SharedArrayBuffer(4)), isDataCloneError);
  // A growable one too (Node 20 has them without flags).
  const growable = new (SharedArrayBuffer as unknown as new (n: number, o: object) => SharedArrayBuffer)(4, { maxByteLength: 8 });
  assert.throws(() => structuredClone(growable), isDataCloneError);
});

test('built-ins are told by their internal slots, not their prototypes or @@toStringTag', () => {
  // Slots with another prototype (toString says [object Object] for them): still what they are.
  const map = Object.setPrototypeOf(new Map([[1, 'one']]), Object.prototype);
  const set = Object.setPrototypeOf(new Set(['s']), null);
  const buffer = Object.setPrototypeOf(new Uint8Array([1, 2, 3]).buffer, Object.prototype);
  const big = Object.setPrototypeOf(Object(5n), Object.prototype);
  const view = Object.setPrototypeOf(new Uint16Array([7, 8]), Object.prototype);
  const copy = structuredClone({ map, set, buffer, big, view }) as Record<string, unknown>;
  assert.ok(copy['map'] instanceof Map && (copy['map'] as Map<number, string>).get(1) === 'one');
  assert.ok(copy['set'] instanceof Set && (copy['set'] as Set<string>).has('s'));
  assert.ok(copy['buffer'] instanceof ArrayBuffer);
  assert.deepEqual([...new Uint8Array(copy['buffer'] as ArrayBuffer)], [1, 2, 3]);
  assert.equal(typeof copy['big'], 'object');
  assert.equal((copy['big'] as bigint).valueOf(), 5n);
  assert.deepEqual([...(copy['view'] as Uint16Array)], [7, 8]);
  // A @@toStringTag that lies either way.
  const date = new Date(1234);
  Object.defineProperty(date, Symbol.toStringTag, { value: 'Map' });
  assert.equal((structuredClone(date) as Date).getTime(), 1234);
  const fake = { [Symbol.toStringTag]: 'Date', x: 1 };
  assert.deepEqual(structuredClone(fake), { x: 1 });
  const hidden = Object.setPrototypeOf(new Number(3), Object.prototype);
  assert.equal((structuredClone(hidden) as number).valueOf(), 3);
  // Slots that cannot be cloned, however they look.
  for (const value of [
    Object.setPrototypeOf(new WeakMap(), Object.prototype),
    Object.setPrototypeOf(Object(Symbol('s')), Object.prototype),
    (function () { return arguments; })(),
    (function () { 'use strict'; return arguments; })(),
    new AbortController(),
    new MessageChannel(),
  ]) {
    assert.throws(() => structuredClone(value), isDataCloneError);
  }
});

test('Error.stackTraceLimit is as the app left it after cloning (and left alone when read-only)', () => {
  const before = Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit')!;
  try {
    Error.stackTraceLimit = 7;
    structuredClone({ a: { b: [1, { c: new Map() }] } });
    assert.equal(Error.stackTraceLimit, 7);
    Object.defineProperty(Error, 'stackTraceLimit', { value: 5, writable: false, configurable: true });
    structuredClone({ a: {} });
    assert.equal(Error.stackTraceLimit, 5);
    // Errors made inside the clone (a getter's) keep their stacks: the getter runs unsuspended.
    Object.defineProperty(Error, 'stackTraceLimit', { value: 10, writable: true, configurable: true });
    let stack = '';
    structuredClone({ get g() { stack = new Error('in a getter').stack ?? ''; return 1; } });
    assert.match(stack, /\n\s+at /);
  } finally {
    Object.defineProperty(Error, 'stackTraceLimit', before);
  }
});

test('a copy with many properties is filled as CreateDataProperty does: no setter or read-only property of Object.prototype or Array.prototype is met', () => {
  const many = (extra: Record<string, unknown>) => {
    const object: Record<string, unknown> = {};
    for (let i = 0; i < 40; i++) object[`k${i}`] = i;
    for (const [key, value] of Object.entries(extra)) Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
    return object;
  };
  // Accessors that every object and array in the realm meets when assigned to (the runtime's own
  // lists too): they define what was assigned, as a data property would have been, and remember
  // who assigned (in a Set: pushing to an array would meet them again).
  const receivers = new Set<object>();
  const forwarding = (key: string) => ({
    get: () => undefined,
    set(this: object, value: unknown) {
      receivers.add(this);
      Object.defineProperty(this, key, { value, writable: true, enumerable: true, configurable: true });
    },
    configurable: true,
  });
  try {
    Object.defineProperty(Object.prototype, 'trap', forwarding('trap'));
    Object.defineProperty(Object.prototype, 'fixed', { value: 'proto', writable: false, configurable: true });
    Object.defineProperty(Array.prototype, '3', forwarding('3'));
    const source = many({ trap: 'own', fixed: 'own' });
    Object.defineProperty(source, '__proto__', { value: 'own proto key', enumerable: true, configurable: true, writable: true });
    const copy = structuredClone(source) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(copy), Object.prototype, '__proto__ as an own key set no prototype');
    assert.deepEqual(Object.getOwnPropertyDescriptor(copy, '__proto__'), { value: 'own proto key', writable: true, enumerable: true, configurable: true });
    assert.equal(Object.getOwnPropertyDescriptor(copy, 'trap')?.value, 'own');
    assert.equal(Object.getOwnPropertyDescriptor(copy, 'fixed')?.value, 'own');
    assert.equal(copy['k39'], 39);
    const list = structuredClone(Array.from({ length: 50 }, (_, i) => i)) as number[];
    assert.equal(Object.getOwnPropertyDescriptor(list, '3')?.value, 3);
    assert.equal(list.length, 50);
    assert.equal(receivers.has(copy), false, 'the object copy met no setter');
    assert.equal(receivers.has(list), false, 'the array copy met no setter');
    // Array.prototype on another prototype (a proxy could be there): every index is defined.
    const proxied = new Proxy(Object.create(Object.prototype), {
      set: (target, key, value, receiver) => (receivers.add(receiver), Reflect.set(target, key, value, receiver)),
    });
    const arrayProto = Object.getPrototypeOf(Array.prototype);
    Object.setPrototypeOf(Array.prototype, proxied);
    try {
      const again = structuredClone(Array.from({ length: 50 }, (_, i) => i + 100)) as number[];
      Object.setPrototypeOf(Array.prototype, arrayProto);
      assert.equal(again[49], 149);
      assert.equal(receivers.has(again), false, 'the copy met no trap');
    } finally {
      Object.setPrototypeOf(Array.prototype, arrayProto);
    }
  } finally {
    delete (Object.prototype as Record<string, unknown>)['trap'];
    delete (Object.prototype as Record<string, unknown>)['fixed'];
    delete (Array.prototype as unknown as Record<string, unknown>)['3'];
  }
  // Holes and a length past the last element survive.
  const sparse: unknown[] = [];
  sparse[2] = 'two';
  sparse[60] = 'sixty';
  sparse.length = 70;
  for (let i = 0; i < 40; i++) (sparse as unknown as Record<string, unknown>)[`p${i}`] = i;
  const copy = structuredClone(sparse) as unknown[];
  assert.equal(copy.length, 70);
  assert.equal(1 in copy, false);
  assert.equal(copy[60], 'sixty');
  assert.equal((copy as unknown as Record<string, unknown>)['p39'], 39);
});
