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
