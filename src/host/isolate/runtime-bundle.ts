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

/**
 * The ECMAScript globals the runtime names, bound as constants around the bundle when it is
 * evaluated (before any app code): the runtime's `Math.trunc`, `Promise.resolve`, `new Error`...
 * then reach the intrinsics even after an app replaces `globalThis.Math` or `globalThis.Promise`
 * (a getter that throws, a polyfill's look-alike). Not SharedArrayBuffer, which a snapshot may
 * lack; not Atomics or WebAssembly, which the runtime adjusts on the global itself.
 */
const INTRINSIC_GLOBALS = [
  'globalThis', 'Object', 'Function', 'Array', 'Number', 'Boolean', 'String', 'Symbol', 'BigInt', 'Date', 'Promise', 'RegExp',
  'Error', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError', 'JSON', 'Math', 'Reflect',
  'ArrayBuffer', 'DataView', 'Uint8Array', 'Int8Array', 'Uint8ClampedArray', 'Uint16Array', 'Int16Array', 'Uint32Array',
  'Int32Array', 'Float32Array', 'Float64Array', 'BigUint64Array', 'BigInt64Array', 'Map', 'Set', 'WeakMap', 'WeakSet',
  'WeakRef', 'FinalizationRegistry', 'parseInt', 'parseFloat', 'escape', 'unescape',
] as const;

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
      // A function scope: `var __nanoRuntime` stays local; the intrinsics are its constants.
      snapshotCode: `Object.defineProperty(globalThis, '__nanoBoot', { configurable: true, writable: true, value: (function (global) {\n'use strict';\nconst { ${INTRINSIC_GLOBALS.join(', ')} } = global;\n${text}\n__nanoRuntime.prepare();\nreturn __nanoRuntime.boot;\n})(globalThis) });`,
      filename: 'nano:runtime',
    };
  });
  return bundle;
}
