// App bundles' source maps (src/host/source-map.ts): Base64 VLQ mappings decoded, positions in the
// bundle mapped to the author's files in the app's log lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SourceMap, mapStackPositions } from '../../src/host/source-map.js';
import { bundleApp } from '../../src/host/app-bundle.js';

// Line 1: [0,a,0,0] and [4,a,0,4]; line 2: [0,b,1,4] and [9,b,1,12]; line 3: [0,b,1,11] (a
// negative delta) and [16,b,1,11] (a two-digit VLQ, with a name field).
const MAP = JSON.stringify({ version: 3, sources: ['a.js', 'src/b.js'], names: ['n'], mappings: 'AAAA,IAAI;ACCA,SAAQ;AAAD,gBAAAA' });

test('VLQ mappings: relative fields, negative deltas, continuation digits, the segment at or before a column', () => {
  const map = new SourceMap(MAP, '/app/out/bundle.js');
  assert.deepEqual(map.original(1, 1), { source: '/app/out/a.js', line: 1, column: 1 });
  assert.deepEqual(map.original(1, 6), { source: '/app/out/a.js', line: 1, column: 5 });
  assert.deepEqual(map.original(2, 1), { source: '/app/out/src/b.js', line: 2, column: 5 });
  assert.deepEqual(map.original(2, 10), { source: '/app/out/src/b.js', line: 2, column: 13 });
  assert.deepEqual(map.original(3, 17), { source: '/app/out/src/b.js', line: 2, column: 12 });
  assert.equal(map.original(4, 1), undefined, 'a line the map does not describe');
  // Lines a wrapper put before the mapped code.
  assert.deepEqual(new SourceMap(MAP, '/app/out/bundle.js', 2).original(3, 1), { source: '/app/out/a.js', line: 1, column: 1 });
  assert.throws(() => new SourceMap('{"version":2}', '/x.js'), /version 3/);
});

test('stack positions in the bundle are rewritten to the original files; others are left', () => {
  const map = new SourceMap(MAP, '/app/bundle.js');
  const text = 'Error: x\n    at f (app:/app/i.js:2:10)\n    at g (app:/app/i.js:9:9)\n    at h (nano:runtime:1:1)\n    app:/app/i.js is the entry';
  assert.equal(
    mapStackPositions(text, 'app:/app/i.js', map),
    'Error: x\n    at f (/app/src/b.js:2:13)\n    at g (app:/app/i.js:9:9)\n    at h (nano:runtime:1:1)\n    app:/app/i.js is the entry',
  );
});

test("a bundle's map leads a position in the bundle back to the imported file's line and column", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nano-source-map-'));
  await writeFile(join(dir, 'index.js'), "import { route } from './routes.js';\nexport default { fetch: (request) => route(request) };\n");
  await writeFile(join(dir, 'routes.js'), "export function route(request) {\n  const x = 1;\n  throw new TypeError('marker ' + x);\n}\n");
  const bundle = await bundleApp(join(dir, 'index.js'));
  assert.ok(bundle.map, 'a map');
  const lines = bundle.code.split('\n');
  const line = lines.findIndex((l) => l.includes('marker'));
  const column = lines[line]!.indexOf('throw');
  assert.deepEqual(bundle.map.original(line + 1, column + 1), { source: join(dir, 'routes.js'), line: 3, column: 3 });
});
