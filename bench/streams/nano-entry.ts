// NANO as the streams bench loads it: the streams, the text streams and Response (what the
// scenarios use), from the same sources the runtime bundles.
export * from '../../src/streams/index.js';
export { TextEncoderStream } from '../../src/web/text-encoder-stream.js';
export { TextDecoderStream } from '../../src/web/text-decoder-stream.js';
export { Response } from '../../src/web/fetch/response.js';
