// Prometheus metrics (prom-client), one registry per host process.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({ name: 'nano_requests_total', help: 'Requests answered, by app and status code.', labelNames: ['app', 'status'] as const, registers: [this.registry] });
  readonly duration = new Histogram({
    name: 'nano_request_duration_seconds',
    help: 'Time from the request to the end of the response, by app.',
    labelNames: ['app'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly inFlight = new Gauge({ name: 'nano_requests_in_flight', help: 'Requests being served, by app.', labelNames: ['app'] as const, registers: [this.registry] });
  readonly connections = new Gauge({ name: 'nano_active_connections', help: 'Open client connections.', registers: [this.registry] });
  readonly heap = new Gauge({ name: 'nano_isolate_heap_bytes', help: 'Used heap of the app isolate.', labelNames: ['app'] as const, registers: [this.registry] });
  readonly cpu = new Counter({ name: 'nano_isolate_cpu_seconds_total', help: 'CPU time the app isolates used.', labelNames: ['app'] as const, registers: [this.registry] });
  readonly limitKills = new Counter({ name: 'nano_limit_exceeded_total', help: 'Isolates recreated after exceeding a limit, by app and limit.', labelNames: ['app', 'limit'] as const, registers: [this.registry] });
  readonly reloads = new Counter({ name: 'nano_config_reloads_total', help: 'Config reloads applied.', registers: [this.registry] });
  readonly reloadFailures = new Counter({ name: 'nano_config_reload_failures_total', help: 'Config reloads refused (invalid config or an app that failed to load).', registers: [this.registry] });
  readonly drainCut = new Counter({ name: 'nano_drain_cut_requests_total', help: 'Requests still running when a drain deadline passed.', labelNames: ['app'] as const, registers: [this.registry] });
  readonly appState = new Gauge({ name: 'nano_app_instances', help: 'App instances by state (active, draining).', labelNames: ['app', 'state'] as const, registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'nano_process_' });
  }
}
