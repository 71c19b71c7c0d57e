// URLPattern (https://urlpattern.spec.whatwg.org/): the tokenizer, the pattern parser, the
// regular expression and pattern string generators, the constructor string parser and the
// matching, with each component canonicalized by the URL parser's state overrides
// (url-parser.ts) as the standard says. Workers and Deno have it; routers use it.
import { defineInterface } from '../streams/webidl/interface.js';
import { dictionaryObject, toBoolean, type Dict } from '../streams/webidl/converters.js';
import { reflectApply as ReflectApply, TypeErrorCtor } from '../streams/webidl/intrinsics.js';
import { domainToASCIIByHost, noIDNA, parse as parseURLParts, usvString } from './url.js';
import {
  defaultPort,
  encodeUserinfo,
  isSpecialScheme,
  parseIntoURLRecord,
  parseURLRecord,
  serializePath,
  type StateOverride,
  type URLRecord,
} from './url-parser.js';

const RegExpCtor = RegExp;
const RegExpExec = RegExp.prototype.exec;

// --- Tokenizing (https://urlpattern.spec.whatwg.org/#tokenizing)

type TokenType = 'open' | 'close' | 'regexp' | 'name' | 'char' | 'escaped-char' | 'other-modifier' | 'asterisk' | 'end' | 'invalid-char';

interface Token {
  type: TokenType;
  /** Where the token starts in the input, in code points. */
  index: number;
  value: string;
}

type TokenizePolicy = 'strict' | 'lenient';

const ID_START = /[$_\p{ID_Start}]/u;
const ID_CONTINUE = /[$\u200C\u200D\p{ID_Continue}]/u;

/** https://urlpattern.spec.whatwg.org/#is-a-valid-name-code-point */
function isValidNameCodePoint(codePoint: string, first: boolean): boolean {
  return (first ? ID_START : ID_CONTINUE).test(codePoint);
}

const isASCII = (codePoint: string): boolean => codePoint.codePointAt(0)! <= 0x7f;

/** https://urlpattern.spec.whatwg.org/#tokenize (on the input's code points). */
function tokenize(input: string, policy: TokenizePolicy): Token[] {
  const cps = Array.from(input);
  const tokens: Token[] = [];
  let index = 0;
  let nextIndex = 0;
  let codePoint = '';
  // Read through a function where a call may have changed it (the compiler narrows a plain read).
  const current = (): string => codePoint;
  const getNextCodePoint = (): void => {
    codePoint = cps[nextIndex]!;
    nextIndex++;
  };
  const seekAndGetNextCodePoint = (at: number): void => {
    nextIndex = at;
    getNextCodePoint();
  };
  const addToken = (type: TokenType, nextPosition: number, valuePosition: number, valueLength: number): void => {
    tokens.push({ type, index, value: cps.slice(valuePosition, valuePosition + valueLength).join('') });
    index = nextPosition;
  };
  const addTokenWithDefaultLength = (type: TokenType, nextPosition: number, valuePosition: number): void =>
    addToken(type, nextPosition, valuePosition, nextPosition - valuePosition);
  const addTokenWithDefaultPositionAndLength = (type: TokenType): void => addTokenWithDefaultLength(type, nextIndex, index);
  const tokenizingError = (nextPosition: number, valuePosition: number): void => {
    if (policy === 'strict') throw new TypeErrorCtor(`Failed to construct 'URLPattern': invalid pattern at ${valuePosition}: '${input}'.`);
    addTokenWithDefaultLength('invalid-char', nextPosition, valuePosition);
  };

  while (index < cps.length) {
    seekAndGetNextCodePoint(index);
    if (codePoint === '*') {
      addTokenWithDefaultPositionAndLength('asterisk');
      continue;
    }
    if (codePoint === '+' || codePoint === '?') {
      addTokenWithDefaultPositionAndLength('other-modifier');
      continue;
    }
    if (codePoint === '\\') {
      if (index === cps.length - 1) {
        tokenizingError(nextIndex, index);
        continue;
      }
      const escapedIndex = nextIndex;
      getNextCodePoint();
      addTokenWithDefaultLength('escaped-char', nextIndex, escapedIndex);
      continue;
    }
    if (codePoint === '{') {
      addTokenWithDefaultPositionAndLength('open');
      continue;
    }
    if (codePoint === '}') {
      addTokenWithDefaultPositionAndLength('close');
      continue;
    }
    if (codePoint === ':') {
      let namePosition = nextIndex;
      const nameStart = namePosition;
      while (namePosition < cps.length) {
        seekAndGetNextCodePoint(namePosition);
        if (!isValidNameCodePoint(codePoint, namePosition === nameStart)) break;
        namePosition = nextIndex;
      }
      if (namePosition <= nameStart) {
        tokenizingError(nameStart, index);
        continue;
      }
      addTokenWithDefaultLength('name', namePosition, nameStart);
      continue;
    }
    if (codePoint === '(') {
      let depth = 1;
      let regexpPosition = nextIndex;
      const regexpStart = regexpPosition;
      let error = false;
      while (regexpPosition < cps.length) {
        seekAndGetNextCodePoint(regexpPosition);
        if (!isASCII(current()) || (regexpPosition === regexpStart && current() === '?')) {
          tokenizingError(regexpStart, index);
          error = true;
          break;
        }
        if (current() === '\\') {
          if (regexpPosition === cps.length - 1) {
            tokenizingError(regexpStart, index);
            error = true;
            break;
          }
          getNextCodePoint();
          if (!isASCII(current())) {
            tokenizingError(regexpStart, index);
            error = true;
            break;
          }
          regexpPosition = nextIndex;
          continue;
        }
        if (current() === ')') {
          depth--;
          if (depth === 0) {
            regexpPosition = nextIndex;
            break;
          }
        } else if (current() === '(') {
          depth++;
          if (regexpPosition === cps.length - 1) {
            tokenizingError(regexpStart, index);
            error = true;
            break;
          }
          const temporaryPosition = nextIndex;
          getNextCodePoint();
          if (current() !== '?') {
            tokenizingError(regexpStart, index);
            error = true;
            break;
          }
          nextIndex = temporaryPosition;
        }
        regexpPosition = nextIndex;
      }
      if (error) continue;
      if (depth !== 0) {
        tokenizingError(regexpStart, index);
        continue;
      }
      const regexpLength = regexpPosition - regexpStart - 1;
      if (regexpLength === 0) {
        tokenizingError(regexpStart, index);
        continue;
      }
      addToken('regexp', regexpPosition, regexpStart, regexpLength);
      continue;
    }
    addTokenWithDefaultPositionAndLength('char');
  }
  addTokenWithDefaultLength('end', index, index);
  return tokens;
}

