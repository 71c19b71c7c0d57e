// The package surface: what `nano-runtime/streams` exports (built and from source), how install()
// exposes the classes, and that instances carry no state user code can read or forge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as source from '../../src/streams/index.js';
import { install } from '../../src/streams/install.js';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

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

test('the packed package carries what its exports and bin load, and not the repository', () => {
  // `npm test` builds dist first; --ignore-scripts lists the files as they are (prepack would
  // rebuild dist, the same files). dist is gitignored, so without "files" npm packed no dist:
  // `nano-runtime/streams` and the bin failed for everyone installing the package.
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const [pack] = JSON.parse(
    execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
  ) as [{ files: { path: string }[] }];
  const files = new Set(pack.files.map((f) => f.path));
  const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
    exports: Record<string, string | Record<string, string>>;
    bin: Record<string, string>;
  };
  const needed = new Set<string>();
  for (const target of Object.values(pkg.exports)) {
    for (const path of typeof target === 'string' ? [target] : Object.values(target)) needed.add(path.replace(/^\.\//, ''));
  }
  for (const bin of Object.values(pkg.bin)) {
    needed.add(bin.replace(/^\.\//, ''));
    // What the bin imports from dist (its node flags and the CLI).
    for (const [, path] of readFileSync(`${root}${bin}`, 'utf8').matchAll(/'\.\.\/(dist\/[^']+\.js)'/g)) needed.add(path!);
  }
  assert.ok(needed.has('dist/host/cli.js') && needed.has('dist/streams-ponyfill.js'), `found the entry points: ${[...needed].join(', ')}`);
  // The isolate's runtime, bundled from dist when src is not there.
  needed.add('dist/runtime/entry.js');
  for (const path of needed) assert.ok(files.has(path), `the package has ${path}`);
  for (const path of files) assert.ok(!/^(test|bench|conformance|wpt|src)\//.test(path), `the package leaves out ${path}`);
});
