// The host: one HTTP server for many apps, routed by hostname; hot config reload with atomic
// switching and draining; graceful shutdown; the admin API on its own port.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { AppInstance, responseClosed, sendError, type AppDeps } from './app.js';
import { ConfigError, loadConfig, type AppConfig, type Config } from './config.js';
import type { Logger } from './logger.js';
import { Metrics } from './metrics.js';
import { requestTarget, Router, validAuthority } from './router.js';
import { bundleApp } from './app-bundle.js';
import { createAdminServer } from './admin.js';
import { ClientAddresses } from './client-address.js';
import { watchConfig, type ConfigWatcher } from './watch.js';
import { assertHostNodeFlags } from './node-flags.js';

/** Responses not yet closed on a connection (a property of the socket, where a WeakMap cost a lookup per request). */
const BUSY = Symbol('nano.busy');
type BusySocket = Socket & { [BUSY]?: number };

export interface NanoServerOptions {
  configPath: string;
  log: Logger;
  /** Overrides the config's server.port (the CLI's --port and PORT). */
  port?: number;
  /** Watch the config file and the app modules (default true). */
  watch?: boolean;
  metrics?: Metrics;
}

export interface ReloadResult {
  ok: boolean;
  added: string[];
  changed: string[];
  removed: string[];
  unchanged: string[];
  /** Server and admin settings the reload changed and applied (the running server and every app take them). */
  applied: string[];
  /** Settings the reload changed that take effect only at the next start (listening addresses). */
  restartNeeded: string[];
  error?: string;
}

export class NanoServer {
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly configPath: string;
  config: Config | undefined;
  /** The last reload that failed, for the admin API (cleared by a good one). */
  lastReloadError: string | undefined;
  #server: Server | undefined;
  #admin: Server | undefined;
  /** What every app gets from the server, one object so that a reload's sendTimeoutMs reaches apps it does not replace. */
  #appDeps: AppDeps | undefined;
  #apps = new Map<string, AppInstance>();
  /** App instances replaced or removed that are still draining. */
  #draining = new Set<AppInstance>();
  #router = new Router<AppInstance>([]);
  #fingerprints = new Map<string, string>();
  /** Each app's source files as its running version was bundled from (the watcher watches them). */
  #inputs = new Map<string, string[]>();
  #versions = new Map<string, number>();
  /** Open client connections (a count: a Set of sockets is a Map's table, see runtime/id-table.ts). */
  #connections = 0;

  /** Every response's one 'close' listener (`this` is the response), so a request makes no closure for it; it tells the app too. */
  #onResponseClose: (this: ServerResponse) => void;
  #watcher: ConfigWatcher | undefined;
  #reloading: Promise<ReloadResult> | undefined;
  #portOverride: number | undefined;
  #watch: boolean;
  shuttingDown = false;

