// data: URLs (https://fetch.spec.whatwg.org/#data-urls): what fetch() answers for one without
// the network.
import { forgivingBase64Decode } from '../base64.js';
import { utf8Encode } from '../encoding/text-encoder.js';
import { parseMimeType, type MimeType } from '../mime-type.js';
import { percentDecodeBytes } from '../url-parser.js';

export interface DataURLStruct {
  mimeType: MimeType;
  body: Uint8Array;
}

/** https://infra.spec.whatwg.org/#isomorphic-decode */
function isomorphicDecode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += String.fromCharCode(bytes[i]!);
  return out;
}

/**
 * https://fetch.spec.whatwg.org/#data-url-processor, given the data: URL serialized (a
 * Request's url): its MIME type and body, or null for failure.
 */
export function processDataURL(href: string): DataURLStruct | null {
  // Step 2: the URL serialized without its fragment; step 3: without the leading "data:".
  const hash = href.indexOf('#');
  const input = (hash === -1 ? href : href.slice(0, hash)).slice('data:'.length);
  // Steps 4-6: the MIME type is what comes before the first ",", stripped of ASCII whitespace.
  const comma = input.indexOf(',');
  if (comma === -1) return null;
  let mimeType = input.slice(0, comma).replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, '');
  // Steps 7-10: the rest, percent-decoded, is the body.
  let body = percentDecodeBytes(utf8Encode(input.slice(comma + 1)));
  // Step 11: a type ending in ";base64" (spaces allowed before "base64", any case).
  if (/;[ ]*base64$/i.test(mimeType)) {
    const decoded = forgivingBase64Decode(isomorphicDecode(body));
    if (decoded === null) return null;
    body = decoded;
    mimeType = mimeType.slice(0, -6).replace(/ +$/, '').slice(0, -1);
  }
  // Step 12.
  if (mimeType.startsWith(';')) mimeType = `text/plain${mimeType}`;
  // Steps 13-14: an unparsable type is text/plain;charset=US-ASCII.
  const mimeTypeRecord = parseMimeType(mimeType) ?? { type: 'text', subtype: 'plain', parameters: new Map([['charset', 'US-ASCII']]) };
  return { mimeType: mimeTypeRecord, body };
}
