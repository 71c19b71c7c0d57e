// The isolate runtime as one script: src/runtime/entry.ts bundled by esbuild (once per process),
// wrapped so its exports stay local: evaluating it defines nothing but what boot() installs.
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { build } from 'esbuild';

export interface RuntimeBundle {
  code: string;
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
    // Class and function names are WebIDL surface.
    keepNames: true,
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'silent',
  }).then((result) => ({
    // A function scope: `var __nanoRuntime` stays local, then boot() runs with the info given.
    code: `(function (info) {\n${result.outputFiles[0]!.text}\n__nanoRuntime.boot(info);\n})`,
    filename: 'nano:runtime',
  }));
  return bundle;
}
