// Random multipart boundaries, from the realm's crypto when it has one.
const HEX = '0123456789abcdef';

export function getRandomBoundaryBytes(): string {
  const bytes = new Uint8Array(12);
  const crypto = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => void } }).crypto;
  try {
    crypto?.getRandomValues?.(bytes);
  } catch {
    // Math.random below is enough for a boundary (not a secret).
  }
  let out = '';
  for (const b of bytes) out += HEX[(b || (Math.random() * 256) | 0) >> 4]! + HEX[(b || (Math.random() * 256) | 0) & 15]!;
  return out;
}
