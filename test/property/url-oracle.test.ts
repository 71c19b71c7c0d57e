// The URL fast path (src/web/url.ts simpleURLParts) against Node's URL parser: whenever the fast
// path answers, its parts must be the parser's, for random URLs built around the places the
// parser rewrites (case, IDNA, IPv4, ports, dot segments, percent-encode sets, credentials,
// fragments). Then the isolate's basic URL parser (src/web/url-parser.ts), which every other
// parse goes to, against whatwg-url, the standard's reference implementation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseURLString, setURLBridge, simpleURLParts, simpleURLPartsAgainst, type URLParts } from '../../src/web/url.js';
import { nodeURLBridge } from '../../src/host/url-node.js';
import { parseURLInIsolate } from '../../src/web/url-parser.js';
import { createRequire } from 'node:module';

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

test('the URL parser for other specs (Request) gives the href the reference implementation gives, or failure', () => {
  setURLBridge(nodeURLBridge);
  fc.assert(
    fc.property(url, (input) => {
      assert.equal(parseURLString(input), referenceParts(input)?.href ?? null, input);
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

// The basic URL parser in the isolate (src/web/url-parser.ts) against whatwg-url, the URL
// standard's reference implementation (its editors'; Node 20's ada differs from the standard in
// corners these inputs reach: a relative input with a "#" against a base with an opaque path, an
// empty query of the base dropped, "C:x" taken for a drive letter). Every URL must match,
// absolute or relative to a base, blob: URLs (their origin) included.
const reference = createRequire(import.meta.url)('whatwg-url') as { URL: new (input: string, base?: string) => URLParts };

function referenceParts(input: string, base?: string): URLParts | null {
  let url: URLParts;
  try {
    url = base === undefined ? new reference.URL(input) : new reference.URL(input, base);
  } catch {
    return null;
  }
  const { href, origin, protocol, username, password, host, hostname, port, pathname, search, hash } = url;
  return { href, origin, protocol, username, password, host, hostname, port, pathname, search, hash };
}

const anyScheme = fc.oneof(
  { weight: 6, arbitrary: scheme },
  { weight: 3, arbitrary: pick('file://', 'file:///', 'file:', 'FILE:/', 'file:\\\\', 'file://localhost/', 'file://LOCALHOST/', 'file:///C:', 'file:C|', 'file://h/C:') },
  { weight: 3, arbitrary: pick('sc://', 'sc:', 'sc:/', 'x-y.z+1:', 'javascript:', 'mailto:', 'data:', 'ws:', 'wss://', 'ftp:/') },
  { weight: 1, arbitrary: pick('blob:https://', 'blob:http://', 'blob:HTTP:', 'blob:file://', 'blob:ftp://', 'blob:blob:https://', 'blob:') },
);
const anyHost = fc.oneof(
  { weight: 6, arbitrary: host },
  {
    weight: 1,
    arbitrary: pick('[::1]', '[1:2::3]', '[::ffff:1.2.3.4]', '[1:2:3:4:5:6:7:8]', '[1::2::3]', '[::1.2.3]', '[0:0:0:0:0:0:0:0]', '[1:0:0:2::3]', '[', '[::1', 'u:p@h', 'u@', '@h', 'a%2Eb', '%30', 'a%00b', 'EX%41MPLE', '0x7f.1', '1.2.3.4.5', '09', '0300.0xa8.1', 'B\u00FCcher.de', 'xn--bcher-kva.de', 'XN--a.b', 'a%C3%BCb', '%E2%80%8D', '\u0661.\u0662', 'a\u3002b', '\uFF21.com'),
  },
);
const anyPath = fc.oneof(
  { weight: 6, arbitrary: path },
  { weight: 1, arbitrary: pick('/C:', '/C|/x', 'C:/x', '/c:/../..', '\\a\\b', '/a/%2e./b', 'opaque path', ' x ', 'x ?', 'x #', '//a/b', '/\u00E9/\uD83D\uDE00') },
);
const anyURL = fc.tuple(anyScheme, anyHost, port, anyPath, query, fragment).map((parts) => parts.join(''));
const anyRelative = fc.oneof(
  { weight: 3, arbitrary: relative },
  { weight: 2, arbitrary: fc.tuple(pick('', '.', '..', '../', './x', 'a/b', 'C|', 'C:', '/C:', '\\\\', '//', '///', '?', '#', 'x:'), anyPath, query, fragment).map((p) => p.join('')) },
  { weight: 1, arbitrary: anyURL },
);
const anyBase = fc.oneof(
  { weight: 3, arbitrary: anyURL },
  { weight: 1, arbitrary: pick('file:///C:/a/b', 'file:///a/b', 'file://h/a', 'sc://h/a/b', 'sc:opaque', 'sc:opaque?q#f', 'about:blank', 'http://u:p@h:81/a/b?q#f') },
);
const idna = (domain: string): string | null => nodeURLBridge.urlDomainToASCII(domain);

test('the isolate parser gives what the reference implementation gives, absolute or against a base', () => {
  let answered = 0;
  let runs = 0;
  fc.assert(
    fc.property(anyURL, anyRelative, anyBase, (absolute, input, base) => {
      runs++;
      const own = parseURLInIsolate(absolute, undefined, idna);
      if (own !== undefined) {
        answered++;
        assert.deepEqual(own, referenceParts(absolute), absolute);
      }
      const against = parseURLInIsolate(input, base, idna);
      if (against !== undefined) assert.deepEqual(against, referenceParts(input, base), `${input} against ${base}`);
    }),
    { numRuns: Number(process.env['URL_RUNS'] ?? 20000) },
  );
  // Every input is answered in the isolate (the host gives IDNA only).
  assert.ok(answered === runs, `${answered} of ${runs} inputs answered in the isolate`);
});

// The setters (the basic URL parser with a state override) and URLSearchParams's update steps,
// against the reference implementation: the same URL, the same setter and value, the same parts
// afterwards (and the same search params).
const OwnURL = (await import('../../src/web/url.js')).URL;
type Settable = 'href' | 'protocol' | 'username' | 'password' | 'host' | 'hostname' | 'port' | 'pathname' | 'search' | 'hash';
const member = pick<Settable>('href', 'protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search', 'hash');
const setterValue = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(anyHost, port).map((p) => p.join('')) },
  { weight: 3, arbitrary: fc.tuple(anyPath, query, fragment).map((p) => p.join('')) },
  { weight: 2, arbitrary: pick('', 'http', 'https:', 'file', 'FILE:', 'sc', 'ws:x', 'h\u00e9:', '1x', 'a+b-c.d', 'javascript', 'blob', ':', 'http:foo') },
  { weight: 2, arbitrary: pick('8080', '0', '65535', '65536', '80', '443', '8080abc', 'abc', ' 81', '\t82', '8\n3', '-1', '99999999999') },
  { weight: 2, arbitrary: pick('?', '#', '??a=b', '##x', 'a b', 'a#b', 'a?b', ' ', '\u0000', '%zz', 'u:p', '@', 'a@b', 'x/y', 'x\\y', '\u00e9', '\ud83d\ude00') },
  { weight: 1, arbitrary: anyURL },
);
const paramsOp = fc.oneof(
  fc.tuple(pick('append', 'set'), fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 })),
  fc.tuple(pick('delete'), fc.string({ maxLength: 2 }), fc.constant('')),
  fc.tuple(pick('sort'), fc.constant(''), fc.constant('')),
);

function partsOf(url: URLParts): URLParts {
  const { href, origin, protocol, username, password, host, hostname, port, pathname, search, hash } = url;
  return { href, origin, protocol, username, password, host, hostname, port, pathname, search, hash };
}

test('the setters and URLSearchParams give what the reference implementation gives', () => {
  setURLBridge(nodeURLBridge);
  let changed = 0;
  let runs = 0;
  fc.assert(
    fc.property(anyURL, fc.array(fc.tuple(member, setterValue), { minLength: 1, maxLength: 3 }), fc.array(paramsOp, { maxLength: 3 }), (start, sets, ops) => {
      const expected = referenceParts(start);
      if (expected === null) return;
      runs++;
      const own = new OwnURL(start) as unknown as URLParts & { searchParams: URLSearchParams };
      const ref = new reference.URL(start) as URLParts & { searchParams: URLSearchParams };
      for (const [name, value] of sets) {
        let ownError = false;
        let refError = false;
        try {
          (own as unknown as Record<string, string>)[name] = value;
        } catch {
          ownError = true;
        }
        try {
          (ref as unknown as Record<string, string>)[name] = value;
        } catch {
          refError = true;
        }
        assert.equal(ownError, refError, `${start}: ${name} = ${JSON.stringify(value)} threw`);
        assert.deepEqual(partsOf(own), partsOf(ref), `${start}: ${name} = ${JSON.stringify(value)}`);
      }
      for (const [op, name, value] of ops) {
        const call = (params: URLSearchParams): void => {
          if (op === 'sort') params.sort();
          else if (op === 'delete') params.delete(name);
          else params[op as 'append' | 'set'](name, value);
        };
        call(own.searchParams);
        call(ref.searchParams);
        assert.deepEqual(partsOf(own), partsOf(ref), `${start}: searchParams.${op}(${JSON.stringify(name)}, ${JSON.stringify(value)})`);
      }
      assert.deepEqual([...own.searchParams], [...ref.searchParams], `${start}: search params`);
      if (own.href !== expected.href) changed++;
    }),
    { numRuns: Number(process.env['URL_RUNS'] ?? 20000) / 2 },
  );
  // Most runs must change the URL, or the property proves little.
  assert.ok(changed > runs / 2, `${changed} of ${runs} URLs changed`);
});
