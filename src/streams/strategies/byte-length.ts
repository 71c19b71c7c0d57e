// https://streams.spec.whatwg.org/#blqs-class
import { TypeErrorCtor } from '../webidl/intrinsics.js';
import { defineInterface } from '../webidl/interface.js';
import { getterError } from '../webidl/errors.js';
import { convertQueuingStrategyInit } from './init.js';

// "The byte length queuing strategy size function": one per realm, not a constructor, named "size".
const size = (chunk: unknown): number => (chunk as { byteLength: number }).byteLength;

// Bundlers may rename the binding; the function's name is observable (WPT queuing-strategies).
Object.defineProperty(size, 'name', { value: 'size' });

let getHWM: (x: unknown) => number | undefined;
const IFACE = 'ByteLengthQueuingStrategy';

export class ByteLengthQueuingStrategy {
  #highWaterMark: number;

  constructor(init: unknown) {
    if (arguments.length < 1) throw new TypeErrorCtor(`Failed to construct '${IFACE}': 1 argument required, but only 0 present.`);
    this.#highWaterMark = convertQueuingStrategyInit(init, `Failed to construct '${IFACE}':`);
  }

  get highWaterMark(): number {
    const hwm = getHWM(this);
    if (hwm === undefined) throw getterError(IFACE, 'highWaterMark');
    return hwm;
  }

  get size(): (chunk: ArrayBufferView) => number {
    if (getHWM(this) === undefined) throw getterError(IFACE, 'size');
    return size;
  }

  static {
    getHWM = (x) => (typeof x === 'object' && x !== null && #highWaterMark in x ? x.#highWaterMark : undefined);
  }
}

defineInterface(ByteLengthQueuingStrategy, IFACE);
