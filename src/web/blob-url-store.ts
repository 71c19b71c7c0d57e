// The blob URL store of the File API (https://w3c.github.io/FileAPI/#url): one per realm,
// filled by URL.createObjectURL, emptied by URL.revokeObjectURL, read by fetch() of a blob: URL.
import { isBlob, type Blob } from './blob.js';
import { generateRandomUUID } from './crypto.js';

const store = new Map<string, Blob>();

/** https://w3c.github.io/FileAPI/#unicodeBlobURL: "blob:", the origin (opaque: "null"), "/", a UUID. */
function generateNewBlobURL(serializedOrigin: string): string {
  return `blob:${serializedOrigin}/${generateRandomUUID()}`;
}

/** https://w3c.github.io/FileAPI/#add-an-entry */
export function addBlobURLEntry(blob: Blob, serializedOrigin: string): string {
  const url = generateNewBlobURL(serializedOrigin);
  store.set(url, blob);
  return url;
}

/** https://w3c.github.io/FileAPI/#removeTheEntry (the URL serialized, its fragment kept). */
export function removeBlobURLEntry(url: string): void {
  store.delete(url);
}

/** The Blob behind a blob: URL serialized without its fragment, or null (https://w3c.github.io/FileAPI/#blob-url-resolve). */
export function resolveBlobURL(urlWithoutFragment: string): Blob | null {
  const blob = store.get(urlWithoutFragment);
  return blob !== undefined && isBlob(blob) ? blob : null;
}
