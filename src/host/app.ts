// One app: its bundled module running in an isolate, serving requests with streaming bodies in
// both directions, under its memory, CPU and wall-time limits. An isolate that exceeds a limit
// is disposed (its in-flight requests get 503) and a fresh one is booted for the next request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import ivm from 'isolated-vm';
import type { AppConfig } from './config.js';
import type { Logger } from './logger.js';
import type { AppRequestStats, Metrics } from './metrics.js';
import { bundleApp, type AppBundle } from './app-bundle.js';
import { mapStackPositions } from './source-map.js';
import { NanoIsolate, type ControlRef, type ExchangeHandler, type LogLevel } from './isolate/nano-isolate.js';
import { windowCost, type DispatchResult, type RequestHead, type ResponseHead } from '../runtime/host-api.js';
import { IdTable } from '../runtime/id-table.js';
import { LogRate } from '../runtime/log-rate.js';
import { CryptoOwner } from './crypto-slots.js';
import { TurnOwner } from './threadpool-turns.js';
import { requestTarget } from './router.js';
import { setClientAddress, type ClientAddresses } from './client-address.js';
import { ResponseBody, acceptsCoding, contentCoding, contentLength, encodeWhole, responseEncoderCost, type ContentCoding } from './response-body.js';
import { fetchDecodesZstd } from './zstd-decoding.js';
import type { ChunkReader } from './http-fetch.js';

export type AppState = 'active' | 'draining' | 'stopped';

/** How often the CPU and wall-time limits are checked while requests are in flight. */
const WATCH_INTERVAL_MS = 10;
/** A stretch of the isolate's CPU with no call of its for a request that the watch charges (see App #account). */
const LONG_TASK_MS = 50;
/** How often an isolate with no request in flight has its CPU time checked. */
const IDLE_WATCH_INTERVAL_MS = 1_000;
/** Checks per window in which idle CPU time adds up (10 s: a limit of 1,000 ms is 10% of a core). */
const IDLE_WINDOW_CHECKS = 10;

let nextExchangeId = 1;

/** One request being served. */
class Exchange {
  readonly id = nextExchangeId++;
  /** CPU ms of the isolate attributed to this request so far. */
  cpuMs = 0;
  headSent = false;
  /**
   * A streamed body's head is with node:http, which holds it until the first body bytes: sent by
   * the next watch tick if none came (see #check).
   */
  headHeld = false;
  /** The response is finished (or abandoned). */
  responseDone = false;
  /** ctx.waitUntil work has settled. */
  waitUntilDone = false;
  /** After the response: how long its waitUntil work may still run (limits.waitUntilMs). */
  waitUntilTimer: NodeJS.Timeout | undefined = undefined;
  /** Request body the isolate will still take (its credit in windowCost units, see body-channels.ts). */
  credit = 0;
  /** A 'drain' listener is waiting to acknowledge response bytes. */
  awaitingDrain = false;
  /** It is among App's #callers. */
  calling = false;
  requestEnded = false;
  status = 0;
  /** A streamed body with a Content-Length to hold it to or a coding to apply (see response-body.ts); else written as it comes. */
  body: ResponseBody | undefined = undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly nano: NanoIsolate,
    readonly started: number,
    /** Its app's handling of the response's 'close' (see responseClosed). */
    readonly closed: (ex: Exchange) => void,
  ) {}
}

/** The exchange a response belongs to, for responseClosed. */
const EXCHANGE = Symbol('nano.exchange');
type ResponseWithExchange = ServerResponse & { [EXCHANGE]?: Exchange };

/**
 * A response closed (finished, or the client went away): tells the app serving it. The server's
 * one 'close' listener per response calls this (a second listener would make Node keep an array
 * of listeners per response).
 */
export function responseClosed(res: ServerResponse): void {
  const ex = (res as ResponseWithExchange)[EXCHANGE];
  if (ex !== undefined) ex.closed(ex);
}

export interface AppDeps {
  log: Logger;
  metrics: Metrics;
  /** server.sendTimeoutMs: how long a response may wait for its client to take bytes. */
  sendTimeoutMs: number;
  /** server.trustedProxies: whose X-Forwarded-For names the client. */
  clientAddresses: ClientAddresses;
}

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer'];

/** `name` is `lower` but for ASCII case (no lowercased copy per header). */
function equalsIgnoringCase(name: string, lower: string): boolean {
  if (name.length !== lower.length) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a ? c | 0x20 : c) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

function isHopByHop(name: string): boolean {
  for (let i = 0; i < HOP_BY_HOP.length; i++) if (equalsIgnoringCase(name, HOP_BY_HOP[i]!)) return true;
  return false;
}

/** The name, value list without its hop-by-hop headers and Content-Length (the host frames the body itself), and Content-Encoding if asked. */
function withoutFraming(list: string[], encoding: boolean): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < list.length; i += 2) {
    const name = list[i]!;
    if (isHopByHop(name) || equalsIgnoringCase(name, 'content-length') || (encoding && equalsIgnoringCase(name, 'content-encoding'))) continue;
    out.push(name, list[i + 1]!);
  }
  return out;
}

/** A known body this size or smaller is encoded whole, before its head (sent with its Content-Length); a larger one streams, chunked. */
const ENCODE_WHOLE_MAX = 256 * 1024;
/** The pieces a larger known body is encoded and sent in, a host turn apart. */
const ENCODE_SLICE = 64 * 1024;

