// One isolate with the NANO runtime booted in it: the host half of src/runtime/host-api.ts.
// The runtime script is compiled once per process and its V8 code cache reused by every
// isolate after the first.
import { randomFillSync } from 'node:crypto';
import { inspect } from 'node:util';
import ivm from 'isolated-vm';
import type { BootInfo, ControlCall, DispatchResult, HostApi, HostCodecResult, RequestHead, RuntimeControl } from '../../runtime/host-api.js';
import type { CodecMode, CodecResult, CompressionFormat } from '../../web/compression-codec.js';
import { codecMemoryEstimate, createNodeCodec, type NodeCodec } from '../codec-node.js';
import { OutboundFetch } from '../outbound-fetch.js';
import type { ChunkReader } from '../http-fetch.js';
import { nodeURLBridge } from '../url-node.js';
import { nodeTextCodec } from '../text-codec-node.js';
import { HostSubtle } from '../crypto-bridge.js';
import type { CryptoOwner } from '../crypto-slots.js';
import type { TurnOwner } from '../threadpool-turns.js';
import { runtimeBundle } from './runtime-bundle.js';
import { AssetDirectory } from '../assets.js';
import { packRequestHead } from '../../runtime/request-head.js';
import { unpackDispatchResults } from '../../runtime/dispatch-results.js';
import { IdTable } from '../../runtime/id-table.js';
import { FIRE_AND_FORGET, windowCost } from '../../runtime/host-api.js';
import { assertHostNodeFlags, collectBeforeTeardown, isolateHeapDefaults } from '../node-flags.js';

isolateHeapDefaults();
collectBeforeTeardown();

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface NanoIsolateOptions {
  /** The isolate's heap limit in MiB (isolated-vm's memoryLimit; minimum 8). */
  memoryLimitMb?: number;
  /** Where the app's console lines go. Default: dropped. */
  log?: (level: LogLevel, text: string) => void;
  /** Console lines the isolate's log rate dropped (they never crossed). */
  logDropped?: (lines: number, bytes: number) => void;
  /** The app's log rate in bytes per second, kept in the isolate before lines cross (default: none there). */
  logBytesPerSecond?: number;
  userAgent?: string;
  startup?: StartupMode;
  /** Internal addresses this isolate's fetch() may reach (the app's `fetchAllow`). */
  fetchAllow?: readonly string[];
  /** The directory Workers' assets binding serves (the app's `assets.directory`). */
  assetsDirectory?: string;
  /** Outbound fetches in flight at once (the app's `limits.fetchesInFlight`; default MAX_FETCHES_IN_FLIGHT). */
  fetchesInFlight?: number;
  /** The app's share of the host's WebCrypto slots, kept across its isolates (default: the isolate's own). */
  cryptoOwner?: CryptoOwner;
  /** The app's share of the host's DNS turns, kept across its isolates (default: the isolate's own). */
  dnsOwner?: TurnOwner;
}

export const USER_AGENT = 'NANO/0.1';

/**
 * Output one CompressionStream/DecompressionStream call produces on the host before it returns
 * (the isolate asks for the rest, part by part). The host runs zlib synchronously on its own
 * thread: a 260 KB gzip of 256 MiB of zeros, decompressed in one call, blocked the host's event
 * loop for 436 ms and raised its RSS by 588 MiB (measured); a bomb's output now piles up in the
 * isolate, whose memory limit stops it.
 */
export const CODEC_OUTPUT_PER_CALL = 1024 * 1024;

/**
 * The host memory an isolate's open compression contexts may hold together (each counted at its
 * worst case, codecMemoryEstimate), as a multiple of its memory limit: zlib's memory is the
 * host's, outside the isolate's heap limit, and a context the app drops stays open until its
 * stream is collected. Measured before: 3,000 CompressionStreams made, written to once and dropped
 * in a loop raised the host's RSS by 659 MiB while the isolate's heap held 2.1 MiB. Past the
 * budget a new CompressionStream or DecompressionStream is a RangeError (a 128 MiB app: 1,985
 * deflate or gzip compressors, 51 brotli compressors, 31 brotli decompressors). A stream the app
 * drops is closed when the isolate collects it (codec-bridge.ts).
 */
