import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { RealmHost } from '../realm/contract.js';
import type { TestFile } from '../types.js';

/**
 * What the realm's prelude gets in library mode: Node's own objects for what the implementation
 * under test may lack. NANO installs its own over most of them (structuredClone, MessageChannel,
 * events, AbortSignal, the text and compression streams, and the rest as they land); those left
 * are host-realm objects, so a test comparing their errors' constructors can mis-score.
 */
export function realmHost(wptRoot: string, file: TestFile, verbose: boolean): RealmHost {
  const quiet = Object.fromEntries(['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir', 'assert'].map((k) => [k, () => {}]));
  const host: RealmHost = {
    // With --expose-gc every context already has its own `gc`, which common/gc.js uses.
    globals: {
      structuredClone, MessageChannel, MessagePort, MessageEvent,
      TextEncoder, TextDecoder, URL, URLSearchParams, Blob,
      AbortController, AbortSignal, DOMException, EventTarget, Event,
      console: verbose ? console : quiet,
      fetch: wptFetch(wptRoot, file),
    },
    setTimeout: (callback, delay) => setTimeout(callback, delay),
    setInterval: (callback, delay) => setInterval(callback, delay),
    clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
    scope: file.scope,
    title: file.path.slice(file.path.lastIndexOf(sep) + 1).split('.')[0]!,
  };
  // Every file gets a location (WPT's worker scope has one): the API base URL relative URLs
  // resolve against, and what common/subset-tests.js reads for variants.
  const url = new URL(`http://web-platform.test${file.id}`);
  host.location = { href: url.href, pathname: url.pathname, search: url.search, hash: '' };
  return host;
}

/**
 * A `fetch` that serves the WPT tree as wptserve would serve static files (idlharness loads
 * /interfaces/*.idl, compression tests load /media files). Nothing outside the tree is read.
 */
function wptFetch(root: string, file: TestFile): (input: unknown) => Promise<Response> {
  const base = `http://web-platform.test${urlPath(root, file.path)}`;
  return async (input) => {
    const bytes = await readWptUrl(root, new URL(String(input), base).href);
    return new Response(bytes, { status: bytes === null ? 404 : 200 });
  };
}

/** The path in the tree of a `http://web-platform.test/...` URL, or null outside it. */
function wptPath(root: string, href: string): string | null {
  const url = new URL(href);
  const path = join(root, decodeURIComponent(url.pathname));
  return url.origin !== 'http://web-platform.test' || !path.startsWith(root + sep) ? null : path;
}

/** The bytes of a `http://web-platform.test/...` URL's file in the tree, or null. */
export async function readWptUrl(root: string, href: string): Promise<Uint8Array | null> {
  const path = wptPath(root, href);
  return path === null ? null : readFile(path).catch(() => null);
}

export function readWptUrlSync(root: string, href: string): Uint8Array | null {
  const path = wptPath(root, href);
  try {
    return path === null ? null : readFileSync(path);
  } catch {
    return null;
  }
}

/** `/streams/piping/abort.any.js` for a file in the tree: the URL path WPT would serve it at. */
export function urlPath(root: string, path: string): string {
  return path.slice(root.length).split(sep).join('/');
}
