// The basic URL parser (https://url.spec.whatwg.org/#concept-basic-url-parser), with and without a
// state override (the URL class's setters), in the isolate: each parse the host did was a
// synchronous call, and such a call waits for the host's event loop (56 us idle, a whole host task
// when it is busy). What this parser asks of the host: UTS #46 processing for a domain that needs
// it (non-ASCII after percent-decoding, or a label starting with "xn--": the isolate keeps no
// Unicode tables), one call per domain.
//
// URL records are kept as the parts the URL class serves; a host is kept serialized.

import type { URLParts } from './url.js';
import { utf8Encode } from './encoding/text-encoder.js';
import { utf8DecodeWithoutBOM } from './encoding/utf8-decoder.js';

/** UTS #46 ToASCII with the URL standard's options; null for failure, undefined if unavailable. */
export type DomainToASCII = (domain: string) => string | null | undefined;

export interface URLRecord {
  scheme: string;
  username: string;
  password: string;
  /** The serialized host; null for none. */
  host: string | null;
  port: number | null;
  /** A list of segments, or a string for an opaque path. */
  path: string[] | string;
  query: string | null;
  fragment: string | null;
}

/** The parse needs IDNA, and no host gives it. */
const NEEDS_HOST = -2;
/** The parse failed. */
const FAILURE = -1;
type Outcome = URLRecord | typeof FAILURE | typeof NEEDS_HOST;

const EOF = -1;

/** The IDNA processing of the parse running now. */
let toASCII: DomainToASCII = () => undefined;

/**
 * The basic URL parser on `input` against `base` (itself parsed first, as the URL constructor
 * does): the URL's parts, null for failure, undefined when the parse needs IDNA and `idna` has none.
 */
export function parseURLInIsolate(input: string, base: string | undefined, idna: DomainToASCII): URLParts | null | undefined {
  toASCII = idna;
  let baseRecord: URLRecord | null = null;
  if (base !== undefined) {
    const parsed = basicURLParse(base, null);
    if (parsed === NEEDS_HOST) return undefined;
    if (parsed === FAILURE) return null;
    baseRecord = parsed;
  }
  const url = basicURLParse(input, baseRecord);
  if (url === NEEDS_HOST) return undefined;
  if (url === FAILURE) return null;
  return urlParts(url);
}

/** The URL class's members with a setter (href's is a parse: parseURLInIsolate). */
export type URLSetter = 'protocol' | 'username' | 'password' | 'host' | 'hostname' | 'port' | 'pathname' | 'search' | 'hash';

/**
 * The `member` setter of the URL class (https://url.spec.whatwg.org/#urlutils-members) run on the
 * URL record `url` (changed in place) with `value`: the parts afterwards (unchanged when the setter
 * changes nothing, and a setter's parse that fails keeps what it changed before failing, as the
 * standard's does); undefined when IDNA is needed and `idna` has none.
 */
export function setURLMember(url: URLRecord, member: URLSetter, value: string, idna: DomainToASCII): URLParts | undefined {
  toASCII = idna;
  let outcome: Outcome = url;
  switch (member) {
    case 'protocol':
      outcome = basicURLParse(`${value}:`, null, url, State.SchemeStart);
      break;
    case 'username':
      if (!cannotHaveAUsernamePasswordOrPort(url)) url.username = encodeString(value, USERINFO_SET);
      break;
    case 'password':
      if (!cannotHaveAUsernamePasswordOrPort(url)) url.password = encodeString(value, USERINFO_SET);
      break;
    case 'host':
    case 'hostname':
      if (typeof url.path !== 'string') outcome = basicURLParse(value, null, url, member === 'host' ? State.Host : State.Hostname);
      break;
    case 'port':
      if (cannotHaveAUsernamePasswordOrPort(url)) break;
      if (value === '') url.port = null;
      else outcome = basicURLParse(value, null, url, State.Port);
      break;
    case 'pathname':
      if (typeof url.path === 'string') break;
      url.path = [];
      outcome = basicURLParse(value, null, url, State.PathStart);
      break;
    case 'search':
      if (value === '') {
        url.query = null;
        break;
      }
      url.query = '';
      outcome = basicURLParse(value.charCodeAt(0) === 0x3f ? value.slice(1) : value, null, url, State.Query);
      break;
    case 'hash':
      if (value === '') {
        url.fragment = null;
        break;
      }
      url.fragment = '';
      outcome = basicURLParse(value.charCodeAt(0) === 0x23 ? value.slice(1) : value, null, url, State.Fragment);
      break;
  }
  return outcome === NEEDS_HOST ? undefined : urlParts(url);
}

/**
 * URLSearchParams's update steps on the URL record `url`: its query set to `query` (already an
 * application/x-www-form-urlencoded serialization; null for none) without a parse of it.
 */
export function setURLQuery(url: URLRecord, query: string | null, idna: DomainToASCII): URLParts | undefined {
  toASCII = idna;
  url.query = query;
  return urlParts(url);
}

/**
 * The URL record of a URL's serialization as the parser made it (such a URL parses back to the
 * same record; one a setter changed may not: an http URL made a file URL keeps a "C|" segment its
 * serialization would parse as "C:", so the URL class keeps that record); undefined without IDNA.
 */
