/**
 * Runs INSIDE each test isolate, after the NANO runtime booted and before testharness.js: what
 * WPT's .any.js worker wrapper gives a file (GLOBAL, META_TITLE, location) and a `fetch` that
 * serves the WPT tree (any other origin goes to the runtime's own fetch), plus the hook that
 * sends testharness's results to the host. The host's
 * two functions arrive as `__wptHost_report` / `__wptHost_read` and are taken off the global here.
 */
interface Info {
  scope: 'window' | 'worker';
  title: string;
  location?: WptLocation;
  /** The wptserve handlers served for real (conformance/hosts/wpt-handlers.ts): their server's origin and paths. */
  handlers?: { origin: string; paths: readonly string[] };
  /** The file's origin is the harness's HTTP server (hosts/wpt-server.ts): fetch() stays the runtime's own. */
  served?: boolean;
}
interface HarnessTest { name: string; status: number; message: string | null }
/** The WorkerLocation fields tests read (wptserve's origin is http://web-platform.test). */
interface WptLocation { href: string; origin: string; protocol: string; host: string; hostname: string; port: string; pathname: string; search: string; hash: string }

/** wptserve's origin, which `location` and the tree's URLs use. */
const WPT_ORIGIN = 'http://web-platform.test';

type Report = (json: string) => void;
type Read = (url: string) => Promise<Uint8Array | null>;

