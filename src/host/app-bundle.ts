// An app's module (and everything it imports) bundled into one script for its isolate.
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { SourceMap } from './source-map.js';

export interface AppBundle {
  code: string;
  /** Shown in the app's stack traces. */
  filename: string;
  /** The app's own source files in the bundle (absolute paths; none under node_modules): what the watcher watches. */
  inputs: string[];
  /** Positions in the bundle to the files they came from (the app's log lines name those). */
  map: SourceMap | undefined;
  /**
   * The module awaits at its top level: evaluating `code` gives a promise of the default export
   * (the host awaits it), not the export itself.
   */
  async: boolean;
}

/** Lines the wrapper puts before the bundle (see the end of bundleApp). */
const WRAPPER_LINES = 2;

/** Imports of WebAssembly and data files, with wrangler's default module rules (CompiledWasm, Data). */
const WRAPPED = 'nano-module-rule';

/**
 * `import mod from './x.wasm'` (or `x.wasm?module`) gives a WebAssembly.Module and `import data
 * from './x.bin'` an ArrayBuffer, as on Workers; the bytes go into the bundle (esbuild's binary
 * loader) and are compiled by the isolate's WebAssembly.Module, whose memory caps apply.
 */
const moduleRules: Plugin = {
  name: 'nano-module-rules',
  setup(b) {
    b.onResolve({ filter: /\.(wasm|bin)(\?module)?$/ }, async (args) => {
      if (args.namespace === WRAPPED) return undefined; // the wrapper's own import of the bytes
      const path = args.path.replace(/\?module$/, '');
      const resolved = await b.resolve(path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, namespace: WRAPPED });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      return { path: resolved.path, namespace: WRAPPED };
    });
    b.onLoad({ filter: /.*/, namespace: WRAPPED }, (args) => {
      const bytes = JSON.stringify(args.path);
      const value = args.path.endsWith('.wasm') ? 'new WebAssembly.Module(bytes)' : 'bytes.buffer';
      return { contents: `import bytes from ${bytes};\nexport default ${value};\n`, resolveDir: dirname(args.path), loader: 'js' };
    });
  },
};

/**
 * `import { env } from 'cloudflare:workers'`, as Workers' ES modules reach their env at the top
 * level (Astro's and SvelteKit's Workers builds do): the app's env, the frozen object its fetch()
 * gets, which the runtime puts on the global before the module runs (runtime/serve.ts
 * defineEnv). Workers' other exports of the module (WorkerEntrypoint, DurableObject, waitUntil...)
 * are not provided: importing one fails the bundle, naming it.
 */
const cloudflareWorkers: Plugin = {
  name: 'nano-cloudflare-workers',
  setup(b) {
    b.onResolve({ filter: /^cloudflare:workers$/ }, (args) => ({ path: args.path, namespace: 'nano-cloudflare' }));
    b.onLoad({ filter: /.*/, namespace: 'nano-cloudflare' }, () => ({
      contents: 'export const env = globalThis.__nanoEnv;\n',
      loader: 'js',
    }));
  },
};

/**
 * Bundles `entry` (an ES module exporting `default { fetch }`) with esbuild, for a web-like
 * platform (the `worker` and `browser` export conditions), and wraps it so evaluating it
 * returns the default export (a promise of it, for a module with top-level await) and leaves
 * nothing on the global.
 */
