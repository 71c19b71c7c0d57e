// An app's module (and everything it imports) bundled into one script for its isolate.
import { isAbsolute, resolve, sep } from 'node:path';
import { build } from 'esbuild';

export interface AppBundle {
  code: string;
  /** Shown in the app's stack traces. */
  filename: string;
  /** The app's own source files in the bundle (absolute paths; none under node_modules): what the watcher watches. */
  inputs: string[];
}

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
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions: ['worker', 'browser'],
    target: 'es2022',
    logLevel: 'silent',
    sourcemap: false,
    metafile: true,
  }).catch((error: { errors?: { text: string; location?: { file: string; line: number } | null }[] }) => {
    const first = error.errors?.[0];
    const where = first?.location ? ` (${first.location.file}:${first.location.line})` : '';
    throw new Error(`cannot bundle ${entry}: ${first?.text ?? String(error)}${where}`);
  });
  const code = result.outputFiles[0]!.text;
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
  return { code: `(function () {\n"use strict";\n${code}\nreturn __nanoApp === undefined ? undefined : __nanoApp.default;\n})()`, filename: `app:${entry}`, inputs };
}
