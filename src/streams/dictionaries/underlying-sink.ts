// https://streams.spec.whatwg.org/#dictdef-underlyingsink
import { callbackFunction, dictionaryObject } from '../webidl/converters.js';

export interface UnderlyingSinkDict {
  abort: Function | undefined;
  close: Function | undefined;
  start: Function | undefined;
  type: unknown;
  hasType: boolean;
  write: Function | undefined;
}

export function convertUnderlyingSink(value: unknown, context: string): UnderlyingSinkDict {
  const dict = dictionaryObject(value, context);
  if (dict === null) {
    return { abort: undefined, close: undefined, start: undefined, type: undefined, hasType: false, write: undefined };
  }
  const abort = dict.abort;
  const abortFn = abort === undefined ? undefined : callbackFunction(abort, `${context} abort`);
  const close = dict.close;
  const closeFn = close === undefined ? undefined : callbackFunction(close, `${context} close`);
  const start = dict.start;
  const startFn = start === undefined ? undefined : callbackFunction(start, `${context} start`);
  const type = dict.type;
  const write = dict.write;
  const writeFn = write === undefined ? undefined : callbackFunction(write, `${context} write`);
  return { abort: abortFn, close: closeFn, start: startFn, type, hasType: type !== undefined, write: writeFn };
}
