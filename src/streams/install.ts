// Puts the streams classes on a global the way WebIDL exposes interfaces: the entry of the isolate
// bundle and of the WPT harness's realm. The bundle is evaluated inside the target realm, so the
// intrinsics the classes captured are that realm's own.
import * as streams from './index.js';
import { exposeInterface } from './webidl/interface.js';
import { captureAbortHooks, setAbortHooks } from './webidl/abort-signal.js';

export function install(global: object): void {
  for (const [name, ctor] of Object.entries(streams)) exposeInterface(global, name, ctor as Function);
  // AbortSignal/AbortController as the global has them now, before user code can patch them.
  setAbortHooks(captureAbortHooks(global as Record<string, any>));
}
