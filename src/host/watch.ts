// Watches the config file and the app modules: fs.watch with a debounce, and a stat poll as
// the fallback (fs.watch misses editors that replace files, and some file systems). A change
// is handled once: both see most edits (the poll up to a second later), and each file's stat as
// last handled decides whether there is anything new.
import { statSync, watch, watchFile, unwatchFile, type FSWatcher } from 'node:fs';
import { resolve } from 'node:path';

export interface ConfigWatcher {
  close(): void;
}

const DEBOUNCE_MS = 150;
const POLL_MS = 1_000;

/**
 * Calls `onChange` when the config file or one of `modules()` changes; once the change is handled
 * (a promise `onChange` returns settles), watches what `modules()` names then.
 */
export function watchConfig(configPath: string, modules: () => string[], onChange: () => unknown): ConfigWatcher {
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  /** Each watched file's stat when it was last handled (or first watched). */
  const seen = new Map<string, string>();
  const wantedPaths = (): Set<string> => new Set([resolve(configPath), ...modules().map((m) => resolve(m))]);
  const fire = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      // Nothing new since the last change handled (the poll seeing an edit fs.watch reported):
      // no second reload.
      let changed = false;
      for (const path of wantedPaths()) {
        const now = signature(path);
        if (seen.get(path) !== now) changed = true;
        seen.set(path, now);
      }
      if (!changed) return;
      const settled = (): void => {
        if (!closed) rewatch();
      };
      Promise.resolve(onChange()).then(settled, settled);
    }, DEBOUNCE_MS);
  };
  const watchers = new Map<string, FSWatcher>();
  const polled = new Set<string>();
  const rewatch = (): void => {
    const wanted = wantedPaths();
    for (const path of seen.keys()) if (!wanted.has(path)) seen.delete(path);
    for (const path of wanted) if (!seen.has(path)) seen.set(path, signature(path));
    for (const [path, watcher] of watchers) {
      if (!wanted.has(path)) {
        watcher.close();
        watchers.delete(path);
      }
    }
    for (const path of polled) {
      if (!wanted.has(path)) {
        unwatchFile(path);
        polled.delete(path);
      }
    }
    for (const path of wanted) {
      if (!watchers.has(path)) {
        try {
          const watcher = watch(path, { persistent: false }, fire);
          watcher.on('error', () => {
            watcher.close();
            watchers.delete(path);
          });
          watchers.set(path, watcher);
        } catch {
          // Missing or unwatchable: the poll below still sees it appear or change.
        }
      }
      if (!polled.has(path)) {
        watchFile(path, { interval: POLL_MS, persistent: false }, (now, before) => {
          if (now.mtimeMs !== before.mtimeMs || now.size !== before.size || now.ino !== before.ino) fire();
        });
        polled.add(path);
      }
    }
  };
  rewatch();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      for (const path of polled) unwatchFile(path);
      watchers.clear();
      polled.clear();
    },
  };
}

/** What tells one version of a file from another: its modification time, size and inode (replaced by a rename). */
function signature(path: string): string {
  try {
    const stat = statSync(path);
    return `${stat.mtimeMs} ${stat.size} ${stat.ino}`;
  } catch {
    return 'missing';
  }
}
