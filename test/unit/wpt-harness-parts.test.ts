import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compare } from '../../conformance/expectations.js';
import { compareCounts } from '../../conformance/subtest-counts.js';
import { globToRegExp } from '../../conformance/glob.js';
import { parseMeta, runScope } from '../../conformance/meta.js';
import { discover } from '../../conformance/discover.js';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileResult } from '../../conformance/types.js';

describe('WPT harness parts', () => {
  it('reads META lines only at the top of a file', () => {
    const meta = parseMeta('// META: global=window,worker\n// META: script=../resources/a.js\n// META: timeout=long\n\n// META: script=late.js\n');
    assert.deepEqual(meta.globals, ['window', 'worker']);
    assert.deepEqual(meta.scripts, ['../resources/a.js']);
    assert.equal(meta.long, true);
    assert.deepEqual(parseMeta('test(() => {});').globals, ['window', 'dedicatedworker']);
  });

  it('takes an .html test as a window loads it: its script includes (not the harness\'s), then its inline script', async () => {
    const root = mkdtempSync(join(tmpdir(), 'wpt-html-'));
    try {
      mkdirSync(join(root, 'streams', 'transferable', 'resources'), { recursive: true });
      const page = (tail: string) =>
        '<!DOCTYPE html>\n<script src="/resources/testharness.js"></script>\n<script src="/resources/testharnessreport.js"></script>\n' +
        '<script src="resources/helpers.js"></script>\n<script src="../resources/test-utils.js"></script>\n' +
        tail;
      writeFileSync(join(root, 'streams', 'transferable', 'ok.html'), page("<script>\n'use strict';\ntest(() => {});\n</script>\n"));
      writeFileSync(join(root, 'streams', 'transferable', 'late.html'), page('<script>a();</script>\n<script src="b.js"></script>\n'));
      const [file] = await discover(root, ['streams/transferable/ok.html'], []);
      assert.equal(file!.id, '/streams/transferable/ok.html');
      assert.equal(file!.scope, 'window');
      assert.deepEqual(
        file!.scripts.map((s) => s.replace(root, '<root>').replace(/.*\/conformance\/realm\//, '<realm>/')),
        ['<realm>/window-messaging.js', '<root>/streams/transferable/resources/helpers.js', '<root>/streams/resources/test-utils.js'],
      );
      assert.equal(file!.inline, "\n'use strict';\ntest(() => {});\n");
      await assert.rejects(discover(root, ['streams/transferable/late.html'], []), /after the inline script/);
      // A .window.js file runs as a window (postMessage included); a pattern's ?variant picks one variant.
      writeFileSync(join(root, 'streams', 'w.window.js'), '// META: variant=?a\n// META: variant=?b\n// META: script=x.js\ntest(() => {});\n');
      const picked = await discover(root, ['streams/w.window.js?b'], []);
      assert.deepEqual(picked.map((f) => f.id), ['/streams/w.window.js?b']);
      assert.equal(picked[0]!.scope, 'window');
      assert.match(picked[0]!.scripts[0]!, /conformance\/realm\/window-messaging\.js$/);
      assert.equal((await discover(root, ['streams/w.window.js'], [])).length, 2);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('runs files that have a window, worker or ShadowRealm variant', () => {
    assert.equal(runScope(['window', 'worker', 'shadowrealm']), 'worker');
    assert.equal(runScope(['window']), 'window');
    assert.equal(runScope(['shadowrealm-in-window']), 'worker');
    assert.equal(runScope(['wasm']), undefined);
  });

  it('matches globs on path segments', () => {
    const any = globToRegExp('streams/**/*.any.js');
    assert.ok(any.test('streams/piping/abort.any.js'));
    assert.ok(any.test('streams/idlharness.any.js'));
    assert.ok(!any.test('streams/transferable/window.html'));
    assert.ok(!globToRegExp('encoding/streams/*.any.js').test('encoding/streams/resources/x.any.js'));
  });

  it('reports unexpected failures, unexpected passes and stale expectations', () => {
    const result: FileResult = {
      test: '/streams/a.any.js', status: 'OK', message: null, duration: 1,
      subtests: [
        { name: 'ok', status: 'PASS', message: null },
        { name: 'broken', status: 'FAIL', message: 'x' },
        { name: 'fixed', status: 'PASS', message: null },
      ],
    };
    const unexpected = compare([result], {
      '/streams/a.any.js': {
        subtests: { fixed: { status: 'FAIL', reason: 'r' }, gone: { status: 'FAIL', reason: 'r' } },
      },
    });
    assert.deepEqual(unexpected.map((u) => [u.subtest, u.actual, u.stale]), [
      ['broken', 'FAIL', false],
      ['fixed', 'PASS', true],
      ['gone', 'MISSING', true],
    ]);
  });

  it('flags an OK file that defined fewer subtests than recorded, and only that', () => {
    const file = (test: string, n: number, status: FileResult['status'] = 'OK'): FileResult => ({
      test, status, message: null, duration: 1,
      subtests: Array.from({ length: n }, (_, i) => ({ name: `t${i}`, status: 'PASS' as const, message: null })),
    });
    const counts = { '/a.any.js': 5, '/b.any.js': 5, '/c.any.js': 5 };
    const unexpected = compareCounts([file('/a.any.js', 1), file('/b.any.js', 7), file('/c.any.js', 2, 'TIMEOUT'), file('/d.any.js', 1)], counts);
    assert.deepEqual(unexpected.map((u) => [u.test, u.expected, u.actual]), [['/a.any.js', '5 subtests', '1 subtests']]);
    assert.deepEqual(compareCounts([file('/a.any.js', 1)], undefined), []);
  });
});
