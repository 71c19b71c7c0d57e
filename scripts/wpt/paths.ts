import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The upstream web-platform-tests commit NANO is pinned to. */
export const WPT_COMMIT = 'faf875d9b84f4319ac950cd51ef03a3dcf466a7f';

/** Repository root (this file is scripts/wpt/paths.ts). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** The committed manifest: the commit id and a sha256 per fetched file. */
export const MANIFEST_PATH = join(REPO_ROOT, 'wpt', 'manifest.json');

/**
 * Directory holding fetched trees, one per commit. Outside the repo so `git clean` and fresh
 * work trees keep it; `NANO_WPT_CACHE` overrides it (e.g. for CI caches).
 */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env['NANO_WPT_CACHE'] ?? join(homedir(), '.cache', 'nano-runtime', 'wpt');
}

/** The WPT root the harness reads: `<cacheRoot>/<commit>`. */
export function wptRoot(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), WPT_COMMIT);
}
