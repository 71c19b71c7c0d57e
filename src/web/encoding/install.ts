// Exposes TextEncoder, TextDecoder, atob and btoa on a realm's global.
import { exposeInterface } from '../../streams/webidl/interface.js';
import { atob, btoa } from '../base64.js';
import { TextDecoder, setTextCodecBridge, type TextCodecBridge } from './text-decoder.js';
import { TextEncoder } from './text-encoder.js';

export function installEncoding(global: object, bridge: TextCodecBridge | undefined): void {
  setTextCodecBridge(bridge);
  exposeInterface(global, 'TextEncoder', TextEncoder);
  exposeInterface(global, 'TextDecoder', TextDecoder);
  for (const [name, fn] of [['atob', atob], ['btoa', btoa]] as const) {
    Object.defineProperty(global, name, { value: fn, writable: true, enumerable: true, configurable: true });
  }
}
