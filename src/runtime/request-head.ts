// A request head as it crosses into the isolate: one string, its fields joined by NUL. A single
// string is the cheapest value isolated-vm can copy (the host's copy cost grows with the number
// of values, and a head as an object is ~30 of them). NUL cannot occur in any field: HTTP
// rejects it in methods and header fields, and Node's parser refuses it in a request target.
// The URL goes unparsed: the isolate parses the usual one itself (src/web/url.ts simpleURLParts).
// No runtime imports: the host and the isolate bundle both use this file.

/** What crosses for a request: the head only; the body follows through bodyPull/bodyPush. */
export interface RequestHead {
  method: string;
  url: string;
  /** The header list as received: name, value, name, value... */
  rawHeaders: string[];
  /** The request has a body (it is streamed). */
  body: boolean;
}

const SEP = '\u0000';
/** method, url, body flag: after the header fields, so the isolate drops them by setting the length. */
const FIXED = 3;

export function packRequestHead(head: RequestHead): string {
  // Joined once into a flat string: `+=` would build a rope that the copy then flattens.
  const fields: string[] = [];
  for (const field of head.rawHeaders) fields.push(field);
  fields.push(head.method, head.url, head.body ? '1' : '');
  return fields.join(SEP);
}

const StringSplit = String.prototype.split;
const apply = Reflect.apply;

/**
 * In the isolate, after app code, on every request: the captured split, whose array is made
 * with its elements defined, and the fixed fields taken off its end by setting its length. No
 * slice (it would consult the app's species), no push or store (the app's index setters).
 */
export function unpackRequestHead(packed: string): RequestHead {
  const fields = apply(StringSplit, packed, [SEP]) as string[];
  const end = fields.length - FIXED;
  const head = { method: fields[end]!, url: fields[end + 1]!, rawHeaders: fields, body: fields[end + 2] === '1' };
  fields.length = end;
  return head;
}
