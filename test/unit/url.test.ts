// URL: the isolate's basic URL parser (src/web/url-parser.ts), with and without a state override,
// which asks the host only for IDNA. WPT url/ has the standard's own cases; these pin what crosses
// to the host and the two rules newer than Node 20's parser (which the host's parser once needed
// applied to its results).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IDNA_DOMAIN_MAX, URL, setURLBridge } from '../../src/web/url.js';
import { nodeURLBridge } from '../../src/host/url-node.js';

setURLBridge(nodeURLBridge);

test('URL: "^" is percent-encoded in a path of segments only (not userinfo twice, not query, fragment or opaque path)', () => {
  const url = new URL('http://u^:p^@h/a^b/^?q^#f^');
  assert.equal(url.href, 'http://u%5E:p%5E@h/a%5Eb/%5E?q^#f^');
  assert.equal(url.pathname, '/a%5Eb/%5E');
  assert.equal(new URL('sc:/^').pathname, '/%5E', 'a non-special path without a host');
  assert.equal(new URL('sc:^ a').href, 'sc:^ a', 'an opaque path keeps "^" (C0 control set)');
  const set = new URL('https://h/x');
  set.pathname = '/y^z';
  assert.equal(set.href, 'https://h/y%5Ez', 'through the pathname setter too');
  assert.equal(new URL('^', 'https://h/a/').href, 'https://h/a/%5E', 'against a base');
});

test('URL: in an opaque path only the space right before "?" or "#" is percent-encoded, and setters keep it', () => {
  assert.equal(new URL('sc:a b  ?q').href, 'sc:a b %20?q');
  assert.equal(new URL('sc:a  #f').pathname, 'a %20');
  assert.equal(new URL('sc:a b').href, 'sc:a b', 'no query or fragment: nothing to encode');
  const url = new URL('data:space  ?query#fragment');
  url.search = '';
  assert.equal(url.href, 'data:space %20#fragment');
  url.hash = '';
  assert.equal(url.href, 'data:space %20');
  const viaParams = new URL('sc:x ?a=1');
  viaParams.searchParams.delete('a');
  assert.equal(viaParams.href, 'sc:x%20');
});

test('the setters, URLSearchParams and blob: URLs are the isolate parser\'s: the host is asked only for IDNA, and only for domains up to IDNA_DOMAIN_MAX', () => {
  const seen: string[] = [];
  setURLBridge({ urlDomainToASCII: (domain) => (seen.push(domain), nodeURLBridge.urlDomainToASCII(domain)) });
  try {
    const url = new URL('https://user@example.com:8443/a/b?x=1#top');
    url.protocol = 'wss';
    url.username = 'a b';
    url.password = 'p@ss';
    url.host = 'example.org:9000';
    url.hostname = 'h.example';
    url.port = '8080abc';
    url.pathname = '/c d/../e?f';
    url.search = '?q=a b#c';
    url.hash = 'x y';
    assert.equal(url.href, 'wss://a%20b:p%40ss@h.example:8080/e%3Ff?q=a%20b%23c#x%20y');
    assert.deepEqual(Array.from(url.searchParams as unknown as Iterable<[string, string]>), [['q', 'a b#c']], "the search setter's list is its value's parse");
    url.searchParams.append('r', '\u00e9 &');
    assert.equal(url.search, '?q=a+b%23c&r=%C3%A9+%26');
    url.searchParams.delete('q');
    url.searchParams.delete('r');
    assert.equal(url.href, 'wss://a%20b:p%40ss@h.example:8080/e%3Ff#x%20y', 'an empty list removes the query');
    url.port = '443';
    url.protocol = 'https';
    assert.equal(url.port, '', "the new scheme's default port is dropped");
    url.protocol = 'file';
    assert.equal(url.protocol, 'https:', 'a URL with credentials cannot become a file URL');
    url.host = 'example.com:abc';
    assert.equal(url.host, 'example.com', 'a failed port parse keeps the host it set before failing');
    assert.equal(new URL('blob:https://example.com:443/uuid').origin, 'https://example.com');
    assert.equal(new URL('blob:ftp://example.com/uuid').origin, 'null');
    assert.equal(seen.length, 0, 'no host call');
    // A setter that needs IDNA asks for that domain only.
    url.hostname = 'Stra\u00dfe.example';
    assert.equal(url.hostname, 'xn--strae-oqa.example');
    assert.equal(seen.join(), 'Stra\u00dfe.example');
    // The host's IDNA is JavaScript on its thread: a longer domain is a failure, not a crossing.
    assert.equal(URL.canParse(`http://\u00e9${'x'.repeat(IDNA_DOMAIN_MAX - 1)}/`), true);
    assert.equal(URL.canParse(`http://\u00e9${'x'.repeat(IDNA_DOMAIN_MAX)}/`), false);
    assert.ok(!seen.some((domain) => domain.length > IDNA_DOMAIN_MAX), 'the longer domain did not cross');
    // Long URLs are the isolate's too: no limit but the isolate's own.
    const long = new URL(' blob:http://a/' + 'z'.repeat(3 * 1024 * 1024));
    assert.equal(long.origin, 'http://a');
    long.search = 'q'.repeat(3 * 1024 * 1024);
    assert.equal(long.search.length, 3 * 1024 * 1024 + 1);
  } finally {
    setURLBridge(nodeURLBridge);
  }
});

