import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { bundleEntry } from '../../conformance/bundle.js';
import { LibraryHost } from '../../conformance/hosts/library.js';
import type { TestFile } from '../../conformance/types.js';
import { wptRoot } from '../../scripts/wpt/paths.js';

// testharness.js comes from the fetched WPT tree (npm run wpt:fetch); without it, skip.
const harness = join(wptRoot(), 'resources', 'testharness.js');
const skip = existsSync(harness) ? false : 'WPT files not fetched (npm run wpt:fetch)';

/** Files that exercise the file statuses and the error paths of library mode. */
const FILES: Record<string, string> = {
  'ok.any.js': `test(() => {}, 'passes'); test(() => assert_true(false), 'fails');
    promise_test(async () => { await new Promise((r) => setTimeout(r, 5)); }, 'async passes');`,
  'realm.any.js': `promise_test((t) => promise_rejects_js(t, TypeError, Promise.reject(new TypeError())), 'own TypeError');
    test(() => assert_equals(Object.getPrototypeOf(self), Object.prototype), 'ordinary global');
    test(() => assert_equals(typeof process, 'undefined'), 'no Node globals');`,
  'timer-throws.any.js': `async_test((t) => { setTimeout(() => { throw new Error('boom'); }, 0); }, 'waits');`,
  'unhandled.any.js': `async_test((t) => { Promise.reject(new Error('nobody catches me')); t.step_timeout(() => t.done(), 50); }, 'waits');`,
  'never.any.js': `promise_test(() => new Promise(() => {}), 'never settles');`,
  'spin.any.js': `promise_test(async () => { await null; for (;;) {} }, 'spins');`,
  'include.any.js': `// META: script=resources/helper.js\ntest(() => assert_equals(helperValue, 42), 'include ran');`,
};

describe('library host', { skip }, () => {
  let root: string;
  let host: LibraryHost;
  const file = (name: string): TestFile => ({
    id: `/fake/${name}`,
    path: join(root, 'fake', name),
    scripts: name === 'include.any.js' ? [join(root, 'fake', 'resources', 'helper.js')] : [],
    scope: 'worker',
    long: false,
  });
  const run = (name: string, timeoutMs = 5_000) => host.runFile(file(name), { timeoutMs, verbose: false });

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'nano-wpt-host-'));
    await mkdir(join(root, 'resources'));
    await mkdir(join(root, 'fake', 'resources'), { recursive: true });
    await copyFile(harness, join(root, 'resources', 'testharness.js'));
    await writeFile(join(root, 'fake', 'resources', 'helper.js'), 'var helperValue = 42;');
    for (const [name, source] of Object.entries(FILES)) await writeFile(join(root, 'fake', name), source);
    const prelude = await bundleEntry(fileURLToPath(new URL('../../conformance/realm/prelude.ts', import.meta.url)), '__nanoPrelude');
    const impl = { kind: 'script' as const, bundle: { code: '', globalName: '', filename: 'empty' } };
    host = new LibraryHost({ prelude, impl, wptRoot: root, verbose: false, killGraceMs: 500 });
  });
  after(async () => {
    await host.close();
    await rm(root, { recursive: true, force: true });
  });

  it('reports subtests in order with testharness statuses', async () => {
    const result = await run('ok.any.js');
    assert.equal(result.status, 'OK');
    assert.deepEqual(result.subtests.map((s) => [s.name, s.status]), [['passes', 'PASS'], ['fails', 'FAIL'], ['async passes', 'PASS']]);
  });

  it('evaluates tests in a realm of their own', async () => {
    const result = await run('realm.any.js');
    assert.deepEqual(result.subtests.map((s) => s.status), ['PASS', 'PASS', 'PASS'], JSON.stringify(result.subtests));
  });

  it('turns an exception in a timer callback into a harness error', async () => {
    const result = await run('timer-throws.any.js');
    assert.equal(result.status, 'ERROR');
    assert.match(result.message ?? '', /boom/);
  });

  it('turns an unhandled rejection into a harness error', async () => {
    const result = await run('unhandled.any.js');
    assert.equal(result.status, 'ERROR');
    assert.match(result.message ?? '', /Unhandled rejection: nobody catches me/);
  });

  it('times out a file that never finishes, through testharness', async () => {
    const result = await run('never.any.js', 300);
    assert.equal(result.status, 'TIMEOUT');
    assert.equal(result.subtests[0]?.status, 'TIMEOUT');
  });

  it('kills a worker stuck in a loop, then runs the next file in a new one', async () => {
    const stuck = await run('spin.any.js', 300);
    assert.equal(stuck.status, 'TIMEOUT');
    assert.match(stuck.message ?? '', /killed/);
    assert.equal((await run('ok.any.js')).status, 'OK');
  });

  it('evaluates META script includes first', async () => {
    const result = await run('include.any.js');
    assert.equal(result.subtests[0]?.status, 'PASS', JSON.stringify(result));
  });
});
