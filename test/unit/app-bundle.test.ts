// How an app's module and its npm packages are bundled: as wrangler bundles a Worker, so packages
// written for bundlers and browsers resolve and evaluate the way they do on Workers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { bundleApp } from '../../src/host/app-bundle.js';

/** Writes `files` (path -> text or bytes) under a new directory, bundles its index.js, evaluates the bundle in a realm without `process`. */
async function bundleAndRun(files: Record<string, string | Uint8Array>, inputs?: (paths: string[], dir: string) => void): Promise<unknown> {
  const dir = await mkdtemp(join(tmpdir(), 'nano-app-bundle-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    const bundle = await bundleApp(join(dir, 'index.js'));
    inputs?.(bundle.inputs, dir);
    return runInNewContext(bundle.code, {});
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('process.env.NODE_ENV is replaced with "production" (React and others branch on it; an isolate has no process)', async () => {
  const app = await bundleAndRun({
    'index.js': "import { mode } from 'modal';\nexport default { mode, own: process.env.NODE_ENV };\n",
    'node_modules/modal/package.json': JSON.stringify({ name: 'modal', main: 'index.js' }),
    'node_modules/modal/index.js': "module.exports = process.env.NODE_ENV === 'production' ? { mode: 'prod build' } : { mode: 'dev build' };\n",
  });
  assert.deepEqual({ ...(app as object) }, { mode: 'prod build', own: 'production' });
});

test("a package.json's browser field is followed: its entry and its map of files", async () => {
  const app = await bundleAndRun({
    'index.js': "import { where } from 'both';\nimport { impl } from 'mapped';\nexport default { where, impl };\n",
    // The Node entry needs Node's modules (as @whatwg-node/fetch's does): it must not be chosen.
    'node_modules/both/package.json': JSON.stringify({ name: 'both', main: 'node.js', module: 'node.mjs', browser: 'web.js' }),
    'node_modules/both/node.js': "require('node:stream');\nexports.where = 'node';\n",
    'node_modules/both/node.mjs': "import 'node:stream';\nexport const where = 'node';\n",
    'node_modules/both/web.js': "exports.where = 'web';\n",
    'node_modules/mapped/package.json': JSON.stringify({ name: 'mapped', main: 'index.js', browser: { './impl-node.js': './impl-web.js' } }),
    'node_modules/mapped/index.js': "exports.impl = require('./impl-node.js').impl;\n",
    'node_modules/mapped/impl-node.js': "require('node:fs');\nexports.impl = 'node';\n",
    'node_modules/mapped/impl-web.js': "exports.impl = 'web';\n",
  });
  assert.deepEqual({ ...(app as object) }, { where: 'web', impl: 'web' });
});

// (module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
const ADD_WASM = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 7, 1, 0x60, 2, 0x7f, 0x7f, 1, 0x7f, 3, 2, 1, 0, 7, 7, 1, 3, 0x61, 0x64, 0x64, 0, 0, 10, 9, 1, 7, 0, 0x20, 0, 0x20, 1, 0x6a, 0x0b]);

test("wrangler's default module rules: .wasm (and .wasm?module) a WebAssembly.Module, .bin an ArrayBuffer, .txt/.html/.sql a string; the files are watched", async () => {
  let watched: string[] = [];
  let root = '';
  const app = (await bundleAndRun(
    {
      'index.js': [
        "import add from './add.wasm';",
        "import again from './lib/add.wasm?module';",
        "import data from './data.bin';",
        "import page from './page.html';",
        "import note from './note.txt';",
        "import query from './q.sql';",
        'const sum = new WebAssembly.Instance(add).exports.add(2, 3);',
        'export default { sum, again: again instanceof WebAssembly.Module, data: [data instanceof ArrayBuffer, [...new Uint8Array(data)]], page, note, query };',
      ].join('\n'),
      'add.wasm': ADD_WASM,
      'lib/add.wasm': ADD_WASM,
      'data.bin': new Uint8Array([1, 2, 255]),
      'page.html': '<p>hi</p>',
      'note.txt': 'a note',
      'q.sql': 'SELECT 1',
    },
    (paths, dir) => {
      watched = paths;
      root = dir;
    },
  )) as Record<string, unknown>;
  // Through JSON: the arrays are the other realm's.
  assert.deepEqual(JSON.parse(JSON.stringify(app)), { sum: 5, again: true, data: [true, [1, 2, 255]], page: '<p>hi</p>', note: 'a note', query: 'SELECT 1' });
  for (const file of ['add.wasm', 'lib/add.wasm', 'data.bin', 'page.html']) assert.ok(watched.includes(join(root, file)), `${file} is among the inputs`);
});

// Workers' ES modules may await at their top level (a dynamic import, an instantiation): an iife
// cannot, so such a graph is bundled as a module whose body runs in an async function.
test('a module graph with top-level await evaluates to a promise of its default export, each await in its order', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nano-app-bundle-'));
  try {
    await writeFile(join(dir, 'dep.js'), "export const order = [];\norder.push('dep before');\nexport const base = await Promise.resolve(40);\norder.push('dep after');\n");
    await writeFile(
      join(dir, 'index.js'),
      "import { base, order } from './dep.js';\norder.push('index');\nconst more = await new Promise((r) => setTimeout(() => r(2), 5));\nexport const other = 'named';\nexport default { answer: base + more, order, meta: typeof import.meta };\n",
    );
    const bundle = await bundleApp(join(dir, 'index.js'));
    assert.equal(bundle.async, true);
    const result = runInNewContext(bundle.code, { setTimeout }) as Promise<unknown>;
    assert.equal(typeof (result as { then?: unknown }).then, 'function');
    assert.deepEqual(JSON.parse(JSON.stringify(await result)), { answer: 42, order: ['dep before', 'dep after', 'index'], meta: 'object' });
    // The same bundle's map still names the author's lines (as many wrapper lines as the iife's).
    assert.ok(bundle.map !== undefined);
    // A module without top-level await stays an iife, evaluated at once.
    await writeFile(join(dir, 'index.js'), 'export default { plain: true };\n');
    const plain = await bundleApp(join(dir, 'index.js'));
    assert.equal(plain.async, false);
    assert.deepEqual({ ...(runInNewContext(plain.code, {}) as object) }, { plain: true });
    // Other bundling errors are still reported as such.
    await writeFile(join(dir, 'index.js'), "import 'missing-package';\nawait 0;\nexport default {};\n");
    await assert.rejects(bundleApp(join(dir, 'index.js')), /cannot bundle .*Could not resolve "missing-package"/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
