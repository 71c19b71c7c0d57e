// Subresource Integrity for fetch()'s `integrity` (main fetch step 22 of
// https://fetch.spec.whatwg.org/#main-fetch): does the response body match the request's
// integrity metadata? https://w3c.github.io/webappsec-subresource-integrity/
import { digestBytes } from '../crypto-subtle.js';
import { forgivingBase64Decode } from '../base64.js';

type HashAlgorithm = 'sha256' | 'sha384' | 'sha512';
interface Metadata {
  alg: HashAlgorithm;
  val: string;
}

/** Strength order for "get the strongest metadata from set". */
const STRENGTH: Readonly<Record<HashAlgorithm, number>> = { sha256: 1, sha384: 2, sha512: 3 };
const DIGEST_NAME: Readonly<Record<HashAlgorithm, 'SHA-256' | 'SHA-384' | 'SHA-512'>> = { sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' };

/** https://w3c.github.io/webappsec-subresource-integrity/#parse-metadata */
export function parseMetadata(metadata: string): Metadata[] {
  const result: Metadata[] = [];
  for (const item of metadata.split(/[\t\n\f\r ]+/)) {
    if (item === '') continue;
    // The options after `?` are ignored; the algorithm is what precedes the first `-`.
    const expression = item.split('?')[0]!;
    const dash = expression.indexOf('-');
    if (dash === -1) continue;
    const alg = expression.slice(0, dash).toLowerCase();
    if (alg !== 'sha256' && alg !== 'sha384' && alg !== 'sha512') continue;
    result.push({ alg, val: expression.slice(dash + 1) });
  }
  return result;
}

/** https://w3c.github.io/webappsec-subresource-integrity/#get-the-strongest-metadata */
function strongestMetadata(set: readonly Metadata[]): Metadata[] {
  let strongest = 0;
  for (const item of set) if (STRENGTH[item.alg] > strongest) strongest = STRENGTH[item.alg];
  return set.filter((item) => STRENGTH[item.alg] === strongest);
}

/**
 * https://w3c.github.io/webappsec-subresource-integrity/#does-response-match-metadatalist, on
 * the body's bytes. A value may be base64url and may lack its padding (WPT's
 * fetch/api/basic/integrity.sub.any.js): both are compared as the digest bytes they decode to.
 */
export async function bytesMatchMetadata(bytes: Uint8Array, metadataList: string): Promise<boolean> {
  const parsed = parseMetadata(metadataList);
  if (parsed.length === 0) return true;
  const digests = new Map<HashAlgorithm, Uint8Array>();
  for (const item of strongestMetadata(parsed)) {
    let actual = digests.get(item.alg);
    if (actual === undefined) digests.set(item.alg, (actual = new Uint8Array(await digestBytes(DIGEST_NAME[item.alg], bytes))));
    const expected = forgivingBase64Decode(item.val.replace(/-/g, '+').replace(/_/g, '/'));
    if (expected !== null && sameBytes(expected, actual)) return true;
  }
  return false;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
