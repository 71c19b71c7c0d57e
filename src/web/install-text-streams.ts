// Exposes TextEncoderStream and TextDecoderStream on a realm's global.
import { exposeInterface } from '../streams/webidl/interface.js';
import { TextDecoderStream } from './text-decoder-stream.js';
import { TextEncoderStream } from './text-encoder-stream.js';

export function installTextStreams(global: object): void {
  exposeInterface(global, 'TextEncoderStream', TextEncoderStream);
  exposeInterface(global, 'TextDecoderStream', TextDecoderStream);
}
