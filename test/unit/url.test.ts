// URL: the host's parser (Node 20's ada) with the two rules of the URL standard it predates
// (src/web/url.ts withCurrentRules). WPT url/ has the standard's own cases; these pin the edges
// of the correction itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { URL, setURLBridge } from '../../src/web/url.js';
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
