// What the isolate's console and exception log print (src/runtime/console.ts): an accessor is
// named, never called, so logging an object (or reporting it as an exception) runs no app code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from '../../src/runtime/console.js';

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
