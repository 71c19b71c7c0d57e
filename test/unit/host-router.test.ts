import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Router, hostnameOf, requestTarget, validAuthority } from '../../src/host/router.js';
import { FetchPolicy } from '../../src/host/fetch-policy.js';

test('hostnameOf: ports, case, trailing dots, IPv6, garbage', () => {
  assert.equal(hostnameOf('Hello.LocalHost:8787'), 'hello.localhost');
  assert.equal(hostnameOf('example.com.'), 'example.com');
  assert.equal(hostnameOf('[::1]:80'), '[::1]');
  assert.equal(hostnameOf(undefined), null);
  assert.equal(hostnameOf('bad host'), null);
  assert.equal(hostnameOf('a.com:port'), null);
});

test('exact names win over wildcards; the longest wildcard wins; the fallback last', () => {
  const router = new Router(
    [
      ['api.example.com', 'exact'],
      ['*.example.com', 'wild'],
      ['*.eu.example.com', 'eu'],
    ],
    'default',
  );
  assert.equal(router.route('api.example.com'), 'exact');
  assert.equal(router.route('www.example.com:8080'), 'wild');
  assert.equal(router.route('x.eu.example.com'), 'eu');
  assert.equal(router.route('a.b.example.com'), 'wild');
  // A wildcard needs at least one label before its suffix.
  assert.equal(router.route('example.com'), 'default');
  assert.equal(router.route('other.org'), 'default');
  assert.equal(new Router([['a.com', 1]]).route('b.com'), undefined);
});

test('answers repeat for a Host header seen before, including 404s, past the size of the recent-answers map', () => {
  const router = new Router([['a.com', 'a'], ['*.b.com', 'b']], undefined);
  // Enough distinct headers to clear the map of recent answers several times over.
  const hosts = Array.from({ length: 1000 }, (_, i) => (i % 3 === 0 ? `a.com:${i}` : i % 3 === 1 ? `x${i}.b.com` : `nobody${i}.org`));
  const expected = (h: string) => (h.startsWith('a.com') ? 'a' : h.endsWith('.b.com') ? 'b' : undefined);
  for (let pass = 0; pass < 3; pass++) for (const h of hosts) assert.equal(router.route(h), expected(h), h);
  for (let pass = 0; pass < 3; pass++) {
    assert.equal(router.route('A.COM'), 'a');
    assert.equal(router.route(undefined), undefined);
    assert.equal(router.route('bad host'), undefined);
  }
});

test('fetch policy: internal addresses refused unless allowed by name, address or CIDR', () => {
  const policy = new FetchPolicy(['localhost', '10.1.0.0/16', '192.168.1.5']);
  assert.equal(policy.refusal('example.com', '93.184.216.34'), null);
  assert.equal(policy.refusal('example.com', '2606:2800:220:1::1'), null);
  for (const address of ['127.0.0.1', '10.9.9.9', '172.20.0.1', '192.168.0.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:10.0.0.1']) {
    assert.match(policy.refusal('evil.example', address) ?? '', /internal address/, address);
  }
  assert.equal(policy.refusal('localhost', '127.0.0.1'), null);
  assert.equal(policy.refusal('x', '10.1.2.3'), null);
  assert.equal(policy.refusal('x', '192.168.1.5'), null);
  assert.notEqual(policy.refusal('x', '192.168.1.6'), null);
});

test('requestTarget: origin-form keeps the Host header; absolute-form names its own authority and path', () => {
  assert.deepEqual(requestTarget('/a?b', 'x.test:1'), { authority: 'x.test:1', path: '/a?b' });
  assert.deepEqual(requestTarget('http://y.test/p?q=1', 'x.test'), { authority: 'y.test', path: '/p?q=1' });
  assert.deepEqual(requestTarget('HTTP://u:pw@y.test:81?q', 'x.test'), { authority: 'y.test:81', path: '/?q' });
  assert.deepEqual(requestTarget('http://[::1]:8/', undefined), { authority: '[::1]:8', path: '/' });
  assert.deepEqual(requestTarget('http://y.test', 'x.test'), { authority: 'y.test', path: '/' });
  // Asterisk-form (OPTIONS *): the target URI's path is empty (RFC 9112 3.3), a URL's '/'.
  assert.deepEqual(requestTarget('*', 'x.test'), { authority: 'x.test', path: '/' });
});

test('validAuthority: host and port as RFC 3986 has them, or empty; nothing that would change the URL', () => {
  for (const ok of [undefined, '', 'x.test', 'X.Test.:8080', 'x.test:', '127.0.0.1:0', '[::1]', '[::ffff:1.2.3.4]:65535', 'a_b~c.test', "a!$&'()*+,;=b"]) assert.equal(validAuthority(ok), true, String(ok));
  for (const bad of ['x.test/p?', 'x.test#', 'x.test?', 'u@x.test', 'x test', 'x.test:65536', 'x.test:123456', 'x.test:80:80', '[::zz]', '[1.2.3.4]', '::1', 'x\\y', 'x%2fy', 'ü.test']) assert.equal(validAuthority(bad), false, bad);
});
