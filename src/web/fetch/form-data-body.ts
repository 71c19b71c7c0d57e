// FormData as a body: multipart/form-data serialization
// (https://html.spec.whatwg.org/multipage/form-control-infrastructure.html#multipart/form-data-encoding-algorithm)
// and parsing for formData() (multipart/form-data and application/x-www-form-urlencoded).
import { TypeErrorCtor, Uint8ArrayCtor } from '../../streams/webidl/intrinsics.js';
import { blobChunks, createFile } from '../blob.js';
import { utf8Encode } from '../encoding/text-encoder.js';
import { utf8Decode, utf8DecodeWithoutBOM } from '../encoding/utf8-decoder.js';
import { createFormData, formDataEntries, isFormData, type FormData, type FormDataEntry } from '../form-data.js';
import { parseUrlencoded } from '../url.js';
import { getRandomBoundaryBytes } from './boundary.js';
import { serializeMimeType, type MimeType } from '../mime-type.js';

export { isFormData };

const escapeName = (s: string): string => s.replace(/\n/g, '%0A').replace(/\r/g, '%0D').replace(/"/g, '%22');
const normalizeNewlines = (s: string): string => s.replace(/\r\n|\r|\n/g, '\r\n');

/** The multipart/form-data bytes of a FormData, and the boundary they use. */
export function formDataBody(fd: FormData): { bytes: Uint8Array; boundary: string } {
  const boundary = `----NanoFormBoundary${getRandomBoundaryBytes()}`;
  // No entries: an empty body (as browsers send it).
  if (formDataEntries(fd).length === 0) return { bytes: new Uint8ArrayCtor(0), boundary };
  const parts: Uint8Array[] = [];
  for (const [name, value] of formDataEntries(fd)) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${escapeName(normalizeNewlines(name))}"`;
    if (typeof value === 'string') {
      parts.push(utf8Encode(`${head}\r\n\r\n${normalizeNewlines(value)}\r\n`));
      continue;
    }
    head += `; filename="${escapeName(value.name)}"\r\nContent-Type: ${value.type || 'application/octet-stream'}\r\n\r\n`;
    parts.push(utf8Encode(head), ...blobChunks(value), utf8Encode('\r\n'));
  }
  parts.push(utf8Encode(`--${boundary}--\r\n`));
  let total = 0;
  for (const p of parts) total += p.length;
  const bytes = new Uint8ArrayCtor(total);
  let offset = 0;
  for (const p of parts) {
    bytes.set(p, offset);
    offset += p.length;
  }
  return { bytes, boundary };
}

/**
 * formData()'s package data (Fetch): by the essence of the body's MIME type (extracted from its
 * Content-Type by the caller); no MIME type, or any other essence, is a TypeError.
 */
export function parseFormDataBody(bytes: Uint8Array, mimeType: MimeType | null): FormData {
  const essence = mimeType === null ? '' : `${mimeType.type}/${mimeType.subtype}`;
  if (essence === 'application/x-www-form-urlencoded') {
    // UTF-8 decode without BOM: a leading U+FEFF stays part of the first name.
    return createFormData(parseUrlencoded(utf8DecodeWithoutBOM(bytes)));
  }
  if (essence === 'multipart/form-data') {
    // The MIME type parser has lowercased the name and unquoted the value.
    const boundary = mimeType!.parameters.get('boundary');
    if (boundary === undefined || boundary === '') throw new TypeErrorCtor('formData(): the multipart/form-data body has no boundary.');
    return createFormData(parseMultipart(bytes, boundary));
  }
  const type = mimeType === null ? 'no MIME type' : `type '${serializeMimeType(mimeType)}'`;
  throw new TypeErrorCtor(`formData(): a body of ${type} cannot be parsed as FormData.`);
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0];
  outer: for (let i = haystack.indexOf(first!, from); i !== -1 && i + needle.length <= haystack.length; i = haystack.indexOf(first!, i + 1)) {
    for (let j = 1; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** RFC 7578 parts between `--boundary` delimiters. Malformed input is a TypeError. */
function parseMultipart(bytes: Uint8Array, boundary: string): FormDataEntry[] {
  const malformed = (why: string) => new TypeErrorCtor(`formData(): the multipart/form-data body is malformed (${why}).`);
  const delimiter = utf8Encode(`--${boundary}`);
  const entries: FormDataEntry[] = [];
  let pos = indexOf(bytes, delimiter, 0);
  if (pos === -1) throw malformed('no boundary');
  for (;;) {
    pos += delimiter.length;
    // "--" after a delimiter ends the body.
    if (bytes[pos] === 0x2d && bytes[pos + 1] === 0x2d) return entries;
    if (bytes[pos] !== 0x0d || bytes[pos + 1] !== 0x0a) throw malformed('no CRLF after a boundary');
    pos += 2;
    const headerEnd = indexOf(bytes, utf8Encode('\r\n\r\n'), pos);
    if (headerEnd === -1) throw malformed('unterminated part headers');
    const headers = utf8Decode(bytes.subarray(pos, headerEnd)).split('\r\n');
    const next = indexOf(bytes, utf8Encode(`\r\n--${boundary}`), headerEnd + 4);
    if (next === -1) throw malformed('unterminated part');
    const content = bytes.subarray(headerEnd + 4, next);
    let name: string | undefined;
    let filename: string | undefined;
    // Fetch, formData(): a file's type is its part's Content-Type, "and `text/plain` (the default
    // defined by RFC 7578 section 4.4) otherwise".
    let contentType = 'text/plain';
    for (const line of headers) {
      const colon = line.indexOf(':');
      if (colon === -1) throw malformed('a header line without a colon');
      const field = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (field === 'content-disposition') {
        if (!/^form-data\s*(;|$)/i.test(value)) throw malformed('a part that is not form-data');
        name = /(?:^|;)\s*name="([^"]*)"/i.exec(value)?.[1] ?? /(?:^|;)\s*name=([^;\s]*)/i.exec(value)?.[1];
        filename = /(?:^|;)\s*filename="([^"]*)"/i.exec(value)?.[1] ?? /(?:^|;)\s*filename=([^;\s]*)/i.exec(value)?.[1];
      } else if (field === 'content-type') {
        contentType = value;
      }
    }
    if (name === undefined) throw malformed('a part without a name');
    const unescape = (s: string) => s.replace(/%0A/gi, '\n').replace(/%0D/gi, '\r').replace(/%22/g, '"');
    if (filename !== undefined) {
      entries.push([unescape(name), createFile([content.slice()], unescape(filename), contentType.toLowerCase(), Date.now())]);
    } else {
      entries.push([unescape(name), utf8Decode(content)]);
    }
    pos = next + 2;
  }
}
