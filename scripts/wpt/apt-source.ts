import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { systemDebRepos, toDebSrcStanzas } from './apt-sources.js';
import { capture, run } from './exec.js';

/**
 * Debian's firefox-esr source package carries a web-platform-tests snapshot under
 * testing/web-platform/tests, and testing/web-platform/meta/mozilla-sync names its upstream
 * commit. The 140 ESR line carries the commit NANO is pinned to.
 */
const SOURCE_PACKAGE = 'firefox-esr';
const ESR_LINE = '140.';
const IN_TARBALL = 'testing/web-platform';

/**
 * Fetches `paths` of the WPT snapshot from Debian's firefox-esr 140 source package into
 * `dest` (which must not exist), without touching the system's apt configuration: apt runs
 * with a private sources dir, lists dir and cache, all in a temporary directory.
 * Returns the upstream commit the package records.
 */
export async function fetchFromApt(dest: string, paths: readonly string[]): Promise<string> {
  // Beside `dest`, so the final rename stays on one filesystem.
  const work = await mkdtemp(join(dirname(dest), '.apt-'));
  try {
    const apt = await privateAptOptions(work);
    log('apt-get update (private lists: deb-src of the system sources)');
    try {
      await run('apt-get', [...apt, '-q', 'update']);
    } catch (error) {
      // A third-party repository without sources should not stop us if Debian's answered.
      log(`warning: ${(error as Error).message}; continuing with the lists that were fetched`);
    }
    const version = pickVersion(capture('apt-cache', [...apt, 'showsrc', SOURCE_PACKAGE]));
    log(`apt-get source --download-only ${SOURCE_PACKAGE}=${version} (~700 MB)`);
    const download = join(work, 'download');
    await mkdir(download);
    await run('apt-get', [...apt, '-qq', 'source', '--download-only', `${SOURCE_PACKAGE}=${version}`], download);
    const tarball = (await readdir(download)).find((name) => /\.orig\.tar\.(xz|gz|bz2)$/.test(name));
    if (!tarball) throw new Error(`no orig tarball among the downloaded files of ${SOURCE_PACKAGE} ${version}`);

    log(`extracting ${paths.length} folders and files from ${tarball} (~45 s: the whole xz stream is decompressed)`);
    const extract = join(work, 'extract');
    await mkdir(extract);
    // `*` matches the tarball's top directory (firefox-VERSION); a folder's name takes its contents.
    const patterns = [`*/${IN_TARBALL}/meta/mozilla-sync`, ...paths.map((path) => `*/${IN_TARBALL}/tests/${path}`)];
    await run('tar', ['-x', '-f', join(download, tarball), '-C', extract, '--wildcards', ...patterns]);
    const [top] = await readdir(extract);
    if (!top) throw new Error(`nothing extracted from ${tarball}`);

    const sync = await readFile(join(extract, top, IN_TARBALL, 'meta', 'mozilla-sync'), 'utf8');
    const commit = /^upstream:\s*([0-9a-f]{40})/m.exec(sync)?.[1];
    if (!commit) throw new Error(`${tarball}: ${IN_TARBALL}/meta/mozilla-sync names no upstream commit`);
    await rename(join(extract, top, IN_TARBALL, 'tests'), dest);
    return commit;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The `-o` options that point apt at a private configuration under `work`. */
async function privateAptOptions(work: string): Promise<string[]> {
  const repos = systemDebRepos();
  if (repos.length === 0) throw new Error('no deb repositories in /etc/apt/sources.list{,.d}');
  const etc = join(work, 'etc');
  await mkdir(join(etc, 'sources.list.d'), { recursive: true });
  await mkdir(join(work, 'lists', 'partial'), { recursive: true });
  await mkdir(join(work, 'cache', 'archives', 'partial'), { recursive: true });
  await writeFile(join(etc, 'sources.list'), '');
  await writeFile(join(etc, 'sources.list.d', 'nano-wpt.sources'), toDebSrcStanzas(repos));
  return [
    '-o', `Dir::Etc::sourcelist=${join(etc, 'sources.list')}`,
    '-o', `Dir::Etc::sourceparts=${join(etc, 'sources.list.d')}`,
    '-o', `Dir::State::Lists=${join(work, 'lists')}`,
    '-o', `Dir::Cache=${join(work, 'cache')}`,
    '-o', 'Debug::NoLocking=1',
    // The private dirs are root-only (mkdtemp is 0700), so apt's _apt sandbox user could not write them.
    '-o', 'APT::Sandbox::User=root',
  ];
}

/** The newest 140.x version of the package among `apt-cache showsrc` stanzas. */
export function pickVersion(showsrc: string): string {
  const versions = [...showsrc.matchAll(/^Version:\s*(\S+)/gm)].map((m) => m[1]!).filter((v) => v.startsWith(ESR_LINE));
  if (versions.length === 0) {
    throw new Error(`no ${SOURCE_PACKAGE} ${ESR_LINE}x source package in the configured Debian suites`);
  }
  return versions.reduce((best, v) => (newer(v, best) ? v : best));
}

/** Debian version order (`~`, epochs, revisions): dpkg knows it, and is there wherever apt is. */
function newer(a: string, b: string): boolean {
  return spawnSync('dpkg', ['--compare-versions', a, 'gt', b]).status === 0;
}

function log(message: string): void {
  process.stderr.write(`wpt:fetch: ${message}\n`);
}
