// The isolate bundle's entry. The host evaluates the bundle in a fresh context, puts its
// functions (HostApi) on the global under `__nanoHost_<name>`, and calls boot(): boot takes
// them off the global (user code never sees them), installs every global, and leaves
// `__nanoFireTimer` for the host to take as a reference and delete.
import type { BootInfo, HostApi } from './host-api.js';
import { installGlobals } from './globals.js';
import { Timers, installTimers } from './timers.js';
import { createConsole, inspect } from './console.js';
import { Navigator, Performance, createNavigator, createPerformance } from './performance.js';
import { hostCompressionCodec } from './codec-bridge.js';
import { Crypto, createCrypto, setRandomSource } from '../web/crypto.js';
import { exposeInterface } from '../streams/webidl/interface.js';

const HOST_NAMES: readonly (keyof HostApi)[] = [
  'timerStart', 'timerClear', 'log', 'now', 'randomBytes', 'codecCreate', 'codecPush', 'codecFinish', 'codecClose',
];

export function boot(info: BootInfo): void {
  const global = globalThis as unknown as Record<string, unknown>;
  const host = {} as Record<string, unknown>;
  for (const name of HOST_NAMES) {
    host[name] = global[`__nanoHost_${name}`];
    delete global[`__nanoHost_${name}`];
  }
  const api = host as unknown as HostApi;
  const timers = new Timers(api, global);

  installGlobals(global, {
    setTimeout: (callback, ms) => timers.queueInternal(callback, ms),
    clearTimeout: (id) => timers.clearInternal(id),
    queueTask: (callback) => void timers.queueInternal(callback, 0),
    reportException: (error) => api.log('error', `Uncaught ${inspect(error)}`),
    compression: hostCompressionCodec(api),
  });
  installTimers(global, timers);

  setRandomSource(api.randomBytes);
  const now = api.now;
  // Interfaces, then the namespace and singleton attributes of the global.
  exposeInterface(global, 'Crypto', Crypto);
  exposeInterface(global, 'Performance', Performance);
  exposeInterface(global, 'Navigator', Navigator);
  const attributes: Record<string, unknown> = {
    self: global,
    console: createConsole(api.log, now),
    crypto: createCrypto(),
    performance: createPerformance(now, info.timeOrigin),
    navigator: createNavigator(info.userAgent),
  };
  for (const [name, value] of Object.entries(attributes)) {
    Object.defineProperty(global, name, { value, writable: true, enumerable: true, configurable: true });
  }

  Object.defineProperty(global, '__nanoFireTimer', {
    value: (id: number) => timers.fire(id),
    writable: true,
    enumerable: false,
    configurable: true,
  });
}
