// Bundles what the children run, so no child pays for tsx (its loader thread, its heap, its
// startup) and NANO runs as shipped: one esbuild bundle, the options the WPT harness uses.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import type { BundlePaths } from './types.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
// Inside node_modules so the child's bare imports (polyfill, fast, isolated-vm) resolve from the
// repo's node_modules, and out of git without touching .gitignore.
const outDir = `${root}node_modules/.cache/nano-bench`;

export const NANO_ENTRY = here('./nano-entry.ts');
const NANO_INSTALL_ENTRY = here('./nano-install-entry.ts');

/** As conformance/bundle.ts (no keepNames: interface names come from defineInterface). */
export const streamsOptions: BuildOptions = {
  bundle: true,
  platform: 'neutral',
  mainFields: ['module', 'main'],
  target: 'es2022',
  keepNames: false,
  logLevel: 'error',
};

export async function buildBundles(): Promise<BundlePaths> {
  // A fresh directory: a stale NANO bundle must never stand in for missing sources.
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const bundles: BundlePaths = {
    child: `${outDir}/child.mjs`,
    nanoModule: `${outDir}/nano.mjs`,
    nanoScript: `${outDir}/nano-install.js`,
    scenariosScript: `${outDir}/scenarios.js`,
  };
  const builds: Promise<unknown>[] = [
    build({
      entryPoints: [here('./child.ts')],
      outfile: bundles.child,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // Implementations load from node_modules as published, not re-bundled.
      packages: 'external',
      logLevel: 'error',
    }),
    build({
      ...streamsOptions,
      entryPoints: [here('./scenarios.ts')],
      outfile: bundles.scenariosScript,
      format: 'iife',
      globalName: '__benchScenarios',
    }),
  ];
  // Until the lead's streams exist the nano implementations report n/a (their bundles are absent).
  if (existsSync(NANO_ENTRY)) {
    builds.push(
      build({ ...streamsOptions, entryPoints: [NANO_ENTRY], outfile: bundles.nanoModule, format: 'esm' }),
      build({
        ...streamsOptions,
        entryPoints: [NANO_INSTALL_ENTRY],
        outfile: bundles.nanoScript,
        format: 'iife',
        globalName: '__nanoInstall',
      }),
    );
  }
  await Promise.all(builds);
  return bundles;
}
