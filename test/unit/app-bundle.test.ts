// How an app's module and its npm packages are bundled: as wrangler bundles a Worker, so packages
// written for bundlers and browsers resolve and evaluate the way they do on Workers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { bundleApp } from '../../src/host/app-bundle.js';

/** Writes `files` (path -> text) under a new directory, bundles its index.js, evaluates the bundle in a realm without `process`. */
async function bundleAndRun(files: Record<string, string>): Promise<unknown> {
  const dir = await mkdtemp(join(tmpdir(), 'nano-app-bundle-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    const bundle = await bundleApp(join(dir, 'index.js'));
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