export async function bundleApp(entry: string): Promise<AppBundle> {
  // A module graph with top-level await (which Workers' ES modules may use) cannot be an iife:
  // esbuild says so, and it is bundled as a module instead, its body run in an async function.
  const iife = await esbuildApp(entry, 'iife').catch((error: unknown) => {
    if (esbuildErrors(error).some((e) => /^Top-level await is currently not supported/.test(e.text))) return undefined;
    throw bundleError(entry, error);
  });
  let result = iife;
  if (result === undefined) {
    try {
      result = await esbuildApp(entry, 'esm');
    } catch (error) {
      throw bundleError(entry, error);
    }
  }
  const script = result.outputFiles.find((file) => file.path.endsWith('.js'))!;
  const mapFile = result.outputFiles.find((file) => file.path.endsWith('.js.map'));
  let map: SourceMap | undefined;
  try {
    map = mapFile === undefined ? undefined : new SourceMap(mapFile.text, script.path, WRAPPER_LINES);
  } catch {
    map = undefined; // esbuild's own maps parse; without one, positions stay the bundle's
  }
  // The metafile names inputs relative to esbuild's working directory; files of other namespaces
  // are "namespace:path".
  const inputs: string[] = [];
  for (const input of Object.keys(result.metafile.inputs)) {
    if (/^[a-z][a-z0-9-]*:/i.test(input) && !isAbsolute(input)) continue;
    const path = resolve(input);
    if (!path.split(sep).includes('node_modules')) inputs.push(path);
  }
  const filename = `app:${entry}`;
  if (iife !== undefined) {
    // A module that exports nothing leaves __nanoApp undefined: its default export is undefined
    // too, which the runtime refuses with what an app must export.
    const code = `(function () {\n"use strict";\n${script.text}\nreturn __nanoApp === undefined ? undefined : __nanoApp.default;\n})()`;
    return { code, filename, inputs, map, async: false };
  }
  const { body, defaultName } = moduleBody(script.text);
  // The module's body in an async function (as many lines before it as the iife's wrapper):
  // its top-level awaits hold the default export back, as a module's evaluation would.
  const code = `(async function () {\n"use strict";\n${body}\nreturn ${defaultName ?? 'undefined'};\n})()`;
  return { code, filename, inputs, map, async: true };
}

/** esbuild's messages in a failed build's error (none when it is not one). */
function esbuildErrors(error: unknown): { text: string; location?: { file: string; line: number } | null }[] {
  return (error as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors ?? [];
}

function bundleError(entry: string, error: unknown): Error {
  const first = esbuildErrors(error)[0];
  const where = first?.location ? ` (${first.location.file}:${first.location.line})` : '';
  return new Error(`cannot bundle ${entry}: ${first?.text ?? String(error)}${where}`);
}

/**
 * esbuild's ESM output without its closing `export { name as default, ... };` clause (the only
 * export statement of a bundle with no external imports), and the name exported as default.
 */
function moduleBody(code: string): { body: string; defaultName: string | undefined } {
  const clause = /\nexport\s*\{([^}]*)\};?\s*$/.exec(code);
  if (clause === null) return { body: code, defaultName: undefined };
  let defaultName: string | undefined;
  for (const specifier of clause[1]!.split(',')) {
    const named = /^\s*([\w$]+)\s+as\s+default\s*$/.exec(specifier);
    if (named !== null) defaultName = named[1];
  }
  return { body: code.slice(0, clause.index), defaultName };
}

/** One esbuild run over the app's module graph, as `format`. */
function esbuildApp(entry: string, format: 'iife' | 'esm') {
  return build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format,
    // The iife's result, read by the wrapper (bundleApp).
    ...(format === 'iife' ? { globalName: '__nanoApp' } : {}),
    // The module's body runs as a script's (bundleApp): import.meta is an empty object there, as
    // an iife makes it.
    ...(format === 'esm' ? { supported: { 'import-meta': false } } : {}),
    // As wrangler bundles a Worker (esbuild's browser platform): a package.json `browser` field,
    // the entry and its file map, names the build for runtimes without Node's modules.
    platform: 'browser',
    mainFields: ['browser', 'module', 'main'],
    conditions: ['worker', 'browser'],
    // Packages written for bundlers (React first) branch on process.env.NODE_ENV, which an isolate
    // has no `process` to answer: wrangler replaces it at build time, with 'production' unless set.
    define: { 'process.env.NODE_ENV': '"production"' },
    // wrangler's default module rules: text files as strings, WebAssembly and .bin through moduleRules.
    loader: { '.txt': 'text', '.html': 'text', '.sql': 'text', '.wasm': 'binary', '.bin': 'binary' },
    plugins: [moduleRules, cloudflareWorkers],
    target: 'es2022',
    logLevel: 'silent',
    // A map beside the code (nothing is written: the path only anchors the map's relative sources).
    sourcemap: 'external',
    sourcesContent: false,
    outfile: join(dirname(resolve(entry)), '__nano_bundle.js'),
    metafile: true,
  });
}