export const CODEC_MEMORY_FACTOR = 4;

const NO_BYTES: Uint8Array[] = [];

/** The host side of serving requests in this isolate (see src/runtime/serve.ts). */
export interface ExchangeHandler extends Pick<HostApi, 'bodyPull' | 'bodyCancel' | 'responseEnd' | 'responseError' | 'waitUntilSettled'> {
  /** Writes chunks of response `id`; false: the socket is full, and `drained` is called once it drains. */
  responseWrite(id: number, chunks: Uint8Array[], drained: () => void): boolean;
  /** The app's outcome for request `id`: its response head (the body may follow), or its failure. */
  dispatched(id: number, result: DispatchResult): void;
  /** No outcome for request `id`: the isolate was disposed. */
  dispatchFailed(id: number, error: Error): void;
}

/** One RuntimeControl operation, called like an isolated-vm Reference to it. */
export interface ControlRef {
  apply(thisArg: undefined, args: unknown[], options?: ivm.ReferenceApplyOptions): Promise<unknown>;
  applyIgnored(thisArg: undefined, args: unknown[], options?: ivm.ReferenceApplyOptions): void;
}

/** RuntimeControl as the host calls it (dispatch and batch go through NanoIsolate's methods). */
export type ControlRefs = Record<Exclude<keyof RuntimeControl, 'dispatch' | 'batch'>, ControlRef>;

/**
 * How an isolate gets the runtime: by compiling the bundle with a V8 code cache
 * (runtimeCodeCache) and running it (the default), or from a V8 startup snapshot taken once per
 * process with the runtime already prepared in it (NANO_STARTUP=snapshot, experimental).
 * Measured here before the warmed code cache: snapshot 4.7-5.6 ms per isolate, code cache 7-9 ms; but isolated-vm 5.0.4's
 * snapshots on Node 20 corrupt state the runtime captured (single-character strings came back
 * as other bytes, and a function-local binding was lost), so they are not used by default.
 */
export type StartupMode = 'snapshot' | 'code-cache';

let codeCache: Promise<ivm.ExternalCopy<ArrayBuffer> | undefined> | undefined;
let snapshot: Promise<ivm.ExternalCopy<ArrayBuffer> | undefined> | undefined;

function defaultStartup(): StartupMode {
  return process.env['NANO_STARTUP'] === 'snapshot' ? 'snapshot' : 'code-cache';
}

/**
 * The runtime's V8 code cache, made once per process. V8 puts in a code cache only the functions
 * compiled by then: made when the bundle was first compiled, it held little more than its top
 * level, and every isolate compiled the rest again, lazily, while booting (the interfaces'
 * methods) and serving its first request. So a throwaway isolate boots the runtime and serves one
 * request (WARM_UP_APP), then compiles the bundle again: V8's per-isolate compilation cache hands
 * back the same script, with every function it has run compiled, and the cache made from it holds
 * them all (~310 KB against ~230 KB). Measured (`npm run bench:startup`, paired runs): boot
 * 7.4 -> 5.9-6.1 ms, the first request after it 2.6-2.8 -> 1.0-1.1 ms. Undefined if the warm-up
 * failed: isolates then compile the bundle in full.
 */
export function runtimeCodeCache(): Promise<ivm.ExternalCopy<ArrayBuffer> | undefined> {
  codeCache ??= warmUpCodeCache().catch(() => undefined);
  return codeCache;
}

/** What the warm-up isolate serves: the path nearly every request takes (URL, headers, a text body). */
const WARM_UP_APP = `({ fetch(request) {
  const url = new URL(request.url);
  return new Response(url.pathname + (request.headers.get('accept') ?? ''), { headers: { 'content-type': 'text/plain' } });
} })`;

