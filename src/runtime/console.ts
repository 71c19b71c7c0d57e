// The console namespace (https://console.spec.whatwg.org/): formats in the isolate (the
// Formatter operation, with a small inspect for objects) and sends one line per call to the
// host's log, which tags it with the app.
import type { HostApi } from './host-api.js';
import { LogRate } from './log-rate.js';
import { queueMicrotaskIntrinsic } from '../streams/webidl/intrinsics.js';

type Level = 'debug' | 'info' | 'warn' | 'error';

const ObjectPrototypeToString = Object.prototype.toString;
const ReflectApply = Reflect.apply;
const ReflectOwnKeys = Reflect.ownKeys;
const ArrayIsArray = Array.isArray;
const ObjectGetPrototypeOf = Object.getPrototypeOf;
const JSONStringify = JSON.stringify;
const ErrorPrototype = Error.prototype;
const MAX_DEPTH = 2;
const MAX_ITEMS = 100;

/**
 * Renderings of platform objects (Headers, Request, URL, Blob...), whose state is in private
 * fields an own-property listing cannot see (they printed as `Headers {}`). Each reads the
 * object's internal state or the interface's own getters captured at install, never app code.
 */
export type Inspector = (value: object, nested: (value: unknown) => string) => string | undefined;
const inspectors: Inspector[] = [];

export function registerInspector(inspector: Inspector): void {
  inspectors.push(inspector);
}

/** A one-line, bounded rendering of any value (what %o and non-string arguments print). */
export function inspect(value: unknown, depth = 0, seen: object[] = []): string {
  switch (typeof value) {
    case 'string':
      return depth === 0 ? value : JSONStringify(value);
    case 'number':
      return Object.is(value, -0) ? '-0' : `${value}`;
    case 'bigint':
      return `${value}n`;
    case 'symbol':
      return (value as symbol).toString();
    case 'undefined':
    case 'boolean':
      return `${value}`;
    case 'function': {
      const name = (value as Function).name;
      return name ? `[Function: ${name}]` : '[Function (anonymous)]';
    }
  }
  if (value === null) return 'null';
  const object = value as Record<PropertyKey, unknown>;
  if (seen.includes(object)) return '[Circular]';
  try {
    if (isError(object)) {
      const stack = object['stack'];
      let text = typeof stack === 'string' && stack !== '' ? stack : `${object['name']}: ${object['message']}`;
      if (depth > MAX_DEPTH) return text;
      seen.push(object);
      try {
        // Its own properties (a code, an errno, a status), as Node's inspect prints them after the stack.
        const own = ownProperties(object, depth, seen, ERROR_KEYS);
        if (own.length > 0) text += ` { ${own.join(', ')} }`;
        // Its cause (ES2022), as Node's inspect shows it: an own data property, read without running app code.
        const cause = Object.getOwnPropertyDescriptor(object, 'cause');
        if (cause === undefined || !('value' in cause)) return text;
        return `${text}\n  [cause]: ${inspect(cause.value, depth + 1, seen).replace(/\n/g, '\n  ')}`;
      } finally {
        seen.pop();
      }
    }
    const tag = ReflectApply(ObjectPrototypeToString, object, []) as string;
    if (depth > MAX_DEPTH) return ArrayIsArray(object) ? '[Array]' : '[Object]';
    seen.push(object);
    try {
      if (ArrayIsArray(object)) {
        const items = object.slice(0, MAX_ITEMS).map((item) => inspect(item, depth + 1, seen));
        if (object.length > MAX_ITEMS) items.push(`... ${object.length - MAX_ITEMS} more items`);
        return `[ ${items.join(', ')} ]`.replace('[  ]', '[]');
      }
      if (object instanceof Map) {
        const items = [...object].slice(0, MAX_ITEMS).map(([k, v]) => `${inspect(k, depth + 1, seen)} => ${inspect(v, depth + 1, seen)}`);
        return `Map(${object.size}) { ${items.join(', ')} }`;
      }
      if (object instanceof Set) {
        const items = [...object].slice(0, MAX_ITEMS).map((v) => inspect(v, depth + 1, seen));
        return `Set(${object.size}) { ${items.join(', ')} }`;
      }
      if (ArrayBuffer.isView(object) && !(object instanceof DataView)) {
        const view = object as unknown as ArrayLike<number>;
        const items = Array.prototype.slice.call(view, 0, MAX_ITEMS).map((v) => inspect(v, depth + 1, seen));
        return `${tag.slice(8, -1)}(${view.length}) [ ${items.join(', ')} ]`;
      }
      if (object instanceof Date) return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
      for (let i = 0; i < inspectors.length; i++) {
        const text = inspectors[i]!(object, (v) => inspect(v, depth + 1, seen));
        if (text !== undefined) return text;
      }
      if (object instanceof RegExp) return `${object}`;
      const proto = ObjectGetPrototypeOf(object) as { constructor?: { name?: unknown } } | null;
      const ctorName = proto === null ? '[Object: null prototype]' : typeof proto.constructor?.name === 'string' ? proto.constructor.name : '';
      const items = ownProperties(object, depth, seen);
      const prefix = ctorName === 'Object' ? '' : `${ctorName || tag.slice(8, -1)} `;
      return items.length === 0 ? `${prefix}{}` : `${prefix}{ ${items.join(', ')} }`;
    } finally {
      seen.pop();
    }
  } catch {
    return '[object]';
  }
}

