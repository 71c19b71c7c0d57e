// IdTable: the host's and the runtime's records by integer id (see src/runtime/id-table.ts for why it is not a Map).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdTable } from '../../src/runtime/id-table.js';

test('set, get, has, delete and size follow the entries', () => {
  const table = new IdTable<{ n: number }>();
  const a = { n: 1 };
  const b = { n: 2 };
  assert.equal(table.size, 0);
  assert.equal(table.set(1, a), table);
  table.set(2, b);
  assert.equal(table.size, 2);
  assert.equal(table.get(1), a);
  assert.equal(table.has(2), true);
  assert.equal(table.has(3), false);
  assert.equal(table.get(3), undefined);
  // Setting an id again replaces its value without counting it twice.
  table.set(1, b);
  assert.equal(table.size, 2);
  assert.equal(table.get(1), b);
  assert.equal(table.delete(1), true);
  assert.equal(table.delete(1), false);
  assert.equal(table.size, 1);
  assert.equal(table.get(1), undefined);
});

test('negative and large ids (outbound fetches count down, requests up)', () => {
  const table = new IdTable<string>();
  table.set(-1, 'fetch 1').set(-2, 'fetch 2').set(2 ** 31, 'request');
  assert.equal(table.get(-2), 'fetch 2');
  assert.equal(table.get(2 ** 31), 'request');
  assert.deepEqual(table.ids().sort((x, y) => x - y), [-2, -1, 2 ** 31]);
  assert.deepEqual(table.values().sort(), ['fetch 1', 'fetch 2', 'request']);
});

test('values() and ids() are snapshots: deleting while going through them is safe', () => {
  const table = new IdTable<number>();
  for (let id = 1; id <= 10; id++) table.set(id, id * 10);
  const seen: number[] = [];
  for (const id of table.ids()) {
    if (!table.has(id)) continue; // deleted by an earlier step
    seen.push(table.get(id)!);
    table.delete(id);
    table.delete(id + 1);
  }
  assert.deepEqual(seen, [10, 30, 50, 70, 90]);
  assert.equal(table.size, 0);
  assert.deepEqual(table.values(), []);
});

test('churn: entries that come and go leave the table empty, and clear() empties it', () => {
  const table = new IdTable<object>();
  for (let id = 1; id <= 100_000; id++) {
    table.set(id, {});
    if (id > 64) assert.equal(table.delete(id - 64), true);
  }
  assert.equal(table.size, 64);
  assert.deepEqual(table.ids(), Array.from({ length: 64 }, (_, i) => 100_000 - 63 + i));
  table.clear();
  assert.equal(table.size, 0);
  assert.equal(table.get(100_000), undefined);
});
