// Random multipart boundaries, from the realm's crypto when it has one.
const HEX = '0123456789abcdef';

export function getRandomBoundaryBytes(): string {
  const bytes = new Uint8Array(12);
  try {
    // Read inside the try: an app may have replaced the global crypto by a getter that throws.
    const crypto = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => void } }).crypto;
    crypto?.getRandomValues?.(bytes);
  } catch {
    // Math.random below is enough for a boundary (not a secret).
  }
  let out = '';
  // Indexed, not iterated: the typed array iterator is the app's to replace.
  for (let i = 0; i < 12; i++) {
    const b = bytes[i]!;
    out += HEX[(b || (Math.random() * 256) | 0) >> 4]! + HEX[(b || (Math.random() * 256) | 0) & 15]!;
  }
  return out;
}
