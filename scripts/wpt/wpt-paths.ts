/**
 * The WPT folders (and single files) NANO fetches, relative to the WPT root. Adding a suite is
 * one line here, then `npm run wpt:fetch -- --update-manifest` to record its files in
 * wpt/manifest.json.
 *
 * Each entry costs almost nothing: the orig tarball is one xz stream, so extraction time is
 * its decompression (~45 s) whatever we keep. Measured: all of these together extract in
 * 46 s against 42 s for merely listing the tarball.
 */
export const WPT_PATHS: readonly string[] = [
  // Harness and shared helpers (`// META: script=/resources/...`, `/common/...`).
  'resources',
  'common',
  'interfaces', // WebIDL for idlharness (`fetch_spec` loads /interfaces/NAME.idl)
  // Streams and the streams built on them.
  'streams',
  'encoding', // includes encoding/streams and encoding/resources
  'compression',
  'media/foo.vtt', // fetched by compression/compression-stream.tentative.any.js
  'media/test-av-384k-44100Hz-1ch-320x240-30fps-10kfr.webm', // ... and compression-output-length
  // The other WinterCG globals, for later issues.
  'url',
  'urlpattern', // URLPattern (Workers and Deno have it)
  'FileAPI',
  'dom/abort',
  'dom/events',
  'html/webappapis/atob',
  'html/webappapis/structured-clone',
  'html/webappapis/timers',
  'WebCryptoAPI',
  'fetch/api/request',
  'fetch/api/response',
  'fetch/api/headers',
  'fetch/api/body',
  'fetch/api/resources',
  'fetch/data-urls', // data: URL fetch; its resources/base64.json is fetched by html/webappapis/atob/base64.any.js too
  'mimesniff/mime-types', // MIME type parsing and serializing (data: URLs, Blob and body types)
  'xhr/formdata', // FormData's tests
  'console', // the console namespace
  'hr-time', // performance.now(), timeOrigin
  'webidl/ecmascript-binding/es-exceptions', // DOMException
  'html/webappapis/microtask-queuing', // queueMicrotask
  'html/webappapis/scripting', // reportError, error events, unhandled rejection events
  'html/infrastructure/safe-passing-of-structured-data', // structured clone's errors and transfers
  'fetch/api/basic', // fetch() over the network (served by the harness's WPT server)
  'fetch/api/abort', // fetch() with an AbortSignal
  'fetch/api/idlharness.any.js', // the Fetch standard's IDL (Headers, Request, Response, fetch)
  'fetch/range/blob.any.js', // Range requests of blob: URLs (the other range tests need wptserve handlers)
  'fetch/api/redirect', // redirect modes, counts, methods and locations, through the host's HTTP client
  'fetch/content-encoding', // gzip, deflate, br and zstd response bodies
  'fetch/content-length', // duplicate and malformed Content-Length responses
  'service-workers/cache-storage', // the Cache API (caches, Cache), as Workers and Deno have it
  'storage/buckets/resources/util.js', // ... whose cache-storage-buckets file includes it
  // Raw responses fetch/api/basic/header-value-combining.any.js fetches.
  'xhr/resources/header-content-length.asis',
  'xhr/resources/header-content-length-twice.asis',
  'xhr/resources/headers-double-empty.asis',
  'xhr/resources/headers-basic.asis',
  'xhr/resources/headers-some-are-empty.asis',
  'xhr/resources/headers-www-authenticate.asis',
];
