// An app's static assets, as Workers' assets binding serves them (`env.ASSETS.fetch(request)`,
// https://developers.cloudflare.com/workers/static-assets/binding/): the file under the app's
// `assets.directory` that the request's path names, or 404. Astro's Workers build calls it for
// every path no route claims; SvelteKit's and Qwik's for their static files.
//
// Lookup (Workers' default html_handling, without its redirects): `/a/` is `a/index.html`; `/a`
// is the file `a`, else `a.html`, else `a/index.html`. A path that decodes to `..`, a NUL or a
// separator inside a segment, or that resolves (symbolic links followed) outside the directory, is
// 404. GET and HEAD only (405 otherwise); an ETag from the file's size and mtime answers a
// matching If-None-Match with 304; Cache-Control as Workers sets it on assets.
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import type { ChunkReader } from './http-fetch.js';

/** Workers refuses to deploy an asset over 25 MiB; one here is not served (404). */
export const ASSET_MAX_BYTES = 25 * 1024 * 1024;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.pdf': 'application/pdf',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.mp3': 'audio/mpeg',
};

/** An asset response: its head, and its whole body (none for HEAD, 304, 404, 405). */
export interface AssetResponse {
  status: number;
  statusText: string;
  headers: [string, string][];
  bytes: Uint8Array | null;
}

function response(status: number, statusText: string, headers: [string, string][], bytes: Uint8Array | null): AssetResponse {
  return { status, statusText, headers, bytes };
}

/** A reader giving `bytes` in parts of at most `part` bytes (views, no copies). */
export function slicesReader(bytes: Uint8Array, part: number): ChunkReader {
  let at = 0;
  return {
    read: () => {
      if (at >= bytes.byteLength) return Promise.resolve({ done: true, value: undefined });
      const end = Math.min(at + part, bytes.byteLength);
      const value = bytes.subarray(at, end);
      at = end;
      return Promise.resolve({ done: false, value });
    },
    cancel: () => {
      at = bytes.byteLength;
      return Promise.resolve();
    },
  };
}

/** The path's segments decoded, or undefined when one could name something outside its place. */
function segmentsOf(pathname: string): string[] | undefined {
  const segments: string[] = [];
  for (const raw of pathname.split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (segment === '' || segment === '.') continue;
    if (segment === '..' || /[/\\\0]/.test(segment)) return undefined;
    segments.push(segment);
  }
  return segments;
}

interface AssetFile {
  path: string;
  size: number;
  mtimeMs: number;
}

/** Files at the directory's root that configure Workers' assets (headers, redirects, ignores). */
const CONFIGURATION_FILES = ['_headers', '_redirects', '.assetsignore'];

export class AssetDirectory {
  readonly #directory: string;
  #root: Promise<string> | undefined;

  constructor(directory: string) {
    this.#directory = directory;
  }

  /** The file a candidate path names, if it is a file inside the directory (links resolved). */
  async #file(relative: string[]): Promise<AssetFile | undefined> {
    // Workers reads these as configuration of the assets, never serves them.
    if (relative.length === 1 && CONFIGURATION_FILES.includes(relative[0]!)) return undefined;
    let root: string;
    try {
      root = await (this.#root ??= realpath(this.#directory));
    } catch {
      // No such directory (yet): nothing is served, and it is looked for again next time.
      this.#root = undefined;
      return undefined;
    }
    try {
      const path = await realpath(join(root, ...relative));
      if (!path.startsWith(root + sep)) return undefined;
      const info = await stat(path);
      return info.isFile() ? { path, size: info.size, mtimeMs: info.mtimeMs } : undefined;
    } catch {
      return undefined;
    }
  }

  /** What `env.ASSETS.fetch(request)` answers for this method, URL and header list. */
  async serve(method: string, url: string, headers: readonly [string, string][]): Promise<AssetResponse> {
    if (method !== 'GET' && method !== 'HEAD') return response(405, 'Method Not Allowed', [['allow', 'GET, HEAD']], null);
    const pathname = new URL(url).pathname;
    const segments = segmentsOf(pathname);
    let file: AssetFile | undefined;
    if (segments !== undefined) {
      const last = segments[segments.length - 1];
      const candidates = pathname.endsWith('/') || last === undefined
        ? [[...segments, 'index.html']]
        : [segments, [...segments.slice(0, -1), `${last}.html`], [...segments, 'index.html']];
      for (const candidate of candidates) {
        file = await this.#file(candidate);
        if (file !== undefined) break;
      }
    }
    if (file === undefined || file.size > ASSET_MAX_BYTES) return response(404, 'Not Found', [], null);
    const etag = `"${file.size.toString(16)}-${Math.floor(file.mtimeMs).toString(16)}"`;
    const common: [string, string][] = [
      ['etag', etag],
      ['cache-control', 'public, max-age=0, must-revalidate'],
    ];
    const ifNoneMatch = headers.find(([name]) => name.toLowerCase() === 'if-none-match')?.[1];
    if (ifNoneMatch !== undefined && (ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag))) {
      return response(304, 'Not Modified', common, null);
    }
    const type = TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream';
    const head: [string, string][] = [['content-type', type], ['content-length', String(file.size)], ...common];
    if (method === 'HEAD') return response(200, 'OK', head, null);
    const bytes = await readFile(file.path);
    return response(200, 'OK', head, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }
}
