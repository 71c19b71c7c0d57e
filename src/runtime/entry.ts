// The isolate bundle's entry, in two steps so the first can live in a V8 startup snapshot:
// - prepare(): installs every global, wired to the host through `host` (filled in later);
// - boot(info): takes the host's functions off the global (`__nanoHost_<name>`, put there by
//   the host), sets the clock, and leaves `__nanoControl` (RuntimeControl) for the host to take
//   as references and delete before any app code runs.
import { FIRE_AND_FORGET, FIRE_AND_FORGET_RUN, type BootInfo, type ControlCall, type DispatchResult, type HostApi, type RuntimeControl } from './host-api.js';
import { Server } from './serve.js';
import { packDispatchResults } from './dispatch-results.js';
import { BodyChannels } from './body-channels.js';
import { FetchClient } from './fetch.js';
import { settleSubtle } from '../web/crypto-subtle.js';
import { installGlobals } from './globals.js';
import { Timers, installTimers } from './timers.js';
import { createConsole, inspect, setLogRate } from './console.js';
import { installInspectors } from './inspectors.js';
import { CoarsenedClock, Navigator, Performance, createNavigator, createPerformance, type Clock } from './performance.js';
import { hostCompressionCodec } from './codec-bridge.js';
import { exposeInterface } from '../streams/webidl/interface.js';
import { adoptAsGlobalEventTarget } from '../web/events.js';
import { Cache, setCacheFetch } from '../web/cache.js';
import { installWasmMemoryBudget } from './wasm-memory-budget.js';
import { installWasmStreaming } from './wasm-streaming.js';
import { CacheStorage, createCacheStorage } from '../web/cache-storage.js';
import { EventSource, setEventSourceHooks } from '../web/event-source.js';
import { FixedLengthStream, IdentityTransformStream } from '../web/identity-transform-stream.js';
import type { Request } from '../web/fetch/request.js';
import type { Response } from '../web/fetch/response.js';
import { captureLateIntrinsics, internalAppend, internalList, queueMicrotaskIntrinsic, reflectApply, type InternalList } from '../streams/webidl/intrinsics.js';

export const HOST_NAMES: readonly (keyof HostApi)[] = [
  'timerStart', 'timerClear', 'log', 'logDropped', 'now', 'randomBytes', 'codecCreate', 'codecPush', 'codecFinish', 'codecResume', 'codecClose',
  'bodyPull', 'bodyCancel', 'responseWrite', 'responseEnd', 'responseError', 'waitUntilSettled', 'dispatched',
  'fetchStart', 'fetchUpload', 'fetchAbort', 'urlDomainToASCII', 'decoderCreate', 'decoderDecode', 'decoderFree', 'subtleUpload',
  'subtleCall', 'subtleRelease', 'barrier',
];

/** The host's functions, once boot() has them. */
const host = {} as Record<keyof HostApi, (...args: unknown[]) => unknown>;
/** What the runtime calls: stable wrappers around `host`, so prepare() can capture them early. */
const api = {} as HostApi;
/** Calls made without waiting since the last barrier (FIRE_AND_FORGET_RUN). */
let unwaited = 0;
for (const name of HOST_NAMES) {
  // The captured Reflect.apply: these run on every request, after the app may have replaced it.
  (api as unknown as Record<string, unknown>)[name] = FIRE_AND_FORGET.includes(name)
    ? (...args: unknown[]) => {
        reflectApply(host[name], undefined, args);
        if (++unwaited >= FIRE_AND_FORGET_RUN) {
          unwaited = 0;
          host.barrier();
        }
      }
    : (...args: unknown[]) => reflectApply(host[name], undefined, args);
}
const coarsenedClock = new CoarsenedClock(() => api.now());
const clock: Clock = { now: () => coarsenedClock.now(), timeOrigin: 0 };
const navigatorInfo = { userAgent: '' };
let timers: Timers | undefined;
let server: Server | undefined;
let bodies: BodyChannels | undefined;
let fetchClient: FetchClient | undefined;

/**
 * The isolate's agent has [[CanBlock]] false, as a window's or a service worker's does: a request
 * must not park the isolate's thread (a pool thread other apps need) in Atomics.wait. The
 * replacement validates and converts its arguments as DoWait does (through the original, which a
 * zero timeout keeps from waiting; the caller's timeout is converted in its place), then throws
 * the TypeError of step 10.
 */
