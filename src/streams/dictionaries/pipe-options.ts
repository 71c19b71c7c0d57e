// https://streams.spec.whatwg.org/#dictdef-streampipeoptions and the other small option dictionaries.
import { TypeErrorCtor } from '../webidl/intrinsics.js';
import { dictionaryObject, domString, enforceRangeUnsignedLongLong, toBoolean } from '../webidl/converters.js';
import { isAbortSignal, type AbortSignalLike } from '../webidl/abort-signal.js';

export interface StreamPipeOptionsDict {
  preventAbort: boolean;
  preventCancel: boolean;
  preventClose: boolean;
  signal: AbortSignalLike | undefined;
}

export function convertStreamPipeOptions(value: unknown, context: string): StreamPipeOptionsDict {
  const dict = dictionaryObject(value, context);
  if (dict === null) return { preventAbort: false, preventCancel: false, preventClose: false, signal: undefined };
  const preventAbort = toBoolean(dict.preventAbort);
  const preventCancel = toBoolean(dict.preventCancel);
  const preventClose = toBoolean(dict.preventClose);
  const signalValue = dict.signal;
  if (signalValue !== undefined && !isAbortSignal(signalValue)) {
    throw new TypeErrorCtor(`${context} member signal is not of type AbortSignal.`);
  }
  return { preventAbort, preventCancel, preventClose, signal: signalValue as AbortSignalLike | undefined };
}

/** https://streams.spec.whatwg.org/#dictdef-readablestreamgetreaderoptions */
export function convertGetReaderOptions(value: unknown, context: string): { mode: 'byob' | undefined } {
  const dict = dictionaryObject(value, context);
  if (dict === null) return { mode: undefined };
  const mode = dict.mode;
  if (mode === undefined) return { mode: undefined };
  const s = domString(mode);
  if (s !== 'byob') {
    throw new TypeErrorCtor(`${context} The provided value '${s}' is not a valid enum value of type ReadableStreamReaderMode.`);
  }
  return { mode: 'byob' };
}

/** https://streams.spec.whatwg.org/#dictdef-readablestreamiteratoroptions */
export function convertIteratorOptions(value: unknown, context: string): { preventCancel: boolean } {
  const dict = dictionaryObject(value, context);
  if (dict === null) return { preventCancel: false };
  return { preventCancel: toBoolean(dict.preventCancel) };
}

/** https://streams.spec.whatwg.org/#dictdef-readablestreambyobreaderreadoptions */
export function convertBYOBReadOptions(value: unknown, context: string): { min: number } {
  const dict = dictionaryObject(value, context);
  if (dict === null) return { min: 1 };
  const min = dict.min;
  return { min: min === undefined ? 1 : enforceRangeUnsignedLongLong(min, `${context} min`) };
}
