// From measured runs to figures (medians, ratios to Node's built-in) and to the two renderings:
// an aligned text table for stdout and a markdown table for the README.
import type { RunRecord, Scenario, Unit } from './types.js';

const MiB = 1024 * 1024;
/** Every ratio is against this implementation. */
export const BASELINE = 'node';

export interface ScenarioInfo {
  name: string;
  title: string;
  unit: Unit;
  size: number;
}

export interface Cell {
  scenario: string;
  impl: string;
  status: 'ok' | 'n/a' | 'unavailable' | 'error';
  /** Why it is not 'ok'. */
  reason?: string;
  runs: number;
  medianMs?: number;
  /** The fastest run: less sensitive to other load on the machine than the median. */
  minMs?: number;
  /** Median CPU time of the measured runs (GC threads included). */
  cpuMs?: number;
  /** Chunks/s or bytes/s (per the scenario's unit) at the median time. */
  throughput?: number;
  /** (slowest - fastest) / median time: how noisy the runs were. */
  spread?: number;
  /** Throughput / the baseline's throughput: above 1 is faster than Node's built-in. */
  ratio?: number;
  rssPeakMiB?: number;
  heapMiB?: number;
  /**
   * Speed-adjusted: each run's time scaled by (the whole bench's median probe / the run's own
   * probe), i.e. as if every run had found the machine at its usual speed; the median of those.
   * Absent in results recorded before the probe existed.
   */
  adjustedMs?: number;
  /** The adjusted times' (slowest - fastest) / median: what is left of the noise. */
  adjustedSpread?: number;
  /** The baseline's adjusted time / this cell's: the ratio with the machine's speed changes divided out. */
  adjustedRatio?: number;
}

export interface Results {
  meta: {
    date: string;
    mode: 'quick' | 'full';
    rounds: number;
    node: string;
    nodeFlags: string[];
    cpus: string;
    /** 1-minute load averages when the run started and ended: other work on the machine. */
    loadavg: { start: number; end: number };
    durationS: number;
    /** True when the run stopped at its time budget before every round was done. */
    truncated: boolean;
    impls: { name: string; title: string; pkg?: string; version?: string }[];
  };
  scenarios: ScenarioInfo[];
  cells: Cell[];
  runs: RunRecord[];
}