// Module-level, as prepare()'s closures must be (a snapshot may lose a function-local binding).
const originalAtomicsWait = Atomics.wait;
const NumberFn = Number;
const TypeErrorFn = TypeError;
function cannotBlock(): void {
  const wait = {
    wait(typedArray: unknown, index: unknown, value: unknown, timeout: unknown): never {
      const zero = { valueOf: () => (NumberFn(timeout), 0) };
      reflectApply(originalAtomicsWait, Atomics, [typedArray, index, value, zero]);
      throw new TypeErrorFn('Atomics.wait cannot be called in this context: the isolate cannot block');
    },
  }.wait;
  Object.defineProperty(Atomics, 'wait', { value: wait, writable: true, enumerable: false, configurable: true });
}

export function prepare(): void {
  const global = globalThis as unknown as Record<string, unknown>;
  // Atomics.waitAsync with a timeout makes V8 post a delayed task that isolated-vm's platform
  // cannot run: the whole process aborts (std::terminate), every app with it. An app must not
  // be able to do that, so the isolate has no waitAsync (reliability test: faults.test.ts).
  Reflect.deleteProperty(Atomics, 'waitAsync');
  cannotBlock();
  timers = new Timers(api, global);
  // The closures below read module-level state only: V8 startup snapshots have been seen to
  // lose a function-local binding captured during the snapshot (a ReferenceError after boot).
  installGlobals(global, {
    setTimeout: (callback, ms) => timers!.queueInternal(callback, ms),
    clearTimeout: (id) => timers!.clearInternal(id),
    queueTask: (callback) => void timers!.queueInternal(callback, 0),
    reportException: (error) => api.log('error', `Uncaught ${inspect(error)}`),
    compression: hostCompressionCodec(api),
    url: {
      urlDomainToASCII: (domain) => api.urlDomainToASCII(domain),
    },
    randomBytes: (length) => api.randomBytes(length),
    subtle: {
      subtleCall: (id, op, args) => api.subtleCall(id, op, args),
      subtleRelease: (handle) => api.subtleRelease(handle),
      subtleUpload: (upload, part) => api.subtleUpload(upload, part),
    },
    textCodec: {
      decoderCreate: (label, fatal, ignoreBOM) => api.decoderCreate(label, fatal, ignoreBOM),
      decoderDecode: (id, bytes, stream) => api.decoderDecode(id, bytes, stream),
      decoderFree: (id) => api.decoderFree(id),
    },
  });
  installInspectors();
  installTimers(global, timers);
  // Interfaces, then the namespace and singleton attributes of the global.
  exposeInterface(global, 'Performance', Performance);
  exposeInterface(global, 'Navigator', Navigator);
  const attributes: Record<string, unknown> = {
    self: global,
    performance: createPerformance(clock),
    navigator: createNavigator(navigatorInfo),
  };
  for (const [name, value] of Object.entries(attributes)) {
    Object.defineProperty(global, name, { value, writable: true, enumerable: true, configurable: true });
  }
  // A namespace: writable and configurable, not enumerable.
  Object.defineProperty(global, 'console', {
    value: createConsole((level, text) => api.log(level, text), () => clock.now(), (lines, bytes) => api.logDropped(lines, bytes)),
    writable: true,
    enumerable: false,
    configurable: true,
  });
  bodies = new BodyChannels();
  server = new Server(api, bodies);
  const client = (fetchClient = new FetchClient(api, bodies));
  const fetch = function (input: unknown, init: unknown = undefined) {
    return client.fetch(input, init);
  };
  // Named explicitly: bundles are built without keepNames.
  Object.defineProperty(fetch, 'name', { value: 'fetch' });
  Object.defineProperty(global, 'fetch', { value: fetch, writable: true, enumerable: true, configurable: true });
  // EventSource reads its stream through fetch() as an app's fetch does.
  setEventSourceHooks({
    fetch: (input, init) => client.fetch(input, init) as Promise<Response>,
    setTimeout: (callback, ms) => timers!.queueInternal(callback, ms),
    clearTimeout: (id) => timers!.clearInternal(id),
    queueTask: (callback) => void timers!.queueInternal(callback, 0),
  });
  exposeInterface(global, 'EventSource', EventSource);
  // Workers' byte pipes; a FixedLengthStream body goes with its Content-Length (serve.ts, fetch.ts).
  exposeInterface(global, 'IdentityTransformStream', IdentityTransformStream);
  exposeInterface(global, 'FixedLengthStream', FixedLengthStream);
  // The Cache API (in the realm's memory); add() and addAll() fetch as fetch() does.
  setCacheFetch(cacheFetch);
  exposeInterface(global, 'Cache', Cache);
  exposeInterface(global, 'CacheStorage', CacheStorage);
  Object.defineProperty(global, 'caches', { value: createCacheStorage(), writable: true, enumerable: true, configurable: true });
}

