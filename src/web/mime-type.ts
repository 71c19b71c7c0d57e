// MIME types (https://mimesniff.spec.whatwg.org/#understanding-mime-types): parsing and
// serializing, and Fetch's "extract a MIME type" from a Content-Type header value.

/** https://mimesniff.spec.whatwg.org/#mime-type */
export interface MimeType {
  type: string;
  subtype: string;
  /** Names are lowercase; insertion order is kept (a Map, as the spec's ordered map). */
  parameters: Map<string, string>;
}

const HTTP_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;
const TRAILING_HTTP_WHITESPACE = /[\t\n\r ]+$/;
/** One or more HTTP token code points (https://fetch.spec.whatwg.org/#http-token-code-point): methods, header names, MIME type parts. */
export const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HTTP_QUOTED_STRING_TOKEN = /^[\t\u0020-\u007e\u0080-\u00ff]*$/;

function asciiLowercase(s: string): string {
  return s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x20));
}

/** Collects code points from `position` while `test` holds; returns them and the new position. */
function collect(input: string, position: number, stop: (c: string) => boolean): [string, number] {
  const start = position;
  while (position < input.length && !stop(input[position]!)) position++;
  return [input.slice(start, position), position];
}

/**
 * https://fetch.spec.whatwg.org/#collect-an-http-quoted-string, with the extract-value flag
 * when `extractValue`; `position` is at the opening quote.
 */
function collectHttpQuotedString(input: string, position: number, extractValue: boolean): [string, number] {
  const positionStart = position;
  let value = '';
  position++; // Step 4: past the opening quote.
  for (;;) {
    const [chunk, next] = collect(input, position, (c) => c === '"' || c === '\\');
    value += chunk;
    position = next;
    if (position >= input.length) break;
    const quoteOrBackslash = input[position]!;
    position++;
    if (quoteOrBackslash === '\\') {
      if (position >= input.length) {
        value += '\\';
        break;
      }
      value += input[position]!;
      position++;
    } else {
      break; // the closing quote
    }
  }
  return [extractValue ? value : input.slice(positionStart, position), position];
}

/** https://mimesniff.spec.whatwg.org/#parse-a-mime-type: the record, or null for failure. */
export function parseMimeType(text: string): MimeType | null {
  // Step 1. Remove leading and trailing HTTP whitespace.
  const input = text.replace(HTTP_WHITESPACE, '');
  // Steps 3-6: the type, up to "/".
  let [type, position] = collect(input, 0, (c) => c === '/');
  if (type === '' || !HTTP_TOKEN.test(type)) return null;
  if (position >= input.length) return null;
  position++;
  // Steps 7-9: the subtype, up to ";", without trailing HTTP whitespace.
  let subtype: string;
  [subtype, position] = collect(input, position, (c) => c === ';');
  subtype = subtype.replace(TRAILING_HTTP_WHITESPACE, '');
  if (subtype === '' || !HTTP_TOKEN.test(subtype)) return null;
  // Step 10.
  const mimeType: MimeType = { type: asciiLowercase(type), subtype: asciiLowercase(subtype), parameters: new Map() };
  // Step 11: the parameters.
  while (position < input.length) {
    position++; // past ";"
    [, position] = collect(input, position, (c) => c !== '\t' && c !== '\n' && c !== '\r' && c !== ' ');
    let name: string;
    [name, position] = collect(input, position, (c) => c === ';' || c === '=');
    name = asciiLowercase(name);
    if (position < input.length) {
      if (input[position] === ';') continue;
      position++; // past "="
    }
    if (position >= input.length) break;
    let value: string;
    if (input[position] === '"') {
      [value, position] = collectHttpQuotedString(input, position, true);
      [, position] = collect(input, position, (c) => c === ';');
    } else {
      [value, position] = collect(input, position, (c) => c === ';');
      value = value.replace(TRAILING_HTTP_WHITESPACE, '');
      if (value === '') continue;
    }
    if (name !== '' && HTTP_TOKEN.test(name) && HTTP_QUOTED_STRING_TOKEN.test(value) && !mimeType.parameters.has(name)) {
      mimeType.parameters.set(name, value);
    }
  }
  return mimeType;
}

/** https://mimesniff.spec.whatwg.org/#serialize-a-mime-type */
export function serializeMimeType(mimeType: MimeType): string {
  let serialization = `${mimeType.type}/${mimeType.subtype}`;
  for (const [name, value] of mimeType.parameters) {
    serialization += `;${name}=`;
    serialization += value !== '' && HTTP_TOKEN.test(value) ? value : `"${value.replace(/["\\]/g, '\\$&')}"`;
  }
  return serialization;
}

/** https://fetch.spec.whatwg.org/#header-value-get-decode-and-split, on a combined header value. */
function getDecodeAndSplit(value: string): string[] {
  const values: string[] = [];
  let position = 0;
  let temporaryValue = '';
  for (;;) {
    let chunk: string;
    [chunk, position] = collect(value, position, (c) => c === '"' || c === ',');
    temporaryValue += chunk;
    if (position < value.length && value[position] === '"') {
      [chunk, position] = collectHttpQuotedString(value, position, false);
      temporaryValue += chunk;
      if (position < value.length) continue;
    }
    values.push(temporaryValue.replace(/^[\t ]+|[\t ]+$/g, ''));
    temporaryValue = '';
    if (position >= value.length) return values;
    position++; // past ","
  }
}

/**
 * https://fetch.spec.whatwg.org/#concept-header-extract-mime-type, given the list's combined
 * Content-Type value (null when there is none): the MIME type, or null for failure.
 */
export function extractMimeType(contentType: string | null): MimeType | null {
  if (contentType === null) return null;
  let charset: string | null = null;
  let essence: string | null = null;
  let mimeType: MimeType | null = null;
  for (const value of getDecodeAndSplit(contentType)) {
    const temporaryMimeType = parseMimeType(value);
    if (temporaryMimeType === null || (temporaryMimeType.type === '*' && temporaryMimeType.subtype === '*')) continue;
    mimeType = temporaryMimeType;
    const mimeEssence = `${mimeType.type}/${mimeType.subtype}`;
    if (mimeEssence !== essence) {
      charset = mimeType.parameters.get('charset') ?? null;
      essence = mimeEssence;
    } else if (!mimeType.parameters.has('charset') && charset !== null) {
      mimeType.parameters.set('charset', charset);
    }
  }
  return mimeType;
}