export function urlRecordOf(href: string, idna: DomainToASCII): URLRecord | undefined {
  toASCII = idna;
  const url = basicURLParse(href, null);
  if (url === FAILURE) throw new TypeError(`not a URL: ${href}`);
  return url === NEEDS_HOST ? undefined : url;
}

// --- For other standards (URLPattern): URL records, and the parser on a given URL with a state override

/** The basic URL parser on `input` against `base`: the URL record, null for failure, undefined without IDNA. */
export function parseURLRecord(input: string, base: URLRecord | null, idna: DomainToASCII): URLRecord | null | undefined {
  toASCII = idna;
  const url = basicURLParse(input, base);
  return url === FAILURE ? null : url === NEEDS_HOST ? undefined : url;
}

/** The state overrides other standards name. */
export type StateOverride = 'scheme start' | 'hostname' | 'port' | 'path start' | 'opaque path' | 'query' | 'fragment';
function overrideState(override: StateOverride): State {
  switch (override) {
    case 'scheme start':
      return State.SchemeStart;
    case 'hostname':
      return State.Hostname;
    case 'port':
      return State.Port;
    case 'path start':
      return State.PathStart;
    case 'opaque path':
      return State.OpaquePath;
    case 'query':
      return State.Query;
    case 'fragment':
      return State.Fragment;
  }
}

/** The basic URL parser on `input` with `url` as url and `override` as state override: false for failure, undefined without IDNA. */
export function parseIntoURLRecord(input: string, url: URLRecord, override: StateOverride, idna: DomainToASCII): boolean | undefined {
  toASCII = idna;
  const outcome = basicURLParse(input, null, url, overrideState(override));
  return outcome === NEEDS_HOST ? undefined : outcome !== FAILURE;
}

/** https://url.spec.whatwg.org/#set-the-username (and the password's): `value` percent-encoded with the userinfo set. */
export const encodeUserinfo = (value: string): string => encodeString(value, USERINFO_SET);

/** https://url.spec.whatwg.org/#include-credentials */
const includesCredentials = (url: URLRecord): boolean => url.username !== '' || url.password !== '';

/** https://url.spec.whatwg.org/#cannot-have-a-username-password-port */
const cannotHaveAUsernamePasswordOrPort = (url: URLRecord): boolean => url.host === null || url.host === '' || url.scheme === 'file';

// --- Code point classes

const isASCIIAlpha = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isASCIIDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isASCIIHexDigit = (c: number): boolean => isASCIIDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
const lower = (c: number): number => (c >= 0x41 && c <= 0x5a ? c + 0x20 : c);

/** The special schemes and their default ports (no prototype: a scheme is looked up by name). */
/**
 * https://url.spec.whatwg.org/#default-port: null for file, undefined for a scheme that is not
 * special (a switch: V8 compares the few strings faster than it looks up a dictionary's key).
 */
export function defaultPort(scheme: string): number | null | undefined {
  switch (scheme) {
    case 'http':
    case 'ws':
      return 80;
    case 'https':
    case 'wss':
      return 443;
    case 'ftp':
      return 21;
    case 'file':
      return null;
    default:
      return undefined;
  }
}
export const isSpecialScheme = (scheme: string): boolean => defaultPort(scheme) !== undefined;

// --- Percent-encode sets (https://url.spec.whatwg.org/#percent-encoded-bytes), as tables of the
// ASCII code points they hold beyond the C0 control set (every code point above U+007E is in all).

/** A table of ASCII code points: those of `parent` (when given) and those of `extra`. */
export function asciiSet(parent: Uint8Array | null, extra: string): Uint8Array {
  const set = parent === null ? new Uint8Array(128) : parent.slice();
  for (let i = 0; i < extra.length; i++) set[extra.charCodeAt(i)] = 1;
  return set;
}

/** The C0 controls (U+0000 to U+001F) and DEL. */
const C0_CONTROLS_AND_DEL = `${String.fromCharCode(...Array.from({ length: 0x20 }, (_, c) => c))}\u007f`;

const C0_CONTROL_SET = asciiSet(null, C0_CONTROLS_AND_DEL);
const FRAGMENT_SET = asciiSet(C0_CONTROL_SET, ' "<>`');
const QUERY_SET = asciiSet(C0_CONTROL_SET, ' "#<>');
const SPECIAL_QUERY_SET = asciiSet(QUERY_SET, "'");
const PATH_SET = asciiSet(QUERY_SET, '?^`{}');
const USERINFO_SET = asciiSet(PATH_SET, '/:;=@[\\]|');

const HEX = '0123456789ABCDEF';

/** https://url.spec.whatwg.org/#utf-8-percent-encode, for one code point. */
function utf8PercentEncode(c: number, set: Uint8Array): string {
  if (c < 0x80) return set[c] === 1 ? `%${HEX[c >> 4]}${HEX[c & 15]}` : String.fromCharCode(c);
  let out = '';
  const byte = (b: number): void => {
    out += `%${HEX[b >> 4]}${HEX[b & 15]}`;
  };
  if (c < 0x800) {
    byte(0xc0 | (c >> 6));
  } else if (c < 0x10000) {
    byte(0xe0 | (c >> 12));
    byte(0x80 | ((c >> 6) & 0x3f));
  } else {
    byte(0xf0 | (c >> 18));
    byte(0x80 | ((c >> 12) & 0x3f));
    byte(0x80 | ((c >> 6) & 0x3f));
  }
  byte(0x80 | (c & 0x3f));
  return out;
}

