// Headers iteration: "sort and combine" is asked again at every step (a change made while
// iterating is seen), and the result of the last one is reused while the list is unchanged.
// Against a reference written straight from the Fetch standard, over random lists and random
// changes made between steps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Headers, sortAndCombine } from '../../src/web/fetch/headers.js';

/** https://fetch.spec.whatwg.org/#concept-header-list-sort-and-combine, word for word. */
function reference(list: [string, string][]): [string, string][] {
  const names = [...new Set(list.map(([n]) => n.toLowerCase()))].sort();
  const out: [string, string][] = [];
  for (const name of names) {
    if (name === 'set-cookie') {
      for (const [n, v] of list) if (n.toLowerCase() === 'set-cookie') out.push([name, v]);
    } else {
      out.push([name, list.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v).join(', ')]);
    }
  }
  return out;
}

const name = fc.constantFrom('A', 'a', 'b', 'B-x', 'set-cookie', 'Set-Cookie', 'z', 'content-type');
const value = fc.constantFrom('1', '2', 'x y', '');
const change = fc.oneof(
  fc.record({ op: fc.constant('append' as const), name, value }),
  fc.record({ op: fc.constant('set' as const), name, value }),
  fc.record({ op: fc.constant('delete' as const), name, value }),
);

test('sort and combine matches the standard', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(name, value), { maxLength: 30 }), (list) => {
      // Array.from: the result is the runtime's list with no prototype (InternalList), compared by its pairs.
      assert.deepEqual(Array.from(sortAndCombine(list.map(([n, v]) => [n, v]))), reference(list));
    }),
    { numRuns: 500 },
  );
});

test('each step of iteration (and of forEach) sees the list as it is then, whatever changed between steps', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(name, value), { maxLength: 20 }), fc.array(fc.option(change, { nil: undefined }), { maxLength: 30 }), (initial, changes) => {
      const headers = new Headers(initial);
      const mirror: [string, string][] = initial.map(([n, v]) => [n, v]);
      const apply = (c: { op: 'append' | 'set' | 'delete'; name: string; value: string }) => {
        const key = c.name.toLowerCase();
        if (c.op === 'append') {
          const first = mirror.find(([n]) => n.toLowerCase() === key);
          mirror.push([first ? first[0] : c.name, c.value]);
          headers.append(c.name, c.value);
        } else if (c.op === 'delete') {
          for (let i = mirror.length - 1; i >= 0; i--) if (mirror[i]![0].toLowerCase() === key) mirror.splice(i, 1);
          headers.delete(c.name);
        } else {
          const at = mirror.findIndex(([n]) => n.toLowerCase() === key);
          if (at < 0) mirror.push([c.name, c.value]);
          else {
            mirror[at] = [mirror[at]![0], c.value];
            for (let i = mirror.length - 1; i > at; i--) if (mirror[i]![0].toLowerCase() === key) mirror.splice(i, 1);
          }
          headers.set(c.name, c.value);
        }
      };
      const iterator = headers.entries();
      for (let step = 0; ; step++) {
        const expected = reference(mirror);
        const result = iterator.next();
        if (step >= expected.length) {
          assert.equal(result.done, true);
          break;
        }
        assert.deepEqual(result.value, expected[step]);
        const c = changes[step];
        if (c !== undefined) apply(c);
      }
      // forEach: the same, with the changes made from its callback.
      let step = 0;
      headers.forEach((v: string, n: string) => {
        assert.deepEqual([n, v], reference(mirror)[step]);
        const c = changes[changes.length - 1 - step];
        step++;
        if (c !== undefined) apply(c);
      });
      // It stopped only when it ran out of pairs.
      assert.ok(step >= reference(mirror).length);
    }),
    { numRuns: 300 },
  );
});