// --- Parsing pattern strings (https://urlpattern.spec.whatwg.org/#parsing-patterns)

type Modifier = 'none' | 'optional' | 'zero-or-more' | 'one-or-more';
type PartType = 'fixed-text' | 'regexp' | 'segment-wildcard' | 'full-wildcard';

interface Part {
  type: PartType;
  value: string;
  modifier: Modifier;
  name: string;
  prefix: string;
  suffix: string;
}

interface Options {
  delimiter: string;
  prefix: string;
  ignoreCase: boolean;
}

const DEFAULT_OPTIONS: Options = { delimiter: '', prefix: '', ignoreCase: false };
const HOSTNAME_OPTIONS: Options = { delimiter: '.', prefix: '', ignoreCase: false };
const PATHNAME_OPTIONS: Options = { delimiter: '/', prefix: '/', ignoreCase: false };

const FULL_WILDCARD_REGEXP_VALUE = '.*';
/**
 * The segment wildcard regexp with no delimiter, "[^]+?", as the compiled regexp writes it:
 * Node 20's V8 (11.3) never matches a quantified `[^]` under the v flag (`/^([^]+?)$/v` fails on
 * "foobar"); `[\s\S]` is the same set of code points. Pattern strings keep the standard's form.
 */
const ANY_CODE_POINTS = '[\\s\\S]+?';

/** Whether this engine has that bug (a quantified `[^]` under the v flag never matches). */
const QUANTIFIED_EMPTY_NEGATED_CLASS_BROKEN = (() => {
  try {
    return ReflectApply(RegExpExec, new RegExpCtor('^[^]+$', 'v'), ['ab']) === null;
  } catch {
    return false;
  }
})();

/**
 * A regexp group's text with each `[^]` outside a character class written as `[\s\S]`, the same
 * set, on an engine with the bug above: `/([^]+)/` in a pattern is legal and means any code
 * points. Escapes and (nested, under the v flag) classes are skipped over; nothing else changes.
 */
function withoutBrokenEmptyNegatedClasses(value: string): string {
  if (!QUANTIFIED_EMPTY_NEGATED_CLASS_BROKEN || !value.includes('[^]')) return value;
  let result = '';
  let depth = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\') {
      result += value.slice(i, i + 2);
      i++;
    } else if (depth === 0 && value.startsWith('[^]', i)) {
      result += '[\\s\\S]';
      i += 2;
    } else {
      if (c === '[') depth++;
      else if (c === ']' && depth > 0) depth--;
      result += c;
    }
  }
  return result;
}

type EncodingCallback = (value: string) => string;

/** https://urlpattern.spec.whatwg.org/#generate-a-segment-wildcard-regexp */
function segmentWildcardRegexp(options: Options): string {
  return `[^${escapeRegexpString(options.delimiter)}]+?`;
}

