import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { bundleEntry, type RealmBundle } from './bundle.js';

/** Which streams implementation the realms get. `nano` is ours; the others calibrate the harness. */
export const IMPL_NAMES = ['nano', 'node', 'polyfill', 'polyfill-es5'] as const;
export type ImplName = (typeof IMPL_NAMES)[number];

/**
 * How an implementation reaches a realm:
 * - `script`: evaluated inside every realm, so its classes belong to that realm. If the script
 *   leaves exports in `bundle.globalName` with a `setup(global, bridge)`, the host calls it.
 * - `node-builtins`: Node's own classes from `node:stream/web`, defined on the realm's global.
 *   They stay host-realm objects, so checks that compare constructors across realms mis-score.
 */
export type RealmImpl = { kind: 'script'; bundle: RealmBundle } | { kind: 'node-builtins' };

export async function loadImpl(name: ImplName): Promise<RealmImpl> {
  switch (name) {
    case 'nano':
      return { kind: 'script', bundle: await bundleEntry(fileURLToPath(new URL('./library-entry.ts', import.meta.url)), '__nanoLibrary') };
    case 'polyfill':
    case 'polyfill-es5': {
      // web-streams-polyfill's browser builds (ES2015+, or ES5 with function-based classes)
      // define the classes on the global they run in.
      const specifier = name === 'polyfill' ? 'web-streams-polyfill/polyfill' : 'web-streams-polyfill/polyfill/es5';
      const path = createRequire(import.meta.url).resolve(specifier);
      return { kind: 'script', bundle: { code: await readFile(path, 'utf8'), globalName: '', filename: path } };
    }
    case 'node':
      return { kind: 'node-builtins' };
  }
}
