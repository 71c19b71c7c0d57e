// Prometheus metrics (prom-client), one registry per host process. The per-request figures
// (requests, their durations, requests in flight) are plain numbers each app updates on its
// request path and the registry reads when scraped: prom-client hashes the label set on every
// update, which cost a hello-world request ~2.5% of the host thread (perf, docs/fast-paths.md #23).
import { Counter, Gauge, Registry, collectDefaultMetrics, type Metric } from 'prom-client';
import { logBacklog } from './logger.js';

/** nano_request_duration_seconds's bucket bounds (seconds). */
export const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

/** One app's request figures (shared by every version of the app, so counters never go back on a reload). */
export class AppRequestStats {
  inFlight = 0;
  /** Requests answered, by status code. */
  readonly byStatus = new Map<number, number>();
  /** Finished requests per duration bucket, not cumulative; the last slot is above every bound. */
  readonly buckets = new Float64Array(DURATION_BUCKETS.length + 1);
  durationSum = 0;
  durationCount = 0;

  /** A request was answered with `status` after `seconds`. */
  finished(status: number, seconds: number): void {
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
    let i = 0;
    while (i < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[i]!) i++;
    this.buckets[i]!++;
    this.durationSum += seconds;
    this.durationCount++;
  }
}

interface MetricValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/**
 * nano_request_duration_seconds, written from the apps' AppRequestStats when scraped: the
 * registry needs only name, help, type and get() (prom-client's Histogram cannot be set from counts).
 */
class DurationHistogram {
  readonly name = 'nano_request_duration_seconds';
  readonly help = 'Time from the request to the end of the response, by app.';
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  constructor(readonly apps: Map<string, AppRequestStats>) {}

  get(): { name: string; help: string; type: string; aggregator: string; values: MetricValue[] } {
    const values: MetricValue[] = [];
    for (const [app, stats] of this.apps) {
      let cumulative = 0;
      for (let i = 0; i < DURATION_BUCKETS.length; i++) {
        cumulative += stats.buckets[i]!;
        values.push({ labels: { app, le: DURATION_BUCKETS[i]! }, value: cumulative, metricName: `${this.name}_bucket` });
      }
      values.push({ labels: { app, le: '+Inf' }, value: stats.durationCount, metricName: `${this.name}_bucket` });
      values.push({ labels: { app }, value: stats.durationSum, metricName: `${this.name}_sum` });
      values.push({ labels: { app }, value: stats.durationCount, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

export class Metrics {
  readonly registry = new Registry();
  /** Request figures by app name (see AppRequestStats). */
  readonly #apps = new Map<string, AppRequestStats>();
  readonly requests: Counter<'app' | 'status'>;
  readonly inFlight: Gauge<'app'>;
  readonly connections = new Gauge({ name: 'nano_active_connections', help: 'Open client connections.', registers: [this.registry] });
  readonly heap = new Gauge({ name: 'nano_isolate_heap_bytes', help: 'Used heap of the app isolate.', labelNames: ['app'] as const, registers: [this.registry] });
  readonly cpu = new Counter({ name: 'nano_isolate_cpu_seconds_total', help: 'CPU time the app isolates used.', labelNames: ['app'] as const, registers: [this.registry] });
  readonly limitKills = new Counter({ name: 'nano_limit_exceeded_total', help: 'Isolates recreated after exceeding a limit, by app and limit.', labelNames: ['app', 'limit'] as const, registers: [this.registry] });
  readonly reloads = new Counter({ name: 'nano_config_reloads_total', help: 'Config reloads applied.', registers: [this.registry] });
  readonly reloadFailures = new Counter({ name: 'nano_config_reload_failures_total', help: 'Config reloads refused (invalid config or an app that failed to load).', registers: [this.registry] });
  readonly drainCut = new Counter({ name: 'nano_drain_cut_requests_total', help: 'Requests still running when a drain deadline passed.', labelNames: ['app'] as const, registers: [this.registry] });
  readonly appLogDropped = new Counter({ name: 'nano_app_log_lines_dropped_total', help: "Console lines dropped over an app's log rate (limits.logKbPerSecond), by app.", labelNames: ['app'] as const, registers: [this.registry] });
  readonly unrouted = new Counter({
    name: 'nano_requests_unrouted_total',
    help: 'Requests answered by the host without an app, by status and reason: malformed HTTP (400, 408, 431), a bad or repeated Host (400), no app for the host (404).',
    labelNames: ['status', 'reason'] as const,
    registers: [this.registry],
  });
  readonly appState = new Gauge({ name: 'nano_app_instances', help: 'App instances by state (active, draining).', labelNames: ['app', 'state'] as const, registers: [this.registry] });

  constructor() {
    const apps = this.#apps;
    this.requests = new Counter({
      name: 'nano_requests_total',
      help: 'Requests answered, by app and status code.',
      labelNames: ['app', 'status'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [app, stats] of apps) for (const [status, n] of stats.byStatus) this.inc({ app, status: String(status) }, n);
      },
    });
    this.inFlight = new Gauge({
      name: 'nano_requests_in_flight',
      help: 'Requests being served, by app.',
      labelNames: ['app'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [app, stats] of apps) this.set({ app }, stats.inFlight);
      },
    });
    new Counter({
      name: 'nano_log_lines_dropped_total',
      help: 'Log lines dropped because the log output was not keeping up (more than 16 MiB waiting).',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(logBacklog.droppedLines);
      },
    });
    this.registry.registerMetric(new DurationHistogram(apps) as unknown as Metric);
    collectDefaultMetrics({ register: this.registry, prefix: 'nano_' });
  }

  /** The request figures of app `name` (made on first use, kept for the life of the process). */
  appStats(name: string): AppRequestStats {
    let stats = this.#apps.get(name);
    if (stats === undefined) {
      stats = new AppRequestStats();
      this.#apps.set(name, stats);
    }
    return stats;
  }
}
