// URL: the isolate's basic URL parser (src/web/url-parser.ts), which asks the host only for IDNA,
// and the host's parser (Node 20's ada) for the setters, with the two rules of the URL standard
// it predates (src/web/url.ts withCurrentRules). WPT url/ has the standard's own cases; these pin
// what crosses to the host and the edges of the correction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HOST_URL_MAX, IDNA_DOMAIN_MAX, URL, setURLBridge } from '../../src/web/url.js';
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

test("the host's parser is given at most HOST_URL_MAX characters (it runs on the host's thread); URLs the isolate scans have no such limit", () => {
  const seen: number[] = [];
  setURLBridge({
    urlParse: (input, base) => (seen.push(input.length + (base?.length ?? 0)), nodeURLBridge.urlParse(input, base)),
    urlSet: (href, member, value) => (seen.push(href.length + value.length), nodeURLBridge.urlSet(href, member, value)),
    urlDomainToASCII: (domain) => (seen.push(domain.length), nodeURLBridge.urlDomainToASCII(domain)),
  });
  try {
    // A blob: URL goes to the host's parser (its origin is the blob URL store's).
    const under = 'blob:http://a/' + 'x'.repeat(HOST_URL_MAX - 14);
    assert.equal(new URL(under).pathname.length, HOST_URL_MAX - 5);
    const over = under + 'x';
    assert.throws(() => new URL(over), (e: Error) => e instanceof TypeError && /the URL would be 2097153 characters; NANO parses at most 2097152/.test(e.message));
    assert.equal(URL.canParse(over), false);
    assert.throws(() => new URL('blob:' + 'x'.repeat(HOST_URL_MAX), 'http://a/'), TypeError, 'input and base count together');
    // A domain for IDNA is bounded tighter (its processing is JavaScript on the host's thread): failure, not a crossing.
    assert.equal(URL.canParse(`http://\u00e9${'x'.repeat(IDNA_DOMAIN_MAX - 1)}/`), true);
    assert.equal(URL.canParse(`http://\u00e9${'x'.repeat(IDNA_DOMAIN_MAX)}/`), false);
    assert.ok(!seen.includes(IDNA_DOMAIN_MAX + 1), 'the longer domain did not cross');
    assert.ok(seen.every((n) => n <= HOST_URL_MAX), 'nothing longer reached the host');
    // Other URLs are parsed in the isolate: no host call, no limit.
    const before = seen.length;
    assert.equal(new URL(' http://a/' + 'z'.repeat(HOST_URL_MAX)).pathname.length, HOST_URL_MAX + 1);
    assert.equal(seen.length, before);
    // A setter whose result could be longer: a TypeError, the URL unchanged.
    const url = new URL('http://a/b');
    assert.throws(() => (url.search = 'q'.repeat(HOST_URL_MAX)), TypeError);
    assert.equal(url.href, 'http://a/b');
    // A long URL in serialized form is scanned in the isolate: no host call, no limit.
    const count = seen.length;
    const simple = new URL('http://a/' + 'y'.repeat(3 * 1024 * 1024));
    assert.equal(simple.pathname.length, 3 * 1024 * 1024 + 1);
    assert.equal(seen.length, count);
  } finally {
    setURLBridge(nodeURLBridge);
  }
});

test('new URL(path, base) for a path-absolute path against a URL in serialized form is resolved in the isolate, without a host call', () => {
  let calls = 0;
  setURLBridge({
    urlParse: (input, base) => (calls++, nodeURLBridge.urlParse(input, base)),
    urlSet: (href, member, value) => (calls++, nodeURLBridge.urlSet(href, member, value)),
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