/**
 * Workers' assets binding (a Fetcher: `env.ASSETS.fetch(input, init)`), answered from the app's
 * assets directory by the host (host/assets.ts).
 */
function assetsFetcher(client: FetchClient): object {
  const fetcher = {
    fetch(input: unknown, init: unknown = undefined): Promise<unknown> {
      return client.fetch(input, init, true);
    },
  };
  return Object.freeze(fetcher);
}

function cacheFetch(request: Request): Promise<Response> {
  return fetchClient!.fetch(request, undefined) as Promise<Response>;
}

/**
 * Dispatch results wait here for one crossing back: the first result of a microtask round
 * queues the flush behind the other requests' continuations, so requests that entered in one
 * batch and finish together leave together.
 */
let results: InternalList<[number, DispatchResult]> = internalList();
function flushResults(): void {
  const out = results;
  results = internalList();
  // Indexed, not destructured (the app's Array iterator).
  const packed = packDispatchResults(out);
  const text = packed[0];
  const bytes = packed[1];
  // Most results carry no large body: one argument fewer to serialize.
  if (bytes.length === 0) api.dispatched(text);
  else api.dispatched(text, bytes);
}

export function boot(info: BootInfo): void {
  const global = globalThis as unknown as Record<string, unknown>;
  for (const name of HOST_NAMES) {
    host[name] = global[`__nanoHost_${name}`] as (...args: unknown[]) => unknown;
    delete global[`__nanoHost_${name}`];
  }
  // The global's identity hash does not survive a V8 snapshot, so WeakMaps keyed by it (the
  // global as an EventTarget) must learn it again in each context.
  adoptAsGlobalEventTarget(global);
  captureLateIntrinsics();
  clock.timeOrigin = info.timeOrigin;
  navigatorInfo.userAgent = info.userAgent;
  if (fetchClient !== undefined) fetchClient.userAgent = info.userAgent;
  if (info.memoryLimitMb !== undefined) installWasmMemoryBudget(info.memoryLimitMb);
  // On the budget's compile and instantiate (V8's own streaming compilation would skip them).
  installWasmStreaming();
  if (info.logBytesPerSecond !== undefined) setLogRate(info.logBytesPerSecond);
  const t = timers!;
  const s = server!;
  const b = bodies!;
  const control: RuntimeControl = {
    fireTimer: (id) => t.fire(id),
    defineEnv: (env, assetsBinding) => s.defineEnv(env, assetsBinding === undefined ? undefined : [assetsBinding, assetsFetcher(fetchClient!)]),
    registerApp: (exports) => s.registerApp(exports),
    dispatch: (id, head) => {
      // An internal list and a literal pair: no method or index setter of the app's is met.
      const settle = (result: DispatchResult): void => {
        internalAppend(results, [id, result]);
        if (results.length === 1) queueMicrotaskIntrinsic(flushResults);
      };
      s.dispatch(id, head, settle);
    },
    bodyPush: (id, chunk, error) => b.push(id, chunk, error),
    responseAck: (id, bytes) => b.ack(id, bytes),
    responseCancel: (id, reason) => {
      s.responseAbandon(id, reason);
      b.cancel(id, reason);
    },
    responseStart: (id) => s.responseStart(id),
    fetchSettle: (id, result) => fetchClient!.settle(id, result),
    subtleSettle: (id, result) => settleSubtle(id, result),
    batch: (calls: ControlCall[]) => {
      for (let i = 0; i < calls.length; i++) {
        // Indexed, not destructured: the app may have replaced Array.prototype[Symbol.iterator].
        const call = calls[i]!;
        const op = call[0];
        const args = call[1];
        try {
          reflectApply(control[op] as (...a: unknown[]) => unknown, undefined, args);
        } catch (error) {
          // One failing call must not drop the calls queued behind it.
          api.log('error', `Uncaught (in ${op}) ${inspect(error)}`);
        }
      }
    },
  };
  Object.defineProperty(global, '__nanoControl', { value: control, writable: true, enumerable: false, configurable: true });
}
