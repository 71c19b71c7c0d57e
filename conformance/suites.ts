import { globToRegExp } from './glob.js';

/**
 * The WPT suites the harness knows, by name, and the ones `npm run wpt` runs by default.
 * Adding a suite is one line (its folder must be in scripts/wpt/wpt-paths.ts). `npm run wpt`
 * runs them all.
 */
export const SUITES: Readonly<Record<string, readonly string[]>> = {
  // The transferable-streams .html files that need only a window's postMessage to itself
  // (window.html needs iframes and documents; the others workers).
  streams: [
    'streams/**/*.any.js',
    'streams/transferable/readable-stream.html',
    'streams/transferable/writable-stream.html',
    'streams/transferable/transform-stream.html',
    'streams/transferable/reason.html',
    'streams/transferable/transfer-with-messageport.window.js',
  ],
  'encoding-streams': ['encoding/streams/*.any.js'],
  compression: ['compression/*.any.js', 'compression/compression-with-detach.tentative.window.js', 'compression/decompression-with-detach.tentative.window.js'],
  // single-byte-decoder.window.js: its TextDecoder variant (the others need XMLHttpRequest, documents).
  // With the legacy multi-byte decoders' .any.js files (their .html tests need documents).
  encoding: ['encoding/*.any.js', 'encoding/legacy-mb-*/**/*.any.js', 'encoding/single-byte-decoder.window.js?TextDecoder'],
  atob: ['html/webappapis/atob/*.any.js'],
  url: ['url/*.any.js', 'url/IdnaTestV2.window.js'],
  urlpattern: ['urlpattern/*.any.js'],
  fetch: ['fetch/api/idlharness.any.js', 'fetch/api/response/*.any.js', 'fetch/api/request/*.any.js', 'fetch/api/headers/*.any.js', 'fetch/api/body/*.any.js', 'fetch/data-urls/*.any.js'],
  mimesniff: ['mimesniff/mime-types/*.any.js'],
  blob: ['FileAPI/idlharness.any.js', 'FileAPI/blob/*.any.js', 'FileAPI/file/*.any.js', 'FileAPI/url/*.any.js'],
  formdata: ['xhr/formdata/*.any.js'],
  dom: ['dom/abort/*.any.js', 'dom/events/*.any.js'],
  // With the window-only files that need nothing but a window's postMessage to itself.
  'structured-clone': [
    'html/webappapis/structured-clone/*.any.js',
    'html/infrastructure/safe-passing-of-structured-data/structured-cloning-error-stack.window.js',
    'html/infrastructure/safe-passing-of-structured-data/structured-cloning-error-stack-optional.window.js',
    'html/infrastructure/safe-passing-of-structured-data/transfer-errors.window.js',
  ],
  scripting: ['html/webappapis/scripting/**/*.any.js'],
  timers: ['html/webappapis/timers/*.any.js'],
  webcrypto: ['WebCryptoAPI/**/*.any.js'],
  console: ['console/*.any.js'],
  'hr-time': ['hr-time/*.any.js'],
  domexception: ['webidl/ecmascript-binding/es-exceptions/*.any.js'],
  'queue-microtask': ['html/webappapis/microtask-queuing/*.any.js'],
  'fetch-network': [
    'fetch/api/basic/*.any.js',
    'fetch/api/abort/*.any.js',
    'fetch/api/redirect/*.any.js',
    'fetch/range/blob.any.js',
    'fetch/content-encoding/**/*.any.js',
    'fetch/content-length/*.any.js',
  ],
  // The Cache API: cache.add() fetches, so the files run served over HTTP.
  'cache-storage': ['service-workers/cache-storage/*.any.js'],
};

/**
 * The suites whose files run with the harness's HTTP server (hosts/wpt-server.ts) as their
 * origin: every fetch() of theirs goes through the runtime's fetch, the host's undici and a
 * socket (so a Response comes from the network, its headers immutable). The other suites'
 * fetch()es of the tree are answered in the realm (faster, no server).
 */
const SERVED_OVER_HTTP: ReadonlySet<string> = new Set(['fetch-network', 'cache-storage', 'fetch']);

export function isServedOverHttp(testId: string): boolean {
  return SERVED_OVER_HTTP.has(suiteOf(testId));
}

export const DEFAULT_SUITES: readonly string[] = Object.keys(SUITES);

/** The suite a test id belongs to (first match in SUITES order), for per-suite totals. */
export function suiteOf(testId: string): string {
  const path = testId.replace(/^\//, '').replace(/\?.*$/, '');
  // A pattern's `?variant` names a variant of the file (discover.ts), not part of its path.
  for (const [name, globs] of Object.entries(SUITES)) if (globs.some((glob) => globToRegExp(glob.replace(/\?.*$/, '')).test(path))) return name;
  return 'other';
}
