// The `nano-isolate` host: NANO's streams and the scenarios evaluated inside an isolated-vm
// isolate, the way apps will see them. Until the isolate runtime (src/runtime) lands this is a
// bare isolate with install.ts only, so scenarios that need other globals are n/a.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Unavailable } from './host.js';
import type { BundlePaths, Scenario, ScenarioHost, Work } from './types.js';

const MiB = 1024 * 1024;
/** Room for the byte scenarios' garbage (64 KiB buffers) between collections. */
const ISOLATE_MEMORY_LIMIT_MB = 1024;

export async function openIsolateHost(bundles: BundlePaths): Promise<ScenarioHost> {
  if (!existsSync(bundles.nanoScript)) throw new Unavailable('src/streams/install.ts not built');
  let ivm: typeof import('isolated-vm');
  try {
    ivm = (await import('isolated-vm')).default;
  } catch (error) {
    throw new Unavailable(`isolated-vm does not load: ${(error as Error).message}`);
  }
  const isolate = new ivm.Isolate({ memoryLimit: ISOLATE_MEMORY_LIMIT_MB });
  const context = await isolate.createContext();
  // Both bundles are IIFE scripts that leave their exports in a global (see build.ts).
  await context.eval(await readFile(bundles.nanoScript, 'utf8'), { filename: bundles.nanoScript });
  await context.eval('__nanoInstall.install(globalThis)');
  await context.eval(await readFile(bundles.scenariosScript, 'utf8'), { filename: bundles.scenariosScript });

  // The scenario is looked up by name inside the isolate: functions do not cross the boundary.
  const find = (scenario: Scenario) => `__benchScenarios.findScenario(${JSON.stringify(scenario.name)})`;
  return {
    unsupported: (scenario) => context.evalSync(`${find(scenario)}.unsupported(globalThis)`) as string | null,
    async run(scenario, size) {
      const json = await context.eval(
        `(async () => JSON.stringify(await ${find(scenario)}.run(globalThis, ${size})))()`,
        { promise: true },
      );
      return JSON.parse(json as string) as Work;
    },
    async probe() {
      await context.eval('__benchScenarios.speedProbe()', { promise: true });
    },
    heapMiB: () => isolate.getHeapStatisticsSync().total_heap_size / MiB,
  };
}
