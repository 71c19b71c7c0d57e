/**
 * Runs INSIDE each test realm, before the implementation and testharness.js: gives the fresh
 * global what a worker scope has that testharness and the tests use. Bundled by esbuild and
 * evaluated in the context, so `globalThis`, `Promise` and `TypeError` here are the realm's own.
 * Nothing host-internal is left on the global: the hooks go back to the host as a return value.
 */
import type { RealmHooks, RealmHost } from './contract.js';

type Listener = (event: object) => void;
type Callback = (...args: unknown[]) => void;

export function setupRealm(host: RealmHost): RealmHooks {
  const global = globalThis as unknown as Record<string, unknown>;
  const define = (name: string, value: unknown): void => {
    Object.defineProperty(global, name, { value, writable: true, enumerable: false, configurable: true });
  };

  // A vm global inherits from a bare template object; make it an ordinary object, as a
  // ShadowRealm's global is. idlharness then knows what it is (it throws "Unexpected global
  // object" otherwise) and tests the [Exposed=*] interfaces, which all the streams ones are.
  Object.setPrototypeOf(global, Object.prototype);
  define('self', global);
  // As the .any.js worker wrapper does; isShadowRealm() false keeps testharness out of its
  // ShadowRealm environment, and there is no document or WorkerGlobalScope, so it picks its
  // shell environment: no harness timeout of its own, completion when all tests are done.
  define('GLOBAL', {
    isWindow: () => host.scope === 'window',
    isWorker: () => host.scope === 'worker',
    isShadowRealm: () => false,
  });
  define('META_TITLE', host.title);
  if (host.location) define('location', host.location);
  for (const [name, value] of Object.entries(host.globals)) define(name, value);

  // The global as an event target, for testharness's `error` / `unhandledrejection` listeners.
  const listeners = new Map<string, Listener[]>();
  define('addEventListener', (type: string, listener: Listener | null) => {
    if (typeof listener !== 'function') return;
    const list = listeners.get(type) ?? [];
    if (!list.includes(listener)) list.push(listener);
    listeners.set(type, list);
  });
  define('removeEventListener', (type: string, listener: Listener) => {
    const list = listeners.get(type) ?? [];
    if (list.includes(listener)) list.splice(list.indexOf(listener), 1);
  });
  const ownAdd = global['addEventListener'];
  const dispatch = (event: { type: string; [field: string]: unknown }): void => {
    // The implementation installed its own EventTarget on the global (NANO's runtime does):
    // testharness then listens through it, so the event is a real ErrorEvent or
    // PromiseRejectionEvent dispatched there.
    if (global['addEventListener'] !== ownAdd && typeof global['dispatchEvent'] === 'function') {
      const Ctor = global[event.type === 'error' ? 'ErrorEvent' : 'PromiseRejectionEvent'] as
        | (new (type: string, init: object) => object)
        | undefined;
      if (typeof Ctor === 'function') {
        const { type, ...init } = event;
        try {
          (global['dispatchEvent'] as (event: object) => boolean).call(global, new Ctor(type, { ...init, cancelable: true }));
        } catch {
          // As below: a throwing listener must not loop back into itself.
        }
        return;
      }
    }
    for (const listener of [...(listeners.get(event.type) ?? [])]) {
      try {
        listener.call(global, event);
      } catch {
        // A throwing error listener must not loop back into itself.
      }
    }
  };

  const reportError = (error: unknown): void => {
    const message = error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)
      ? `Uncaught ${String((error as { name?: unknown }).name ?? 'Error')}: ${String((error as { message: unknown }).message)}`
      : `Uncaught ${String(error)}`;
    dispatch({ type: 'error', error, message, filename: host.title, lineno: 0, colno: 0 });
  };
  const invoke = (callback: Callback, args: unknown[]): void => {
    try {
      callback.apply(global, args);
    } catch (error) {
      reportError(error);
    }
  };

  // Timers with numeric ids; callbacks' exceptions are reported like a browser does.
  const timers = new Map<number, unknown>();
  let nextId = 1;
  // The realm's own eval: a string handler runs as global code of the realm, as HTML's does.
  const realmEval = global['eval'] as (code: string) => unknown;
  const schedule = (repeat: boolean, handler: unknown, delay: unknown, args: unknown[]): number => {
    // HTML's TimerHandler is (Function or TrustedScript or DOMString): anything else is made a
    // string now, at the call (html/webappapis/timers/evil-spec-example relies on that order).
    let callback: unknown = handler;
    if (typeof handler !== 'function') {
      const code = String(handler);
      callback = () => realmEval(code);
    }
    const id = nextId++;
    const ms = Math.max(0, Number(delay) || 0);
    const fire = (): void => {
      if (!repeat) timers.delete(id);
      invoke(callback as Callback, args);
    };
    timers.set(id, repeat ? host.setInterval(fire, ms) : host.setTimeout(fire, ms));
    return id;
  };
  const clear = (id: unknown): void => {
    if (typeof id !== 'number' || !timers.has(id)) return;
    host.clearTimer(timers.get(id));
    timers.delete(id);
  };
  define('setTimeout', (callback: unknown, delay?: unknown, ...args: unknown[]) => schedule(false, callback, delay, args));
  define('setInterval', (callback: unknown, delay?: unknown, ...args: unknown[]) => schedule(true, callback, delay, args));
  define('clearTimeout', clear);
  define('clearInterval', clear);
  define('queueMicrotask', (callback: unknown) => {
    if (typeof callback !== 'function') throw new TypeError("Failed to execute 'queueMicrotask': parameter 1 is not of type 'Function'.");
    void Promise.resolve().then(() => invoke(callback as Callback, []));
  });

  return {
    reportError,
    reportRejection: (reason, promise) => dispatch({ type: 'unhandledrejection', reason, promise }),
    dispose: () => {
      for (const handle of timers.values()) host.clearTimer(handle);
      timers.clear();
    },
    promisePrototype: Promise.prototype,
  };
}