/** https://urlpattern.spec.whatwg.org/#parse-a-pattern-string */
function parsePatternString(input: string, options: Options, encode: EncodingCallback): Part[] {
  const tokens = tokenize(input, 'strict');
  const segmentWildcard = segmentWildcardRegexp(options);
  const parts: Part[] = [];
  let pendingFixedValue = '';
  let index = 0;
  let nextNumericName = 0;

  const tryConsume = (type: TokenType): Token | null => {
    const token = tokens[index]!;
    if (token.type !== type) return null;
    index++;
    return token;
  };
  const tryConsumeModifier = (): Token | null => tryConsume('other-modifier') ?? tryConsume('asterisk');
  const tryConsumeRegexpOrWildcard = (name: Token | null): Token | null => {
    const token = tryConsume('regexp');
    return name === null && token === null ? tryConsume('asterisk') : token;
  };
  const consumeRequired = (type: TokenType): Token => {
    const token = tryConsume(type);
    if (token === null) throw new TypeErrorCtor(`Failed to construct 'URLPattern': expected a ${type} token at ${tokens[index]!.index} in '${input}'.`);
    return token;
  };
  const consumeText = (): string => {
    let result = '';
    for (;;) {
      const token = tryConsume('char') ?? tryConsume('escaped-char');
      if (token === null) return result;
      result += token.value;
    }
  };
  const maybeAddPartFromPendingFixedValue = (): void => {
    if (pendingFixedValue === '') return;
    const value = encode(pendingFixedValue);
    pendingFixedValue = '';
    parts.push({ type: 'fixed-text', value, modifier: 'none', name: '', prefix: '', suffix: '' });
  };
  const addPart = (prefix: string, nameToken: Token | null, regexpOrWildcard: Token | null, suffix: string, modifierToken: Token | null): void => {
    let modifier: Modifier = 'none';
    if (modifierToken !== null) modifier = modifierToken.value === '?' ? 'optional' : modifierToken.value === '*' ? 'zero-or-more' : 'one-or-more';
    if (nameToken === null && regexpOrWildcard === null && modifier === 'none') {
      pendingFixedValue += prefix;
      return;
    }
    maybeAddPartFromPendingFixedValue();
    if (nameToken === null && regexpOrWildcard === null) {
      if (prefix === '') return;
      parts.push({ type: 'fixed-text', value: encode(prefix), modifier, name: '', prefix: '', suffix: '' });
      return;
    }
    let regexpValue: string;
    if (regexpOrWildcard === null) regexpValue = segmentWildcard;
    else if (regexpOrWildcard.type === 'asterisk') regexpValue = FULL_WILDCARD_REGEXP_VALUE;
    else regexpValue = regexpOrWildcard.value;
    let type: PartType = 'regexp';
    if (regexpValue === segmentWildcard) {
      type = 'segment-wildcard';
      regexpValue = '';
    } else if (regexpValue === FULL_WILDCARD_REGEXP_VALUE) {
      type = 'full-wildcard';
      regexpValue = '';
    }
    let name = '';
    if (nameToken !== null) name = nameToken.value;
    else if (regexpOrWildcard !== null) name = `${nextNumericName++}`;
    if (parts.some((part) => part.name === name)) throw new TypeErrorCtor(`Failed to construct 'URLPattern': the group name '${name}' is used twice in '${input}'.`);
    parts.push({ type, value: regexpValue, modifier, name, prefix: encode(prefix), suffix: encode(suffix) });
  };

  while (index < tokens.length) {
    const charToken = tryConsume('char');
    const nameToken = tryConsume('name');
    const regexpOrWildcard = tryConsumeRegexpOrWildcard(nameToken);
    if (nameToken !== null || regexpOrWildcard !== null) {
      let prefix = charToken === null ? '' : charToken.value;
      if (prefix !== '' && prefix !== options.prefix) {
        pendingFixedValue += prefix;
        prefix = '';
      }
      maybeAddPartFromPendingFixedValue();
      addPart(prefix, nameToken, regexpOrWildcard, '', tryConsumeModifier());
      continue;
    }
    const fixedToken = charToken ?? tryConsume('escaped-char');
    if (fixedToken !== null) {
      pendingFixedValue += fixedToken.value;
      continue;
    }
    if (tryConsume('open') !== null) {
      const prefix = consumeText();
      const name = tryConsume('name');
      const regexpOrWildcardInGroup = tryConsumeRegexpOrWildcard(name);
      const suffix = consumeText();
      consumeRequired('close');
      addPart(prefix, name, regexpOrWildcardInGroup, suffix, tryConsumeModifier());
      continue;
    }
    maybeAddPartFromPendingFixedValue();
    consumeRequired('end');
  }
  return parts;
}

const MODIFIER_STRINGS: Record<Modifier, string> = { none: '', optional: '?', 'zero-or-more': '*', 'one-or-more': '+' };

/** https://urlpattern.spec.whatwg.org/#escape-a-regexp-string */
function escapeRegexpString(input: string): string {
  let result = '';
  for (const c of input) result += '.+*?^${}()[]|/\\'.includes(c) ? `\\${c}` : c;
  return result;
}

/** https://urlpattern.spec.whatwg.org/#escape-a-pattern-string */
function escapePatternString(input: string): string {
  let result = '';
  for (const c of input) result += '+*?:{}()\\'.includes(c) ? `\\${c}` : c;
  return result;
}

/** https://urlpattern.spec.whatwg.org/#generate-a-regular-expression-and-name-list */
function generateRegexpAndNames(parts: readonly Part[], options: Options): [string, string[]] {
  let result = '^';
  const names: string[] = [];
  for (const part of parts) {
    const modifier = MODIFIER_STRINGS[part.modifier];
    if (part.type === 'fixed-text') {
      result += part.modifier === 'none' ? escapeRegexpString(part.value) : `(?:${escapeRegexpString(part.value)})${modifier}`;
      continue;
    }
    names.push(part.name);
    let regexpValue = part.type === 'regexp' ? withoutBrokenEmptyNegatedClasses(part.value) : part.value;
    if (part.type === 'segment-wildcard') regexpValue = options.delimiter === '' ? ANY_CODE_POINTS : segmentWildcardRegexp(options);
    else if (part.type === 'full-wildcard') regexpValue = FULL_WILDCARD_REGEXP_VALUE;
    if (part.prefix === '' && part.suffix === '') {
      result += part.modifier === 'none' || part.modifier === 'optional' ? `(${regexpValue})${modifier}` : `((?:${regexpValue})${modifier})`;
      continue;
    }
    const prefix = escapeRegexpString(part.prefix);
    const suffix = escapeRegexpString(part.suffix);
    if (part.modifier === 'none' || part.modifier === 'optional') {
      result += `(?:${prefix}(${regexpValue})${suffix})${modifier}`;
      continue;
    }
    result += `(?:${prefix}((?:${regexpValue})(?:${suffix}${prefix}(?:${regexpValue}))*)${suffix})`;
    if (part.modifier === 'zero-or-more') result += '?';
  }
  return [`${result}$`, names];
}

const isASCIIDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** https://urlpattern.spec.whatwg.org/#generate-a-pattern-string */
function generatePatternString(parts: readonly Part[], options: Options): string {
  let result = '';
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index]!;
    const previous = index > 0 ? parts[index - 1]! : null;
    const next = index < parts.length - 1 ? parts[index + 1]! : null;
    const modifier = MODIFIER_STRINGS[part.modifier];
    if (part.type === 'fixed-text') {
      result += part.modifier === 'none' ? escapePatternString(part.value) : `{${escapePatternString(part.value)}}${modifier}`;
      continue;
    }
    const customName = !isASCIIDigit(part.name[0]);
    let needsGrouping = part.suffix !== '' || (part.prefix !== '' && part.prefix !== options.prefix);
    if (!needsGrouping && customName && part.type === 'segment-wildcard' && part.modifier === 'none' && next !== null && next.prefix === '' && next.suffix === '') {
      if (next.type === 'fixed-text') {
        const first = Array.from(next.value)[0];
        needsGrouping = first !== undefined && isValidNameCodePoint(first, false);
      } else {
        needsGrouping = isASCIIDigit(next.name[0]);
      }
    }
    if (!needsGrouping && part.prefix === '' && previous !== null && previous.type === 'fixed-text' && previous.modifier === 'none') {
      const last = Array.from(previous.value).pop();
      needsGrouping = last === options.prefix;
    }
    if (needsGrouping) result += '{';
    result += escapePatternString(part.prefix);
    if (customName) result += `:${part.name}`;
    if (part.type === 'regexp') result += `(${part.value})`;
    else if (part.type === 'segment-wildcard' && !customName) result += `(${segmentWildcardRegexp(options)})`;
    else if (part.type === 'full-wildcard') {
      if (!customName && (previous === null || previous.type === 'fixed-text' || previous.modifier !== 'none' || needsGrouping || part.prefix !== '')) result += '*';
      else result += `(${FULL_WILDCARD_REGEXP_VALUE})`;
    }
    if (part.type === 'segment-wildcard' && customName && part.suffix !== '' && isValidNameCodePoint(Array.from(part.suffix)[0]!, false)) result += '\\';
    result += escapePatternString(part.suffix);
    if (needsGrouping) result += '}';
    result += modifier;
  }
  return result;
}

// --- Components (https://urlpattern.spec.whatwg.org/#component)

interface Component {
  patternString: string;
  regexp: RegExp;
  groupNames: string[];
  hasRegExpGroups: boolean;
}

/** https://urlpattern.spec.whatwg.org/#compile-a-component */
function compileComponent(input: string, encode: EncodingCallback, options: Options): Component {
  const parts = parsePatternString(input, options, encode);
  const [source, groupNames] = generateRegexpAndNames(parts, options);
  let regexp: RegExp;
  try {
    regexp = new RegExpCtor(source, options.ignoreCase ? 'vi' : 'v');
  } catch (error) {
    throw new TypeErrorCtor(`Failed to construct 'URLPattern': '${input}' makes an invalid regular expression (${(error as Error).message}).`);
  }
  return { patternString: generatePatternString(parts, options), regexp, groupNames, hasRegExpGroups: parts.some((part) => part.type === 'regexp') };
}

const SPECIAL_SCHEMES = ['ftp', 'file', 'http', 'https', 'ws', 'wss'];

/** https://urlpattern.spec.whatwg.org/#protocol-component-matches-a-special-scheme */
function protocolComponentMatchesSpecialScheme(component: Component): boolean {
  return SPECIAL_SCHEMES.some((scheme) => ReflectApply(RegExpExec, component.regexp, [scheme]) !== null);
}

// --- Canonicalization (https://urlpattern.spec.whatwg.org/#canon-encoding-callbacks)

const failure = (what: string, value: string): TypeError => new TypeErrorCtor(`Failed to construct 'URLPattern': '${value}' is not a valid ${what}.`);

/** The URL parser's outcome, with IDNA the host gives; failure and no IDNA alike are a TypeError. */
function checked(outcome: boolean | undefined, what: string, value: string): void {
  if (outcome !== true) throw failure(what, value);
}

function parseRecord(input: string, base: URLRecord | null): URLRecord | null {
  const url = parseURLRecord(input, base, domainToASCIIByHost);
  if (url === undefined) throw noIDNA();
  return url;
}

/** https://urlpattern.spec.whatwg.org/#create-a-dummy-url */
const dummyURL = (): URLRecord => parseRecord('https://dummy.invalid/', null)!;

function canonicalizeProtocol(value: string): string {
  if (value === '') return value;
  const url = parseRecord(`${value}://dummy.invalid/`, null);
  if (url === null) throw failure('protocol', value);
  return url.scheme;
}

/** Canonicalize a username, and a password: the standard's two algorithms are the same steps. */
function canonicalizeUserinfo(value: string): string {
  return value === '' ? value : encodeUserinfo(value);
}

function canonicalizeHostname(value: string): string {
  if (value === '') return value;
  const url = dummyURL();
  checked(parseIntoURLRecord(value, url, 'hostname', domainToASCIIByHost), 'hostname', value);
  return url.host ?? '';
}

function canonicalizeIPv6Hostname(value: string): string {
  let result = '';
  for (const c of value) {
    if (!/^[0-9A-Fa-f[\]:]$/.test(c)) throw failure('IPv6 hostname', value);
    result += c.toLowerCase();
  }
  return result;
}

