// The client's address apps read from CF-Connecting-IP (src/host/client-address.ts): the peer,
// or, behind a trusted proxy, the nearest untrusted X-Forwarded-For entry from the right.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientAddresses, setClientAddress } from '../../src/host/client-address.js';

const xff = (...values: string[]): string[] => values.flatMap((v) => ['X-Forwarded-For', v]);

test('with no trusted proxies the client is the peer, whatever X-Forwarded-For says', () => {
  const addresses = new ClientAddresses([]);
  assert.equal(addresses.of('192.0.2.7', xff('203.0.113.9')), '192.0.2.7');
  // An IPv4 client of a dual-stack socket.
  assert.equal(addresses.of('::ffff:192.0.2.7', []), '192.0.2.7');
  assert.equal(addresses.of('2001:db8::5', []), '2001:db8::5');
  assert.equal(addresses.of(undefined, []), '');
});

test('behind trusted proxies the client is the nearest untrusted X-Forwarded-For entry, read from the right', () => {
  const addresses = new ClientAddresses(['10.0.0.0/8', '::1']);
  // A peer that is not trusted: its X-Forwarded-For is the client's own words.
  assert.equal(addresses.of('198.51.100.1', xff('203.0.113.9')), '198.51.100.1');
  assert.equal(addresses.of('10.1.2.3', xff('203.0.113.9')), '203.0.113.9');
  // The client's own (forged) entries come first; the proxies append to the right.
  assert.equal(addresses.of('10.1.2.3', xff('1.1.1.1, 203.0.113.9, 10.9.9.9')), '203.0.113.9');
  // Several lines are one list, in order.
  assert.equal(addresses.of('::1', xff('1.1.1.1, 203.0.113.9', '10.9.9.9')), '203.0.113.9');
  // Ports and brackets as some proxies write them; mapped IPv4.
  assert.equal(addresses.of('10.1.2.3', xff('203.0.113.9:5123')), '203.0.113.9');
  assert.equal(addresses.of('10.1.2.3', xff('[2001:db8::7]:443')), '2001:db8::7');
  assert.equal(addresses.of('::ffff:10.1.2.3', xff('::ffff:203.0.113.9')), '203.0.113.9');
  // Every hop trusted: the leftmost is as far as it goes.
  assert.equal(addresses.of('10.1.2.3', xff('10.4.4.4, 10.5.5.5')), '10.4.4.4');
  // No header: the proxy itself.
  assert.equal(addresses.of('10.1.2.3', []), '10.1.2.3');
  // A malformed entry stops the walk: nothing to its left was written by a trusted proxy.
  assert.equal(addresses.of('10.1.2.3', xff('203.0.113.9, unknown, 10.5.5.5')), '10.5.5.5');
  // The header name in any case.
  assert.equal(addresses.of('10.1.2.3', ['x-forwarded-FOR', '203.0.113.10']), '203.0.113.10');
});

test('the header list the app gets: a CF-Connecting-IP the client sent is dropped, the client address added once', () => {
  const raw = ['Host', 'a.test', 'cf-connecting-ip', '6.6.6.6', 'Accept', '*/*', 'CF-Connecting-IP', '7.7.7.7'];
  setClientAddress(raw, '192.0.2.7');
  assert.deepEqual(raw, ['Host', 'a.test', 'Accept', '*/*', 'CF-Connecting-IP', '192.0.2.7']);
  const none = ['Host', 'a.test', 'CF-Connecting-IP', '6.6.6.6'];
  setClientAddress(none, '');
  assert.deepEqual(none, ['Host', 'a.test']);
});
