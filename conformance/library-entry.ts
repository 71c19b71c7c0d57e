/**
 * Library-mode entry: esbuild bundles this into one script that every test realm evaluates,
 * then the host calls setup() with the realm's global and the host services (the bridge).
 */
import { installGlobals, type RuntimeBridge } from '../src/runtime/globals.js';

export type LibraryBridge = RuntimeBridge;

export function setup(global: typeof globalThis, bridge: LibraryBridge): void {
  installGlobals(global, bridge);
}
