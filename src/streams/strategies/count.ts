// https://streams.spec.whatwg.org/#cqs-class
import { TypeErrorCtor } from '../webidl/intrinsics.js';
import { defineInterface } from '../webidl/interface.js';
import { getterError } from '../webidl/errors.js';
import { convertQueuingStrategyInit } from './init.js';

// "The count queuing strategy size function": one per realm, not a constructor, named "size".
const size = (): number => 1;

// Bundlers may rename the binding; the function's name is observable (WPT queuing-strategies).
Object.defineProperty(size, 'name', { value: 'size' });

let getHWM: (x: unknown) => number | undefined;
const IFACE = 'CountQueuingStrategy';

export class CountQueuingStrategy {
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

  get size(): (chunk?: unknown) => 1 {
    if (getHWM(this) === undefined) throw getterError(IFACE, 'size');
    return size as () => 1;
  }

  static {
    getHWM = (x) => (typeof x === 'object' && x !== null && #highWaterMark in x ? x.#highWaterMark : undefined);
  }
}

defineInterface(CountQueuingStrategy, IFACE);