export function setupIsolateRealm(info: Info): void {
  const global = globalThis as unknown as Record<string, unknown>;
  const define = (name: string, value: unknown): void => {
    Object.defineProperty(global, name, { value, writable: true, enumerable: false, configurable: true });
  };
  const report = global['__wptHost_report'] as Report;
  const read = global['__wptHost_read'] as Read;
  delete global['__wptHost_report'];
  delete global['__wptHost_read'];

  define('GLOBAL', {
    isWindow: () => info.scope === 'window',
    isWorker: () => info.scope === 'worker',
    isShadowRealm: () => false,
  });
  define('META_TITLE', info.title);
  // A plain object's prototype, as a ShadowRealm's global has, while testharness.js loads (it
  // picks its environment then); a worker-scope file's global then becomes a worker's (below).
  Object.setPrototypeOf(global, Object.prototype);
  if (info.location) {
    // WorkerLocation's stringifier: `new URL('./foo', location)` resolves against its href.
    const location = info.location;
    Object.defineProperty(location, 'toString', { value: () => location.href, writable: true, configurable: true });
    define('location', location);
  }
  if (info.served) return defineHarnessHooks(global, report, define, info.scope);

  // fetch() of the WPT tree, answered with the runtime's Response when it has one. There is no
  // wptserve: a URL of any other origin (another port, as request-bad-port.any.js makes) goes to
  // the runtime's own fetch, and so does one of the handlers served for real, addressed to their
  // server (the Response's url is then that server's).
  const base = info.location?.href ?? `${WPT_ORIGIN}/`;
  const runtimeFetch = global['fetch'] as ((input: unknown, init?: unknown) => Promise<unknown>) | undefined;
  define('fetch', async (input: unknown, init?: unknown) => {
    const Request = global['Request'] as (new (input: unknown, init?: unknown) => { url: string }) | undefined;
    const isRequest = typeof Request === 'function' && input instanceof Request;
    const href = resolve(isRequest ? (input as { url: string }).url : String(input), base);
    if (typeof runtimeFetch === 'function' && !href.startsWith(`${WPT_ORIGIN}/`)) return runtimeFetch(input, init);
    // As fetch() does first: the Request, with the runtime's checks of the method, the headers
    // and the body (a header value with a NUL is a TypeError here, as it is in fetch()).
    const request = typeof Request === 'function' ? new Request(isRequest ? input : href, init) : undefined;
    const handlers = info.handlers;
    const pathAndQuery = href.slice(WPT_ORIGIN.length);
    if (typeof runtimeFetch === 'function' && request !== undefined && handlers !== undefined && handlers.paths.includes(pathAndQuery.split(/[?#]/)[0]!)) {
      // The Request keeps its method, headers, body and signal, addressed to the handlers' server.
      return runtimeFetch(new Request!(handlers.origin + pathAndQuery, request));
    }
    const bytes = await read(href);
    const Response = global['Response'] as (new (body: unknown, init: object) => unknown) | undefined;
    if (typeof Response === 'function') return new Response(bytes, { status: bytes === null ? 404 : 200 });
    throw new TypeError('fetch: this runtime has no Response yet');
  });

  defineHarnessHooks(global, report, define, info.scope);
}

/** The hooks every realm gets: testharness hooked to the host, and a script's error reported. */
function defineHarnessHooks(global: Record<string, unknown>, report: Report, define: (name: string, value: unknown) => void, scope: Info['scope']): void {
  // As the .any.js worker wrapper, which ends with done(): testharness waits for it.
  define('__wptHookHarness', () => {
    delete global['__wptHookHarness'];
    if (scope === 'worker') becomeWorkerGlobal(global, define);
    (global['setup'] as (options: object) => void)({ explicit_done: true });
    hookHarness(global, report);
  });
  // A script that threw: reported like an uncaught error, then done().
  define('__wptScriptError', (message: string) => {
    delete global['__wptScriptError'];
    const ErrorEvent = global['ErrorEvent'] as new (type: string, init: object) => Event;
    (global['dispatchEvent'] as (event: Event) => boolean)(new ErrorEvent('error', { message, error: new Error(message), cancelable: true }));
  });
}

/**
 * A dedicated worker's global, as WPT's worker wrapper runs an .any.js file in, once testharness
 * has chosen its environment: idlharness then checks the [Exposed=Worker] interfaces for real
 * (with a plain prototype it takes the global for a ShadowRealm's and expects them absent). The
 * two interfaces are the harness's: a NANO app's global is no worker's. The global is already an
 * EventTarget.
 */
function becomeWorkerGlobal(global: Record<string, unknown>, define: (name: string, value: unknown) => void): void {
  const EventTargetCtor = global['EventTarget'] as new () => object;
  class WorkerGlobalScope extends EventTargetCtor {
    constructor() {
      super();
      throw new TypeError('Illegal constructor');
    }
  }
  class DedicatedWorkerGlobalScope extends WorkerGlobalScope {}
  define('WorkerGlobalScope', WorkerGlobalScope);
  define('DedicatedWorkerGlobalScope', DedicatedWorkerGlobalScope);
  Object.setPrototypeOf(global, DedicatedWorkerGlobalScope.prototype);
}

/** testharness's results go to the host as JSON. */
function hookHarness(global: Record<string, unknown>, report: Report): void {
  const add_result_callback = global['add_result_callback'] as (cb: (test: HarnessTest) => void) => void;
  const add_completion_callback = global['add_completion_callback'] as (
    cb: (tests: HarnessTest[], status: { status: number; message: string | null }) => void,
  ) => void;
  const pick = (t: HarnessTest) => ({ name: String(t.name), status: t.status, message: t.message == null ? null : String(t.message) });
  add_result_callback((test) => report(JSON.stringify({ type: 'subtest', subtest: pick(test) })));
  add_completion_callback((tests, status) =>
    report(JSON.stringify({ type: 'done', status: status.status, message: status.message == null ? null : String(status.message), subtests: tests.map(pick) })),
  );
}

/** `url` against `base`, by the URL class when the runtime has one (it always should). */
function resolve(url: string, base: string): string {
  const URLCtor = (globalThis as { URL?: new (u: string, b: string) => { href: string } }).URL;
  if (typeof URLCtor === 'function') return new URLCtor(url, base).href;
  if (/^[a-z]+:/i.test(url)) return url;
  if (url.startsWith('/')) return `${WPT_ORIGIN}${url}`;
  return base.replace(/[^/]*$/, '') + url;
}