/** What an error prints of itself already (its stack has its name and message; its cause follows). */
const ERROR_KEYS: ReadonlySet<PropertyKey> = new Set(['stack', 'message', 'cause']);

/** `key: value` for each own enumerable property (at most MAX_ITEMS), accessors named and never called. */
function ownProperties(object: Record<PropertyKey, unknown>, depth: number, seen: object[], skip?: ReadonlySet<PropertyKey>): string[] {
  const keys = ReflectOwnKeys(object).filter((k) => !skip?.has(k) && Object.getOwnPropertyDescriptor(object, k)?.enumerable);
  return keys.slice(0, MAX_ITEMS).map((k) => {
    const key = typeof k === 'symbol' ? `[${k.toString()}]` : /^[A-Za-z_$][\w$]*$/.test(k) ? k : JSONStringify(k);
    // An accessor is named, never called (as Node's inspect does): logging must not run app code.
    const d = Object.getOwnPropertyDescriptor(object, k)!;
    if (!('value' in d)) return `${key}: [${d.get && d.set ? 'Getter/Setter' : d.get ? 'Getter' : 'Setter'}]`;
    return `${key}: ${inspect(d.value, depth + 1, seen)}`;
  });
}

function isError(object: object): boolean {
  for (let p = ObjectGetPrototypeOf(object); p !== null; p = ObjectGetPrototypeOf(p)) if (p === ErrorPrototype) return true;
  return false;
}

/** https://console.spec.whatwg.org/#formatter: %s %d %i %f %o %O %c in the first string. */
export function formatLogArguments(args: readonly unknown[]): string {
  if (args.length === 0) return '';
  let rest = 1;
  let out: string;
  const first = args[0];
  if (typeof first === 'string' && first.includes('%')) {
    out = first.replace(/%([sdifoOc%])/g, (match, spec: string) => {
      if (spec === '%') return '%';
      if (rest >= args.length) return match;
      const arg = args[rest++];
      switch (spec) {
        case 's':
          return typeof arg === 'string' ? arg : inspect(arg, 1);
        case 'd':
        case 'i':
          // Both are %parseInt%(current, 10) (42.5 prints 42, as browsers and Workers print it).
          return typeof arg === 'symbol' ? 'NaN' : `${parseInt(String(arg), 10)}`;
        case 'f':
          return typeof arg === 'symbol' ? 'NaN' : `${parseFloat(String(arg))}`;
        case 'c':
          return '';
        default:
          return inspect(arg, 1);
      }
    });
  } else {
    out = inspect(first);
  }
  for (; rest < args.length; rest++) out += ` ${inspect(args[rest])}`;
  return out;
}

/**
 * The longest line that goes to the host, in UTF-16 code units; the rest is cut with a note of how
 * much. A longer line crossed whole (a copy on the host's thread) only to be dropped by the log
 * rate, whose bursts hold 4 s of limits.logKbPerSecond (4 MiB by default): a log line is for a
 * person to read, and a cut one still says something.
 */
export const LOG_LINE_MAX = 256 * 1024;

