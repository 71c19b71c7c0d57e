import type { HostName } from '../cli.js';
import type { Host } from '../types.js';
import { LibraryHost, type LibraryHostConfig } from './library.js';

/**
 * The host a run uses, by `--host` name. One host runs one file at a time; the pool makes
 * `--jobs` of them. An isolate host (isolated-vm) will be added here beside library mode.
 */
export function createHost(name: HostName, config: LibraryHostConfig): Host {
  switch (name) {
    case 'library':
      return new LibraryHost(config);
  }
}
