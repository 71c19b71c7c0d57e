import { cp, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * Copies `paths` from a local WPT checkout (WPT_DIR) into `dest`. The copy, not the checkout,
 * is verified and used, so later edits in the checkout cannot change what a run tests.
 */
export async function fetchFromDir(dest: string, paths: readonly string[], wptDir: string): Promise<void> {
  for (const path of paths) {
    await mkdir(dirname(join(dest, path)), { recursive: true });
    // verbatimSymlinks + the manifest's regular-files-only rule: a link is reported, never followed.
    await cp(join(wptDir, path), join(dest, path), { recursive: true, verbatimSymlinks: true });
  }
}
