// The per-request metrics are plain counters read when scraped: the exposition must still be
// what Prometheus expects (cumulative buckets, +Inf equal to the count, counters per status).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Metrics } from '../../src/host/metrics.js';

/** The value of the exposition line `name{labels}` (labels as printed), or undefined. */
function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}

test('requests, durations and in-flight requests are exposed per app', async () => {
  const metrics = new Metrics();
  const a = metrics.appStats('a');
  a.inFlight = 3;
  a.finished(200, 0.0004); // <= 0.001
  a.finished(200, 0.001); // on a bound: counted in it (le means <=)
  a.finished(404, 0.02); // <= 0.025
  a.finished(200, 31); // above every bound: only +Inf
  metrics.appStats('b').finished(503, 0.3);
  const text = await metrics.registry.metrics();

  assert.equal(sample(text, 'nano_requests_total{app="a",status="200"}'), 3);
  assert.equal(sample(text, 'nano_requests_total{app="a",status="404"}'), 1);
  assert.equal(sample(text, 'nano_requests_total{app="b",status="503"}'), 1);
  assert.equal(sample(text, 'nano_requests_in_flight{app="a"}'), 3);
  assert.equal(sample(text, 'nano_requests_in_flight{app="b"}'), 0);

  assert.match(text, /# TYPE nano_request_duration_seconds histogram/);
  const bucket = (app: string, le: string) => sample(text, `nano_request_duration_seconds_bucket{app="${app}",le="${le}"}`);
  assert.equal(bucket('a', '0.001'), 2);
  assert.equal(bucket('a', '0.01'), 2);
  assert.equal(bucket('a', '0.025'), 3);
  assert.equal(bucket('a', '30'), 3);
  assert.equal(bucket('a', '+Inf'), 4);
  assert.equal(bucket('b', '0.25'), 0);
  assert.equal(bucket('b', '0.5'), 1);
  assert.equal(sample(text, 'nano_request_duration_seconds_count{app="a"}'), 4);
  assert.ok(Math.abs(sample(text, 'nano_request_duration_seconds_sum{app="a"}')! - 31.0214) < 1e-9);
});

test('an app keeps its figures across versions (counters never go back on a reload)', async () => {
  const metrics = new Metrics();
  metrics.appStats('a').finished(200, 0.01);
  // A reloaded app asks for its stats again by name.
  assert.equal(metrics.appStats('a'), metrics.appStats('a'));
  metrics.appStats('a').finished(200, 0.01);
  const text = await metrics.registry.metrics();
  assert.equal(sample(text, 'nano_requests_total{app="a",status="200"}'), 2);
  // A second scrape reports the same totals (collect() does not add them twice).
  assert.equal(sample(await metrics.registry.metrics(), 'nano_requests_total{app="a",status="200"}'), 2);
});

test("the process metrics are prom-client's defaults under one nano_ prefix", async () => {
  const text = await new Metrics().registry.metrics();
  assert.ok((sample(text, 'nano_process_cpu_seconds_total') ?? -1) >= 0, 'nano_process_cpu_seconds_total');
  assert.match(text, /^nano_nodejs_heap_size_used_bytes \d/m);
  // Before: nano_process_process_cpu_seconds_total, nano_process_nodejs_... (the prefix doubled).
  assert.doesNotMatch(text, /nano_process_process_|nano_process_nodejs_/);
});
