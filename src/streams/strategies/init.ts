// https://streams.spec.whatwg.org/#dictdef-queuingstrategyinit
import { TypeErrorCtor } from '../webidl/intrinsics.js';
import { dictionaryObject, unrestrictedDouble } from '../webidl/converters.js';

/** Returns init["highWaterMark"] (required, unrestricted double). */
export function convertQueuingStrategyInit(value: unknown, context: string): number {
  const dict = dictionaryObject(value, context);
  const hwm = dict === null ? undefined : dict.highWaterMark;
  if (hwm === undefined) {
    throw new TypeErrorCtor(`${context} Failed to read the 'highWaterMark' property from 'QueuingStrategyInit': Required member is undefined.`);
  }
  return unrestrictedDouble(hwm);
}
