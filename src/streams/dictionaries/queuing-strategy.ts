// https://streams.spec.whatwg.org/#dictdef-queuingstrategy and the ExtractHighWaterMark /
// ExtractSizeAlgorithm abstract operations that read it.
import { NumberIsNaN, RangeErrorCtor } from '../webidl/intrinsics.js';
import { callbackFunction, dictionaryObject, unrestrictedDouble } from '../webidl/converters.js';

export type QueuingStrategySize<T = any> = (chunk: T) => number;

export interface QueuingStrategy<T = any> {
  highWaterMark?: number;
  size?: QueuingStrategySize<T>;
}

export interface QueuingStrategyInit {
  highWaterMark: number;
}

/** Internal form: the size algorithm is undefined for the default "return 1" (a fast path: no call). */
export interface ConvertedQueuingStrategy {
  highWaterMark: number | undefined;
  size: QueuingStrategySize | undefined;
}

/** Dictionary members are read in lexicographic order: highWaterMark, size. */
export function convertQueuingStrategy(value: unknown, context: string): ConvertedQueuingStrategy {
  const dict = dictionaryObject(value, context);
  if (dict === null) return { highWaterMark: undefined, size: undefined };
  const hwm = dict.highWaterMark;
  const highWaterMark = hwm === undefined ? undefined : unrestrictedDouble(hwm);
  const sizeValue = dict.size;
  const size = sizeValue === undefined ? undefined : callbackFunction<QueuingStrategySize>(sizeValue, `${context} size`);
  return { highWaterMark, size };
}

/** https://streams.spec.whatwg.org/#validate-and-normalize-high-water-mark */
export function ExtractHighWaterMark(strategy: ConvertedQueuingStrategy, defaultHWM: number): number {
  if (strategy.highWaterMark === undefined) return defaultHWM;
  const highWaterMark = strategy.highWaterMark;
  if (NumberIsNaN(highWaterMark) || highWaterMark < 0) {
    throw new RangeErrorCtor('Invalid highWaterMark: it must be a non-negative number.');
  }
  return highWaterMark;
}

/**
 * https://streams.spec.whatwg.org/#make-size-algorithm-from-size-function
 * Returns undefined for "return 1"; callers treat undefined as size 1 without a call.
 */
export function ExtractSizeAlgorithm(strategy: ConvertedQueuingStrategy): QueuingStrategySize | undefined {
  const size = strategy.size;
  if (size === undefined) return undefined;
  // The spec invokes the callback with this value undefined.
  return (chunk: unknown) => unrestrictedDouble(size(chunk));
}
