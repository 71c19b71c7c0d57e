// https://streams.spec.whatwg.org/#dictdef-underlyingsource
import { TypeErrorCtor } from '../webidl/intrinsics.js';
import {
  callbackFunction,
  dictionaryObject,
  domString,
  enforceRangeUnsignedLongLong,
} from '../webidl/converters.js';

export interface UnderlyingSourceDict {
  autoAllocateChunkSize: number | undefined;
  cancel: Function | undefined;
  pull: Function | undefined;
  start: Function | undefined;
  type: 'bytes' | undefined;
}

/** Members are read in lexicographic order, as WebIDL dictionaries are. */
export function convertUnderlyingSource(value: unknown, context: string): UnderlyingSourceDict {
  const dict = dictionaryObject(value, context);
  if (dict === null) {
    return { autoAllocateChunkSize: undefined, cancel: undefined, pull: undefined, start: undefined, type: undefined };
  }
  const autoAllocate = dict.autoAllocateChunkSize;
  const autoAllocateChunkSize =
    autoAllocate === undefined
      ? undefined
      : enforceRangeUnsignedLongLong(autoAllocate, `${context} autoAllocateChunkSize`);
  const cancel = dict.cancel;
  const cancelFn = cancel === undefined ? undefined : callbackFunction(cancel, `${context} cancel`);
  const pull = dict.pull;
  const pullFn = pull === undefined ? undefined : callbackFunction(pull, `${context} pull`);
  const start = dict.start;
  const startFn = start === undefined ? undefined : callbackFunction(start, `${context} start`);
  const typeValue = dict.type;
  let type: 'bytes' | undefined;
  if (typeValue !== undefined) {
    const s = domString(typeValue);
    if (s !== 'bytes') {
      throw new TypeErrorCtor(`${context} The provided value '${s}' is not a valid enum value of type ReadableStreamType.`);
    }
    type = 'bytes';
  }
  return { autoAllocateChunkSize, cancel: cancelFn, pull: pullFn, start: startFn, type };
}
