import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { capture, run } from './exec.js';

/** Upstream repository; WPT_GIT_URL points elsewhere (a mirror, a local clone). */
const DEFAULT_URL = 'https://github.com/web-platform-tests/wpt.git';

/**
 * Fetches `paths` at `commit` with a shallow, blob-filtered, sparse git checkout into `dest`
 * (which must not exist): only the needed files are downloaded, not the 1 GB+ history.
 */
export async function fetchFromGit(dest: string, paths: readonly string[], commit: string): Promise<void> {
  const url = process.env['WPT_GIT_URL'] ?? DEFAULT_URL;
  const repo = join(dirname(dest), `.git-${process.pid}`);
  await rm(repo, { recursive: true, force: true });
  try {
    await run('git', ['init', '-q', repo]);
    await run('git', ['-C', repo, 'remote', 'add', 'origin', url]);
    await run('git', ['-C', repo, 'sparse-checkout', 'set', '--no-cone', ...paths.map((path) => `/${path}`)]);
    await run('git', ['-C', repo, 'fetch', '--depth', '1', '--filter=blob:none', 'origin', commit]);
    await run('git', ['-C', repo, 'checkout', '-q', '--detach', 'FETCH_HEAD']);
    const head = capture('git', ['-C', repo, 'rev-parse', 'HEAD']).trim();
    if (head !== commit) throw new Error(`git checked out ${head}, not the pinned ${commit}`);
    await mkdir(dest);
    for (const path of paths) {
      await mkdir(dirname(join(dest, path)), { recursive: true });
      await rename(join(repo, path), join(dest, path));
    }
  } finally {
    await rm(repo, { recursive: true, force: true });
  }
}
