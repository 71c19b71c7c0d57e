import type { HostName } from '../cli.js';
import type { Host } from '../types.js';
import { IsolateHost } from './isolate.js';
import { LibraryHost, type LibraryHostConfig } from './library.js';

/**
 * The host a run uses, by `--host` name. One host runs one file at a time; the pool makes
 * `--jobs` of them: library mode (node:vm realms) or the isolate (isolated-vm, the app's runtime).
 */
export function createHost(name: HostName, config: LibraryHostConfig): Host {
  switch (name) {
    case 'library':
      return new LibraryHost(config);
    case 'isolate':
      return new IsolateHost({ wptRoot: config.wptRoot, verbose: config.verbose });
  }
}