function canonicalizePort(value: string, protocol?: string): string {
  if (value === '') return value;
  const url = dummyURL();
  if (protocol !== undefined) url.scheme = protocol;
  checked(parseIntoURLRecord(value, url, 'port', domainToASCIIByHost), 'port', value);
  return url.port === null ? '' : `${url.port}`;
}

function canonicalizePathname(value: string): string {
  if (value === '') return value;
  const leadingSlash = value[0] === '/';
  const modified = `${leadingSlash ? '' : '/-'}${value}`;
  const url = dummyURL();
  url.path = [];
  checked(parseIntoURLRecord(modified, url, 'path start', domainToASCIIByHost), 'pathname', value);
  const result = serializePath(url);
  return leadingSlash ? result : Array.from(result).slice(2).join('');
}

function canonicalizeOpaquePathname(value: string): string {
  if (value === '') return value;
  const url: URLRecord = { scheme: '', username: '', password: '', host: null, port: null, path: '', query: null, fragment: null };
  checked(parseIntoURLRecord(value, url, 'opaque path', domainToASCIIByHost), 'pathname', value);
  return serializePath(url);
}

function canonicalizeSearch(value: string): string {
  if (value === '') return value;
  const url = dummyURL();
  url.query = '';
  checked(parseIntoURLRecord(value, url, 'query', domainToASCIIByHost), 'search', value);
  return url.query ?? '';
}

function canonicalizeHash(value: string): string {
  if (value === '') return value;
  const url = dummyURL();
  url.fragment = '';
  checked(parseIntoURLRecord(value, url, 'fragment', domainToASCIIByHost), 'hash', value);
  return url.fragment ?? '';
}

// --- URLPatternInit (https://urlpattern.spec.whatwg.org/#dictdef-urlpatterninit)

const COMPONENTS = ['protocol', 'username', 'password', 'hostname', 'port', 'pathname', 'search', 'hash'] as const;
type ComponentName = (typeof COMPONENTS)[number];
type URLPatternInit = Partial<Record<ComponentName | 'baseURL', string>>;

/** The dictionary's members in the standard's (lexicographic) order, each a USVString. */
const INIT_MEMBERS = ['baseURL', 'hash', 'hostname', 'password', 'pathname', 'port', 'protocol', 'search', 'username'] as const;

function toURLPatternInit(dict: Dict | null): URLPatternInit {
  const init: URLPatternInit = {};
  if (dict === null) return init;
  for (const member of INIT_MEMBERS) {
    const value = dict[member];
    if (value !== undefined) init[member] = usvString(value);
  }
  return init;
}

type InitType = 'pattern' | 'url';

/** https://urlpattern.spec.whatwg.org/#process-a-base-url-string */
const processBaseURLString = (input: string, type: InitType): string => (type !== 'pattern' ? input : escapePatternString(input));

/** https://urlpattern.spec.whatwg.org/#is-an-absolute-pathname */
function isAbsolutePathname(input: string, type: InitType): boolean {
  if (input === '') return false;
  if (input[0] === '/') return true;
  if (type === 'url' || input.length < 2) return false;
  return (input[0] === '\\' || input[0] === '{') && input[1] === '/';
}

/**
 * https://urlpattern.spec.whatwg.org/#process-a-urlpatterninit: the constructor gives no component
 * values (null), matching gives each as the empty string.
 */
function processInit(init: URLPatternInit, type: InitType): URLPatternInit {
  const result: URLPatternInit = type === 'url' ? { protocol: '', username: '', password: '', hostname: '', port: '', pathname: '', search: '', hash: '' } : {};
  let baseURL: URLRecord | null = null;
  const has = (...names: (keyof URLPatternInit)[]): boolean => names.some((name) => init[name] !== undefined);
  if (init.baseURL !== undefined) {
    baseURL = parseRecord(init.baseURL, null);
    if (baseURL === null) throw new TypeErrorCtor(`Failed to construct 'URLPattern': invalid base URL '${init.baseURL}'.`);
    if (!has('protocol')) result.protocol = processBaseURLString(baseURL.scheme, type);
    if (type !== 'pattern' && !has('protocol', 'hostname', 'port', 'username')) result.username = processBaseURLString(baseURL.username, type);
    if (type !== 'pattern' && !has('protocol', 'hostname', 'port', 'username', 'password')) result.password = processBaseURLString(baseURL.password, type);
    if (!has('protocol', 'hostname')) result.hostname = processBaseURLString(baseURL.host ?? '', type);
    if (!has('protocol', 'hostname', 'port')) result.port = baseURL.port === null ? '' : `${baseURL.port}`;
    if (!has('protocol', 'hostname', 'port', 'pathname')) result.pathname = processBaseURLString(serializePath(baseURL), type);
    if (!has('protocol', 'hostname', 'port', 'pathname', 'search')) result.search = processBaseURLString(baseURL.query ?? '', type);
    if (!has('protocol', 'hostname', 'port', 'pathname', 'search', 'hash')) result.hash = processBaseURLString(baseURL.fragment ?? '', type);
  }
  const pattern = type === 'pattern';
  if (init.protocol !== undefined) {
    const stripped = init.protocol.endsWith(':') ? init.protocol.slice(0, -1) : init.protocol;
    result.protocol = pattern ? stripped : canonicalizeProtocol(stripped);
  }
  if (init.username !== undefined) result.username = pattern ? init.username : canonicalizeUserinfo(init.username);
  if (init.password !== undefined) result.password = pattern ? init.password : canonicalizeUserinfo(init.password);
  if (init.hostname !== undefined) result.hostname = pattern ? init.hostname : canonicalizeHostname(init.hostname);
  if (init.port !== undefined) result.port = pattern ? init.port : canonicalizePort(init.port, result.protocol);
  if (init.pathname !== undefined) {
    let pathname = init.pathname;
    if (baseURL !== null && typeof baseURL.path !== 'string' && !isAbsolutePathname(pathname, type)) {
      const basePath = processBaseURLString(serializePath(baseURL), type);
      const slash = basePath.lastIndexOf('/');
      if (slash !== -1) pathname = basePath.slice(0, slash + 1) + pathname;
    }
    if (!pattern) {
      const protocol = result.protocol ?? '';
      pathname = protocol === '' || isSpecialScheme(protocol) ? canonicalizePathname(pathname) : canonicalizeOpaquePathname(pathname);
    }
    result.pathname = pathname;
  }
  if (init.search !== undefined) {
    const stripped = init.search.startsWith('?') ? init.search.slice(1) : init.search;
    result.search = pattern ? stripped : canonicalizeSearch(stripped);
  }
  if (init.hash !== undefined) {
    const stripped = init.hash.startsWith('#') ? init.hash.slice(1) : init.hash;
    result.hash = pattern ? stripped : canonicalizeHash(stripped);
  }
  return result;
}

