// "Get an encoding" for the encodings decoded in the realm itself
// (https://encoding.spec.whatwg.org/#concept-encoding-get); every other label goes to the host.

const NATIVE: Readonly<Record<string, string>> = {
  'unicode-1-1-utf-8': 'utf-8',
  unicode11utf8: 'utf-8',
  unicode20utf8: 'utf-8',
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'x-unicode20utf8': 'utf-8',
  unicodefffe: 'utf-16be',
  'utf-16be': 'utf-16be',
  csunicode: 'utf-16le',
  'iso-10646-ucs-2': 'utf-16le',
  'ucs-2': 'utf-16le',
  unicode: 'utf-16le',
  unicodefeff: 'utf-16le',
  'utf-16': 'utf-16le',
  'utf-16le': 'utf-16le',
  'x-user-defined': 'x-user-defined',
  // Single-byte encodings the host does not decode as the standard says (single-byte-decoder.ts).
  '866': 'ibm866',
  cp866: 'ibm866',
  csibm866: 'ibm866',
  ibm866: 'ibm866',
  'koi8-ru': 'koi8-u',
  'koi8-u': 'koi8-u',
  'ansi_x3.4-1968': 'windows-1252',
  ascii: 'windows-1252',
  cp1252: 'windows-1252',
  cp819: 'windows-1252',
  csisolatin1: 'windows-1252',
  ibm819: 'windows-1252',
  'iso-8859-1': 'windows-1252',
  'iso-ir-100': 'windows-1252',
  'iso8859-1': 'windows-1252',
  iso88591: 'windows-1252',
  'iso_8859-1': 'windows-1252',
  'iso_8859-1:1987': 'windows-1252',
  l1: 'windows-1252',
  latin1: 'windows-1252',
  'us-ascii': 'windows-1252',
  'windows-1252': 'windows-1252',
  'x-cp1252': 'windows-1252',
  'iso-8859-16': 'iso-8859-16',
  'dos-874': 'windows-874',
  'iso-8859-11': 'windows-874',
  'iso8859-11': 'windows-874',
  iso885911: 'windows-874',
  'tis-620': 'windows-874',
  'windows-874': 'windows-874',
  cp1253: 'windows-1253',
  'windows-1253': 'windows-1253',
  'x-cp1253': 'windows-1253',
  cp1255: 'windows-1255',
  'windows-1255': 'windows-1255',
  'x-cp1255': 'windows-1255',
  // ISO-2022-JP's escape sequences (iso-2022-jp-decoder.ts); its index is read from the host.
  csiso2022jp: 'iso-2022-jp',
  'iso-2022-jp': 'iso-2022-jp',
};

/** The label with ASCII whitespace stripped and ASCII lowercased, as "get an encoding" does. */
export function normalizeLabel(label: string): string {
  return label.replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, '').replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** The name of a natively decoded encoding for `label`, or undefined. */
export function nativeEncoding(label: string): string | undefined {
  const key = normalizeLabel(label);
  return Object.hasOwn(NATIVE, key) ? NATIVE[key] : undefined;
}