function encodeString(s: string, set: Uint8Array): string {
  let out = '';
  for (const ch of s) out += utf8PercentEncode(ch.codePointAt(0)!, set);
  return out;
}

// --- Helpers the state machine names

/** https://url.spec.whatwg.org/#windows-drive-letter */
function isWindowsDriveLetter(s: string, normalized = false): boolean {
  if (s.length !== 2 || !isASCIIAlpha(s.charCodeAt(0))) return false;
  const second = s.charCodeAt(1);
  return second === 0x3a || (!normalized && second === 0x7c);
}

/** https://url.spec.whatwg.org/#start-with-a-windows-drive-letter, on code points from `at`. */
function startsWithWindowsDriveLetter(cps: number[], at: number): boolean {
  if (cps.length - at < 2) return false;
  if (!isASCIIAlpha(cps[at]!) || (cps[at + 1] !== 0x3a && cps[at + 1] !== 0x7c)) return false;
  if (cps.length - at === 2) return true;
  const third = cps[at + 2];
  return third === 0x2f || third === 0x5c || third === 0x3f || third === 0x23;
}

function isSingleDotSegment(s: string): boolean {
  return s === '.' || s.toLowerCase() === '%2e';
}

function isDoubleDotSegment(s: string): boolean {
  const l = s.toLowerCase();
  return l === '..' || l === '.%2e' || l === '%2e.' || l === '%2e%2e';
}

/** https://url.spec.whatwg.org/#shorten-a-urls-path */
function shortenPath(url: URLRecord): void {
  const path = url.path as string[];
  if (url.scheme === 'file' && path.length === 1 && isWindowsDriveLetter(path[0]!, true)) return;
  path.pop();
}

// --- The state machine

const enum State {
  SchemeStart,
  Scheme,
  NoScheme,
  SpecialRelativeOrAuthority,
  PathOrAuthority,
  Relative,
  RelativeSlash,
  SpecialAuthoritySlashes,
  SpecialAuthorityIgnoreSlashes,
  Authority,
  Host,
  Port,
  /** Only as a state override (the hostname setter); otherwise the host state. */
  Hostname,
  File,
  FileSlash,
  FileHost,
  PathStart,
  Path,
  OpaquePath,
  Query,
  Fragment,
}

/**
 * The code points of `input` without its tabs and newlines, and when `trim`, without its leading
 * and trailing C0 controls and spaces.
 */
function preprocess(input: string, trim: boolean): number[] {
  let aligned = true;
  let start = 0;
  let end = input.length;
  if (trim) {
    while (start < end && input.charCodeAt(start) <= 0x20) start++;
    while (end > start && input.charCodeAt(end - 1) <= 0x20) end--;
  }
  const cps: number[] = [];
  for (let i = start; i < end; i++) {
    const c = input.charCodeAt(i);
    if (c === 0x09 || c === 0x0a || c === 0x0d) {
      aligned = false;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
      const d = input.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        cps.push(0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00));
        aligned = false;
        i++;
        continue;
      }
    }
    // The input is a USVString: a lone surrogate was U+FFFD already.
    cps.push(c >= 0xd800 && c <= 0xdfff ? 0xfffd : c);
  }
  preprocessedText = !aligned ? undefined : start === 0 && end === input.length ? input : input.slice(start, end);
  return cps;
}

/**
 * The last preprocess's code points as a string (the trimmed input) when they are its code
 * units one for one (no tab, newline or surrogate pair), the usual case; else undefined.
 */
let preprocessedText: string | undefined;

/**
 * The end of the run of ASCII code points from `from` that `stop` does not hold: the states that
 * append code points one by one (path, query, fragment) take such a run as one slice of the input.
 */
function runEnd(cps: number[], from: number, stop: Uint8Array): number {
  let i = from;
  while (i < cps.length) {
    const c = cps[i]!;
    if (c >= 0x80 || stop[c] === 1) break;
    i++;
  }
  return i;
}

/** What ends a run in the path state: its percent-encode set's code points and the segment separators. */
const PATH_RUN_STOP = asciiSet(PATH_SET, '/\\');
/** What ends a run in the authority state: what the state acts on. */
const AUTHORITY_RUN_STOP = asciiSet(null, '@/?#\\');
/** What ends a run in the host state: what the state acts on ("[" and "]" included). */
const HOST_RUN_STOP = asciiSet(null, ':/?#\\[]');

/**
 * https://url.spec.whatwg.org/#concept-basic-url-parser (UTF-8). With a state override, `given` is
 * the URL the setter changes in place; the outcome is then only whether it failed.
 */