// --- The constructor string parser (https://urlpattern.spec.whatwg.org/#constructor-string-parsing)

type ParserState = 'init' | 'protocol' | 'authority' | 'username' | 'password' | 'hostname' | 'port' | 'pathname' | 'search' | 'hash' | 'done';

/** https://urlpattern.spec.whatwg.org/#parse-a-constructor-string */
function parseConstructorString(input: string): URLPatternInit {
  const cps = Array.from(input);
  const tokens = tokenize(input, 'lenient');
  const result: URLPatternInit = {};
  let componentStart = 0;
  let tokenIndex = 0;
  let tokenIncrement = 1;
  let groupDepth = 0;
  let ipv6BracketDepth = 0;
  let protocolMatchesSpecialScheme = false;
  let state = 'init' as ParserState;

  const safeToken = (index: number): Token => tokens[index < tokens.length ? index : tokens.length - 1]!;
  const isNonSpecialPatternChar = (index: number, value: string): boolean => {
    const token = safeToken(index);
    return token.value === value && (token.type === 'char' || token.type === 'escaped-char' || token.type === 'invalid-char');
  };
  const isSearchPrefix = (): boolean => {
    if (isNonSpecialPatternChar(tokenIndex, '?')) return true;
    if (tokens[tokenIndex]!.value !== '?') return false;
    if (tokenIndex - 1 < 0) return true;
    const previous = safeToken(tokenIndex - 1);
    return !(previous.type === 'name' || previous.type === 'regexp' || previous.type === 'close' || previous.type === 'asterisk');
  };
  const isHashPrefix = (): boolean => isNonSpecialPatternChar(tokenIndex, '#');
  const isPathnameStart = (): boolean => isNonSpecialPatternChar(tokenIndex, '/');
  const isIdentityTerminator = (): boolean => isNonSpecialPatternChar(tokenIndex, '@');
  const isColon = (): boolean => isNonSpecialPatternChar(tokenIndex, ':');
  const makeComponentString = (): string => cps.slice(safeToken(componentStart).index, tokens[tokenIndex]!.index).join('');
  const rewind = (): void => {
    tokenIndex = componentStart;
    tokenIncrement = 0;
  };
  const rewindAndSetState = (next: ParserState): void => {
    rewind();
    state = next;
  };
  const changeState = (next: ParserState, skip: number): void => {
    if (state !== 'init' && state !== 'authority' && state !== 'done') result[state] = makeComponentString();
    if (state !== 'init' && next !== 'done') {
      const beforeHost = state === 'protocol' || state === 'authority' || state === 'username' || state === 'password';
      if (beforeHost && (next === 'port' || next === 'pathname' || next === 'search' || next === 'hash') && result.hostname === undefined) result.hostname = '';
      const beforePath = beforeHost || state === 'hostname' || state === 'port';
      if (beforePath && (next === 'search' || next === 'hash') && result.pathname === undefined) result.pathname = protocolMatchesSpecialScheme ? '/' : '';
      if ((beforePath || state === 'pathname') && next === 'hash' && result.search === undefined) result.search = '';
    }
    state = next;
    tokenIndex += skip;
    componentStart = tokenIndex;
    tokenIncrement = 0;
  };

  while (tokenIndex < tokens.length) {
    tokenIncrement = 1;
    if (tokens[tokenIndex]!.type === 'end') {
      if (state === 'init') {
        rewind();
        if (isHashPrefix()) changeState('hash', 1);
        else if (isSearchPrefix()) changeState('search', 1);
        else changeState('pathname', 0);
        tokenIndex += tokenIncrement;
        continue;
      }
      if (state === 'authority') {
        rewindAndSetState('hostname');
        tokenIndex += tokenIncrement;
        continue;
      }
      changeState('done', 0);
      break;
    }
    if (tokens[tokenIndex]!.type === 'open') {
      groupDepth++;
      tokenIndex += tokenIncrement;
      continue;
    }
    if (groupDepth > 0) {
      if (tokens[tokenIndex]!.type === 'close') groupDepth--;
      else {
        tokenIndex += tokenIncrement;
        continue;
      }
    }
    switch (state) {
      case 'init':
        if (isColon()) rewindAndSetState('protocol');
        break;
      case 'protocol':
        if (isColon()) {
          // Compute the protocol matches a special scheme flag.
          protocolMatchesSpecialScheme = protocolComponentMatchesSpecialScheme(compileComponent(makeComponentString(), canonicalizeProtocol, DEFAULT_OPTIONS));
          let next: ParserState = 'pathname';
          let skip = 1;
          if (isNonSpecialPatternChar(tokenIndex + 1, '/') && isNonSpecialPatternChar(tokenIndex + 2, '/')) {
            next = 'authority';
            skip = 3;
          } else if (protocolMatchesSpecialScheme) {
            next = 'authority';
          }
          changeState(next, skip);
        }
        break;
      case 'authority':
        if (isIdentityTerminator()) rewindAndSetState('username');
        else if (isPathnameStart() || isSearchPrefix() || isHashPrefix()) rewindAndSetState('hostname');
        break;
      case 'username':
        if (isColon()) changeState('password', 1);
        else if (isIdentityTerminator()) changeState('hostname', 1);
        break;
      case 'password':
        if (isIdentityTerminator()) changeState('hostname', 1);
        break;
      case 'hostname':
        if (isNonSpecialPatternChar(tokenIndex, '[')) ipv6BracketDepth++;
        else if (isNonSpecialPatternChar(tokenIndex, ']')) ipv6BracketDepth--;
        else if (isColon() && ipv6BracketDepth === 0) changeState('port', 1);
        else if (isPathnameStart()) changeState('pathname', 0);
        else if (isSearchPrefix()) changeState('search', 1);
        else if (isHashPrefix()) changeState('hash', 1);
        break;
      case 'port':
        if (isPathnameStart()) changeState('pathname', 0);
        else if (isSearchPrefix()) changeState('search', 1);
        else if (isHashPrefix()) changeState('hash', 1);
        break;
      case 'pathname':
        if (isSearchPrefix()) changeState('search', 1);
        else if (isHashPrefix()) changeState('hash', 1);
        break;
      case 'search':
        if (isHashPrefix()) changeState('hash', 1);
        break;
      case 'hash':
      case 'done':
        break;
    }
    tokenIndex += tokenIncrement;
  }
  if (result.hostname !== undefined && result.port === undefined) result.port = '';
  return result;
}

