// Dispatch results as they cross back to the host: one JSON text for the heads and one array of
// the known body bytes. isolated-vm copies a callback's arguments with V8's ValueSerializer, whose
// cost grows with the number of objects (each gets an identity-map entry); a result as objects is
// about ten of them, and was ~9% of the instructions of a hello-world request. A string is copied
// flat. The text is written by hand from primitives (JSON.stringify on a string never consults a
// toJSON an app may have put on Object.prototype), and parsed on the host, which is trusted.
// No runtime imports: the host and the isolate bundle both use this file.
//
// A small known body (most responses: a string, some JSON) goes inside the text as a latin1
// string, one character per byte: no buffer to copy out of the isolate and free on the host,
// and the host can hand it to Node as a string, which Node writes together with the head.
import type { DispatchResult, ResponseHead } from './serve.js';

/** One JSON string literal; captured, as an app may replace JSON.stringify later. */
const quote: (s: string) => string = JSON.stringify;
const fromCharCode = String.fromCharCode;
const apply = Reflect.apply;
const ArrayFrom = Array.from;
const ObjectSetPrototypeOf = Object.setPrototypeOf;

/** The largest body carried inside the text (larger ones cross as bytes, copied once). */
export const INLINE_BODY_MAX = 2048;

/** [id, settled, error] or [id, settled, status, statusText, [name, value, ...], body, bytes index or latin1 body or null, hostBody or null, manual] */
type PackedResult = [number, 0 | 1, string] | [number, 0 | 1, number, string, string[], 0 | 1, number | string | null, number | null, 0 | 1];

/**
 * A JSON string literal for header text and status text: written directly when no character
 * needs an escape (the usual case; each JSON.stringify call costs a runtime entry), else quoted
 * by JSON.stringify (quotes, backslashes, control characters, lone surrogates).
 */
function jsonString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return quote(s);
  }
  return `"${s}"`;
}

/** The bytes as a string of char codes 0-255 (at most INLINE_BODY_MAX of them, within any argument limit). */
function latin1(bytes: Uint8Array): string {
  return apply(fromCharCode, undefined, bytes as unknown as number[]) as string;
}

/**
 * In the isolate, after app code: only indexes and lengths of the runtime's own lists (no
 * destructuring, no push), as an app may have replaced Array.prototype's iterator or push, or
 * put setters on its indexes. `bytes` is built without a prototype and copied into an array by
 * Array.from, which defines its elements.
 */
export function packDispatchResults(results: ArrayLike<[number, DispatchResult]>): [text: string, bytes: Uint8Array[]] {
  const bytes = ObjectSetPrototypeOf([], null) as Uint8Array[];
  let text = '[';
  for (let i = 0; i < results.length; i++) {
    const pair = results[i]!;
    const id = pair[0];
    const result = pair[1];
    if (i > 0) text += ',';
    text += `[${id},${result.settled === true ? 1 : 0},`;
    if ('error' in result) {
      text += `${quote(result.error)}]`;
      continue;
    }
    const head = result.head;
    let headers = '';
    for (let j = 0; j < head.headers.length; j++) headers += `${j > 0 ? ',' : ''}${jsonString(head.headers[j]!)}`;
    const known = head.bytes;
    let body: string | number | null = null;
    if (known !== undefined && known.byteLength <= INLINE_BODY_MAX) body = quote(latin1(known));
    else if (known !== undefined) {
      body = bytes.length;
      bytes[body] = known;
    }
    // hostBody is an outbound fetch's id, which is negative.
    text += `${head.status},${jsonString(head.statusText)},[${headers}],${head.body ? 1 : 0},${body},${head.hostBody ?? null},${head.manual === true ? 1 : 0}]`;
  }
  return [`${text}]`, bytes.length === 0 ? [] : (apply(ArrayFrom, undefined, [bytes]) as Uint8Array[])];
}

export function unpackDispatchResults(text: string, bytes: Uint8Array[]): [number, DispatchResult][] {
  const packed = JSON.parse(text) as PackedResult[];
  const out: [number, DispatchResult][] = [];
  for (const p of packed) {
    let result: DispatchResult;
    if (p.length === 3) {
      result = { error: p[2] };
    } else {
      const [, , status, statusText, headers, body, known, hostBody, manual] = p;
      const head: ResponseHead = { status, statusText, headers, body: body === 1 };
      if (manual === 1) head.manual = true;
      if (typeof known === 'string') head.latin1 = known;
      else if (known !== null) head.bytes = bytes[known]!;
      if (hostBody !== null) head.hostBody = hostBody;
      result = { head };
    }
    if (p[1] === 1) result.settled = true;
    out.push([p[0], result]);
  }
  return out;
}
