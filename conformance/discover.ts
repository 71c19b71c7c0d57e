import { readdir, readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { globBase, globToRegExp } from './glob.js';
import { parseMeta, runScope } from './meta.js';
import type { TestFile } from './types.js';

/**
 * The test files matching `globs` (suite patterns) and, when given, any of `filters`
 * (path prefixes like `streams/piping`, or globs), sorted by id, META resolved. A suite pattern
 * may end in `?variant`: of that file, only the variant named (`// META: variant=?variant`).
 */
export async function discover(root: string, globs: readonly string[], filters: readonly string[]): Promise<TestFile[]> {
  const patterns = globs.map((glob) => {
    const q = glob.indexOf('?');
    return q === -1 ? { path: globToRegExp(glob), variant: undefined } : { path: globToRegExp(glob.slice(0, q)), variant: glob.slice(q) };
  });
  const filterTests = filters.map(filterTest);
  /** Path -> the variants wanted (undefined: all). */
  const candidates = new Map<string, Set<string> | undefined>();
  for (const base of new Set(globs.map((glob) => globBase(glob.replace(/\?.*$/, ''))))) {
    for (const path of await walk(root, base)) {
      if (filterTests.length > 0 && !filterTests.some((f) => f(path))) continue;
      for (const pattern of patterns) {
        if (!pattern.path.test(path)) continue;
        const wanted = candidates.get(path);
        if (pattern.variant === undefined) candidates.set(path, undefined);
        // One more variant, unless another pattern already wants them all.
        else if (!candidates.has(path) || wanted !== undefined) candidates.set(path, new Set([...(wanted ?? []), pattern.variant]));
      }
    }
  }
  const files: TestFile[] = [];
  for (const path of [...candidates.keys()].sort()) {
    const wanted = candidates.get(path);
    for (const file of await describe(root, path)) if (wanted === undefined || (file.variant !== undefined && wanted.has(file.variant))) files.push(file);
  }
  return files;
}

/** A positional filter: a glob when it has wildcards, else a path prefix (leading `/` optional). */
function filterTest(filter: string): (path: string) => boolean {
  const clean = filter.replace(/^\/+/, '');
  if (/[*?]/.test(clean)) {
    const regexp = globToRegExp(clean);
    return (path) => regexp.test(path);
  }
  return (path) => path.startsWith(clean);
}

/**
 * Upstream WPT files that are symbolic links, which the Debian snapshot does not carry (and the
 * fetch script drops): served from their targets, as wptserve follows the links.
 */
const LINKED_SCRIPTS: Readonly<Record<string, string>> = {
  '/resources/WebIDLParser.js': '/resources/webidl2/lib/webidl2.js',
};

/** The window's postMessage for .window.js and .html files (realm/window-messaging.js). */
const WINDOW_MESSAGING = fileURLToPath(new URL('./realm/window-messaging.js', import.meta.url));

/** A script a test file names (META or `<script src>`) as a path of the tree, resolved as wptserve would: never above the root. */
function scriptTreePath(path: string, script: string): string {
  const resolved = script.startsWith('/') ? posix.normalize(script) : posix.join('/', posix.dirname(path), script);
  return LINKED_SCRIPTS[resolved] ?? resolved;
}

function resolveScript(root: string, path: string, script: string): string {
  return join(root, ...scriptTreePath(path, script).split('/'));
}

/** The TestFile(s) for one .any.js or .window.js: one per `// META: variant=`, none if no scope runs it. */
async function describe(root: string, path: string): Promise<TestFile[]> {
  if (path.endsWith('.html')) return [await describeHtml(root, path)];
  const meta = parseMeta(await readFile(join(root, path), 'utf8'));
  // A .window.js file runs in a window only, with a window's postMessage (as an .html test).
  const windowOnly = path.endsWith('.window.js');
  const scope = windowOnly ? 'window' : runScope(meta.globals);
  if (!scope) return [];
  const scripts = meta.scripts.map((script) => resolveScript(root, path, script));
  if (windowOnly) scripts.unshift(WINDOW_MESSAGING);
  const base: TestFile = { id: `/${path}`, path: join(root, ...path.split('/')), scripts, scope, long: meta.long };
  if (meta.variants.length === 0) return [base];
  return meta.variants.map((variant) => ({ ...base, id: `/${path}${variant}`, variant }));
}

/** Scripts every file gets from the harness itself (testharness.js and its reporter). */
const HARNESS_SCRIPTS = new Set(['/resources/testharness.js', '/resources/testharnessreport.js']);
const SCRIPT_TAG = /<script(?:\s+src="([^"]*)")?\s*>([\s\S]*?)<\/script>/g;

/**
 * An .html test as a window would load it: its `<script src>`s, then its inline script, after
 * window-messaging.js (the window's postMessage and message events, which the suites' .html
 * files use to transfer objects to themselves). Only files whose one inline script comes after
 * every `<script src>` are taken (the suites list them by name).
 */
async function describeHtml(root: string, path: string): Promise<TestFile> {
  const html = await readFile(join(root, path), 'utf8');
  const scripts = [WINDOW_MESSAGING];
  let inline: string | undefined;
  for (const [, src, body] of html.matchAll(SCRIPT_TAG)) {
    if (src !== undefined) {
      if (inline !== undefined) throw new Error(`${path}: a <script src> after the inline script is not supported`);
      if (!HARNESS_SCRIPTS.has(scriptTreePath(path, src))) scripts.push(resolveScript(root, path, src));
    } else {
      if (inline !== undefined) throw new Error(`${path}: more than one inline <script> is not supported`);
      inline = body!;
    }
  }
  if (inline === undefined) throw new Error(`${path}: no inline <script>`);
  return { id: `/${path}`, path: join(root, ...path.split('/')), scripts, scope: 'window', long: false, inline };
}

/** POSIX paths (relative to root) of the files under `dir`; none when it does not exist. */
async function walk(root: string, dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(join(root, dir), { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const entry of entries) {
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await walk(root, path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}