// --- URLPattern (https://urlpattern.spec.whatwg.org/#urlpattern)

/** https://urlpattern.spec.whatwg.org/#hostname-pattern-is-an-ipv6-address */
function hostnamePatternIsIPv6(input: string): boolean {
  const cps = Array.from(input);
  if (cps.length < 2) return false;
  return cps[0] === '[' || ((cps[0] === '{' || cps[0] === '\\') && cps[1] === '[');
}

type URLPatternInput = string | URLPatternInit;

interface URLPatternState {
  components: Record<ComponentName, Component>;
}

interface ComponentResult {
  input: string;
  groups: Record<string, string | undefined>;
}

let stateOf: (x: unknown) => URLPatternState | undefined;

/** The URLPatternInput union: an object is a URLPatternInit, anything else a USVString. */
function toInput(value: unknown): URLPatternInput {
  return typeof value === 'object' || typeof value === 'function' || value === undefined || value === null
    ? toURLPatternInit(dictionaryObject(value, "Failed to convert value to 'URLPatternInit':"))
    : usvString(value);
}

function brand(self: unknown, member: string): URLPatternState {
  const state = stateOf(self);
  if (state === undefined) throw new TypeErrorCtor(`Failed to execute '${member}' on 'URLPattern': Illegal invocation`);
  return state;
}

export class URLPattern {
  #state: URLPatternState;

  // WebIDL: constructor(URLPatternInput input, USVString baseURL, optional URLPatternOptions options = {})
  //         constructor(optional URLPatternInput input = {}, optional URLPatternOptions options = {})
  constructor(input: unknown = undefined, baseURLOrOptions: unknown = undefined, options: unknown = undefined) {
    // Overload resolution: three arguments can only be the first overload; with two, a second
    // argument that is a string (or anything but undefined, null or an object) is the base URL,
    // the rest the options dictionary.
    const second = baseURLOrOptions;
    const withBase =
      arguments.length >= 3 || (arguments.length === 2 && second !== undefined && second !== null && typeof second !== 'object' && typeof second !== 'function');
    const converted = toInput(input);
    const baseURL = withBase ? usvString(second) : null;
    const dict = dictionaryObject(withBase ? options : second, "Failed to construct 'URLPattern':");
    const ignoreCase = dict === null ? false : toBoolean(dict['ignoreCase']);
    this.#state = { components: createComponents(converted, baseURL, ignoreCase) };
  }

  test(input: unknown = undefined, baseURL: unknown = undefined): boolean {
    const state = brand(this, 'test');
    return match(state, toInput(input), baseURL === undefined ? undefined : usvString(baseURL)) !== null;
  }

  exec(input: unknown = undefined, baseURL: unknown = undefined): object | null {
    const state = brand(this, 'exec');
    return match(state, toInput(input), baseURL === undefined ? undefined : usvString(baseURL));
  }

