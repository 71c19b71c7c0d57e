/**
 * Library-mode entry: esbuild bundles this into one script that every test realm evaluates,
 * then the host calls setup() with the realm's global.
 */
import { install } from '../src/streams/install.js';

/**
 * Host services library mode hands the bundle (not globals: tests must not see them).
 * The compression streams' codec bridge will be added here.
 */
export type LibraryBridge = Record<string, never>;

export function setup(global: typeof globalThis, _bridge: LibraryBridge): void {
  install(global);
}
