import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** wpt/manifest.json: what a fetched tree must contain, byte for byte. */
export interface WptManifest {
  /** Upstream web-platform-tests commit the files come from. */
  commit: string;
  /** The folders and files fetched (scripts/wpt/wpt-paths.ts when the manifest was written). */
  paths: string[];
  /** POSIX path relative to the WPT root -> sha256 hex of the file's bytes. */
  files: Record<string, string>;
}

/** A fetched tree that does not match the manifest; the message names every bad file. */
export class WptVerificationError extends Error {
  constructor(readonly problems: string[]) {
    const shown = problems.slice(0, 20).join('\n  ');
    const more = problems.length > 20 ? `\n  ... and ${problems.length - 20} more` : '';
    super(`WPT tree does not match wpt/manifest.json:\n  ${shown}${more}`);
    this.name = 'WptVerificationError';
  }
}

export async function readManifest(path: string): Promise<WptManifest> {
  return JSON.parse(await readFile(path, 'utf8')) as WptManifest;
}

export async function writeManifest(path: string, manifest: WptManifest): Promise<void> {
  // Sorted keys and one file per line keep the diff of a manifest update reviewable.
  const files = Object.fromEntries(Object.entries(manifest.files).sort(([a], [b]) => (a < b ? -1 : 1)));
  await writeFile(path, JSON.stringify({ ...manifest, files }, null, 1) + '\n');
}

/**
 * Every file at or under `path` (a folder or a single file), as POSIX paths relative to
 * `root`. Symbolic links are listed too (never followed), so that verification refuses them:
 * a link could point outside the tree.
 */
export async function listFiles(root: string, path: string): Promise<string[]> {
  const stat = await lstat(path);
  if (stat.isDirectory()) {
    const out: string[] = [];
    for (const name of await readdir(path)) out.push(...(await listFiles(root, join(path, name))));
    return out;
  }
  return [relative(root, path).split(sep).join('/')];
}

/** Deletes the symbolic links under `root` (a fetched tree keeps regular files only); returns them. */
export async function removeLinks(root: string): Promise<string[]> {
  const removed: string[] = [];
  for (const file of await listFiles(root, root)) {
    if ((await lstat(join(root, file))).isSymbolicLink()) {
      await unlink(join(root, file));
      removed.push(file);
    }
  }
  return removed;
}

export async function sha256File(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

/** Hashes every file of `paths` under `root` (a fresh manifest, for --update-manifest). */
export async function hashTree(root: string, commit: string, paths: readonly string[]): Promise<WptManifest> {
  const files: Record<string, string> = {};
  for (const path of paths) {
    for (const file of await listFiles(root, join(root, path))) files[file] = await sha256File(join(root, file));
  }
  return { commit, paths: [...paths], files };
}

/**
 * Checks that the tree at `root` holds exactly the manifest's files with the manifest's bytes.
 * Throws WptVerificationError naming each missing, altered or unexpected file.
 */
export async function verifyTree(root: string, manifest: WptManifest): Promise<void> {
  const problems: string[] = [];
  const present = new Set<string>();
  const missingPaths: string[] = [];
  for (const path of manifest.paths) {
    try {
      for (const file of await listFiles(root, join(root, path))) present.add(file);
    } catch {
      missingPaths.push(path);
      problems.push(`${path}: missing`);
    }
  }
  for (const [file, expected] of Object.entries(manifest.files)) {
    if (!present.delete(file)) {
      // One line for a missing folder rather than one per file in it.
      if (!missingPaths.some((path) => file === path || file.startsWith(`${path}/`))) problems.push(`${file}: missing`);
      continue;
    }
    if (!(await lstat(join(root, file))).isFile()) {
      problems.push(`${file}: not a regular file`);
      continue;
    }
    const actual = await sha256File(join(root, file));
    if (actual !== expected) problems.push(`${file}: sha256 ${actual} does not match the manifest's ${expected}`);
  }
  for (const file of present) problems.push(`${file}: not in the manifest`);
  if (problems.length > 0) throw new WptVerificationError(problems);
}