export function scenarioInfo(scenario: Scenario, size: number): ScenarioInfo {
  return { name: scenario.name, title: scenario.title, unit: scenario.unit, size };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The speed probe's median over every run that has one: the machine's usual speed in this bench. */
function referenceProbeMs(runs: RunRecord[]): number | undefined {
  const probes = runs.flatMap((r) => (r.status === 'ok' && r.probeMs > 0 ? [r.probeMs] : []));
  return probes.length ? median(probes) : undefined;
}

/** One cell per scenario and implementation, from every run recorded for it. */
export function aggregate(scenarios: ScenarioInfo[], impls: string[], runs: RunRecord[]): Cell[] {
  const cells: Cell[] = [];
  const referenceProbe = referenceProbeMs(runs);
  for (const scenario of scenarios) {
    const row: Cell[] = [];
    for (const impl of impls) {
      const mine = runs.filter((r) => r.scenario === scenario.name && r.impl === impl);
      const ok = mine.flatMap((r) => (r.status === 'ok' ? [r] : []));
      // Inferred as a predicate: `failed` is a non-ok result.
      const failed = mine.find((r) => r.status !== 'ok');
      if (ok.length === 0) {
        const status = failed?.status ?? 'error';
        row.push({ scenario: scenario.name, impl, status, reason: failed?.reason ?? 'not run', runs: 0 });
        continue;
      }
      const times = ok.map((r) => r.ms);
      const medianMs = median(times);
      const adjusted =
        referenceProbe !== undefined && ok.every((r) => r.probeMs > 0)
          ? ok.map((r) => (r.ms * referenceProbe) / r.probeMs)
          : undefined;
      const adjustedMs = adjusted && median(adjusted);
      // Every run of a scenario moves the same work, so the median time gives the median rate.
      const work = scenario.unit === 'bytes' ? ok[0]!.work.bytes : ok[0]!.work.chunks;
      row.push({
        scenario: scenario.name,
        impl,
        status: 'ok',
        ...(failed ? { reason: `${failed.status}: ${failed.reason}` } : {}),
        runs: ok.length,
        medianMs,
        minMs: Math.min(...times),
        cpuMs: median(ok.map((r) => r.cpuMs)),
        throughput: work / (medianMs / 1000),
        spread: (Math.max(...times) - Math.min(...times)) / medianMs,
        rssPeakMiB: median(ok.map((r) => r.rssPeakMiB)),
        heapMiB: median(ok.map((r) => r.heapMiB)),
        ...(adjusted && adjustedMs
          ? { adjustedMs, adjustedSpread: (Math.max(...adjusted) - Math.min(...adjusted)) / adjustedMs }
          : {}),
      });
    }
    const baseCell = row.find((c) => c.impl === BASELINE);
    const base = baseCell?.throughput;
    for (const cell of row) {
      if (base && cell.throughput) cell.ratio = cell.throughput / base;
      if (baseCell?.adjustedMs && cell.adjustedMs) cell.adjustedRatio = baseCell.adjustedMs / cell.adjustedMs;
    }
    cells.push(...row);
  }
  return cells;
}

function formatRate(throughput: number, unit: Unit): string {
  if (unit === 'bytes') {
    const mibs = throughput / MiB;
    return mibs >= 100 ? `${mibs.toFixed(0)} MiB/s` : `${mibs.toFixed(1)} MiB/s`;
  }
  if (throughput >= 1e6) return `${(throughput / 1e6).toFixed(2)} M/s`;
  return `${(throughput / 1e3).toFixed(0)} k/s`;
}

/** Two decimals where they mean something, none past 10x. */
function formatRatio(ratio: number, sign: string): string {
  return `${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(2)}${sign}`;
}

function formatSize(info: ScenarioInfo): string {
  if (info.unit === 'bytes') return `${info.size / MiB} MiB`;
  return info.size >= 1e6 ? `${info.size / 1e6}M` : `${info.size / 1e3}k`;
}

/** The short form of a cell that did not measure anything. */
function missing(cell: Cell): string {
  if (cell.status === 'n/a') return 'n/a';
  if (cell.status === 'unavailable') return 'not measured';
  return cell.reason === 'not run' ? 'not run' : 'error';
}

function alignRows(rows: string[][], rightAligned: Set<number>): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) => r.map((v, i) => (rightAligned.has(i) ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd())
    .join('\n');
}

/** One row per scenario and implementation, with everything measured. */
export function formatText(results: Results): string {
  const header = ['scenario', 'size', 'impl', 'median', 'cpu', 'throughput', 'x node', 'spread', 'adjusted', 'x node', 'spread', 'RSS peak', 'heap', 'runs'];
  const rows: string[][] = [header];
  const notes: string[] = [];
  for (const info of results.scenarios) {
    for (const cell of results.cells.filter((c) => c.scenario === info.name)) {
      const size = formatSize(info);
      if (cell.status !== 'ok') {
        rows.push([info.name, size, cell.impl, missing(cell), '', '', '', '', '', '', '', '', '', '0']);
        if (cell.status !== 'n/a') notes.push(`${info.name}/${cell.impl}: ${cell.reason}`);
        continue;
      }
      rows.push([
        info.name,
        size,
        cell.impl,
        `${cell.medianMs!.toFixed(1)} ms`,
        `${cell.cpuMs!.toFixed(0)} ms`,
        formatRate(cell.throughput!, info.unit),
        cell.ratio === undefined ? '-' : formatRatio(cell.ratio, 'x'),
        `${(cell.spread! * 100).toFixed(0)}%`,
        cell.adjustedMs === undefined ? '-' : `${cell.adjustedMs.toFixed(1)} ms`,
        cell.adjustedRatio === undefined ? '-' : formatRatio(cell.adjustedRatio, 'x'),
        cell.adjustedSpread === undefined ? '-' : `${(cell.adjustedSpread * 100).toFixed(0)}%`,
        `${cell.rssPeakMiB!.toFixed(0)} MiB`,
        `${cell.heapMiB!.toFixed(0)} MiB`,
        String(cell.runs),
      ]);
      if (cell.reason) notes.push(`${info.name}/${cell.impl}: some runs failed (${cell.reason})`);
    }
  }
  const m = results.meta;
  const lines = [
    alignRows(rows, new Set([1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13])),
    '',
    `median of ${m.rounds} runs (${m.mode}); cpu = CPU time of the run, all threads; x node = throughput / node's;`,
    `spread = (slowest - fastest) / median; adjusted = the median of each run's time x (the bench's median speed`,
    `probe / the run's own probe), its ratio to node's and spread; RSS peak = child's maxRSS; heap = committed JS heap after the run.`,
    `${m.node} ${m.nodeFlags.join(' ')},`,
    `${m.cpus}, load average ${m.loadavg.start.toFixed(2)} -> ${m.loadavg.end.toFixed(2)}, ${m.durationS.toFixed(0)} s` +
      (m.truncated ? ' (stopped at the time budget: not every round ran)' : ''),
  ];
  if (notes.length) lines.push('', ...notes);
  return lines.join('\n');
}

