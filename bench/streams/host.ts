// The library-mode scenario host, and the error an implementation throws when it cannot run here.
import { speedProbe } from './scenarios.js';
import type { ScenarioHost, StreamsImpl } from './types.js';

const MiB = 1024 * 1024;

/** Thrown while opening an implementation that cannot run on this machine; reported as n/a. */
export class Unavailable extends Error {}

/** Scenarios run in the child's own realm against these classes. */
export function libraryHost(impl: StreamsImpl): ScenarioHost {
  return {
    unsupported: (scenario) => scenario.unsupported(impl),
    run: (scenario, size) => scenario.run(impl, size),
    probe: async () => {
      await speedProbe();
    },
    heapMiB: () => process.memoryUsage().heapTotal / MiB,
  };
}