function basicURLParse(input: string, base: URLRecord | null, given?: URLRecord, stateOverride?: State): Outcome {
  const url: URLRecord = given ?? { scheme: '', username: '', password: '', host: null, port: null, path: [], query: null, fragment: null };
  const cps = preprocess(input, given === undefined);
  const length = cps.length;
  const text = preprocessedText;
  let state = stateOverride ?? State.SchemeStart;
  let buffer = '';
  let atSignSeen = false;
  let insideBrackets = false;
  let passwordTokenSeen = false;
  let special = isSpecialScheme(url.scheme);
  /** The authority state's buffer in code points (to go back over it). */
  let bufferCodePoints = 0;

  for (let pointer = 0; ; pointer++) {
    const c = pointer < length ? cps[pointer]! : EOF;
    switch (state) {
      case State.SchemeStart:
        if (c !== EOF && isASCIIAlpha(c)) {
          buffer += String.fromCharCode(lower(c));
          state = State.Scheme;
        } else if (stateOverride === undefined) {
          state = State.NoScheme;
          pointer--;
        } else {
          return FAILURE;
        }
        break;

      case State.Scheme:
        if (c !== EOF && (isASCIIAlpha(c) || isASCIIDigit(c) || c === 0x2b || c === 0x2d || c === 0x2e)) {
          buffer += String.fromCharCode(lower(c));
        } else if (c === 0x3a) {
          if (stateOverride !== undefined) {
            // The protocol setter cannot change a URL between special and not, give a URL with
            // credentials or a port the file scheme, nor take it from a file URL with an empty host.
            if (special !== isSpecialScheme(buffer)) return url;
            if ((includesCredentials(url) || url.port !== null) && buffer === 'file') return url;
            if (url.scheme === 'file' && url.host === '') return url;
          }
          url.scheme = buffer;
          special = isSpecialScheme(buffer);
          if (stateOverride !== undefined) {
            if (url.port === defaultPort(url.scheme)) url.port = null;
            return url;
          }
          buffer = '';
          if (url.scheme === 'file') {
            state = State.File;
          } else if (special && base !== null && base.scheme === url.scheme) {
            state = State.SpecialRelativeOrAuthority;
          } else if (special) {
            state = State.SpecialAuthoritySlashes;
          } else if (cps[pointer + 1] === 0x2f) {
            state = State.PathOrAuthority;
            pointer++;
          } else {
            url.path = '';
            state = State.OpaquePath;
          }
        } else if (stateOverride === undefined) {
          buffer = '';
          state = State.NoScheme;
          pointer = -1;
        } else {
          return FAILURE;
        }
        break;

      case State.NoScheme:
        if (base === null || (typeof base.path === 'string' && c !== 0x23)) return FAILURE;
        if (typeof base.path === 'string' && c === 0x23) {
          url.scheme = base.scheme;
          special = isSpecialScheme(url.scheme);
          url.path = base.path;
          url.query = base.query;
          url.fragment = '';
          state = State.Fragment;
        } else if (base.scheme !== 'file') {
          state = State.Relative;
          pointer--;
        } else {
          state = State.File;
          pointer--;
        }
        break;

      case State.SpecialRelativeOrAuthority:
        if (c === 0x2f && cps[pointer + 1] === 0x2f) {
          state = State.SpecialAuthorityIgnoreSlashes;
          pointer++;
        } else {
          state = State.Relative;
          pointer--;
        }
        break;

      case State.PathOrAuthority:
        if (c === 0x2f) {
          state = State.Authority;
        } else {
          state = State.Path;
          pointer--;
        }
        break;

      case State.Relative:
        url.scheme = base!.scheme;
        special = isSpecialScheme(url.scheme);
        if (c === 0x2f || (special && c === 0x5c)) {
          state = State.RelativeSlash;
        } else {
          url.username = base!.username;
          url.password = base!.password;
          url.host = base!.host;
          url.port = base!.port;
          url.path = (base!.path as string[]).slice();
          url.query = base!.query;
          if (c === 0x3f) {
            url.query = '';
            state = State.Query;
          } else if (c === 0x23) {
            url.fragment = '';
            state = State.Fragment;
          } else if (c !== EOF) {
            url.query = null;
            shortenPath(url);
            state = State.Path;
            pointer--;
          }
        }
        break;

      case State.RelativeSlash:
        if (special && (c === 0x2f || c === 0x5c)) {
          state = State.SpecialAuthorityIgnoreSlashes;
        } else if (c === 0x2f) {
          state = State.Authority;
        } else {
          url.username = base!.username;
          url.password = base!.password;
          url.host = base!.host;
          url.port = base!.port;
          state = State.Path;
          pointer--;
        }
        break;

      case State.SpecialAuthoritySlashes:
        if (c === 0x2f && cps[pointer + 1] === 0x2f) {
          state = State.SpecialAuthorityIgnoreSlashes;
          pointer++;
        } else {
          state = State.SpecialAuthorityIgnoreSlashes;
          pointer--;
        }
        break;

      case State.SpecialAuthorityIgnoreSlashes:
        if (c !== 0x2f && c !== 0x5c) {
          state = State.Authority;
          pointer--;
        }
        break;

      case State.Authority:
        if (c === 0x40) {
          if (atSignSeen) buffer = `%40${buffer}`;
          atSignSeen = true;
          for (const ch of buffer) {
            const cp = ch.codePointAt(0)!;
            if (cp === 0x3a && !passwordTokenSeen) {
              passwordTokenSeen = true;
              continue;
            }
            const encoded = utf8PercentEncode(cp, USERINFO_SET);
            if (passwordTokenSeen) url.password += encoded;
            else url.username += encoded;
          }
          buffer = '';
          bufferCodePoints = 0;
        } else if (c === EOF || c === 0x2f || c === 0x3f || c === 0x23 || (special && c === 0x5c)) {
          if (atSignSeen && buffer === '') return FAILURE;
          pointer -= bufferCodePoints + 1;
          bufferCodePoints = 0;
          buffer = '';
          state = State.Host;
        } else if (text !== undefined && c < 0x80 && AUTHORITY_RUN_STOP[c] !== 1) {
          const end = runEnd(cps, pointer + 1, AUTHORITY_RUN_STOP);
          buffer += text.slice(pointer, end);
          bufferCodePoints += end - pointer;
          pointer = end - 1;
        } else {
          buffer += String.fromCodePoint(c);
          bufferCodePoints++;
        }
        break;

      case State.Host:
      case State.Hostname:
        if (stateOverride !== undefined && url.scheme === 'file') {
          state = State.FileHost;
          pointer--;
        } else if (c === 0x3a && !insideBrackets) {
          if (buffer === '') return FAILURE;
          if (stateOverride === State.Hostname) return FAILURE;
          const host = hostParse(buffer, !special);
          if (host === FAILURE || host === NEEDS_HOST) return host;
          url.host = host;
          buffer = '';
          state = State.Port;
        } else if (c === EOF || c === 0x2f || c === 0x3f || c === 0x23 || (special && c === 0x5c)) {
          pointer--;
          if (special && buffer === '') return FAILURE;
          if (stateOverride !== undefined && buffer === '' && (includesCredentials(url) || url.port !== null)) return FAILURE;
          const host = hostParse(buffer, !special);
          if (host === FAILURE || host === NEEDS_HOST) return host;
          url.host = host;
          buffer = '';
          state = State.PathStart;
          if (stateOverride !== undefined) return url;
        } else if (text !== undefined && c < 0x80 && HOST_RUN_STOP[c] !== 1) {
          const end = runEnd(cps, pointer + 1, HOST_RUN_STOP);
          buffer += text.slice(pointer, end);
          pointer = end - 1;
        } else {
          if (c === 0x5b) insideBrackets = true;
          if (c === 0x5d) insideBrackets = false;
          buffer += String.fromCodePoint(c);
        }
        break;

      case State.Port:
        if (c !== EOF && isASCIIDigit(c)) {
          buffer += String.fromCharCode(c);
        } else if (c === EOF || c === 0x2f || c === 0x3f || c === 0x23 || (special && c === 0x5c) || stateOverride !== undefined) {
          if (buffer !== '') {
            // Leading zeros are allowed; stopping past 65535 keeps the number exact.
            let port = 0;
            for (let i = 0; i < buffer.length && port <= 65535; i++) port = port * 10 + (buffer.charCodeAt(i) - 0x30);
            if (port > 65535) return FAILURE;
            url.port = defaultPort(url.scheme) === port ? null : port;
            buffer = '';
            if (stateOverride !== undefined) return url;
          }
          if (stateOverride !== undefined) return FAILURE;
          state = State.PathStart;
          pointer--;
        } else {
          return FAILURE;
        }
        break;

      case State.File:
        url.scheme = 'file';
        special = true;
        url.host = '';
        if (c === 0x2f || c === 0x5c) {
          state = State.FileSlash;
        } else if (base !== null && base.scheme === 'file') {
          url.host = base.host;
          url.path = (base.path as string[]).slice();
          url.query = base.query;
          if (c === 0x3f) {
            url.query = '';
            state = State.Query;
          } else if (c === 0x23) {
            url.fragment = '';
            state = State.Fragment;
          } else if (c !== EOF) {
            url.query = null;
            if (!startsWithWindowsDriveLetter(cps, pointer)) shortenPath(url);
            else url.path = [];
            state = State.Path;
            pointer--;
          }
        } else {
          state = State.Path;
          pointer--;
        }
        break;

      case State.FileSlash:
        if (c === 0x2f || c === 0x5c) {
          state = State.FileHost;
        } else {
          if (base !== null && base.scheme === 'file') {
            url.host = base.host;
            const basePath = base.path as string[];
            if (!startsWithWindowsDriveLetter(cps, pointer) && basePath.length > 0 && isWindowsDriveLetter(basePath[0]!, true)) {
              (url.path as string[]).push(basePath[0]!);
            }
          }
          state = State.Path;
          pointer--;
        }
        break;

      case State.FileHost:
        if (c === EOF || c === 0x2f || c === 0x5c || c === 0x3f || c === 0x23) {
          pointer--;
          if (stateOverride === undefined && isWindowsDriveLetter(buffer)) {
            // The buffer is not reset: the path state takes it as the drive letter.
            state = State.Path;
          } else if (buffer === '') {
            url.host = '';
            if (stateOverride !== undefined) return url;
            state = State.PathStart;
          } else {
            let host = hostParse(buffer, false);
            if (host === FAILURE || host === NEEDS_HOST) return host;
            if (host === 'localhost') host = '';
            url.host = host;
            if (stateOverride !== undefined) return url;
            buffer = '';
            state = State.PathStart;
          }
        } else {
          buffer += String.fromCodePoint(c);
        }
        break;

      case State.PathStart:
        if (special) {
          state = State.Path;
          if (c !== 0x2f && c !== 0x5c) pointer--;
        } else if (stateOverride === undefined && c === 0x3f) {
          url.query = '';
          state = State.Query;
        } else if (stateOverride === undefined && c === 0x23) {
          url.fragment = '';
          state = State.Fragment;
        } else if (c !== EOF) {
          state = State.Path;
          if (c !== 0x2f) pointer--;
        } else if (stateOverride !== undefined && url.host === null) {
          (url.path as string[]).push('');
        }
        break;

      case State.Path: {
        const slash = c === 0x2f || (special && c === 0x5c);
        // With a state override (the pathname setter), "?" and "#" are the path's.
        if (c === EOF || slash || (stateOverride === undefined && (c === 0x3f || c === 0x23))) {
          const path = url.path as string[];
          if (isDoubleDotSegment(buffer)) {
            shortenPath(url);
            if (!slash) path.push('');
          } else if (isSingleDotSegment(buffer) && !slash) {
            path.push('');
          } else if (!isSingleDotSegment(buffer)) {
            if (url.scheme === 'file' && path.length === 0 && isWindowsDriveLetter(buffer)) buffer = `${buffer[0]}:`;
            path.push(buffer);
          }
          buffer = '';
          if (c === 0x3f) {
            url.query = '';
            state = State.Query;
          } else if (c === 0x23) {
            url.fragment = '';
            state = State.Fragment;
          }
        } else if (text !== undefined && c < 0x80 && PATH_RUN_STOP[c] !== 1) {
          const end = runEnd(cps, pointer + 1, PATH_RUN_STOP);
          buffer += text.slice(pointer, end);
          pointer = end - 1;
        } else {
          buffer += utf8PercentEncode(c, PATH_SET);
        }
        break;
      }

      case State.OpaquePath:
        if (c === 0x3f) {
          url.query = '';
          state = State.Query;
        } else if (c === 0x23) {
          url.fragment = '';
          state = State.Fragment;
        } else if (c === 0x20) {
          const next = cps[pointer + 1];
          url.path += next === 0x3f || next === 0x23 ? '%20' : ' ';
        } else if (c !== EOF) {
          url.path += utf8PercentEncode(c, C0_CONTROL_SET);
        }
        break;

      case State.Query:
        if (c === 0x23 && stateOverride === undefined) {
          url.fragment = '';
          state = State.Fragment;
        } else if (c !== EOF) {
          const set = special ? SPECIAL_QUERY_SET : QUERY_SET;
          if (text !== undefined && c < 0x80 && set[c] !== 1) {
            const end = runEnd(cps, pointer + 1, set);
            url.query += text.slice(pointer, end);
            pointer = end - 1;
          } else {
            url.query += utf8PercentEncode(c, set);
          }
        }
        break;

      case State.Fragment:
        if (c === EOF) break;
        if (text !== undefined && c < 0x80 && FRAGMENT_SET[c] !== 1) {
          const end = runEnd(cps, pointer + 1, FRAGMENT_SET);
          url.fragment += text.slice(pointer, end);
          pointer = end - 1;
        } else {
          url.fragment += utf8PercentEncode(c, FRAGMENT_SET);
        }
        break;
    }
    // A state that went back a code point runs again on it; else the end of input ends the run.
    if (pointer >= length) break;
  }
  return url;
}

