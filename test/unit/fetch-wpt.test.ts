import assert from 'node:assert/strict';
import { appendFile, mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hashTree, verifyTree, WptVerificationError, type WptManifest } from '../../scripts/wpt/manifest.js';

describe('WPT manifest verification', () => {
  let root: string;
  let manifest: WptManifest;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'nano-wpt-verify-'));
    await mkdir(join(root, 'resources'), { recursive: true });
    await mkdir(join(root, 'streams', 'piping'), { recursive: true });
    await writeFile(join(root, 'resources', 'testharness.js'), 'var harness = 1;\n');
    await writeFile(join(root, 'streams', 'piping', 'abort.any.js'), 'test(() => {});\n');
    manifest = await hashTree(root, 'f'.repeat(40), ['resources', 'streams']);
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('accepts the tree the manifest was made from', async () => {
    assert.equal(Object.keys(manifest.files).length, 2);
    await verifyTree(root, manifest);
  });

  it('refuses a tampered file and names it', async () => {
    const file = join(root, 'streams', 'piping', 'abort.any.js');
    await appendFile(file, ' ');
    await assert.rejects(verifyTree(root, manifest), (error: unknown) => {
      assert.ok(error instanceof WptVerificationError);
      assert.match(error.message, /streams\/piping\/abort\.any\.js: sha256 /);
      return true;
    });
    await writeFile(file, 'test(() => {});\n');
    await verifyTree(root, manifest);
  });

  it('refuses a missing file and names it', async () => {
    await rm(join(root, 'resources', 'testharness.js'));
    await assert.rejects(verifyTree(root, manifest), /resources\/testharness\.js: missing/);
    await writeFile(join(root, 'resources', 'testharness.js'), 'var harness = 1;\n');
  });

  it('refuses a file the manifest does not list', async () => {
    await writeFile(join(root, 'streams', 'extra.any.js'), '');
    await assert.rejects(verifyTree(root, manifest), /streams\/extra\.any\.js: not in the manifest/);
    await rm(join(root, 'streams', 'extra.any.js'));
  });

  it('refuses a symbolic link in place of a file', async () => {
    const file = join(root, 'resources', 'testharness.js');
    await rename(file, `${file}.real`);
    await symlink(`${file}.real`, file);
    await assert.rejects(verifyTree(root, manifest), /resources\/testharness\.js: not a regular file/);
    await rm(file);
    await rename(`${file}.real`, file);
  });

  it('refuses a missing folder', async () => {
    await assert.rejects(verifyTree(root, { ...manifest, paths: [...manifest.paths, 'url'] }), /url: missing/);
  });
});
