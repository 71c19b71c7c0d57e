// https://streams.spec.whatwg.org/#dictdef-transformer
import { callbackFunction, dictionaryObject } from '../webidl/converters.js';

export interface TransformerDict {
  cancel: Function | undefined;
  flush: Function | undefined;
  readableType: unknown;
  start: Function | undefined;
  transform: Function | undefined;
  writableType: unknown;
}

export function convertTransformer(value: unknown, context: string): TransformerDict {
  const dict = dictionaryObject(value, context);
  if (dict === null) {
    return {
      cancel: undefined,
      flush: undefined,
      readableType: undefined,
      start: undefined,
      transform: undefined,
      writableType: undefined,
    };
  }
  const cancel = dict.cancel;
  const cancelFn = cancel === undefined ? undefined : callbackFunction(cancel, `${context} cancel`);
  const flush = dict.flush;
  const flushFn = flush === undefined ? undefined : callbackFunction(flush, `${context} flush`);
  const readableType = dict.readableType;
  const start = dict.start;
  const startFn = start === undefined ? undefined : callbackFunction(start, `${context} start`);
  const transform = dict.transform;
  const transformFn = transform === undefined ? undefined : callbackFunction(transform, `${context} transform`);
  const writableType = dict.writableType;
  return { cancel: cancelFn, flush: flushFn, readableType, start: startFn, transform: transformFn, writableType };
}