// --- Hosts (https://url.spec.whatwg.org/#host-parsing)

/** Forbidden host code points (https://url.spec.whatwg.org/#forbidden-host-code-point). */
const FORBIDDEN_HOST = asciiSet(null, '\u0000\t\n\r #/:<>?@[\\]^|');
/** Forbidden domain code points: the host's, C0 controls, "%" and DEL. */
const FORBIDDEN_DOMAIN = asciiSet(FORBIDDEN_HOST, `${C0_CONTROLS_AND_DEL}%`);

/** https://url.spec.whatwg.org/#concept-host-parser: the serialized host. */
function hostParse(input: string, isOpaque: boolean): string | typeof FAILURE | typeof NEEDS_HOST {
  if (input.charCodeAt(0) === 0x5b) {
    if (input.charCodeAt(input.length - 1) !== 0x5d) return FAILURE;
    const address = ipv6Parse(input.slice(1, -1));
    return address === null ? FAILURE : `[${ipv6Serialize(address)}]`;
  }
  if (isOpaque) return opaqueHostParse(input);
  const ascii = domainToASCII(percentDecodeToASCII(input) ?? utf8DecodeWithoutBOM(percentDecodeBytes(utf8Encode(input))));
  if (ascii === FAILURE || ascii === NEEDS_HOST) return ascii;
  if (endsInANumber(ascii)) return ipv4Parse(ascii);
  return ascii;
}

