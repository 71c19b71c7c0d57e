// The isolate runtime as one script: src/runtime/entry.ts bundled by esbuild (once per process),
// wrapped so its exports stay local: evaluating it defines nothing but what boot() installs.
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { build } from 'esbuild';

export interface RuntimeBundle {
  /** The script every isolate runs (or a startup snapshot holds): prepares the runtime and leaves `__nanoBoot(info)`. */
  snapshotCode: string;
  filename: string;
}

let bundle: Promise<RuntimeBundle> | undefined;

/** The entry: the TypeScript source in a checkout, or the compiled file in dist/. */
function entryPath(): string {
  const ts = fileURLToPath(new URL('../../runtime/entry.ts', import.meta.url));
  return existsSync(ts) ? ts : fileURLToPath(new URL('../../runtime/entry.js', import.meta.url));
}

export function runtimeBundle(): Promise<RuntimeBundle> {
  bundle ??= build({
    entryPoints: [entryPath()],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: '__nanoRuntime',
    platform: 'neutral',
    target: 'es2022',
    // No keepNames: it defines `name` on every named closure when it is created (3x slower
    // iteration); interface names are set by defineInterface, whatever the bundler renames.
    keepNames: false,
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'silent',
  }).then((result) => {
    const text = result.outputFiles[0]!.text;
    return {
      // A function scope: `var __nanoRuntime` stays local.
      snapshotCode: `Object.defineProperty(globalThis, '__nanoBoot', { configurable: true, writable: true, value: (function () {\n${text}\n__nanoRuntime.prepare();\nreturn __nanoRuntime.boot;\n})() });`,
      filename: 'nano:runtime',
    };
  });
  return bundle;
}
