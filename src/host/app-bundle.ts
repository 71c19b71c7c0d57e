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
 * Bundles `entry` (an ES module exporting `default { fetch }`) with esbuild, for a web-like
 * platform (the `worker` and `browser` export conditions), and wraps it so evaluating it
 * returns the default export and leaves nothing on the global.
 */
export async function bundleApp(entry: string): Promise<AppBundle> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: '__nanoApp',
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
    plugins: [moduleRules],
    target: 'es2022',
    logLevel: 'silent',
    // A map beside the code (nothing is written: the path only anchors the map's relative sources).
    sourcemap: 'external',
    sourcesContent: false,
    outfile: join(dirname(resolve(entry)), '__nano_bundle.js'),
    metafile: true,
  }).catch((error: { errors?: { text: string; location?: { file: string; line: number } | null }[] }) => {
    const first = error.errors?.[0];
    const where = first?.location ? ` (${first.location.file}:${first.location.line})` : '';
    throw new Error(`cannot bundle ${entry}: ${first?.text ?? String(error)}${where}`);
  });
  const script = result.outputFiles.find((file) => file.path.endsWith('.js'))!;
  const mapFile = result.outputFiles.find((file) => file.path.endsWith('.js.map'));
  const code = script.text;
  let map: SourceMap | undefined;
  try {
    map = mapFile === undefined ? undefined : new SourceMap(mapFile.text, script.path, WRAPPER_LINES);
  } catch {
    map = undefined; // esbuild's own maps parse; without one, positions stay the bundle's
  }
  // A module that exports nothing leaves __nanoApp undefined: its default export is undefined
  // too, which the runtime refuses with what an app must export.
  // The metafile names inputs relative to esbuild's working directory; files of other namespaces
  // are "namespace:path".
  const inputs: string[] = [];
  for (const input of Object.keys(result.metafile.inputs)) {
    if (/^[a-z][a-z0-9-]*:/i.test(input) && !isAbsolute(input)) continue;
    const path = resolve(input);
    if (!path.split(sep).includes('node_modules')) inputs.push(path);
  }
  return { code: `(function () {\n"use strict";\n${code}\nreturn __nanoApp === undefined ? undefined : __nanoApp.default;\n})()`, filename: `app:${entry}`, inputs, map };
}
