// The streams bench's figures (bench/streams/report.ts): medians, ratios to Node's built-in, and
// the speed-adjusted ones that divide each run's time by its child's speed probe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregate, type ScenarioInfo } from '../../bench/streams/report.js';
import type { RunRecord } from '../../bench/streams/types.js';

const scenario: ScenarioInfo = { name: 'read-loop', title: 'read loop', unit: 'chunks', size: 1000 };

function run(impl: string, round: number, ms: number, probeMs: number): RunRecord {
  return {
    status: 'ok',
    ms,
    cpuMs: ms,
    probeMs,
    work: { chunks: 1000, bytes: 0 },
    rssPeakMiB: 50,
    heapMiB: 5,
    impl,
    scenario: scenario.name,
    round,
  };
}

test('a run on a machine at half speed is scaled back by its probe; raw medians are left as measured', () => {
  // nano takes 10 ms at the usual speed (probe 10 ms) and twice as long, probe included, when the
  // machine is slow; node takes 40 ms at the usual speed, 80 when slow.
  const runs = [
    run('node', 1, 40, 10),
    run('node', 2, 80, 20),
    run('node', 3, 40, 10),
    run('nano', 1, 20, 20),
    run('nano', 2, 20, 20),
    run('nano', 3, 10, 10),
  ];
  const [node, nano] = aggregate([scenario], ['node', 'nano'], runs);
  // Raw: nano's median caught the slow machine twice, node's once.
  assert.equal(node!.medianMs, 40);
  assert.equal(nano!.medianMs, 20);
  assert.equal(nano!.ratio, 2);
  assert.equal(nano!.spread, 0.5);
  // The bench's median probe is 15 ms (10, 20, 10, 20, 20, 10): every run is scaled to it.
  assert.equal(node!.adjustedMs, 60);
  assert.equal(nano!.adjustedMs, 15);
  assert.equal(nano!.adjustedRatio, 4);
  assert.equal(node!.adjustedRatio, 1);
  assert.equal(nano!.adjustedSpread, 0);
  assert.equal(node!.adjustedSpread, 0);
});

test('results without a probe (recorded before it existed) have no adjusted figures', () => {
  const runs = [run('node', 1, 40, 0), run('nano', 1, 10, 0)];
  const [node, nano] = aggregate([scenario], ['node', 'nano'], runs);
  assert.equal(nano!.ratio, 4);
  assert.equal(node!.adjustedMs, undefined);
  assert.equal(nano!.adjustedRatio, undefined);
});
