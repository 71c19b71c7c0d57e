// Public TypeScript shapes of the dictionaries and callbacks (the same names lib.dom.d.ts uses),
// so ponyfill users get typed constructors. Runtime conversion lives in ./dictionaries.
import type { ReadableStreamDefaultController } from './readable-stream/default-controller.js';
import type { ReadableByteStreamController } from './readable-stream/byte-stream-controller.js';
import type { WritableStreamDefaultController } from './writable-stream/default-controller.js';
import type { TransformStreamDefaultController } from './transform-stream/default-controller.js';
import type { ReadableStream } from './readable-stream/readable-stream.js';
import type { WritableStream } from './writable-stream/writable-stream.js';

type MaybePromise<T> = T | PromiseLike<T>;

export interface UnderlyingDefaultSource<R = any> {
  start?: (controller: ReadableStreamDefaultController<R>) => any;
  pull?: (controller: ReadableStreamDefaultController<R>) => MaybePromise<void>;
  cancel?: (reason?: any) => MaybePromise<void>;
  type?: undefined;
}

export interface UnderlyingByteSource {
  start?: (controller: ReadableByteStreamController) => any;
  pull?: (controller: ReadableByteStreamController) => MaybePromise<void>;
  cancel?: (reason?: any) => MaybePromise<void>;
  type: 'bytes';
  autoAllocateChunkSize?: number;
}

export interface UnderlyingSink<W = any> {
  start?: (controller: WritableStreamDefaultController) => any;
  write?: (chunk: W, controller: WritableStreamDefaultController) => MaybePromise<void>;
  close?: () => MaybePromise<void>;
  abort?: (reason?: any) => MaybePromise<void>;
  type?: undefined;
}

export interface Transformer<I = any, O = any> {
  start?: (controller: TransformStreamDefaultController<O>) => any;
  transform?: (chunk: I, controller: TransformStreamDefaultController<O>) => MaybePromise<void>;
  flush?: (controller: TransformStreamDefaultController<O>) => MaybePromise<void>;
  cancel?: (reason?: any) => MaybePromise<void>;
  readableType?: undefined;
  writableType?: undefined;
}

export interface StreamPipeOptions {
  preventAbort?: boolean;
  preventCancel?: boolean;
  preventClose?: boolean;
  signal?: AbortSignal;
}

export interface ReadableWritablePair<T = any, W = any> {
  readable: ReadableStream<T>;
  writable: WritableStream<W>;
}

export interface ReadableStreamIteratorOptions {
  preventCancel?: boolean;
}

export interface ReadableStreamBYOBReaderReadOptions {
  min?: number;
}
