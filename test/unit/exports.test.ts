// The package surface: what `nano-runtime/streams` exports (built and from source), how install()
// exposes the classes, and that instances carry no state user code can read or forge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as source from '../../src/streams/index.js';
import { install } from '../../src/streams/install.js';

const CLASSES = [
  'ReadableStream',
  'ReadableStreamDefaultReader',
  'ReadableStreamBYOBReader',
  'ReadableStreamDefaultController',
  'ReadableByteStreamController',
  'ReadableStreamBYOBRequest',
  'WritableStream',
  'WritableStreamDefaultWriter',
  'WritableStreamDefaultController',
  'TransformStream',
  'TransformStreamDefaultController',
  'ByteLengthQueuingStrategy',
  'CountQueuingStrategy',
].sort();

test('the source entry exports exactly the streams classes', () => {
  assert.deepEqual(Object.keys(source).sort(), CLASSES);
});

test('the built package entry nano-runtime/streams works in plain Node', async () => {
  // `npm test` builds first; this imports through package.json "exports", as a user would.
  const built = (await import('nano-runtime/streams')) as unknown as typeof source;
  // The streams of the Encoding and Compression standards come with them.
  const all = [...CLASSES, 'TextEncoderStream', 'TextDecoderStream', 'CompressionStream', 'DecompressionStream'].sort();
  assert.deepEqual(Object.keys(built).sort(), all);
  const rs = new built.ReadableStream({ start: (c) => { c.enqueue('a'); c.close(); } });
  const chunks: unknown[] = [];
  for await (const chunk of rs) chunks.push(chunk);
  assert.deepEqual(chunks, ['a']);
});

test('install() exposes each class like a WebIDL interface object', () => {
  const global: Record<string, unknown> = {};
  install(global);
  for (const name of CLASSES) {
    const d = Object.getOwnPropertyDescriptor(global, name)!;
    assert.equal(typeof d.value, 'function', name);
    assert.equal(d.enumerable, false, `${name} is not enumerable`);
    assert.equal(d.writable, true);
    assert.equal(d.configurable, true);
  }
});

test('instances have no own properties: internal slots are unreachable', () => {
  const rs = new source.ReadableStream();
  const ws = new source.WritableStream();
  const ts = new source.TransformStream();
  for (const obj of [rs, ws, ts, rs.getReader(), ws.getWriter()]) {
    assert.deepEqual(Reflect.ownKeys(obj), []);
  }
});

test('brand checks cannot be forged with the prototype', async () => {
  const fake = Object.create(source.ReadableStream.prototype) as InstanceType<typeof source.ReadableStream>;
  assert.throws(() => fake.locked, TypeError);
  await assert.rejects(fake.cancel(), TypeError);
  const real = new source.ReadableStream();
  // A getter borrowed onto another object still checks its receiver.
  const lockedGetter = Object.getOwnPropertyDescriptor(source.ReadableStream.prototype, 'locked')!.get!;
  assert.equal(lockedGetter.call(real), false);
  assert.throws(() => lockedGetter.call({}), TypeError);
});

test('controllers cannot be constructed by user code', () => {
  assert.throws(() => new (source.ReadableStreamDefaultController as unknown as new () => unknown)(), TypeError);
  assert.throws(() => new (source.WritableStreamDefaultController as unknown as new () => unknown)(), TypeError);
  assert.throws(() => new (source.TransformStreamDefaultController as unknown as new () => unknown)(), TypeError);
});
