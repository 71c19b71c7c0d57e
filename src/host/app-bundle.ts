// An app's module (and everything it imports) bundled into one script for its isolate.
import { build } from 'esbuild';

export interface AppBundle {
  code: string;
  /** Shown in the app's stack traces. */
  filename: string;
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
  }).catch((error: { errors?: { text: string; location?: { file: string; line: number } | null }[] }) => {
    const first = error.errors?.[0];
    const where = first?.location ? ` (${first.location.file}:${first.location.line})` : '';
    throw new Error(`cannot bundle ${entry}: ${first?.text ?? String(error)}${where}`);
  });
  const code = result.outputFiles[0]!.text;
  // A module that exports nothing leaves __nanoApp undefined: its default export is undefined
  // too, which the runtime refuses with what an app must export.
  return { code: `(function () {\n"use strict";\n${code}\nreturn __nanoApp === undefined ? undefined : __nanoApp.default;\n})()`, filename: `app:${entry}` };
}
