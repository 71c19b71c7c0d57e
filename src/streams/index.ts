// nano-runtime/streams: the WHATWG Streams classes as a ponyfill (nothing is put on globals).
export { ReadableStream } from './readable-stream/readable-stream.js';
export { ReadableStreamDefaultReader } from './readable-stream/default-reader.js';
export { ReadableStreamBYOBReader } from './readable-stream/byob-reader.js';
export { ReadableStreamDefaultController } from './readable-stream/default-controller.js';
export { ReadableByteStreamController } from './readable-stream/byte-stream-controller.js';
export { ReadableStreamBYOBRequest } from './readable-stream/byob-request.js';
export { WritableStream } from './writable-stream/writable-stream.js';
export { WritableStreamDefaultWriter } from './writable-stream/default-writer.js';
export { WritableStreamDefaultController } from './writable-stream/default-controller.js';
export { TransformStream } from './transform-stream/transform-stream.js';
export { TransformStreamDefaultController } from './transform-stream/default-controller.js';
export { ByteLengthQueuingStrategy } from './strategies/byte-length.js';
export { CountQueuingStrategy } from './strategies/count.js';
export type { ReadableStreamReadResult } from './readable-stream/default-reader.js';
export type { QueuingStrategy, QueuingStrategyInit, QueuingStrategySize } from './dictionaries/queuing-strategy.js';
export type {
  ReadableStreamBYOBReaderReadOptions,
  ReadableStreamIteratorOptions,
  ReadableWritablePair,
  StreamPipeOptions,
  Transformer,
  UnderlyingByteSource,
  UnderlyingDefaultSource,
  UnderlyingSink,
} from './types.js';
