// What the isolate's console and exception log print (src/runtime/console.ts): an accessor is
// named, never called, so logging an object (or reporting it as an exception) runs no app code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LOG_LINE_MAX, createConsole, inspect } from '../../src/runtime/console.js';

test('inspect() names accessors instead of calling them', () => {
  let called = false;
  const value = {
    plain: 1,
    get g() {
      called = true;
      return 2;
    },
    set s(_: unknown) {},
    get gs() {
      called = true;
      return 3;
    },
    set gs(_: unknown) {},
  };
  assert.equal(inspect(value), '{ plain: 1, g: [Getter], s: [Setter], gs: [Getter/Setter] }');
  assert.equal(called, false);
  assert.equal(inspect({ nested: { x: 'y' } }), "{ nested: { x: 'y' } }".replace(/'/g, '"'));
});

test('a console line longer than LOG_LINE_MAX goes to the host cut, saying how much was cut; shorter lines whole', () => {
  const lines: string[] = [];
  const console = createConsole((_level, text) => void lines.push(text), () => 0) as { log(...args: unknown[]): void };
  console.log('x'.repeat(LOG_LINE_MAX));
  console.log('y'.repeat(LOG_LINE_MAX + 1000));
  // A surrogate pair across the cut is not split.
  console.log('z'.repeat(LOG_LINE_MAX - 1) + '\u{1F600}' + 'z'.repeat(10));
  assert.equal(lines[0], 'x'.repeat(LOG_LINE_MAX));
  assert.equal(lines[1], `${'y'.repeat(LOG_LINE_MAX)}… [1000 more characters]`);
  assert.equal(lines[2], `${'z'.repeat(LOG_LINE_MAX - 1)}… [12 more characters]`);
});

test("%d and %i are the console standard's %parseInt%(current, 10); %f parseFloat", () => {
  const lines: string[] = [];
  const console = createConsole((_level, text) => void lines.push(text), () => 0) as { log(...args: unknown[]): void };
  console.log('%d|%i|%f|%d|%d', 42.9, '7px', '2.5e1x', -0.5, Symbol('s'));
  assert.deepEqual(lines, ['42|7|25|0|NaN']);
});

test("an error's cause is printed after its stack, nested causes indented; a cycle of causes ends", () => {
  const inner = new TypeError('inner');
  const outer = new Error('outer', { cause: inner });
  const text = inspect(outer);
  assert.ok(text.startsWith(`${outer.stack}\n  [cause]: TypeError: inner\n  `), text);
  assert.equal(inspect(new Error('s', { cause: 'a reason' })).split('\n  [cause]: ')[1], '"a reason"');
  const a = new Error('a');
  const b = new Error('b', { cause: a });
  (a as { cause?: unknown }).cause = b;
  assert.match(inspect(a), /\[cause\]: Error: b[\s\S]*\[cause\]: \[Circular\]/);
  // A cause behind a getter is not read (logging runs no app code).
  let called = false;
  const guarded = new Error('g');
  Object.defineProperty(guarded, 'cause', { get: () => ((called = true), 'x') });
  assert.equal(inspect(guarded), guarded.stack);
  assert.equal(called, false);
});

test('platform objects print their state (it is in private fields): Headers, Request, Response, URL, URLSearchParams, FormData, Blob, File', async () => {
  const { installInspectors } = await import('../../src/runtime/inspectors.js');
  const { Headers } = await import('../../src/web/fetch/headers.js');
  const { Request } = await import('../../src/web/fetch/request.js');
  const { Response } = await import('../../src/web/fetch/response.js');
  const { URL, URLSearchParams } = await import('../../src/web/url.js');
  const { Blob, File } = await import('../../src/web/blob.js');
  const { FormData } = await import('../../src/web/form-data.js');
  installInspectors();
  assert.equal(inspect(new Headers([['Content-Type', 'text/plain'], ['x-a', '1']])), 'Headers { "content-type": "text/plain", "x-a": "1" }');
  assert.equal(inspect(new Headers()), 'Headers {}');
  assert.equal(
    inspect(new Request('https://example.test/a?b=1', { method: 'POST', headers: { 'x-b': '2' } })),
    'Request { method: "POST", url: "https://example.test/a?b=1", headers: Headers { "x-b": "2" } }',
  );
  assert.equal(inspect(new Response('hi', { status: 201, statusText: 'Made' })), 'Response { status: 201, statusText: "Made", headers: Headers { "content-type": "text/plain;charset=UTF-8" } }');
  assert.equal(inspect(new URL('https://example.test/p')), 'URL { href: "https://example.test/p" }');
  assert.equal(inspect(new URLSearchParams('a=1&b=2')), 'URLSearchParams { "a": "1", "b": "2" }');
  const form = new FormData();
  form.append('name', 'x');
  form.append('file', new File(['abc'], 'a.txt', { type: 'text/plain' }));
  assert.equal(inspect(form), 'FormData { "name": "x", "file": File { name: "a.txt", size: 3, type: "text/plain" } }');
  assert.equal(inspect(new Blob(['ab'])), 'Blob { size: 2, type: "" }');
  // Nested in an object, at depth.
  assert.equal(inspect({ h: new Headers({ a: 'b' }) }), '{ h: Headers { "a": "b" } }');
  // A getter replaced on the prototype is not what prints (app code never runs while logging).
  const original = Object.getOwnPropertyDescriptor(URL.prototype, 'href')!;
  Object.defineProperty(URL.prototype, 'href', { get: () => 'replaced', configurable: true });
  try {
    assert.equal(inspect(new URL('https://example.test/')), 'URL { href: "https://example.test/" }');
  } finally {
    Object.defineProperty(URL.prototype, 'href', original);
  }
});

test("an error's own properties (a code, a status) print after its stack, as Node's inspect prints them; its stack, message and cause are not repeated", () => {
  const error = Object.assign(new Error('no such file'), { code: 'ENOENT', errno: -2 });
  assert.equal(inspect(error), `${error.stack} { code: "ENOENT", errno: -2 }`);
  const plain = new TypeError('plain');
  assert.equal(inspect(plain), plain.stack, 'nothing added when it has none');
  let called = false;
  const guarded = Object.defineProperty(new Error('g'), 'lazy', { get: () => ((called = true), 1), enumerable: true });
  assert.equal(inspect(guarded), `${guarded.stack} { lazy: [Getter] }`);
  assert.equal(called, false);
});
