/**
 * `// META: key=value` lines of a WPT script test. As WPT's manifest tool reads them: only
 * the lines at the very top of the file, up to the first line that is not one.
 */
export interface Meta {
  /** `global=` variants, e.g. ['window', 'worker', 'shadowrealm']; WPT's default when absent. */
  globals: string[];
  /** `script=` includes, as written (relative to the file, or `/`-rooted in the WPT tree). */
  scripts: string[];
  /** `timeout=long`. */
  long: boolean;
  /** `title=`, when given. */
  title?: string;
  /** `variant=` query strings (`?1-10`), each its own test. */
  variants: string[];
}

const META_LINE = /^\/\/\s*META:\s*(\w*)=(.*)$/;
const DEFAULT_GLOBALS = ['window', 'dedicatedworker'];

export function parseMeta(source: string): Meta {
  const meta: Meta = { globals: [], scripts: [], long: false, variants: [] };
  for (const line of source.split('\n')) {
    const match = META_LINE.exec(line.trimEnd());
    if (!match) break;
    const [, key, value = ''] = match;
    const text = value.trim();
    if (key === 'global') meta.globals.push(...text.split(',').map((g) => g.trim()).filter(Boolean));
    else if (key === 'script') meta.scripts.push(text);
    else if (key === 'timeout') meta.long = text === 'long';
    else if (key === 'title') meta.title = text;
    else if (key === 'variant') meta.variants.push(text);
  }
  if (meta.globals.length === 0) meta.globals = [...DEFAULT_GLOBALS];
  return meta;
}

/**
 * Which scope a file runs as here, or undefined when none of its variants is a window,
 * a worker or a ShadowRealm (we run each eligible file once, not once per variant).
 */
export function runScope(globals: readonly string[]): 'window' | 'worker' | undefined {
  if (globals.some((g) => g.includes('worker') || g.startsWith('shadowrealm'))) return 'worker';
  if (globals.includes('window') || globals.includes('jsshell')) return 'window';
  return undefined;
}