  constructor(options: NanoServerOptions) {
    this.log = options.log;
    this.metrics = options.metrics ?? new Metrics();
    this.configPath = options.configPath;
    this.#portOverride = options.port;
    this.#watch = options.watch ?? true;
    const server = this;
    this.#onResponseClose = function (this: ServerResponse) {
      server.#responseClosed(this.req.socket);
      responseClosed(this);
    };
  }

  get apps(): AppInstance[] {
    return [...this.#apps.values()];
  }

  get drainingApps(): AppInstance[] {
    return [...this.#draining];
  }

  get connectionCount(): number {
    return this.#connections;
  }

  /** Loads the config and every app, then listens. Rejects (nothing listening) if anything fails. */
  async start(): Promise<{ port: number; adminPort: number | undefined }> {
    assertHostNodeFlags();
    const result = await this.reload('start');
    if (!result.ok) throw new Error(result.error);
    const config = this.config!;
    const server = createServer(
      {
        requestTimeout: config.server.requestTimeoutMs,
        headersTimeout: config.server.headersTimeoutMs,
        keepAliveTimeout: config.server.keepAliveTimeoutMs,
        // How often those timeouts are checked (Node's default, 30 s, lets a slowloris linger).
        connectionsCheckingInterval: Math.min(1_000, config.server.headersTimeoutMs),
      },
      (req, res) => this.#onRequest(req, res),
    );
    server.on('connection', (socket: Socket) => {
      this.metrics.connections.set(++this.#connections);
      socket.once('close', () => this.metrics.connections.set(--this.#connections));
    });
    // Malformed HTTP: a clear 400 (or 431 for oversized headers), never a crash.
    server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
      if (!socket.writable) return socket.destroy();
      const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
      this.metrics.unrouted.inc({ status: status.slice(0, 3), reason: 'malformed' });
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    });
    this.#server = server;
    const port = this.#portOverride ?? config.server.port;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, config.server.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const actualPort = (server.address() as { port: number }).port;
    let adminPort: number | undefined;
    if (config.admin) {
      // The token as the config says now: a reload may rotate it (adding or removing the admin API needs a restart).
      const startToken = config.admin.token;
      this.#admin = createAdminServer(this, () => this.config?.admin?.token ?? startToken);
      const admin = this.#admin;
      await new Promise<void>((resolve, reject) => {
        admin.once('error', reject);
        admin.listen(config.admin!.port, config.admin!.host, () => resolve());
      });
      adminPort = (admin.address() as { port: number }).port;
    }
    if (this.#watch) this.#watcher = watchConfig(this.configPath, () => this.#modulePaths(), () => this.reload('watch'));
    this.log.info({ port: actualPort, host: config.server.host, adminPort, apps: this.apps.map((a) => a.name) }, 'listening');
    return { port: actualPort, adminPort };
  }

  /**
   * Reads the config again and applies it: new apps load, changed apps (config or module)
   * load their new version and switch atomically while the old one drains, removed apps
   * drain. Anything invalid leaves the running apps untouched.
   */
  reload(trigger = 'admin'): Promise<ReloadResult> {
    // One reload at a time; a reload asked for during one runs after it.
    const previous = this.#reloading ?? Promise.resolve(undefined);
    const next = previous.then(() => this.#reload(trigger));
    this.#reloading = next.finally(() => {
      if (this.#reloading === next) this.#reloading = undefined;
    }) as Promise<ReloadResult>;
    return next;
  }

  async #reload(trigger: string): Promise<ReloadResult> {
    const result: ReloadResult = { ok: false, added: [], changed: [], removed: [], unchanged: [], applied: [], restartNeeded: [] };
    let config: Config;
    try {
      config = await loadConfig(this.configPath);
    } catch (error) {
      return this.#reloadFailed(result, error, trigger);
    }
    // Load every new or changed app before switching anything.
    const loaded = new Map<string, AppInstance>();
    const fingerprints = new Map<string, string>();
    const inputs = new Map<string, string[]>();
    try {
      for (const appConfig of config.apps) {
        // One bundle per app and reload: it decides whether the app changed, and is what loads.
        const bundle = await bundleApp(appConfig.module);
        const fingerprint = `${JSON.stringify(appConfig)}\n${bundle.code}`;
        fingerprints.set(appConfig.name, fingerprint);
        inputs.set(appConfig.name, bundle.inputs);
        const current = this.#apps.get(appConfig.name);
        if (current && this.#fingerprints.get(appConfig.name) === fingerprint) {
          result.unchanged.push(appConfig.name);
          continue;
        }
        const version = (this.#versions.get(appConfig.name) ?? 0) + 1;
        this.#appDeps ??= {
          log: this.log,
          metrics: this.metrics,
          sendTimeoutMs: config.server.sendTimeoutMs,
          clientAddresses: new ClientAddresses(config.server.trustedProxies),
        };
        loaded.set(appConfig.name, await AppInstance.load(appConfig, version, this.#appDeps, bundle));
        this.#versions.set(appConfig.name, version);
        (current ? result.changed : result.added).push(appConfig.name);
      }
    } catch (error) {
      for (const app of loaded.values()) app.dispose();
      return this.#reloadFailed(result, error, trigger);
    }
    // Switch: one new routing table, set in one assignment.
    const apps = new Map<string, AppInstance>();
    for (const appConfig of config.apps) apps.set(appConfig.name, loaded.get(appConfig.name) ?? this.#apps.get(appConfig.name)!);
    const old = this.#apps;
    this.#apps = apps;
    this.#router = new Router(
      [...apps.values()].flatMap((app) => app.config.hostnames.map((h) => [h, app] as [string, AppInstance])),
      config.defaultApp === undefined ? undefined : apps.get(config.defaultApp),
    );
    this.#fingerprints = fingerprints;
    this.#inputs = inputs;
    if (this.config !== undefined) this.#applySettings(this.config, config, result);
    this.config = config;
    for (const [name, app] of old) {
      if (apps.get(name) === app) continue;
      if (!apps.has(name)) result.removed.push(name);
      this.#retire(app, config.server.drainDeadlineMs);
    }
    result.ok = true;
    this.lastReloadError = undefined;
    this.metrics.reloads.inc();
    this.#updateStateMetrics();
    this.log.info({ trigger, added: result.added, changed: result.changed, removed: result.removed, settings: result.applied }, 'config applied');
    if (result.restartNeeded.length > 0) {
      this.log.warn({ trigger, settings: result.restartNeeded }, 'config applied, but these settings take effect only at the next start');
    }
    return result;
  }

  /**
   * A reload's server and admin settings: node:http's timeouts are properties of the running
   * server (its connection checks and keep-alive read them when they run), sendTimeoutMs lives in
   * the deps every app shares, the deadlines and the admin token are read from the config when
   * used. The listening addresses cannot change without a restart.
   */
  #applySettings(old: Config, next: Config, result: ReloadResult): void {
    const server = this.#server;
    const timeouts = [
      ['requestTimeoutMs', 'requestTimeout'],
      ['headersTimeoutMs', 'headersTimeout'],
      ['keepAliveTimeoutMs', 'keepAliveTimeout'],
    ] as const;
    for (const [key, property] of timeouts) {
      if (old.server[key] === next.server[key]) continue;
      if (server !== undefined) server[property] = next.server[key];
      result.applied.push(`server.${key}`);
    }
    if (old.server.sendTimeoutMs !== next.server.sendTimeoutMs) {
      if (this.#appDeps !== undefined) this.#appDeps.sendTimeoutMs = next.server.sendTimeoutMs;
      result.applied.push('server.sendTimeoutMs');
    }
    if (JSON.stringify(old.server.trustedProxies) !== JSON.stringify(next.server.trustedProxies)) {
      if (this.#appDeps !== undefined) this.#appDeps.clientAddresses = new ClientAddresses(next.server.trustedProxies);
      result.applied.push('server.trustedProxies');
    }
    for (const key of ['shutdownDeadlineMs', 'drainDeadlineMs'] as const) if (old.server[key] !== next.server[key]) result.applied.push(`server.${key}`);
    for (const key of ['host', 'port'] as const) {
      // A port given on the command line wins over the config's, at start and after.
      if (key === 'port' && this.#portOverride !== undefined) continue;
      if (old.server[key] !== next.server[key]) result.restartNeeded.push(`server.${key}`);
    }
    if ((old.admin === undefined) !== (next.admin === undefined)) result.restartNeeded.push('admin');
    else if (old.admin !== undefined && next.admin !== undefined) {
      if (old.admin.host !== next.admin.host) result.restartNeeded.push('admin.host');
      if (old.admin.port !== next.admin.port) result.restartNeeded.push('admin.port');
      if (old.admin.token !== next.admin.token) result.applied.push('admin.token');
    }
  }

  #reloadFailed(result: ReloadResult, error: unknown, trigger: string): ReloadResult {
    result.error = error instanceof ConfigError ? error.message : `${(error as Error).message ?? String(error)}`;
    this.lastReloadError = result.error;
    this.metrics.reloadFailures.inc();
    // At start nothing runs yet: the caller reports the config it could not start with.
    if (this.config === undefined) this.log.error({ trigger, error: result.error }, 'config refused');
    else this.log.error({ trigger, error: result.error }, 'config reload refused; the running config stays');
    return result;
  }

  #modulePaths(): string[] {
    // The entry modules and every source file they import: editing an imported file reloads too.
    return [...(this.config?.apps ?? []).map((app) => app.module), ...[...this.#inputs.values()].flat()];
  }

  /** A replaced or removed app: drain, then dispose (at the deadline at the latest). */
  #retire(app: AppInstance, deadlineMs: number): void {
    this.#draining.add(app);
    this.#updateStateMetrics();
    const timer = setTimeout(() => app.dispose(), deadlineMs);
    void app.drain().then(() => {
      clearTimeout(timer);
      if (app.state !== 'stopped') app.dispose();
      this.#draining.delete(app);
      this.#updateStateMetrics();
      this.log.info({ app: app.name, version: app.version }, 'drained and disposed');
    });
  }

  #updateStateMetrics(): void {
    this.metrics.appState.reset();
    for (const app of this.#apps.values()) this.metrics.appState.inc({ app: app.name, state: 'active' });
    for (const app of this.#draining) this.metrics.appState.inc({ app: app.name, state: 'draining' });
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const socket = req.socket as BusySocket;
    socket[BUSY] = (socket[BUSY] ?? 0) + 1;
    res.on('close', this.#onResponseClose);
    if (this.shuttingDown) res.setHeader('connection', 'close');
    const authority = requestTarget(req.url ?? '/', req.headers.host).authority;
    // RFC 9112 3.2: 400 for more than one Host line (node:http keeps the first for routing, while
    // the app saw them joined: "a.test, b.test") or an invalid one (see validAuthority).
    if (!validAuthority(authority) || hostLines(req.rawHeaders) > 1) {
      req.resume();
      res.setHeader('connection', 'close');
      this.metrics.unrouted.inc({ status: '400', reason: 'bad_host' });
      sendError(res, 400, 'The request has more than one Host header, or an invalid one.');
      return;
    }
    const app = this.#router.route(authority);
    if (app === undefined) {
      req.resume();
      this.metrics.unrouted.inc({ status: '404', reason: 'no_app' });
      sendError(res, 404, `No app serves the host "${authority ?? ''}".`);
      return;
    }
    try {
      app.handle(req, res);
    } catch (error) {
      this.log.error({ err: error, app: app.name }, 'request failed');
      sendError(res, 500, 'Internal error.');
    }
  }

  #responseClosed(socket: BusySocket): void {
    const busy = (socket[BUSY] ?? 1) - 1;
    socket[BUSY] = busy;
    // Shutting down: an idle keep-alive connection closes as soon as its last response ends.
    if (this.shuttingDown && busy === 0) socket.end();
  }

  /**
   * Graceful shutdown: readiness fails, the listener closes, idle connections close, in-flight
   * requests and waitUntil work finish until the deadline; then whatever remains is closed.
   * Resolves true when the drain was clean.
   */
  async shutdown(deadlineMs = this.config?.server.shutdownDeadlineMs ?? 30_000): Promise<boolean> {
    if (this.shuttingDown) return false;
    this.shuttingDown = true;
    this.log.info({ deadlineMs }, 'shutting down: draining in-flight requests');
    this.#watcher?.close();
    const server = this.#server;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    server?.closeIdleConnections();
    const apps = [...this.#apps.values(), ...this.#draining];
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), deadlineMs)));
    const clean = await Promise.race([Promise.all(apps.map((app) => app.drain())).then(() => true as const), deadline]);
    clearTimeout(timer);
    let cut = 0;
    for (const app of apps) cut += app.dispose();
    server?.closeAllConnections();
    await closed;
    await new Promise<void>((resolve) => (this.#admin ? this.#admin.close(() => resolve()) : resolve()));
    this.#admin?.closeAllConnections();
    this.log.info({ clean: clean && cut === 0, cut }, 'shut down');
    return clean && cut === 0;
  }
}

/** How many Host header lines a request has (its raw headers: name, value, name, value...). */
function hostLines(raw: string[]): number {
  let lines = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 4 && name.toLowerCase() === 'host') lines++;
  }
  return lines;
}