/** https://url.spec.whatwg.org/#percent-decode (a byte sequence). */
export function percentDecodeBytes(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x25 && i + 2 < bytes.length && isASCIIHexDigit(bytes[i + 1]!) && isASCIIHexDigit(bytes[i + 2]!)) {
      out[n++] = (hexDigitValue(bytes[i + 1]!) << 4) | hexDigitValue(bytes[i + 2]!);
      i += 2;
    } else {
      out[n++] = b;
    }
  }
  return out.subarray(0, n);
}

const hexDigitValue = (c: number): number => (c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10);

/**
 * The domain (the input's UTF-8 bytes percent-decoded, then decoded as UTF-8 without BOM) when
 * it is all ASCII, the usual case, without the byte round trip; else undefined.
 */
function percentDecodeToASCII(input: string): string | undefined {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (c >= 0x80) return undefined;
    if (c === 0x25 && i + 2 < input.length && isASCIIHexDigit(input.charCodeAt(i + 1)) && isASCIIHexDigit(input.charCodeAt(i + 2))) {
      const byte = parseInt(input.slice(i + 1, i + 3), 16);
      if (byte >= 0x80) return undefined;
      out += String.fromCharCode(byte);
      i += 2;
    } else {
      out += input[i];
    }
  }
  return out;
}

