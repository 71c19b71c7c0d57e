// Shapes shared by the runner, the child and the scenarios. Types only: scenarios.ts is also
// bundled into an isolate, so nothing here may pull in Node modules at run time.
import type * as web from 'node:stream/web';

/**
 * What a scenario gets: the classes of one implementation. Typed with Node's declarations
 * because they are the WHATWG API; other implementations are cast to this at the loader.
 * Optional members are the globals only some implementations provide.
 */
export interface StreamsImpl {
  ReadableStream: typeof web.ReadableStream;
  WritableStream: typeof web.WritableStream;
  TransformStream: typeof web.TransformStream;
  TextEncoderStream?: typeof web.TextEncoderStream;
  TextDecoderStream?: typeof web.TextDecoderStream;
  /** Only the part of fetch's Response the bench uses. */
  Response?: new (body: web.ReadableStream<Uint8Array>) => { arrayBuffer(): Promise<ArrayBuffer> };
}

/** What one scenario run moved; the runner turns it into a throughput. */
export interface Work {
  /** Chunks (or writes) that went through the streams. */
  chunks: number;
  /** Bytes that went through, for byte scenarios; 0 otherwise. */
  bytes: number;
}

export type Unit = 'chunks' | 'bytes';

export interface Scenario {
  name: string;
  /** One line for the report. */
  title: string;
  /** Which figure the throughput column shows: chunks/s or MiB/s. */
  unit: Unit;
  /** The size of a full run, and of a `--quick` run (chunks, or bytes for byte scenarios). */
  size: { full: number; quick: number };
  /** Why this implementation cannot run the scenario, or null when it can. */
  unsupported(impl: StreamsImpl): string | null;
  /** Runs once at `size` and returns what went through; throws if the count is wrong. */
  run(impl: StreamsImpl, size: number): Promise<Work>;
}

/** The child's request, passed as one JSON argument. */
export interface ChildRequest {
  impl: string;
  scenario: string;
  size: number;
  warmupSize: number;
  /** Paths of the bundles the build step wrote (see build.ts). */
  bundles: BundlePaths;
}

export interface BundlePaths {
  /** The child itself (runner-independent, plain JS). */
  child: string;
  /** NANO's streams as an ES module, for `nano`. */
  nanoModule: string;
  /** NANO's install.ts as a script leaving `install` in a global, for `nano-isolate`. */
  nanoScript: string;
  /** scenarios.ts as a script leaving the scenarios in a global, for `nano-isolate`. */
  scenariosScript: string;
}

/** The child's answer: one JSON line on stdout. */
export type ChildResult =
  | {
      status: 'ok';
      /** Wall time of the measured run. */
      ms: number;
      /** CPU time (user + system, all threads) in it: far below `ms` means the run waited for a core. */
      cpuMs: number;
      /**
       * Wall time of the speed probe (scenarios.ts), the mean of one just before and one just after
       * the measured run: how fast the machine was then.
       */
      probeMs: number;
      work: Work;
      rssPeakMiB: number;
      heapMiB: number;
    }
  /** The implementation lacks what the scenario needs (codecs, Response). */
  | { status: 'n/a'; reason: string }
  /** The implementation cannot run here at all (not built, native addon missing). */
  | { status: 'unavailable'; reason: string }
  | { status: 'error'; reason: string };

/** One measured run as the runner records it. */
export type RunRecord = ChildResult & { impl: string; scenario: string; round: number };

/**
 * Where a child runs scenarios for one implementation: in its own realm (library mode) or
 * somewhere else, such as a V8 isolate. Adding an implementation means providing one of these.
 */
export interface ScenarioHost {
  unsupported(scenario: Scenario): string | null;
  run(scenario: Scenario, size: number): Promise<Work>;
  /** Runs scenarios.ts's speedProbe where the scenarios run (the child times it). */
  probe(): Promise<void>;
  /** The JS heap the scenarios ran in, committed size in MiB. */
  heapMiB(): number;
}