  get protocol(): string {
    return brand(this, 'protocol').components.protocol.patternString;
  }
  get username(): string {
    return brand(this, 'username').components.username.patternString;
  }
  get password(): string {
    return brand(this, 'password').components.password.patternString;
  }
  get hostname(): string {
    return brand(this, 'hostname').components.hostname.patternString;
  }
  get port(): string {
    return brand(this, 'port').components.port.patternString;
  }
  get pathname(): string {
    return brand(this, 'pathname').components.pathname.patternString;
  }
  get search(): string {
    return brand(this, 'search').components.search.patternString;
  }
  get hash(): string {
    return brand(this, 'hash').components.hash.patternString;
  }
  get hasRegExpGroups(): boolean {
    const { components } = brand(this, 'hasRegExpGroups');
    return COMPONENTS.some((name) => components[name].hasRegExpGroups);
  }

  static {
    stateOf = (x) => (typeof x === 'object' && x !== null && #state in x ? (x as URLPattern).#state : undefined);
  }
}

Object.defineProperty(URLPattern, 'length', { value: 0 });
Object.defineProperty(URLPattern.prototype.test, 'length', { value: 0 });
Object.defineProperty(URLPattern.prototype.exec, 'length', { value: 0 });
defineInterface(URLPattern, 'URLPattern');

/** https://urlpattern.spec.whatwg.org/#url-pattern-create */
function createComponents(input: URLPatternInput, baseURL: string | null, ignoreCase: boolean): Record<ComponentName, Component> {
  let init: URLPatternInit;
  if (typeof input === 'string') {
    init = parseConstructorString(input);
    if (baseURL === null && init.protocol === undefined) {
      throw new TypeErrorCtor(`Failed to construct 'URLPattern': a relative pattern ('${input}') needs a base URL.`);
    }
    if (baseURL !== null) init.baseURL = baseURL;
  } else {
    if (baseURL !== null) throw new TypeErrorCtor("Failed to construct 'URLPattern': a base URL goes in the URLPatternInit, not beside it.");
    init = input;
  }
  const processed = processInit(init, 'pattern');
  for (const name of COMPONENTS) processed[name] ??= '*';
  const protocol = processed.protocol!;
  // A special scheme's default port (file has none: null, never a port string).
  if (isSpecialScheme(protocol) && processed.port === `${defaultPort(protocol)}`) processed.port = '';
  const protocolComponent = compileComponent(protocol, canonicalizeProtocol, DEFAULT_OPTIONS);
  const hostname = processed.hostname!;
  const caseOptions: Options = { ...DEFAULT_OPTIONS, ignoreCase };
  return {
    protocol: protocolComponent,
    username: compileComponent(processed.username!, canonicalizeUserinfo, DEFAULT_OPTIONS),
    password: compileComponent(processed.password!, canonicalizeUserinfo, DEFAULT_OPTIONS),
    hostname: hostnamePatternIsIPv6(hostname)
      ? compileComponent(hostname, canonicalizeIPv6Hostname, HOSTNAME_OPTIONS)
      : compileComponent(hostname, canonicalizeHostname, HOSTNAME_OPTIONS),
    port: compileComponent(processed.port!, (value) => canonicalizePort(value), DEFAULT_OPTIONS),
    pathname: protocolComponentMatchesSpecialScheme(protocolComponent)
      ? compileComponent(processed.pathname!, canonicalizePathname, { ...PATHNAME_OPTIONS, ignoreCase })
      : compileComponent(processed.pathname!, canonicalizeOpaquePathname, caseOptions),
    search: compileComponent(processed.search!, canonicalizeSearch, caseOptions),
    hash: compileComponent(processed.hash!, canonicalizeHash, caseOptions),
  };
}

/** https://urlpattern.spec.whatwg.org/#url-pattern-match */
function match(state: URLPatternState, input: URLPatternInput, baseURLString: string | undefined): object | null {
  const values: Record<ComponentName, string> = { protocol: '', username: '', password: '', hostname: '', port: '', pathname: '', search: '', hash: '' };
  const inputs: URLPatternInput[] = [input];
  if (typeof input !== 'string') {
    if (baseURLString !== undefined) throw new TypeErrorCtor("Failed to execute 'exec' on 'URLPattern': a base URL goes in the URLPatternInit, not beside it.");
    let applied: URLPatternInit;
    try {
      applied = processInit(input, 'url');
    } catch {
      return null;
    }
    for (const name of COMPONENTS) values[name] = applied[name] ?? '';
  } else {
    // The URL's parts as the URL class has them (its fast path and cache serve a router that
    // matches one request URL against many patterns); base and input failing alike give null.
    if (baseURLString !== undefined) inputs.push(baseURLString);
    const parts = parseURLParts(input, baseURLString);
    if (parts === null) return null;
    values.protocol = parts.protocol.slice(0, -1);
    values.username = parts.username;
    values.password = parts.password;
    values.hostname = parts.hostname;
    values.port = parts.port;
    values.pathname = parts.pathname;
    // An empty query or fragment and none are both the empty string here.
    values.search = parts.search.slice(1);
    values.hash = parts.hash.slice(1);
  }
  const results: Partial<Record<ComponentName, ComponentResult>> = {};
  for (const name of COMPONENTS) {
    const component = state.components[name];
    const execResult = ReflectApply(RegExpExec, component.regexp, [values[name]]) as RegExpExecArray | null;
    if (execResult === null) return null;
    const groups: Record<string, string | undefined> = {};
    for (let index = 1; index < execResult.length; index++) groups[component.groupNames[index - 1]!] = execResult[index];
    results[name] = { input: values[name], groups };
  }
  return { inputs, ...results };
}