/** Scenarios down, implementations across: throughput and the ratio to Node's built-in. */
export function formatMarkdown(results: Results): string {
  const impls = results.meta.impls.map((i) => i.name);
  const lines = [
    `| scenario | ${impls.join(' | ')} |`,
    `|---|${impls.map(() => '--:').join('|')}|`,
  ];
  for (const info of results.scenarios) {
    const cells = impls.map((impl) => {
      const cell = results.cells.find((c) => c.scenario === info.name && c.impl === impl);
      if (!cell || cell.status !== 'ok') return cell ? missing(cell) : 'not run';
      const rate = formatRate(cell.throughput!, info.unit);
      if (cell.ratio === undefined || impl === BASELINE) return rate;
      const adjusted = cell.adjustedRatio === undefined ? '' : `; ${formatRatio(cell.adjustedRatio, '×')}`;
      return `${rate} (${formatRatio(cell.ratio, '×')}${adjusted})`;
    });
    lines.push(`| ${info.name}: ${info.title}, ${formatSize(info)} | ${cells.join(' | ')} |`);
  }
  const m = results.meta;
  const spreads = results.cells.flatMap((c) => (c.spread === undefined ? [] : [c.spread]));
  const adjustedSpreads = results.cells.flatMap((c) => (c.adjustedSpread === undefined ? [] : [c.adjustedSpread]));
  const noise =
    (spreads.length ? ` runs of a cell spread ${(median(spreads) * 100).toFixed(0)}% (median)` : '') +
    (adjustedSpreads.length ? `, ${(median(adjustedSpreads) * 100).toFixed(0)}% speed-adjusted` : '');
  const versions = m.impls.flatMap((i) => (i.pkg && i.version ? [`${i.pkg} ${i.version}`] : []));
  lines.push(
    '',
    m.impls.map((i) => `**${i.name}**: ${i.title}`).join('; ') + '.',
    '',
    `Median of ${m.rounds} runs, each in a fresh \`node ${m.nodeFlags.join(' ')}\` child after at least 300 ms of warm-up runs (no forced GC); ` +
      `(×) is the throughput relative to Node's built-in \`node:stream/web\` (above 1 is faster)` +
      (results.cells.some((c) => c.adjustedRatio !== undefined)
        ? `; the second (×) is that ratio speed-adjusted, each run's time scaled by its child's speed probe (above). `
        : '. ') +
      `M/s = million chunks per second. n/a: the implementation has no such API; not measured: it could not run here.`,
    `${m.date.slice(0, 10)}, ${m.node}, ${m.cpus}, ${m.mode} mode, load average ${m.loadavg.start.toFixed(1)}–` +
      `${m.loadavg.end.toFixed(1)} (a shared machine:${noise})${versions.length ? `; ${versions.join(', ')}` : ''}.` +
      ' Per-run figures, CPU time, RSS and heap peaks: `bench/results/streams.json`. ' +
      'Measure again with `npm run bench` (about 6 minutes; `-- --quick` for a rough minute).',
  );
  return lines.join('\n');
}