async function warmUpCodeCache(): Promise<ivm.ExternalCopy<ArrayBuffer> | undefined> {
  const nano = await NanoIsolate.create({ startup: 'code-cache', memoryLimitMb: 64 }, false);
  try {
    await nano.serveOne(WARM_UP_APP, { method: 'GET', url: 'http://warm-up.invalid/', rawHeaders: ['accept', '*/*'], body: false });
    const { snapshotCode, filename } = await runtimeBundle();
    const again = await nano.isolate.compileScript(snapshotCode, { filename, produceCachedData: true });
    return (again as unknown as { cachedData?: ivm.ExternalCopy<ArrayBuffer> }).cachedData;
  } finally {
    nano.dispose();
  }
}

function runtimeSnapshot(): Promise<ivm.ExternalCopy<ArrayBuffer> | undefined> {
  snapshot ??= runtimeBundle().then(({ snapshotCode, filename }) => {
    try {
      return ivm.Isolate.createSnapshot([{ code: snapshotCode, filename }]);
    } catch {
      return undefined;
    }
  });
  return snapshot;
}

export class NanoIsolate {
  readonly isolate: ivm.Isolate;
  readonly context: ivm.Context;
  #timers = new IdTable<NodeJS.Timeout>();
  /** The runtime's own zero-delay tasks (negative ids: a MessagePort's deliveries), on setImmediate. */
  #immediates = new IdTable<NodeJS.Immediate>();
  #codecs = new IdTable<NodeCodec>();
  #nextCodec = 1;
  /** Estimated host memory of the open codecs, and its budget (CODEC_MEMORY_FACTOR). */
  #codecBytes = 0;
  #codecBudget = 0;
  #control: ControlRefs | undefined;
  #call: ivm.Reference<(op: string, ...args: unknown[]) => unknown> | undefined;
  /** Set by the app that serves requests from this isolate. */
  exchange: ExchangeHandler | undefined;
  /**
   * Nanoseconds the host worked for this isolate outside it (zlib, the host's text decoders and
   * URL parser, WebCrypto operations from start to end, encoding its responses' bodies): added to
   * its CPU time where limits are checked, since the isolate's own CPU clock does not see them.
   */
  hostWorkNs = 0n;

  /** Host decoders (TextDecoder for the encodings the host decodes) this isolate has open. */
  get hostDecoders(): number {
    return this.#text.size;
  }

  /** Estimated host memory of this isolate's open compression contexts (see CODEC_MEMORY_FACTOR). */
  get codecBytes(): number {
    return this.#codecBytes;
  }
  #disposed = false;
  #fetch!: OutboundFetch;
  #text = nodeTextCodec();
  #subtle!: HostSubtle;
  /** Control calls waiting for the next crossing (one per event-loop turn, see RuntimeControl.batch). */
  #queue: ControlCall[] = [];
  #flushScheduled = false;
  /** Outgoing body bytes written while the host's side was full: acknowledged when it drains. */
  #held = new IdTable<number>();
  /** Requests dispatched and not answered yet. */
  #dispatches = new IdTable<true>();

  private constructor(isolate: ivm.Isolate, context: ivm.Context) {
    this.isolate = isolate;
    this.context = context;
  }

  /** `cached`: compile the runtime with runtimeCodeCache() (false only for the isolate that makes it). */
  static async create(options: NanoIsolateOptions = {}, cached = true): Promise<NanoIsolate> {
    assertHostNodeFlags();
    const timeOrigin = performance.timeOrigin + performance.now();
    const memoryLimit = Math.max(8, options.memoryLimitMb ?? 128);
    const startup = options.startup ?? defaultStartup();
    const image = startup === 'snapshot' ? await runtimeSnapshot() : undefined;
    const isolate = image ? new ivm.Isolate({ memoryLimit, snapshot: image }) : new ivm.Isolate({ memoryLimit });
    try {
      const context = await isolate.createContext();
      const self = new NanoIsolate(isolate, context);
      self.#codecBudget = CODEC_MEMORY_FACTOR * memoryLimit * 1024 * 1024;
      await self.#boot(options, timeOrigin, image !== undefined, cached);
      return self;
    } catch (error) {
      if (!isolate.isDisposed) isolate.dispose();
      throw error;
    }
  }

