// A request head as it crosses into the isolate: one string, its fields joined by NUL. A single
// string is the cheapest value isolated-vm can copy (the host's copy cost grows with the number
// of values, and a head as an object is ~30 of them). NUL cannot occur in any field: HTTP
// rejects it in methods and header fields, and a parsed URL percent-encodes it.
// No runtime imports: the host and the isolate bundle both use this file.
import type { URLParts } from '../web/url.js';

/** What crosses for a request: the head only; the body follows through bodyPull/bodyPush. */
export interface RequestHead {
  method: string;
  url: string;
  /** The URL as the host parsed it (saves the isolate a parse). */
  urlParts?: URLParts;
  /** The header list as received: name, value, name, value... */
  rawHeaders: string[];
  /** The request has a body (it is streamed). */
  body: boolean;
}

const SEP = '\u0000';
const PART_NAMES = ['href', 'origin', 'protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search', 'hash'] as const;
/** method, url, body flag, parts flag. */
const FIXED = 4;

export function packRequestHead(head: RequestHead): string {
  const parts = head.urlParts;
  // Joined once into a flat string: `+=` would build a rope that the copy then flattens.
  const fields = [head.method, head.url, head.body ? '1' : '', parts ? '1' : ''];
  if (parts !== undefined) for (const name of PART_NAMES) fields.push(parts[name]);
  for (const field of head.rawHeaders) fields.push(field);
  return fields.join(SEP);
}

export function unpackRequestHead(packed: string): RequestHead {
  const fields = packed.split(SEP);
  let i = FIXED;
  let urlParts: URLParts | undefined;
  if (fields[3] === '1') {
    // A literal in PART_NAMES' order: one object shape, where keyed stores in a loop go megamorphic.
    urlParts = {
      href: fields[i]!,
      origin: fields[i + 1]!,
      protocol: fields[i + 2]!,
      username: fields[i + 3]!,
      password: fields[i + 4]!,
      host: fields[i + 5]!,
      hostname: fields[i + 6]!,
      port: fields[i + 7]!,
      pathname: fields[i + 8]!,
      search: fields[i + 9]!,
      hash: fields[i + 10]!,
    };
    i += PART_NAMES.length;
  }
  const head: RequestHead = { method: fields[0]!, url: fields[1]!, rawHeaders: fields.slice(i), body: fields[2] === '1' };
  if (urlParts !== undefined) head.urlParts = urlParts;
  return head;
}
