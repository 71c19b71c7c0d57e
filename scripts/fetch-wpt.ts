/**
 * npm run wpt:fetch [-- --update-manifest]
 *
 * Puts the pinned web-platform-tests paths (scripts/wpt/wpt-paths.ts) in the cache
 * (scripts/wpt/paths.ts) and verifies every file against wpt/manifest.json.
 * Sources, first that applies: WPT_DIR (a local WPT checkout), the cache if complete and
 * verified, Debian's firefox-esr 140 source package via apt, then a sparse git checkout
 * (WPT_GIT=1, or when apt-get is not available).
 * --update-manifest (maintainers) refetches and rewrites the manifest instead of verifying.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fetchFromApt } from './wpt/apt-source.js';
import { fetchFromDir } from './wpt/dir-source.js';
import { available } from './wpt/exec.js';
import { WPT_PATHS } from './wpt/wpt-paths.js';
import { fetchFromGit } from './wpt/git-source.js';
import { hashTree, readManifest, removeLinks, verifyTree, WptVerificationError, writeManifest, type WptManifest } from './wpt/manifest.js';
import { cacheRoot, MANIFEST_PATH, WPT_COMMIT, wptRoot } from './wpt/paths.js';

async function main(args: readonly string[]): Promise<void> {
  const update = args.includes('--update-manifest');
  const unknown = args.filter((a) => a !== '--update-manifest');
  if (unknown.length > 0) throw new Error(`unknown argument ${unknown[0]} (only --update-manifest is accepted)`);
  const manifest = update ? undefined : await checkedManifest();
  const target = wptRoot();
  const wptDir = process.env['WPT_DIR'];

  if (manifest && !wptDir && existsSync(target)) {
    try {
      await verifyTree(target, manifest);
      log(`${target} is complete and matches wpt/manifest.json (${Object.keys(manifest.files).length} files)`);
      return;
    } catch (error) {
      if (!(error instanceof WptVerificationError)) throw error;
      log(`the cache does not match the manifest, fetching again:\n${error.message}`);
    }
  }

  await mkdir(cacheRoot(), { recursive: true });
  const staging = join(cacheRoot(), `.staging-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  try {
    await fetchInto(staging, wptDir);
    // Upstream has a few symlinks (e.g. resources/WebIDLParser.js); the harness aliases them.
    const links = await removeLinks(staging);
    if (links.length > 0) log(`dropped ${links.length} symbolic links: ${links.join(', ')}`);
    if (manifest) {
      await verifyTree(staging, manifest);
    } else {
      const fresh = await hashTree(staging, WPT_COMMIT, WPT_PATHS);
      await writeManifest(MANIFEST_PATH, fresh);
      log(`wrote wpt/manifest.json (${Object.keys(fresh.files).length} files)`);
    }
    await rm(target, { recursive: true, force: true });
    await rename(staging, target);
    log(`${target} is ready`);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** The committed manifest, refused when it was written for another commit or path list. */
async function checkedManifest(): Promise<WptManifest> {
  const manifest = await readManifest(MANIFEST_PATH);
  if (manifest.commit !== WPT_COMMIT) {
    throw new Error(`wpt/manifest.json is for commit ${manifest.commit}, the pin is ${WPT_COMMIT}`);
  }
  if (manifest.paths.join('\n') !== WPT_PATHS.join('\n')) {
    throw new Error('scripts/wpt/wpt-paths.ts lists other paths than wpt/manifest.json: run `npm run wpt:fetch -- --update-manifest`');
  }
  return manifest;
}

async function fetchInto(staging: string, wptDir: string | undefined): Promise<void> {
  if (wptDir) {
    log(`copying ${WPT_PATHS.length} folders and files from WPT_DIR=${wptDir}`);
    return fetchFromDir(staging, WPT_PATHS, wptDir);
  }
  if (process.env['WPT_GIT'] === '1' || !available('apt-get')) {
    log(`sparse git checkout of ${WPT_COMMIT}`);
    return fetchFromGit(staging, WPT_PATHS, WPT_COMMIT);
  }
  const commit = await fetchFromApt(staging, WPT_PATHS);
  if (commit !== WPT_COMMIT) {
    throw new Error(`Debian's firefox-esr carries WPT ${commit}, not the pinned ${WPT_COMMIT}; try WPT_GIT=1`);
  }
}

function log(message: string): void {
  process.stderr.write(`wpt:fetch: ${message}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  log(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