  async #boot(options: NanoIsolateOptions, timeOrigin: number, fromSnapshot: boolean, cached: boolean): Promise<void> {
    const ignore = () => {};
    const into = (name: keyof ControlRefs) => (...args: unknown[]) => {
      if (this.#disposed) return;
      try {
        this.control[name].applyIgnored(undefined, args, { arguments: { copy: true } });
      } catch {
        ignore(); // the isolate is gone
      }
    };
    // Crypto results go at once, not with the next batch: nothing queued depends on them, and a
    // script awaiting a chain of subtle calls would otherwise wait a host turn per step (WPT
    // derive_key_and_encrypt defines its tests after such a chain, before its harness completes).
    this.#subtle = new HostSubtle(
      (id, result) => {
        if (this.#disposed) return;
        try {
          this.#callReported(['subtleSettle', id, result]);
        } catch {
          ignore(); // the isolate is gone
        }
      },
      {
        onWork: (ns) => (this.hostWorkNs += ns),
        ...(options.cryptoOwner ? { owner: options.cryptoOwner } : {}),
        // The data waiting operations hold in the host: as much as the app may hold itself.
        maxHeldBytes: Math.max(8, options.memoryLimitMb ?? 128) * 1024 * 1024,
      },
    );
    this.#fetch = new OutboundFetch(
      {
        settle: into('fetchSettle'),
        push: (id, chunk, error) => this.pushBody(id, chunk, error),
        drain: (id) => this.#drained(id),
        cancelUpload: into('responseCancel'),
      },
      options.fetchAllow ?? [],
      options.fetchesInFlight,
      // What the app's fetches may hold in the host: as much as the app may hold itself.
      Math.max(8, options.memoryLimitMb ?? 128) * 1024 * 1024,
      options.dnsOwner ? { owner: options.dnsOwner } : {},
    );
    if (options.assetsDirectory !== undefined) this.#fetch.assets = new AssetDirectory(options.assetsDirectory);
    const { snapshotCode, filename } = await runtimeBundle();
    const cachedData = !fromSnapshot && cached ? await runtimeCodeCache() : undefined;
    const log = options.log ?? (() => {});
    this.#log = log;
    const start = performance.now();
    const api: HostApi = {
      timerStart: (id, ms) => this.#timerStart(id, ms),
      timerClear: (id) => this.#timerClear(id),
      log: (level, text) => log(level, String(text)),
      logDropped: (lines, bytes) => options.logDropped?.(Number(lines), Number(bytes)),
      now: () => performance.now() - (timeOrigin - performance.timeOrigin),
      randomBytes: (length) => randomFillSync(new Uint8Array(Math.min(Math.max(0, length | 0), 1 << 20))),
      codecCreate: (format, mode) => this.#codecCreate(format, mode),
      codecPush: (id, bytes) => this.#codecCall(id, (codec) => codec.push(bytes)),
      codecFinish: (id) => this.#codecCall(id, (codec) => codec.finish()),
      codecResume: (id) => this.#codecCall(id, (codec) => codec.resume()),
      codecClose: (id) => {
        this.#codecs.get(id)?.close();
        this.#codecs.delete(id);
      },
      // Positive ids are requests this isolate serves; negative ids are its outbound fetches.
      bodyPull: (id, credit) => (id < 0 ? this.#fetch.pull(id, credit) : this.exchange?.bodyPull(id, credit)),
      bodyCancel: (id, reason) => (id < 0 ? this.#fetch.cancelBody(id) : this.exchange?.bodyCancel(id, reason)),
      responseWrite: (id, chunks) => this.#write(id, chunks),
      responseEnd: (id) => {
        this.#held.delete(id);
        return id < 0 ? this.#fetch.end(id) : this.exchange?.responseEnd(id);
      },
      responseError: (id, message) => {
        this.#held.delete(id);
        return id < 0 ? this.#fetch.end(id, message) : this.exchange?.responseError(id, message);
      },
      waitUntilSettled: (id) => this.exchange?.waitUntilSettled(id),
      dispatched: (text, bytes) => {
        for (const [id, result] of unpackDispatchResults(text, bytes ?? NO_BYTES)) {
          if (this.#dispatches.delete(id)) this.exchange?.dispatched(id, result);
        }
      },
      fetchStart: (id, head) => this.#fetch.start(id, head),
      fetchUpload: (id, part) => this.#fetch.upload(id, part),
      fetchAbort: (id, reason) => this.#fetch.abort(id, reason),
      urlDomainToASCII: (domain) => this.#timed(() => nodeURLBridge.urlDomainToASCII(domain)),
      decoderCreate: (label, fatal, ignoreBOM) => this.#timed(() => this.#text.decoderCreate(label, fatal, ignoreBOM)),
      decoderDecode: (id, bytes, stream) => this.#timed(() => this.#text.decoderDecode(id, bytes, stream)),
      decoderFree: (id) => this.#text.decoderFree(id),
      subtleCall: (id, op, args) => this.#subtle.call(id, op, args),
      subtleRelease: (handle) => this.#subtle.release(handle),
      subtleUpload: (upload, part) => this.#subtle.upload(upload, part),
      barrier: () => undefined,
    };
    // Fire-and-forget calls need no answer: the isolate does not wait for the host thread.
    // subtleUpload and fetchUpload are not among them although they need none: isolated-vm runs
    // the ignored calls that queued up in one host task, so 200 uploaded MiB held the event loop
    // 162 ms; waited for, each part is a task of its own (14 ms).
    const ignored = new Set<keyof HostApi>(FIRE_AND_FORGET);
    const names = Object.keys(api) as (keyof HostApi)[];
    const callbacks = names.map((name) =>
      ignored.has(name)
        ? new ivm.Callback(api[name] as (...args: unknown[]) => unknown, { ignored: true })
        : new ivm.Callback(api[name] as (...args: unknown[]) => unknown, { sync: true }),
    );
    const info: BootInfo = { timeOrigin, userAgent: options.userAgent ?? USER_AGENT, memoryLimitMb: Math.max(8, options.memoryLimitMb ?? 128) };
    if (options.logBytesPerSecond !== undefined) info.logBytesPerSecond = options.logBytesPerSecond;
    if (!fromSnapshot) {
      // No snapshot: compile the same script with the code cache (runtimeCodeCache).
      const script = await this.isolate.compileScript(snapshotCode, { filename, ...(cachedData ? { cachedData } : {}) });
      this.codeCacheRejected = (script as unknown as { cachedDataRejected?: boolean }).cachedDataRejected === true;
      await script.run(this.context);
    }
    // One call into the isolate: hand over the host functions, boot, and take the control
    // function (one reference; every RuntimeControl operation goes through it by name).
    const call = (await this.context.evalClosure(
      `const boot = globalThis.__nanoBoot;
      delete globalThis.__nanoBoot;
      const names = $0;
      for (let i = 0; i < names.length; i++) globalThis['__nanoHost_' + names[i]] = arguments[i + 2];
      boot($1);
      const control = globalThis.__nanoControl;
      delete globalThis.__nanoControl;
      // Reflect.apply taken now, before app code: a spread call would iterate \`args\` with
      // whatever Array.prototype[Symbol.iterator] the app put there (every call hung).
      const apply = Reflect.apply;
      return (op, ...args) => apply(control[op], control, args);`,
      [names, info, ...callbacks],
      { arguments: { copy: true }, result: { reference: true } },
    )) as ivm.Reference<(op: string, ...args: unknown[]) => unknown>;
    this.#call = call;
    // isolated-vm's typings cannot follow a rest-argument function; the calls below are untyped.
    const untyped = call as unknown as {
      apply(thisArg: undefined, args: unknown[], options?: unknown): Promise<unknown>;
      applyIgnored(thisArg: undefined, args: unknown[], options?: unknown): void;
    };
    // Calls whose answer nobody waits for are queued and cross together (see #post).
    const op = <K extends ControlCall[0]>(name: K): ControlRef => ({
      apply: (_this, args, opts) => untyped.apply(undefined, [name, ...args], opts),
      applyIgnored: (_this, args) => this.#post(name, args),
    });
    this.#control = {
      fireTimer: op('fireTimer'),
      defineEnv: op('defineEnv'),
      registerApp: op('registerApp'),
      bodyPush: op('bodyPush'),
      responseAck: op('responseAck'),
      responseCancel: op('responseCancel'),
      responseStart: op('responseStart'),
      fetchSettle: op('fetchSettle'),
      subtleSettle: op('subtleSettle'),
    };
    this.bootMs = performance.now() - start;
  }

  /**
   * Registers `appSource` (a script whose value is the app's exports) and serves one request
   * without a body: the code cache's warm-up and the startup bench. Replaces `exchange`.
   */
  async serveOne(appSource: string, head: RequestHead): Promise<DispatchResult> {
    const served = new Promise<DispatchResult>((resolve, reject) => {
      const none = () => {};
      this.exchange = {
        dispatched: (_id, result) => resolve(result),
        dispatchFailed: (_id, error) => reject(error),
        responseWrite: () => true,
        responseEnd: none,
        responseError: none,
        bodyPull: none,
        bodyCancel: none,
        waitUntilSettled: none,
      };
    });
    const app = (await this.context.eval(appSource, { reference: true })) as ivm.Reference<unknown>;
    await this.control.registerApp.apply(undefined, [app.derefInto()], { arguments: { copy: true } });
    app.release();
    this.dispatch(1, head);
    return served;
  }

  /** Serves request `id` in the isolate; its outcome (the app's response head, or its failure) goes to `exchange`. */
  dispatch(id: number, head: RequestHead): void {
    this.#dispatches.set(id, true);
    if (this.#disposed) return this.#failDispatch(id, new Error('The isolate was disposed.'));
    this.#post('dispatch', [id, packRequestHead(head)]);
  }

  /**
   * Queues a control call. The queue crosses once per event-loop turn (setImmediate runs after
   * the poll phase), so the requests and body chunks of every socket read in one turn enter the
   * isolate together: one thread hop instead of one each. Order is kept.
   */
  #post(op: ControlCall[0], args: unknown[]): void {
    if (this.#disposed) return;
    this.#queue.push([op, args]);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(this.#flush);
  }

  #flush = (): void => {
    this.#flushScheduled = false;
    const calls = this.#queue;
    this.#queue = [];
    if (this.#disposed || calls.length === 0) return;
    try {
      this.#callReported(['batch', calls]);
    } catch (error) {
      // The isolate is gone (a limit disposed it): its requests are failed by dispose().
      for (const [op, args] of calls) if (op === 'dispatch') this.#failDispatch(args[0] as number, error as Error);
    }
  };

  /**
   * One RuntimeControl call (`[name, ...args]`) into the isolate, its answer not awaited; throws
   * when the isolate is gone. Its failure is reported (#uncaught): the runtime catches what its
   * steps throw, so what fails a call is a promise the call's task rejected with no handler.
   */
  #callReported(args: unknown[]): void {
    (this.#call as unknown as { apply(t: undefined, a: unknown[], o: unknown): Promise<unknown> })
      .apply(undefined, args, { arguments: { copy: true } })
      .then(undefined, this.#uncaught);
  }

  #log: (level: LogLevel, text: string) => void = () => {};

  /**
   * A task in the isolate ended with a rejected promise nobody handled: isolated-vm fails the call
   * that ran the task with the first such rejection's reason (copied), checked after the task's
   * microtasks, as a browser's unhandled-rejection report waits for them. Logged as Workers and
   * browsers do ("Uncaught (in promise)"); before, every call that could run app code was made
   * with isolated-vm's applyIgnored (or its failure dropped), and such errors vanished without a
   * line. An isolate disposed during the call (a limit) fails it too: that is reported where the
   * limit is handled.
   */
  #uncaught = (reason: unknown): void => {
    if (this.#disposed || this.isolate.isDisposed) return;
    const text = reason instanceof Error ? (reason.stack ?? `${reason.name}: ${reason.message}`) : typeof reason === 'string' ? reason : inspect(reason);
    this.#log('error', `Uncaught (in promise) ${text}`);
  };

  #failDispatch(id: number, error: Error): void {
    if (!this.#dispatches.delete(id)) return;
    // Never from inside the caller (dispose() runs in the middle of the app's own limit handling).
    queueMicrotask(() => this.exchange?.dispatchFailed(id, error));
  }

  /**
   * Chunks of outgoing body `id` (a response, or a fetch upload when negative). Their bytes are
   * acknowledged to the isolate's pump at once when the destination took them, or when it
   * drains: the pump keeps at most its window unacknowledged (see body-channels.ts).
   */
  #write(id: number, chunks: Uint8Array[]): void {
    // What the pump counted against its window for them (host-api.ts windowCost).
    let bytes = 0;
    for (const chunk of chunks) bytes += windowCost(chunk.byteLength);
    const more = id < 0 ? this.#fetch.write(id, chunks) : (this.exchange?.responseWrite(id, chunks, () => this.#drained(id)) ?? true);
    const held = this.#held.get(id);
    if (held !== undefined) this.#held.set(id, held + bytes);
    else if (more) this.#post('responseAck', [id, bytes]);
    else this.#held.set(id, bytes);
  }

  #drained(id: number): void {
    const bytes = this.#held.get(id);
    if (bytes === undefined) return;
    this.#held.delete(id);
    this.#post('responseAck', [id, bytes]);
  }

  /**
   * Bytes of incoming body `id` for the isolate (null: the end; error: it failed). Copied, not
   * transferred: an ArrayBuffer transferred in (ExternalCopy transferOut/transferIn) counts toward
   * isolated-vm's memory limit without prompting the isolate's GC, and a 256 MiB upload hashed in
   * the app was killed for memory every time (measured with a 1 MiB credit window).
   */
  pushBody(id: number, chunk: Uint8Array | null, error?: string): void {
    if (this.#disposed) return;
    if (error !== undefined || chunk === null) {
      this.#post('bodyPush', error === undefined ? [id, null] : [id, null, error]);
      return;
    }
    this.#post('bodyPush', [id, new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)]);
  }

  /** The body of this isolate's fetch `id`, for the host to pipe itself (see BodyChannels.handOver). */
  takeFetchBody(id: number): ChunkReader | undefined {
    return this.#fetch.takeBody(id);
  }

  /** The runtime's control functions (after create()). */
  get control(): ControlRefs {
    if (this.#control === undefined) throw new Error('the isolate has not booted');
    return this.#control;
  }

  /** How long compiling and booting the runtime took, in ms. */
  bootMs = 0;
  /** V8 refused the runtime's code cache (and compiled the bundle in full). */
  codeCacheRejected = false;

  /** Evaluates a classic script in the isolate; resolves with its (copied) completion value. */
  async evaluate(code: string, filename: string, timeoutMs?: number): Promise<unknown> {
    return this.context.eval(code, { filename, timeout: timeoutMs, copy: true });
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    const gone = new Error('The isolate was disposed.');
    for (const id of this.#dispatches.ids()) this.#failDispatch(id, gone);
    this.#queue = [];
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    for (const immediate of this.#immediates.values()) clearImmediate(immediate);
    this.#immediates.clear();
    for (const codec of this.#codecs.values()) codec.close();
    this.#fetch?.close();
    this.#text.close();
    this.#subtle?.close();
    this.#codecs.clear();
    this.#call?.release();
    if (!this.isolate.isDisposed) this.isolate.dispose();
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /**
   * Arms timer `id`. The runtime's own zero-delay tasks run on setImmediate: a message port posts
   * its next message's task after the previous one ran, and Node's setTimeout(0) waits at least
   * 1 ms, which held MessageChannel to under 1,000 messages a second (measured: 20,000 messages
   * in 23 s). An app's setTimeout(0) keeps Node's 1 ms, as in Node.
   */
  #timerStart(id: number, ms: number): void {
    if (this.#disposed) return;
    this.#timerClear(id);
    const immediate = id < 0 && ms === 0;
    const fire = (): void => {
      if (immediate) this.#immediates.delete(id);
      else this.#timers.delete(id);
      if (this.#disposed) return;
      // Into the isolate on its own thread; what the callback throws is reported inside, a
      // rejection it leaves unhandled here.
      this.#control?.fireTimer.apply(undefined, [id]).then(undefined, this.#uncaught);
    };
    if (immediate) this.#immediates.set(id, setImmediate(fire));
    else this.#timers.set(id, setTimeout(fire, ms));
  }

  #timerClear(id: number): void {
    const timer = this.#timers.get(id);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.#timers.delete(id);
      return;
    }
    const immediate = this.#immediates.get(id);
    if (immediate === undefined) return;
    clearImmediate(immediate);
    this.#immediates.delete(id);
  }

  /**
   * Takes `bytes` of this isolate's codec budget (CODEC_MEMORY_FACTOR) for a codec the host runs
   * for it; false when they do not fit. releaseCodecMemory gives them back.
   */
  reserveCodecMemory(bytes: number): boolean {
    if (this.#codecBytes + bytes > this.#codecBudget) return false;
    this.#codecBytes += bytes;
    return true;
  }

  releaseCodecMemory(bytes: number): void {
    this.#codecBytes -= bytes;
  }

  #codecCreate(format: string, mode: string): number {
    const cost = codecMemoryEstimate(format as CompressionFormat, mode as CodecMode);
    if (cost === undefined) return -1;
    if (!this.reserveCodecMemory(cost)) return -2;
    // Counted until it closes: finished, failed, cancelled, or closed when the isolate's stream was collected.
    const codec = createNodeCodec(format as CompressionFormat, mode as CodecMode, CODEC_OUTPUT_PER_CALL, () => this.releaseCodecMemory(cost));
    if (codec === undefined) {
      this.releaseCodecMemory(cost);
      return -1;
    }
    const id = this.#nextCodec++;
    this.#codecs.set(id, codec);
    return id;
  }

  /** Runs `work` for the isolate on the host's thread, its time added to hostWorkNs. */
  #timed<T>(work: () => T): T {
    const started = process.hrtime.bigint();
    try {
      return work();
    } finally {
      this.hostWorkNs += process.hrtime.bigint() - started;
    }
  }

  /** One codec call; a context that finished (all its output given) or failed is dropped. */
  #codecCall(id: number, call: (codec: NodeCodec) => CodecResult): HostCodecResult {
    const codec = this.#codecs.get(id);
    if (codec === undefined) return { chunks: [], error: undefined, fail: 'The compression context is closed.' };
    return this.#timed(() => {
      try {
        return call(codec);
      } catch (error) {
        return { chunks: [], error: undefined, fail: (error as Error).message };
      } finally {
        if (codec.closed) this.#codecs.delete(id);
      }
    });
  }
}
