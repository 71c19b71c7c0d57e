/**
 * What the host side hands a test realm and what the realm hands back. The realm side
 * (prelude.ts) is bundled and evaluated inside each fresh context, so only types cross here.
 */

/** Handed to the realm's setupRealm(). Functions and objects from the host's own realm. */
export interface RealmHost {
  /** Host objects to expose as globals (timers are wrapped separately, below). */
  globals: Record<string, unknown>;
  /** Host timers: the realm wraps them so callbacks' exceptions become `error` events. */
  setTimeout(callback: () => void, delay: number): unknown;
  setInterval(callback: () => void, delay: number): unknown;
  clearTimer(handle: unknown): void;
  /** `self.GLOBAL`, as WPT's .any.js wrappers define it for the scope the file runs as. */
  scope: 'window' | 'worker';
  /** testharness's default test name (what a worker gets from its script URL). */
  title: string;
  /** For `// META: variant=` files only: what common/subset-tests.js reads. */
  location?: { href: string; pathname: string; search: string; hash: string };
}

/** Returned by setupRealm(): how the host reports asynchronous failures into the realm. */
export interface RealmHooks {
  /** An uncaught exception: fires an `error` event on the global, as a browser does. */
  reportError(error: unknown): void;
  /** An unhandled rejection: fires an `unhandledrejection` event on the global. */
  reportRejection(reason: unknown, promise: unknown): void;
  /** Cancels the realm's pending timers once its file is finished. */
  dispose(): void;
  /** The realm's Promise.prototype, to tell which realm a rejected promise belongs to. */
  promisePrototype: object;
}