export class AppInstance {
  readonly name: string;
  readonly config: AppConfig;
  /** Increases with each load of this app's config or module (hot reload). */
  readonly version: number;
  state: AppState = 'active';
  #bundle: AppBundle;
  #deps: AppDeps;
  #log: Logger;
  #nano: NanoIsolate | undefined;
  #booting: Promise<NanoIsolate> | undefined;
  /** The app's share of the host's WebCrypto slots: its isolates' work counts to it, also after an isolate is replaced. */
  #cryptoOwner = new CryptoOwner();
  /** The app's share of the host's DNS turns (dns-turns.ts), kept across its isolates too. */
  #dnsOwner = new TurnOwner();
  #exchanges = new IdTable<Exchange>();
  #watch: NodeJS.Timeout | undefined;
  #idleWatch: NodeJS.Timeout | undefined;
  #lastCpu = 0n;
  #idleWaiters: (() => void)[] = [];
  /** This app's request figures (read by the metrics registry when scraped). */
  #stats: AppRequestStats;
  /** Every exchange's 'close' handling (made once: a request makes no closure for it). */
  #onClose: (ex: Exchange) => void;
  /** The app's console output rate (limits.logKbPerSecond): lines past it are dropped and counted. */
  #logRate: LogRate;

  private constructor(config: AppConfig, version: number, bundle: AppBundle, deps: AppDeps) {
    this.name = config.name;
    this.config = config;
    this.version = version;
    this.#bundle = bundle;
    this.#deps = deps;
    this.#log = deps.log.child({ app: config.name, version });
    this.#stats = deps.metrics.appStats(config.name);
    this.#onClose = (ex) => this.#clientClosed(ex);
    this.#logRate = new LogRate(config.limits.logKbPerSecond * 1024);
  }

  /** Boots the app's first isolate (bundling the module unless given); rejects with a clear error if either fails. */
  static async load(config: AppConfig, version: number, deps: AppDeps, bundle?: AppBundle): Promise<AppInstance> {
    bundle ??= await bundleApp(config.module);
    const app = new AppInstance(config, version, bundle, deps);
    await app.#isolate();
    return app;
  }

  /** Requests being served (including ones whose ctx.waitUntil work is still running). */
  get inFlight(): number {
    return this.#exchanges.size;
  }

  get heapBytes(): number {
    const nano = this.#nano;
    if (!nano || nano.isolate.isDisposed) return 0;
    try {
      return nano.isolate.getHeapStatisticsSync().used_heap_size;
    } catch {
      return 0;
    }
  }

