// The URL fast path (src/web/url.ts simpleURLParts) against Node's URL parser, which every other
// parse in NANO goes to: whenever the fast path answers, its parts must be the parser's, for
// random URLs built around the places the parser rewrites (case, IDNA, IPv4, ports, dot
// segments, percent-encode sets, credentials, fragments).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseURLString, setURLBridge, simpleURLParts, simpleURLPartsAgainst, withCurrentRules, type URLParts } from '../../src/web/url.js';
import { nodeURLBridge } from '../../src/host/url-node.js';

function nodeParts(input: string, base?: string): URLParts | null {
  let url: URL;
  try {
    url = new URL(input, base);
  } catch {
    return null;
  }
  const { href, origin, protocol, username, password, host, hostname, port, pathname, search, hash } = url;
  return { href, origin, protocol, username, password, host, hostname, port, pathname, search, hash };
}

const pick = <T>(...xs: T[]) => fc.constantFrom(...xs);
const scheme = fc.oneof(
  { weight: 12, arbitrary: pick('http://', 'https://') },
  { weight: 1, arbitrary: pick('HTTP://', 'Https://', 'ftp://', 'http:/', 'http:', 'ws://', 'http:\\\\') },
);
const label = fc.oneof(
  { weight: 30, arbitrary: fc.stringMatching(/^[a-z0-9-]{1,8}$/) },
  { weight: 2, arbitrary: pick('0', '1', '255', '256', '00', '012', '0x', '0x1f', '0xg', '4294967295', 'xn--', 'xn--nxasmq6b', 'xn--a', 'a--b') },
  { weight: 1, arbitrary: pick('', 'A', 'Ex', 'é', '_', '%41', 'a b', '[::1]', 'a@b', 'u:p@h') },
);
const host = fc.array(label, { minLength: 1, maxLength: 5 }).map((ls) => ls.join('.'));
const port = fc.oneof(
  { weight: 8, arbitrary: fc.constant('') },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 70000 }).map((n) => `:${n}`) },
  { weight: 1, arbitrary: pick(':', ':80', ':443', ':080', ':0', ':65535', ':65536', ':99999', ':8080x') },
);
// Printable ASCII with the parser's special characters weighted up, and a few others.
const pathChar = fc.oneof(
  { weight: 60, arbitrary: fc.stringMatching(/^[a-zA-Z0-9]$/) },
  { weight: 4, arbitrary: fc.constantFrom(...'/./..%2e%2E%20%zz-._~!$&\'()*+,;=:@[]|^`{}"<>\\ '.split('')) },
  { weight: 1, arbitrary: fc.constantFrom('é', '\t', '\n', '\u0001', '\u007f', '/..', '/.', '%2e', '%2E', '/%2e%2e') },
);
const segment = fc.array(pathChar, { maxLength: 8 }).map((cs) => cs.join(''));
const path = fc.oneof(
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 8, arbitrary: fc.array(segment, { maxLength: 5 }).map((ss) => '/' + ss.join('/')) },
);
const query = fc.oneof(
  { weight: 2, arbitrary: fc.constant('') },
  { weight: 3, arbitrary: fc.array(fc.oneof(pathChar, pick('?', '=', '&', "'", '#')), { maxLength: 10 }).map((cs) => '?' + cs.join('')) },
);
const fragment = fc.oneof({ weight: 12, arbitrary: fc.constant('') }, { weight: 1, arbitrary: pick('#', '#a', '#a b') });
const url = fc.tuple(scheme, host, port, path, query, fragment).map((parts) => parts.join(''));

test('the fast path answers only what Node parses the same way', () => {
  let hits = 0;
  let runs = 0;
  fc.assert(
    fc.property(url, (input) => {
      runs++;
      const fast = simpleURLParts(input);
      if (fast === undefined) return;
      hits++;
      assert.deepEqual(fast, nodeParts(input), input);
    }),
    { numRuns: Number(process.env['URL_RUNS'] ?? 20000) },
  );
  // The generator must reach the fast path often, or the property proves little.
  assert.ok(hits > runs / 10, `${hits} of ${runs} inputs took the fast path`);
});

// Relative inputs: mostly path-absolute, and the forms next to it the parser treats otherwise.
const relativeStart = fc.oneof(
  { weight: 12, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: pick('/', '\\', ' ', '\t', '.', '..', 'x', '?', '#', 'http:', '//h') },
);
const relative = fc.tuple(relativeStart, path, query, fragment).map((parts) => parts.join(''));

test('a path-absolute input against a simple base: the fast path answers only what Node parses the same way', () => {
  let hits = 0;
  let runs = 0;
  fc.assert(
    fc.property(relative, url, (input, base) => {
      runs++;
      const fast = simpleURLPartsAgainst(input, base);
      if (fast === undefined) return;
      hits++;
      assert.deepEqual(fast, nodeParts(input, base), `${input} against ${base}`);
    }),
    { numRuns: Number(process.env['URL_RUNS'] ?? 20000) },
  );
  // Both the base and the input must be simple: about one pair in ten is.
  assert.ok(hits > runs / 20, `${hits} of ${runs} inputs took the fast path`);
});

test('the URL parser for other specs (Request) gives the href Node gives, or failure', () => {
  setURLBridge(nodeURLBridge);
  fc.assert(
    fc.property(url, (input) => {
      // Node's result with the two rules of the standard newer than its parser (WPT url/ checks those).
      const node = nodeParts(input);
      assert.equal(parseURLString(input), node === null ? null : withCurrentRules(node).href, input);
    }),
    { numRuns: Number(process.env['URL_RUNS'] ?? 20000) / 4 },
  );
});

test('the usual request URLs take the fast path; the ones the parser rewrites do not', () => {
  const simple = [
    'http://hello.bench/',
    'http://localhost:8080/api/v1/items?page=2&sort=-name',
    'https://example.com/a/b.c/..d/.e?q=%20x&filter[name]=a|b^c`{}',
    'http://127.0.0.1:3000/',
    'http://10.0.0.255/x',
    'http://a.b-c.d/?',
    'http://1.2.3.a/',
  ];
  for (const input of simple) {
    assert.deepEqual(simpleURLParts(input), nodeParts(input), input);
  }
  const rewritten = [
    'http://Example.com/', // case
    'http://example.com', // no path
    'http://example.com:80/', // default port
    'https://example.com:443/',
    'http://example.com:080/', // zero-led port
    'http://example.com:/', // empty port
    'http://127.1/', // IPv4 shorthand
    'http://127.0.0.01/',
    'http://0x7f.0.0.1/',
    'http://xn--nxasmq6b.com/', // IDNA
    'http://a/b/../c', // dot segments
    'http://a/b/./c',
    'http://a/b/%2e%2e/c',
    'http://a/b c', // percent-encoded
    'http://a/é',
    "http://a/?it's",
    'http://a/#x', // fragment
    'http://u:p@a/', // credentials
    'http://a\\b/',
    'http://a.b./', // empty label
  ];
  for (const input of rewritten) assert.equal(simpleURLParts(input), undefined, input);
});