test('new URL(path, base) for a path-absolute path against a URL in serialized form is resolved in the isolate, without a host call', () => {
  let calls = 0;
  setURLBridge({
    urlDomainToASCII: (domain) => (calls++, nodeURLBridge.urlDomainToASCII(domain)),
  });
  try {
    const url = new URL('/api/items?x=1', 'https://app.example:8443/old/path?q');
    assert.equal(url.href, 'https://app.example:8443/api/items?x=1');
    assert.equal(url.search, '?x=1');
    assert.equal(calls, 0);
    // Scheme-relative, dot segments, a fragment: the isolate's full parser, still no host call.
    assert.equal(new URL('//other.example/x', 'https://app.example/').href, 'https://other.example/x');
    assert.equal(new URL('/a/../b#f', 'https://app.example/').href, 'https://app.example/b#f');
    assert.equal(new URL('HTTP://EXAMPLE.com:80/%7e/./x y?a b#c d').href, 'http://example.com/%7e/x%20y?a%20b#c%20d');
    assert.equal(new URL('file:///C|/../x').href, 'file:///C:/x');
    assert.equal(new URL('http://[::ffff:1.2.3.4]:8080/').host, '[::ffff:102:304]:8080');
    assert.equal(new URL('http://0x7f.1/').hostname, '127.0.0.1');
    assert.equal(calls, 0);
    // A domain that needs IDNA: one host call, for the domain only; the same domain again is remembered.
    assert.equal(new URL('https://B\u00fccher.example/a').href, 'https://xn--bcher-kva.example/a');
    assert.equal(new URL('https://b\u00fccher.example/b').hostname, 'xn--bcher-kva.example');
    assert.throws(() => new URL('https://xn--a.example/'), TypeError, 'a Punycode label UTS #46 rejects');
    assert.equal(calls, 3);
  } finally {
    setURLBridge(nodeURLBridge);
  }
});

test('a URL object keeps its URL record once a setter ran: an http URL made a file URL keeps its "C|" segment (its href would parse it as "C:")', () => {
  // Found by the setters' property test (seed 266020655): re-parsing the href after each setter changed the path.
  const url = new URL('HTTP://0/C|/x?');
  url.protocol = 'FILE:';
  assert.equal(url.href, 'file://0.0.0.0/C|/x?');
  url.searchParams.append('', '');
  assert.equal(url.href, 'file://0.0.0.0/C|/x?=', 'the update steps set the query on the kept record');
  url.hash = 'h';
  assert.equal(url.pathname, '/C|/x');
  url.href = 'file://0.0.0.0/C|/y';
  assert.equal(url.pathname, '/C:/y', 'a new href is a new parse');
});