/**
 * https://url.spec.whatwg.org/#concept-domain-to-ascii with beStrict false. For an ASCII domain
 * with no label starting "xn--", UTS #46's processing is ASCII lowercasing; anything else needs
 * IDNA's tables, which the host has.
 */
function domainToASCII(domain: string): string | typeof FAILURE | typeof NEEDS_HOST {
  let result: string | null | undefined = asciiLowercase(domain);
  // A label starts with "xn--" where the domain does or ".xn--" is in it.
  if (result === undefined || result.startsWith('xn--') || result.includes('.xn--')) {
    result = toASCII(domain);
    if (result === undefined) return NEEDS_HOST;
    if (result === null) return FAILURE;
  }
  if (result === '') return FAILURE;
  for (let i = 0; i < result.length; i++) {
    const c = result.charCodeAt(i);
    if (FORBIDDEN_DOMAIN[c] === 1) return FAILURE;
  }
  return result;
}

/** The ASCII lowercase of an ASCII string; undefined for one that is not ASCII. */
function asciiLowercase(s: string): string | undefined {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return undefined;
  return s.toLowerCase();
}

/** https://url.spec.whatwg.org/#concept-opaque-host-parser */
function opaqueHostParse(input: string): string | typeof FAILURE {
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (c < 0x80 && FORBIDDEN_HOST[c] === 1) return FAILURE;
  }
  return encodeString(input, C0_CONTROL_SET);
}

/** https://url.spec.whatwg.org/#ends-in-a-number-checker */
function endsInANumber(input: string): boolean {
  // The last part split on ".", or the one before it when the last is empty (and there are two).
  let end = input.length;
  let start = input.lastIndexOf('.') + 1;
  if (start === end) {
    if (start === 0) return false;
    end = start - 1;
    start = input.lastIndexOf('.', end - 1) + 1;
  }
  const last = start === 0 && end === input.length ? input : input.slice(start, end);
  if (last !== '' && onlyDigits(last, 10)) return true;
  return ipv4NumberParse(last) !== FAILURE;
}

/** https://url.spec.whatwg.org/#ipv4-number-parser */
function ipv4NumberParse(input: string): number | typeof FAILURE {
  if (input === '') return FAILURE;
  let radix = 10;
  if (input.length >= 2 && input[0] === '0' && (input[1] === 'x' || input[1] === 'X')) {
    input = input.slice(2);
    radix = 16;
  } else if (input.length >= 2 && input[0] === '0') {
    input = input.slice(1);
    radix = 8;
  }
  if (input === '') return 0;
  if (!onlyDigits(input, radix)) return FAILURE;
  // Large values lose precision, but only their comparison with 2^32 matters then.
  return parseInt(input, radix);
}

/** `input` holds only digits of `radix` (8, 10 or 16). */
function onlyDigits(input: string, radix: number): boolean {
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (radix === 16 ? !isASCIIHexDigit(c) : c < 0x30 || c >= 0x30 + radix) return false;
  }
  return true;
}

/** https://url.spec.whatwg.org/#concept-ipv4-parser, serialized. */
function ipv4Parse(input: string): string | typeof FAILURE {
  const parts = input.split('.');
  if (parts[parts.length - 1] === '' && parts.length > 1) parts.pop();
  if (parts.length > 4) return FAILURE;
  const numbers: number[] = [];
  for (const part of parts) {
    const n = ipv4NumberParse(part);
    if (n === FAILURE) return FAILURE;
    numbers.push(n);
  }
  for (let i = 0; i < numbers.length - 1; i++) if (numbers[i]! > 255) return FAILURE;
  const last = numbers[numbers.length - 1]!;
  if (last >= 256 ** (5 - numbers.length)) return FAILURE;
  let ipv4 = last;
  for (let i = 0; i < numbers.length - 1; i++) ipv4 += numbers[i]! * 256 ** (3 - i);
  // https://url.spec.whatwg.org/#concept-ipv4-serializer
  return `${Math.floor(ipv4 / 2 ** 24) % 256}.${Math.floor(ipv4 / 2 ** 16) % 256}.${Math.floor(ipv4 / 2 ** 8) % 256}.${ipv4 % 256}`;
}

