import { build } from 'esbuild';

/** A script for a test realm: evaluating `code` leaves the entry's exports in `var <globalName>`. */
export interface RealmBundle {
  code: string;
  globalName: string;
  /** Shown in stack traces. */
  filename: string;
}

const cache = new Map<string, Promise<RealmBundle>>();

/**
 * Bundles a TypeScript entry into one IIFE script, in memory, once per run: every test realm
 * evaluates the same text, so each gets its own copy of the classes (never the host's).
 */
export function bundleEntry(entry: string, globalName: string): Promise<RealmBundle> {
  let bundle = cache.get(entry);
  if (!bundle) {
    bundle = build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'iife',
      globalName,
      platform: 'neutral',
      target: 'es2022',
      // No keepNames: it defines `name` on every named closure when it is created (3x slower
      // iteration); interface names are set by defineInterface, whatever the bundler renames.
      keepNames: false,
      logLevel: 'silent',
    }).then((result) => ({ code: result.outputFiles[0]!.text, globalName, filename: entry }));
    cache.set(entry, bundle);
  }
  return bundle;
}