function cut(text: string): string {
  if (text.length <= LOG_LINE_MAX) return text;
  // Not between the two halves of a surrogate pair.
  const end = (text.charCodeAt(LOG_LINE_MAX - 1) & 0xfc00) === 0xd800 ? LOG_LINE_MAX - 1 : LOG_LINE_MAX;
  return `${text.slice(0, end)}… [${text.length - end} more characters]`;
}

let logRate: LogRate | undefined;
const DateNow = Date.now;

/**
 * The app's log rate, kept here before a line crosses to the host (boot sets it). Gated only in
 * the host, 4,000 lines of 250,000 characters logged in a loop all crossed (isolated-vm runs the
 * calls that queued up in one host task) and held its event loop 3.4 s, to be dropped there.
 */
export function setLogRate(bytesPerSecond: number): void {
  logRate = new LogRate(bytesPerSecond, 4, DateNow());
}

/** `logDropped`: lines the rate dropped, told to the host once per microtask round (for its metrics and report). */
export function createConsole(log: HostApi['log'], now: () => number, logDropped: HostApi['logDropped'] = () => {}): object {
  let indent = '';
  const counts = new Map<string, number>();
  const timers = new Map<string, number>();
  let reportQueued = false;
  const report = (): void => {
    reportQueued = false;
    const dropped = logRate?.takeDropped();
    if (dropped !== undefined) logDropped(dropped.lines, dropped.bytes);
  };
  const print = (level: Level, args: readonly unknown[]): void => {
    const text = formatLogArguments(args);
    const line = cut(indent === '' ? text : text.replace(/^/gm, indent));
    if (logRate !== undefined && !logRate.take(line.length, DateNow())) {
      if (!reportQueued) {
        reportQueued = true;
        queueMicrotaskIntrinsic(report);
      }
      return;
    }
    log(level, line);
  };
  const label = (value: unknown): string => (value === undefined ? 'default' : `${value}`);
  const methods: Record<string, (...args: unknown[]) => void> = {
    log: (...args) => print('info', args),
    info: (...args) => print('info', args),
    debug: (...args) => print('debug', args),
    warn: (...args) => print('warn', args),
    error: (...args) => print('error', args),
    trace: (...args) => print('debug', ['Trace:', ...args, `\n${new Error().stack?.split('\n').slice(2).join('\n') ?? ''}`]),
    dir: (item) => print('info', [inspect(item, 1)]),
    dirxml: (...args) => print('info', args),
    table: (...args) => print('info', args),
    assert: (condition, ...args) => {
      if (condition) return;
      const first = args[0];
      if (typeof first === 'string') print('error', [`Assertion failed: ${first}`, ...args.slice(1)]);
      else print('error', ['Assertion failed', ...args]);
    },
    count: (value) => {
      const key = label(value);
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      print('info', [`${key}: ${n}`]);
    },
    countReset: (value) => void counts.delete(label(value)),
    group: (...args) => {
      if (args.length > 0) print('info', args);
      indent += '  ';
    },
    groupCollapsed: (...args) => {
      if (args.length > 0) print('info', args);
      indent += '  ';
    },
    groupEnd: () => {
      indent = indent.slice(2);
    },
    // "Empty the group stack" (a log has no screen to clear).
    clear: () => {
      indent = '';
    },
    time: (value) => void timers.set(label(value), now()),
    timeLog: (value, ...args) => {
      const start = timers.get(label(value));
      if (start !== undefined) print('info', [`${label(value)}: ${(now() - start).toFixed(3)} ms`, ...args]);
    },
    timeEnd: (value) => {
      const key = label(value);
      const start = timers.get(key);
      if (start === undefined) return;
      timers.delete(key);
      print('info', [`${key}: ${(now() - start).toFixed(3)} ms`]);
    },
  };
  // A namespace object: its methods are own, enumerable properties; its [[Prototype]] is an
  // empty object whose [[Prototype]] is Object.prototype (https://console.spec.whatwg.org/#console-namespace).
  const console = Object.create({}) as Record<string, unknown>;
  for (const [name, fn] of Object.entries(methods)) {
    Object.defineProperty(fn, 'name', { value: name });
    // Every argument of every console operation is optional or variadic.
    Object.defineProperty(fn, 'length', { value: 0 });
    console[name] = fn;
  }
  Object.defineProperty(console, Symbol.toStringTag, { value: 'console', configurable: true });
  return console;
}