/** https://url.spec.whatwg.org/#concept-ipv6-parser: eight pieces, or null for failure. */
function ipv6Parse(input: string): number[] | null {
  const address = [0, 0, 0, 0, 0, 0, 0, 0];
  let pieceIndex = 0;
  let compress: number | null = null;
  let pointer = 0;
  const at = (i: number): number => (i < input.length ? input.charCodeAt(i) : EOF);
  if (at(pointer) === 0x3a) {
    if (at(pointer + 1) !== 0x3a) return null;
    pointer += 2;
    pieceIndex++;
    compress = pieceIndex;
  }
  while (at(pointer) !== EOF) {
    if (pieceIndex === 8) return null;
    if (at(pointer) === 0x3a) {
      if (compress !== null) return null;
      pointer++;
      pieceIndex++;
      compress = pieceIndex;
      continue;
    }
    let value = 0;
    let length = 0;
    while (length < 4 && at(pointer) !== EOF && isASCIIHexDigit(at(pointer))) {
      value = value * 0x10 + parseInt(input[pointer]!, 16);
      pointer++;
      length++;
    }
    if (at(pointer) === 0x2e) {
      if (length === 0) return null;
      pointer -= length;
      if (pieceIndex > 6) return null;
      let numbersSeen = 0;
      while (at(pointer) !== EOF) {
        let ipv4Piece: number | null = null;
        if (numbersSeen > 0) {
          if (at(pointer) === 0x2e && numbersSeen < 4) pointer++;
          else return null;
        }
        if (at(pointer) === EOF || !isASCIIDigit(at(pointer))) return null;
        while (at(pointer) !== EOF && isASCIIDigit(at(pointer))) {
          const number = at(pointer) - 0x30;
          if (ipv4Piece === null) ipv4Piece = number;
          else if (ipv4Piece === 0) return null;
          else ipv4Piece = ipv4Piece * 10 + number;
          if (ipv4Piece > 255) return null;
          pointer++;
        }
        address[pieceIndex] = address[pieceIndex]! * 0x100 + ipv4Piece!;
        numbersSeen++;
        if (numbersSeen === 2 || numbersSeen === 4) pieceIndex++;
      }
      if (numbersSeen !== 4) return null;
      break;
    } else if (at(pointer) === 0x3a) {
      pointer++;
      if (at(pointer) === EOF) return null;
    } else if (at(pointer) !== EOF) {
      return null;
    }
    address[pieceIndex] = value;
    pieceIndex++;
  }
  if (compress !== null) {
    let swaps = pieceIndex - compress;
    pieceIndex = 7;
    while (pieceIndex !== 0 && swaps > 0) {
      const other = compress + swaps - 1;
      const t = address[pieceIndex]!;
      address[pieceIndex] = address[other]!;
      address[other] = t;
      pieceIndex--;
      swaps--;
    }
  } else if (pieceIndex !== 8) {
    return null;
  }
  return address;
}

/** https://url.spec.whatwg.org/#concept-ipv6-serializer */
function ipv6Serialize(address: number[]): string {
  // The first longest run of two or more zero pieces is compressed.
  let compress = -1;
  let best = 1;
  for (let i = 0; i < 8; ) {
    if (address[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && address[j] === 0) j++;
    if (j - i > best) {
      best = j - i;
      compress = i;
    }
    i = j;
  }
  let output = '';
  let ignore0 = false;
  for (let i = 0; i < 8; i++) {
    if (ignore0 && address[i] === 0) continue;
    ignore0 = false;
    if (compress === i) {
      output += i === 0 ? '::' : ':';
      ignore0 = true;
      continue;
    }
    output += address[i]!.toString(16);
    if (i !== 7) output += ':';
  }
  return output;
}

// --- Serializing (https://url.spec.whatwg.org/#url-serializing) into the URL class's parts

/** https://url.spec.whatwg.org/#url-path-serializer */
export function serializePath(url: URLRecord): string {
  if (typeof url.path === 'string') return url.path;
  let output = '';
  for (const segment of url.path) output += `/${segment}`;
  return output;
}

/**
 * https://url.spec.whatwg.org/#concept-url-origin, serialized. A blob: URL's is its path's
 * (the URL class has no blob URL entry to ask: the URL parser does not resolve one).
 */
function serializeOrigin(url: URLRecord, host: string): string | typeof NEEDS_HOST {
  if (url.scheme === 'blob') {
    const pathURL = basicURLParse(serializePath(url), null);
    if (pathURL === NEEDS_HOST) return NEEDS_HOST;
    if (pathURL === FAILURE || (pathURL.scheme !== 'http' && pathURL.scheme !== 'https')) return 'null';
    return serializeOrigin(pathURL, pathURL.port === null ? pathURL.host! : `${pathURL.host!}:${pathURL.port}`);
  }
  // The special schemes but file have a tuple origin; every other URL an opaque one.
  return isSpecialScheme(url.scheme) && url.scheme !== 'file' ? `${url.scheme}://${host}` : 'null';
}

/** The URL class's parts of `url`; undefined when its origin needs IDNA that no host gives. */
function urlParts(url: URLRecord): URLParts | undefined {
  const protocol = `${url.scheme}:`;
  const pathname = serializePath(url);
  const port = url.port === null ? '' : `${url.port}`;
  const hostname = url.host ?? '';
  const host = url.host === null ? '' : url.port === null ? url.host : `${url.host}:${port}`;
  let href = protocol;
  if (url.host !== null) {
    href += '//';
    if (url.username !== '' || url.password !== '') {
      href += url.username;
      if (url.password !== '') href += `:${url.password}`;
      href += '@';
    }
    href += host;
  } else if (typeof url.path !== 'string' && url.path.length > 1 && url.path[0] === '') {
    href += '/.';
  }
  href += pathname;
  if (url.query !== null) href += `?${url.query}`;
  if (url.fragment !== null) href += `#${url.fragment}`;
  const origin = serializeOrigin(url, host);
  if (origin === NEEDS_HOST) return undefined;
  return {
    href,
    origin,
    protocol,
    username: url.username,
    password: url.password,
    host,
    hostname,
    port,
    pathname,
    search: url.query === null || url.query === '' ? '' : `?${url.query}`,
    hash: url.fragment === null || url.fragment === '' ? '' : `#${url.fragment}`,
  };
}