  /** Serves one request; what goes wrong is answered (500, 503) and logged, never thrown. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    this.#stats.inFlight++;
    const started = performance.now();
    const nano = this.#nano;
    // The isolate is usually up: serve at once, without waiting a promise turn for it.
    if (nano !== undefined && !nano.isolate.isDisposed) return this.#serve(req, res, nano, started);
    this.#isolate().then(
      (booted) => this.#serve(req, res, booted, started),
      (error: unknown) => {
        this.#log.error({ err: error }, 'the app failed to start');
        sendError(res, 503, 'The app is not available.');
        this.#stats.inFlight--;
      },
    );
  }

  #serve(req: IncomingMessage, res: ServerResponse, nano: NanoIsolate, started: number): void {
    const ex = new Exchange(req, res, nano, started, this.#onClose);
    // Before the request counts: CPU time the isolate used with none in flight is none of its.
    this.#startWatch();
    this.#exchanges.set(ex.id, ex);
    try {
      // The client went away before the response finished: cancel the app's body and request body
      // (the server's 'close' listener calls responseClosed).
      (res as ResponseWithExchange)[EXCHANGE] = ex;

      const hasBody = req.method !== 'GET' && req.method !== 'HEAD' && (req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0);
      if (hasBody) this.#wireRequestBody(ex);
      else ex.requestEnded = true;

      const { authority, path } = requestTarget(req.url ?? '/', req.headers.host);
      // No Host (HTTP/1.0), or an empty one: the target URI has no authority; the host's default name stands in (RFC 9112 3.3).
      const url = `http://${authority || 'localhost'}${path}`;
      const rawHeaders = req.rawHeaders;
      setClientAddress(rawHeaders, this.#deps.clientAddresses.of(req.socket.remoteAddress, rawHeaders));
      const head: RequestHead = { method: req.method ?? 'GET', url, rawHeaders, body: hasBody };
      nano.dispatch(ex.id, head);
    } catch (error) {
      this.#dispatchFailed(ex, error as Error);
    }
  }

  /** The app's outcome for `ex`: its response head (the body may follow), or its failure. */
  #dispatched(ex: Exchange, result: DispatchResult): void {
    if (result.settled) ex.waitUntilDone = true;
    // The client left, or a limit answered already.
    if (ex.responseDone) return this.#maybeFinish(ex);
    try {
      if ('error' in result) {
        ex.waitUntilDone = true;
        this.#respondError(ex, 500, 'The app failed to handle the request.');
      } else {
        this.#writeHead(ex, result.head);
      }
    } catch (error) {
      this.#dispatchFailed(ex, error as Error);
    }
  }

  /** No outcome for `ex`: its isolate was disposed (a limit), or serving it failed on the host. */
  #dispatchFailed(ex: Exchange, error: Error): void {
    if (ex.responseDone) return;
    if (ex.nano.isolate.isDisposed) {
      this.#recycle(ex.nano, 'memory', error);
    } else {
      this.#log.error({ err: error }, 'dispatch failed');
      ex.waitUntilDone = true;
      this.#respondError(ex, 500, 'The app failed to handle the request.');
    }
  }

  #clientClosed(ex: Exchange): void {
    if (!ex.responseDone) {
      ex.responseDone = true;
      if (ex.status === 0) ex.status = 499;
      callIgnored(ex.nano.control.responseCancel, [ex.id, 'The client disconnected.']);
      if (!ex.requestEnded) ex.nano.pushBody(ex.id, null, 'The client disconnected.');
    }
    this.#maybeFinish(ex);
  }

  /** Stops taking requests; resolves when in-flight requests and waitUntil work are done. */
  drain(): Promise<void> {
    this.state = 'draining';
    if (this.#exchanges.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Disposes the isolate; requests still running are cut (counted and returned). */
  dispose(): number {
    const cut = this.#exchanges.size;
    if (cut > 0) {
      this.#deps.metrics.drainCut.inc({ app: this.name }, cut);
      this.#log.warn({ cut }, 'disposed with requests in flight');
    }
    for (const ex of this.#exchanges.values()) this.#abort(ex, 503, 'The app was stopped.');
    this.state = 'stopped';
    this.#stopWatch();
    this.#stopIdleWatch();
    this.#nano?.dispose();
    this.#nano = undefined;
    this.#idle();
    return cut;
  }

  // --- the isolate

  /**
   * One console line of the app, within its log rate; what was dropped is reported when lines
   * pass again. The isolate keeps the rate first (lines over it never cross: #consoleDropped
   * counts them), this one behind it.
   */
  #console(appLog: Logger, level: LogLevel, text: string): void {
    if (!this.#logRate.take(text.length)) {
      this.#deps.metrics.appLogDropped.inc({ app: this.name });
      return;
    }
    const here = this.#logRate.takeDropped();
    const all = addDropped(this.#isolateDropped, here);
    this.#isolateDropped = undefined;
    if (all !== undefined) {
      this.#log.warn({ droppedLines: all.lines, droppedBytes: all.bytes }, "console lines dropped: over the app's log rate (limits.logKbPerSecond)");
    }
    // Stack positions in the bundle, as the author's files (source-map.ts).
    const map = this.#bundle.map;
    appLog[level]({ msg: map === undefined ? text : mapStackPositions(text, this.#bundle.filename, map) });
  }

  #consoleDropped(lines: number, bytes: number): void {
    this.#deps.metrics.appLogDropped.inc({ app: this.name }, lines);
    this.#isolateDropped = addDropped(this.#isolateDropped, { lines, bytes });
  }
  /** Lines the isolate dropped since a line last passed (reported with the next that does). */
  #isolateDropped: { lines: number; bytes: number } | undefined;

  #isolate(): Promise<NanoIsolate> {
    if (this.#nano && !this.#nano.isolate.isDisposed) return Promise.resolve(this.#nano);
    this.#booting ??= this.#boot().finally(() => (this.#booting = undefined));
    return this.#booting;
  }

  async #boot(): Promise<NanoIsolate> {
    const appLog = this.#log.child({ source: 'console' });
    const nano = await NanoIsolate.create({
      memoryLimitMb: this.config.limits.memoryMb,
      log: (level, text) => this.#console(appLog, level, text),
      logDropped: (lines, bytes) => this.#consoleDropped(lines, bytes),
      logBytesPerSecond: this.config.limits.logKbPerSecond * 1024,
      fetchAllow: this.config.fetchAllow,
      ...(this.config.assets !== undefined ? { assetsDirectory: this.config.assets.directory } : {}),
      fetchesInFlight: this.config.limits.fetchesInFlight,
      cryptoOwner: this.#cryptoOwner,
      dnsOwner: this.#dnsOwner,
    });
    try {
      nano.exchange = this.#exchangeHandler(nano);
      // Before the module runs: its top level may read `env` from 'cloudflare:workers'.
      const assetsBinding = this.config.assets?.binding;
      await nano.control.defineEnv.apply(undefined, assetsBinding === undefined ? [this.config.env] : [this.config.env, assetsBinding], { arguments: { copy: true } });
      const script = await nano.isolate.compileScript(this.#bundle.code, { filename: this.#bundle.filename });
      const timeout = this.config.limits.cpuMsPerRequest * 10;
      // A module with top-level await evaluates to a promise of its default export: awaited, for
      // at most wallTimeMs (a promise that never settles would leave the app booting for ever).
      const exports = (
        this.#bundle.async
          ? await settlesWithin(script.run(nano.context, { reference: true, promise: true, timeout }), this.config.limits.wallTimeMs)
          : await script.run(nano.context, { reference: true, timeout })
      ) as ivm.Reference<unknown>;
      await nano.control.registerApp.apply(undefined, [exports.derefInto()], { arguments: { copy: true } });
      exports.release();
    } catch (error) {
      nano.dispose();
      throw new Error(`app "${this.name}" failed to start: ${(error as Error).message}`);
    }
    this.#nano = nano;
    this.#lastCpu = cpuOf(nano);
    // Its top-level code may have started timers: watched until a request comes (#startWatch).
    if (this.#exchanges.size === 0) this.#startIdleWatch();
    return nano;
  }

  /** The isolate went over a limit: dispose it; its requests get 503; the next request boots a new one. */
  #recycle(nano: NanoIsolate, limit: 'cpu' | 'memory', cause?: unknown): void {
    if (this.#nano === nano) this.#nano = undefined;
    this.#deps.metrics.limitKills.inc({ app: this.name, limit });
    this.#log.warn({ limit, err: cause }, `the app exceeded its ${limit} limit; its isolate is recreated`);
    nano.dispose();
    for (const ex of this.#exchanges.values()) {
      if (ex.nano === nano) this.#abort(ex, 503, `The app exceeded its ${limit === 'cpu' ? 'CPU time' : 'memory'} limit.`);
    }
  }

  // --- limits

  #startWatch(): void {
    this.#stopIdleWatch();
    if (this.#watch) return;
    const nano = this.#nano;
    if (nano && !nano.isolate.isDisposed) this.#account(nano, 'idle');
    this.#watch = setInterval(() => this.#check(), WATCH_INTERVAL_MS);
  }

  /**
   * The requests the isolate called the host for since the CPU was last shared out: the first
   * #callerCount entries, each once (Exchange.calling). An array reused, not a Set: a long-lived
   * Set whose entries come and go leaves a chain of dead tables that keeps requests alive through
   * scavenges (see IdTable): with a Set here, hello world took 1.47x the CPU per request.
   */
  #callers: (Exchange | undefined)[] = [];
  #callerCount = 0;
  #chargeQueued = false;

  /** The isolate called the host for `ex` (it ran its code): the CPU since the last share is its. */
  #called(ex: Exchange): void {
    if (this.#callerCount === 0) {
      if (ex.nano !== this.#nano || ex.nano.isolate.isDisposed) return;
      // The CPU up to the call: read now, before the isolate's next task adds to it.
      this.#callersCpu = cpuOf(ex.nano);
    }
    if (!ex.calling) {
      ex.calling = true;
      this.#callers[this.#callerCount++] = ex;
    }
    if (this.#chargeQueued) return;
    this.#chargeQueued = true;
    // Charged after the host call (a result batch names several requests: they share it).
    queueMicrotask(() => {
      this.#chargeQueued = false;
      if (ex.nano === this.#nano && !ex.nano.isolate.isDisposed) this.#account(ex.nano, 'check');
    });
  }

  /** The isolate's CPU when the first of #callers called. */
  #callersCpu = 0n;

  /**
   * The isolate's CPU time since the last share (ms), counted in nano_isolate_cpu_seconds_total
   * and charged to its requests (answered ones whose waitUntil work still runs too). Every CPU ns
   * is counted once.
   *
   * Whose it is: the isolate runs a request's code and then calls the host for it (a result, a
   * write, a pull), so the CPU up to such a call is the caller's (#called; callers in one host
   * call share it). A stretch of 50 ms or more with no call (a handler computing, a loop) is
   * charged at the watch's checks to the requests still waiting for their response head, where
   * such a task runs, or to all in flight if none waits; a shorter one waits for the next caller.
   * 'idle': no request's (the metric only). Before, each 10 ms check shared its CPU evenly by all
   * requests in flight, so a long-lived stream (an event stream writing every 100 ms) was charged
   * a share of every other request's work: under ordinary load it passed cpuMsPerRequest within
   * seconds and the isolate was recycled, cutting every stream.
   */
  #account(nano: NanoIsolate, mode: 'check' | 'idle'): number {
    const count = this.#callerCount;
    const cpu = count > 0 ? this.#callersCpu : cpuOf(nano);
    const deltaMs = Number(cpu - this.#lastCpu) / 1e6;
    if (mode === 'check' && count === 0 && deltaMs < LONG_TASK_MS) return 0;
    this.#lastCpu = cpu;
    // The callers share the CPU up to their calls (none of it when idle, or when there is none).
    const share = mode === 'idle' || deltaMs <= 0 ? 0 : deltaMs / count;
    for (let i = 0; i < count; i++) {
      const ex = this.#callers[i]!;
      this.#callers[i] = undefined;
      ex.calling = false;
      ex.cpuMs += share;
    }
    this.#callerCount = 0;
    if (deltaMs <= 0) return 0;
    this.#deps.metrics.cpu.inc({ app: this.name }, deltaMs / 1000);
    if (mode === 'idle' || count > 0) return deltaMs;
    let waiting = 0;
    let all = 0;
    for (const ex of this.#exchanges.values()) {
      if (ex.nano !== nano) continue;
      all++;
      if (!ex.headSent && !ex.responseDone) waiting++;
    }
    for (const ex of this.#exchanges.values()) {
      if (ex.nano !== nano) continue;
      if (waiting > 0 && !ex.headSent && !ex.responseDone) ex.cpuMs += deltaMs / waiting;
      else if (waiting === 0) ex.cpuMs += deltaMs / all;
    }
    return deltaMs;
  }

  #stopWatch(): void {
    clearInterval(this.#watch);
    this.#watch = undefined;
  }

  /**
   * With no request in flight the isolate may still run (timers, waitUntil work no longer waited
   * for): more than cpuMsPerRequest of CPU time within 10 s with no request recreates it. Without this, a
   * setInterval burning CPU kept a core busy for good once its requests were over.
   */
  #startIdleWatch(): void {
    const nano = this.#nano;
    if (this.#idleWatch || nano === undefined || this.state === 'stopped') return;
    let used = 0;
    let checks = 0;
    const limitMs = this.config.limits.cpuMsPerRequest;
    this.#idleWatch = setInterval(() => {
      if (this.#nano !== nano || nano.isolate.isDisposed) return this.#stopIdleWatch();
      // Counted per window: a timer doing a little now and then never adds up to a limit.
      if (checks++ % IDLE_WINDOW_CHECKS === 0) used = 0;
      used += this.#account(nano, 'idle');
      if (used <= limitMs) return;
      this.#stopIdleWatch();
      this.#log.warn({ cpuMs: Math.round(used) }, 'the app used more than cpuMsPerRequest of CPU time with no request in flight');
      this.#recycle(nano, 'cpu');
    }, IDLE_WATCH_INTERVAL_MS);
    this.#idleWatch.unref();
  }

  #stopIdleWatch(): void {
    clearInterval(this.#idleWatch);
    this.#idleWatch = undefined;
  }

  /** Attributes the isolate's CPU time since the last check to its in-flight requests (see #account). */
  #check(): void {
    const nano = this.#nano;
    if (this.#exchanges.size === 0) {
      // The CPU time since the last request finished: the metric's, no request's.
      if (nano && !nano.isolate.isDisposed) this.#account(nano, 'idle');
      this.#stopWatch();
      return this.#startIdleWatch();
    }
    const { cpuMsPerRequest, wallTimeMs } = this.config.limits;
    if (nano && !nano.isolate.isDisposed) {
      this.#account(nano, 'check');
      for (const ex of this.#exchanges.values()) if (ex.nano === nano && ex.cpuMs > cpuMsPerRequest) return this.#recycle(nano, 'cpu');
    } else if (nano) {
      return this.#recycle(nano, 'memory');
    }
    const now = performance.now();
    for (const ex of this.#exchanges.values()) {
      if (!ex.headSent && !ex.responseDone && now - ex.started > wallTimeMs) {
        this.#log.warn({ url: ex.req.url, wallTimeMs }, 'the app did not answer within its wall time');
        callIgnored(ex.nano.control.responseCancel, [ex.id, 'The wall time limit passed.']);
        this.#respondError(ex, 504, 'The app did not answer in time.');
      } else if (ex.headHeld) {
        // No body bytes since the head: the client gets the head now (within one tick, 10 ms).
        ex.headHeld = false;
        if (!ex.responseDone) ex.res.flushHeaders();
      } else if (!ex.responseDone) {
        ex.body?.tick();
      }
    }
  }

  // --- bodies

  #exchangeHandler(nano: NanoIsolate): ExchangeHandler {
    // Every call of the isolate's for an exchange shows it ran code for it (see #account).
    const get = (id: number): Exchange | undefined => {
      const ex = this.#exchanges.get(id);
      if (ex === undefined || ex.nano !== nano) return undefined;
      this.#called(ex);
      return ex;
    };
    return {
      dispatched: (id, result) => {
        const ex = get(id);
        if (ex) this.#dispatched(ex, result);
      },
      dispatchFailed: (id, error) => {
        const ex = get(id);
        if (ex) this.#dispatchFailed(ex, error);
      },
      bodyPull: (id, credit) => {
        const ex = get(id);
        if (!ex || ex.requestEnded) return;
        ex.credit += credit;
        if (ex.credit > 0) ex.req.resume();
      },
      bodyCancel: (id) => {
        const ex = get(id);
        if (!ex || ex.requestEnded) return;
        // The app does not want the rest: discard it so the connection can be reused.
        ex.requestEnded = true;
        ex.credit = Infinity;
        ex.req.resume();
      },
      responseWrite: (id, chunks, drained) => {
        const ex = get(id);
        if (!ex || ex.responseDone) return true;
        const { res } = ex;
        if (chunks.length > 1) res.cork();
        let more = true;
        // One crossing copies a chunk sent twice once: such a buffer is left to the GC.
        const shared = chunks.length > 1 && new Set(chunks.map((c) => c.buffer)).size < chunks.length;
        const body = ex.body;
        if (body !== undefined) for (const chunk of chunks) more = shared ? body.write(chunk) : body.write(chunk, () => release(chunk));
        else for (const chunk of chunks) more = shared ? res.write(chunk) : res.write(chunk, () => release(chunk));
        if (chunks.length > 1) res.uncork();
        // An encoder may hold its first bytes back: the head goes by a watch tick then.
        if (body === undefined || body.started) ex.headHeld = false;
        if (ex.responseDone) return true;
        if (!more && !ex.awaitingDrain) {
          ex.awaitingDrain = true;
          const stalled = this.#sendTimer(ex);
          res.once('drain', () => {
            clearInterval(stalled);
            ex.awaitingDrain = false;
            drained();
          });
        }
        return more;
      },
      responseEnd: (id) => {
        const ex = get(id);
        if (!ex || ex.responseDone) return;
        if (ex.body !== undefined) ex.body.end();
        else ex.res.end();
        if (ex.responseDone) return;
        ex.responseDone = true;
        this.#maybeFinish(ex);
      },
      responseError: (id, message) => {
        const ex = get(id);
        if (!ex || ex.responseDone) return;
        // Mid-body: end the connection abruptly, never a truncation that looks complete.
        this.#log.warn({ url: ex.req.url, reason: message }, 'the response body errored; the connection is reset');
        ex.responseDone = true;
        ex.body?.close();
        ex.res.destroy(new Error(message));
        this.#maybeFinish(ex);
      },
      waitUntilSettled: (id) => {
        const ex = get(id);
        if (!ex) return;
        ex.waitUntilDone = true;
        this.#maybeFinish(ex);
      },
    };
  }

  #wireRequestBody(ex: Exchange): void {
    const { req } = ex;
    const push = (chunk: Uint8Array | null, error?: string): void => ex.nano.pushBody(ex.id, chunk, error);
    // Flowing while the isolate has credit, paused otherwise: each socket chunk crosses as it
    // came (no concatenation), and the chunks of one event-loop turn cross together.
    req.pause();
    req.on('data', (chunk: Buffer) => {
      if (ex.requestEnded) return; // discarded (cancelled, or the response was answered)
      // The isolate counts each chunk's cost, not only its bytes (host-api.ts windowCost).
      ex.credit -= windowCost(chunk.byteLength);
      if (ex.credit <= 0) req.pause();
      push(chunk);
    });
    req.once('end', () => {
      if (ex.requestEnded) return;
      ex.requestEnded = true;
      push(null);
    });
    req.once('aborted', () => {
      if (ex.requestEnded) return;
      ex.requestEnded = true;
      push(null, 'The client aborted the request body.');
    });
  }

  #writeHead(ex: Exchange, head: ResponseHead): void {
    const { res } = ex;
    // A small body comes as a latin1 string: Node writes it with the head in one piece.
    let bytes: string | Uint8Array | undefined = head.latin1 ?? head.bytes;
    /** A known body too large to encode before the head: it streams through ex.body. */
    let encodeLater: Uint8Array | undefined;
    // HEAD, 204 and 304 responses carry no body (RFC 9110 9.3.2, 15.3.5, 15.4.5).
    const noBody = ex.req.method === 'HEAD' || head.status === 204 || head.status === 304;
    try {
      // Hop-by-hop headers belong to one connection (RFC 9110 7.6.1): a proxied response's are
      // dropped. Content-Length is the host's to write, from the bytes it sends (response-body.ts).
      // The list is the host's own (parsed from the isolate's text): usually kept as is.
      const list = head.headers;
      let appLength: string | undefined;
      let coding: ContentCoding | undefined;
      let drop = false;
      // zstd, which fetch() decodes (zstd-decoding.ts) and the host cannot apply: the body goes
      // unencoded, without the header (a proxied zstd response would otherwise go out decoded
      // under a header that says it is not).
      let cannotEncode = false;
      for (let i = 0; i < list.length; i += 2) {
        const name = list[i]!;
        if (equalsIgnoringCase(name, 'content-length')) {
          appLength = list[i + 1]!;
          drop = true;
        } else if (equalsIgnoringCase(name, 'content-encoding')) {
          if (head.manual !== true) {
            coding = contentCoding(list[i + 1]!);
            cannotEncode = coding === undefined && fetchDecodesZstd(list[i + 1]!);
          }
        } else if (isHopByHop(name)) drop = true;
      }
      // A client whose Accept-Encoding rules the coding out gets the body as it is, without the header.
      let unencoded = cannotEncode;
      if (cannotEncode) drop = true;
      if (coding !== undefined && !acceptsCoding(ex.req.headers['accept-encoding'], coding)) {
        coding = undefined;
        unencoded = drop = true;
      }
      const size = bytes === undefined ? 0 : typeof bytes === 'string' ? bytes.length : bytes.byteLength;
      // An encoder that would go beyond the app's codec budget (see NanoIsolate): the body goes
      // unencoded, without its Content-Encoding (always valid for the client).
      const streamed = coding !== undefined && (bytes === undefined || size > ENCODE_WHOLE_MAX) && !noBody;
      if (streamed && !ex.nano.reserveCodecMemory(responseEncoderCost(coding!))) {
        coding = undefined;
        unencoded = drop = true;
      }
      const headers = drop ? withoutFraming(list, unencoded) : list;
      const length = appLength === undefined ? undefined : contentLength(appLength);
      if (noBody) {
        // No body is sent. HEAD and 304 may say the length a GET would have: the known body's
        // (unless it would be encoded: then unknown here), else the app's; 204 has none.
        if (head.status !== 204 && coding === undefined) {
          if (bytes !== undefined) headers.push('content-length', String(size));
          else if (length !== undefined) headers.push('content-length', String(length));
        }
      } else if (bytes !== undefined) {
        if (coding !== undefined && size <= ENCODE_WHOLE_MAX) {
          const started = process.hrtime.bigint();
          bytes = encodeWhole(coding, typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
          ex.nano.hostWorkNs += process.hrtime.bigint() - started;
          coding = undefined;
        }
        if (coding === undefined) headers.push('content-length', String(typeof bytes === 'string' ? bytes.length : bytes.byteLength));
        else {
          encodeLater = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
          bytes = undefined;
          ex.body = this.#responseBody(ex, coding, undefined);
        }
      } else if (coding !== undefined || length !== undefined) {
        // A streamed body: encoded as it goes (chunked), or held to the app's Content-Length.
        ex.body = this.#responseBody(ex, coding, coding === undefined ? length : undefined);
        if (coding === undefined) headers.push('content-length', String(length));
      } else if (!head.body && head.hostBody === undefined) {
        // A null body: its length is known (node:http would frame it as an empty chunked body).
        headers.push('content-length', '0');
      }
      res.writeHead(head.status, head.statusText || undefined, headers);
    } catch (error) {
      ex.body?.close();
      ex.body = undefined;
      this.#log.error({ err: error }, 'the response head is not valid HTTP');
      callIgnored(ex.nano.control.responseCancel, [ex.id, 'The response head is not valid HTTP.']);
      this.#respondError(ex, 500, 'The app produced an invalid response.');
      return;
    }
    ex.headSent = true;
    ex.status = head.status;
    if (head.hostBody !== undefined) {
      const reader = ex.nano.takeFetchBody(head.hostBody);
      if (reader === undefined || noBody) {
        void reader?.cancel().catch(() => {});
        res.end();
        ex.responseDone = true;
        this.#maybeFinish(ex);
        return;
      }
      this.#log.debug({ url: ex.req.url }, 'response body piped host to host');
      void this.#pipeHostBody(ex, reader);
      return;
    }
    if (encodeLater !== undefined) {
      void this.#pipeHostBody(ex, slices(encodeLater, ENCODE_SLICE));
      return;
    }
    if (bytes !== undefined) {
      if (noBody) res.end();
      else if (typeof bytes === 'string') res.end(bytes, 'latin1');
      else res.end(bytes);
      ex.responseDone = true;
      this.#maybeFinish(ex);
      return;
    }
    if (head.body && !noBody) {
      // The body arrives through responseWrite / responseEnd from now on. node:http sends the
      // head with the first bytes, which may come late (an event stream's first event): a watch
      // tick sends it alone then, as Workers and Deno send the head once the Response is given.
      ex.headHeld = true;
      callIgnored(ex.nano.control.responseStart, [ex.id]);
      return;
    }
    if (head.body) callIgnored(ex.nano.control.responseCancel, [ex.id, 'The response has no body to send (HEAD, 204 or 304).']);
    res.end();
    ex.responseDone = true;
    this.#maybeFinish(ex);
  }

  /**
   * Runs while a response waits for 'drain' (cleared when it comes): a client whose socket takes
   * no bytes for server.sendTimeoutMs (its write queue did not shrink) is disconnected, which
   * cancels the app's stream. Without it a client that stops reading held its connection, the
   * response's window of bytes in the host and the app's stream for as long as it liked (nginx's
   * send_timeout does the same). A slow client that keeps reading is not affected.
   */
  #sendTimer(ex: Exchange): NodeJS.Timeout {
    // Bytes still queued for the socket at each tick; fewer than at the last means the client took
    // some. The first tick only samples: Node counts a write done when all of it reached the
    // kernel, and one write may be a whole batch, so a stall is cut after one to two timeouts.
    let left = Infinity;
    const timer = setInterval(() => {
      const { res } = ex;
      if (res.destroyed || res.writableFinished) return void clearInterval(timer);
      const now = res.socket?.writableLength ?? 0;
      if (now < left) {
        left = now;
        return;
      }
      clearInterval(timer);
      this.#log.warn({ url: ex.req.url, sendTimeoutMs: this.#deps.sendTimeoutMs }, 'the client took no response bytes within server.sendTimeoutMs; the connection is closed');
      res.destroy();
    }, this.#deps.sendTimeoutMs);
    return timer;
  }

  /**
   * A body the host holds: an untouched fetch() body (upstream to client, never through the
   * isolate), or a large known body being encoded. With backpressure.
   */
  async #pipeHostBody(ex: Exchange, reader: ChunkReader): Promise<void> {
    const { res } = ex;
    const onClose = () => void reader.cancel(new Error('The client disconnected.')).catch(() => {});
    res.once('close', onClose);
    let ended = false;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          ended = true;
          break;
        }
        if (ex.responseDone) return;
        if (!(ex.body !== undefined ? ex.body.write(value) : res.write(value))) {
          if (ex.responseDone) return;
          const stalled = this.#sendTimer(ex);
          await new Promise<void>((resolve) => {
            const go = (): void => {
              clearInterval(stalled);
              res.off('drain', go);
              res.off('close', go);
              resolve();
            };
            res.on('drain', go);
            res.on('close', go);
          });
        }
      }
      if (ex.responseDone) return;
      if (ex.body !== undefined) ex.body.end();
      else res.end();
    } catch (error) {
      ended = true;
      // The upstream failed mid-body: end abruptly, never a truncation that looks complete.
      this.#log.warn({ url: ex.req.url, err: error }, 'the upstream body failed; the connection is reset');
      ex.body?.close();
      res.destroy(error as Error);
    } finally {
      res.off('close', onClose);
      // Left early (the response was ended for another reason): the body is not wanted, and its
      // upstream connection (and a zstd body's window) go now, not when collected.
      if (!ended) void reader.cancel(new Error('The response ended.')).catch(() => {});
      ex.responseDone = true;
      this.#maybeFinish(ex);
    }
  }

  /** ex.body for a response: its coding applied (its encoder's memory reserved already), or its Content-Length held to. */
  #responseBody(ex: Exchange, coding: ContentCoding | undefined, expected: number | undefined): ResponseBody {
    const { nano } = ex;
    return new ResponseBody(ex.res, {
      coding,
      expected,
      onWork: (ns) => (nano.hostWorkNs += ns),
      ...(coding === undefined ? {} : { released: () => nano.releaseCodecMemory(responseEncoderCost(coding)) }),
      fail: (message) => {
        // The app's body and its Content-Length disagree: end abruptly (the client sees the
        // response incomplete) rather than send bytes the client would frame differently.
        this.#log.warn({ url: ex.req.url, reason: message }, 'the response body does not match its Content-Length; the connection is reset');
        callIgnored(ex.nano.control.responseCancel, [ex.id, message]);
        ex.responseDone = true;
        ex.res.destroy();
        this.#maybeFinish(ex);
      },
    });
  }

  // --- endings

  #respondError(ex: Exchange, status: number, message: string): void {
    if (ex.responseDone) return;
    ex.responseDone = true;
    if (ex.headSent) {
      // The client has the app's head: its status stays the request's in the log and the
      // metrics (before, the cut was counted as `status`, which no client saw); the cut is said
      // here, as a body that errors is.
      this.#log.warn({ url: ex.req.url, status: ex.status, reason: message }, 'the response was cut after its head was sent; the connection is reset');
      ex.res.destroy();
    } else {
      ex.status = status;
      sendError(ex.res, status, message);
    }
    if (!ex.requestEnded) {
      ex.requestEnded = true;
      ex.req.resume();
    }
    this.#maybeFinish(ex);
  }

  #abort(ex: Exchange, status: number, message: string): void {
    ex.waitUntilDone = true;
    this.#respondError(ex, status, message);
    this.#maybeFinish(ex);
  }

  #maybeFinish(ex: Exchange): void {
    if (!ex.responseDone) return;
    // The response is over (sent, failed or abandoned): its encoder, if any, is done.
    if (ex.body !== undefined) {
      ex.body.close();
      ex.body = undefined;
    }
    if (ex.waitUntilDone) return this.#finish(ex);
    // The response is out; its waitUntil work has limits.waitUntilMs more (Workers gives 30 s).
    ex.waitUntilTimer ??= setTimeout(() => this.#waitUntilTimedOut(ex), this.config.limits.waitUntilMs);
  }

  /**
   * The request's waitUntil work did not settle in time: it is no longer waited for (the request
   * is counted and logged, a drain does not wait for it). Without a bound, an app whose waitUntil
   * promises never settle kept every request's records (and its socket objects) in the host.
   */
  #waitUntilTimedOut(ex: Exchange): void {
    if (!this.#exchanges.has(ex.id)) return;
    this.#log.warn({ url: ex.req.url, waitUntilMs: this.config.limits.waitUntilMs }, 'ctx.waitUntil work did not settle within limits.waitUntilMs; it is no longer waited for');
    ex.waitUntilDone = true;
    this.#finish(ex);
  }

  /** The response is done and waitUntil work settled: count it, log it. */
  #finish(ex: Exchange): void {
    if (!this.#exchanges.has(ex.id)) return;
    // Its share of the CPU time up to now (the watch's next check would find it gone).
    if (ex.nano === this.#nano && !ex.nano.isolate.isDisposed) this.#account(ex.nano, 'check');
    this.#exchanges.delete(ex.id);
    if (ex.waitUntilTimer !== undefined) clearTimeout(ex.waitUntilTimer);
    if (!ex.requestEnded) {
      // The app answered without reading (or cancelling) the rest of the request body, and its
      // waitUntil work is over: the rest is read and discarded, as node:http does for a body no one
      // consumes, so the client's upload completes and the connection carries its next request.
      // Left paused, the upload stalled until the keep-alive timeout reset the connection; and the
      // isolate kept the body's stream (its entry) for good.
      ex.requestEnded = true;
      ex.credit = Infinity;
      ex.nano.pushBody(ex.id, null, 'The request is over.');
      ex.req.resume();
    }
    const seconds = (performance.now() - ex.started) / 1000;
    this.#stats.inFlight--;
    this.#stats.finished(ex.status, seconds);
    if (this.#log.isLevelEnabled('info')) {
      const { req } = ex;
      this.#log.info({ method: req.method, url: req.url, status: ex.status, ms: Math.round(seconds * 1000), cpuMs: Math.round(ex.cpuMs * 10) / 10 }, 'request');
    }
    if (this.#exchanges.size === 0) this.#idle();
  }

  #idle(): void {
    if (this.#exchanges.size !== 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

const transfer = (ArrayBuffer.prototype as { transfer?: (length: number) => ArrayBuffer }).transfer;

/** An isolate's CPU time in ns: its own clock, plus what the host did for it outside (zlib, decoders, crypto, response encoding). */
function cpuOf(nano: NanoIsolate): bigint {
  return nano.isolate.cpuTime + nano.hostWorkNs;
}

/** What #pipeHostBody reads: a fetch body's reader, or slices of bytes the host holds. */
/** `bytes` in pieces of `size`, one per read, a host turn apart (a large body encoded without holding the event loop). */
function slices(bytes: Uint8Array, size: number): ChunkReader {
  let at = 0;
  return {
    read: () =>
      new Promise((resolve) => {
        setImmediate(() => {
          if (at >= bytes.byteLength) return resolve({ done: true, value: undefined });
          const value = bytes.subarray(at, at + size);
          at += size;
          resolve({ done: false, value });
        });
      }),
    cancel: () => {
      at = bytes.byteLength;
      return Promise.resolve();
    },
  };
}

/**
 * Frees a chunk that came out of the isolate once its socket wrote it. Each is a fresh copy only
 * this host holds; left to the GC, a fast stream piles up tens of MiB of them between collections
 * (measured: server RSS +106 MiB for 512 MiB to a slow client, +53 MiB when collected at once).
 * ArrayBuffer.prototype.transfer (--harmony-rab-gsab-transfer on Node 20) detaches it now.
 */
function release(chunk: Uint8Array): void {
  const buffer = chunk.buffer;
  if (transfer !== undefined && buffer instanceof ArrayBuffer && chunk.byteLength === buffer.byteLength) transfer.call(buffer, 0);
}

/** A JSON error answer (the app's own details go to the log, never to the client). */
export function sendError(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error: message, status });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function callIgnored(ref: ControlRef, args: unknown[]): void {
  try {
    ref.applyIgnored(undefined, args, { arguments: { copy: true } });
  } catch {
    // The isolate is gone.
  }
}

/** Two counts of dropped lines together (undefined: none). */
function addDropped(a: { lines: number; bytes: number } | undefined, b: { lines: number; bytes: number } | undefined): { lines: number; bytes: number } | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return { lines: a.lines + b.lines, bytes: a.bytes + b.bytes };
}

/** `promise`, or a rejection once `ms` passed without it settling. */
function settlesWithin<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`its module's top-level await did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
