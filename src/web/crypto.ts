// The Crypto interface: https://w3c.github.io/webcrypto/#crypto-interface
// getRandomValues and randomUUID draw from the host's CSPRNG through a small pool (one host
// call per 4 KiB, not per call). `subtle` is the host's WebCrypto behind the bridge
// (src/web/crypto-subtle.ts, when present).
import { defineInterface } from '../streams/webidl/interface.js';
import { TypeErrorCtor, Uint8ArrayCtor, isTypedArray, viewBuffer, viewByteLength, viewByteOffset, viewKind } from '../streams/webidl/intrinsics.js';
import { createDOMException } from './dom-exception.js';
import { createSubtle, type SubtleCrypto } from './crypto-subtle.js';

let subtle: SubtleCrypto | undefined;

const POOL_SIZE = 4096;
const MAX_BYTES = 65536;
const INTEGER_KINDS = ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array'];

let randomBytes: ((length: number) => Uint8Array) | undefined;
let pool = new Uint8ArrayCtor(0);
let poolOffset = 0;

/** The host's CSPRNG: `length` fresh random bytes per call. */
export function setRandomSource(source: (length: number) => Uint8Array): void {
  randomBytes = source;
  pool = new Uint8ArrayCtor(0);
  poolOffset = 0;
}

/** Copies `length` random bytes into `target` at `offset`. */
function fillRandom(target: Uint8Array): void {
  if (randomBytes === undefined) throw new TypeErrorCtor('No source of randomness in this realm.');
  const length = target.length;
  if (length > POOL_SIZE) {
    target.set(randomBytes(length));
    return;
  }
  if (poolOffset + length > pool.length) {
    pool = new Uint8ArrayCtor(randomBytes(POOL_SIZE));
    poolOffset = 0;
  }
  target.set(pool.subarray(poolOffset, poolOffset + length));
  // Used bytes are wiped: no later reader of the pool can see them.
  pool.fill(0, poolOffset, poolOffset + length);
  poolOffset += length;
}

let illegalConstructor = true;
let isCrypto: (x: unknown) => x is Crypto;

export class Crypto {
  constructor() {
    if (illegalConstructor) throw new TypeErrorCtor('Illegal constructor');
  }

  /** https://w3c.github.io/webcrypto/#Crypto-method-getRandomValues */
  getRandomValues<T extends ArrayBufferView | null>(array: T): T {
    if (!isCrypto(this)) throw new TypeErrorCtor("Failed to execute 'getRandomValues' on 'Crypto': Illegal invocation");
    if (arguments.length < 1) {
      throw new TypeErrorCtor("Failed to execute 'getRandomValues' on 'Crypto': 1 argument required, but only 0 present.");
    }
    if (typeof array !== 'object' || array === null || !ArrayBuffer.isView(array)) {
      throw new TypeErrorCtor("Failed to execute 'getRandomValues' on 'Crypto': parameter 1 is not of type 'ArrayBufferView'.");
    }
    // Step 1. Not an integer-type array: TypeMismatchError.
    const kind = isTypedArray(array) ? viewKind(array) : 'DataView';
    if (!INTEGER_KINDS.includes(kind)) {
      throw createDOMException(
        `Failed to execute 'getRandomValues' on 'Crypto': The provided ArrayBufferView is of type '${kind}', which is not an integer array type.`,
        'TypeMismatchError',
      );
    }
    // Step 2. More than 65536 bytes: QuotaExceededError.
    const byteLength = viewByteLength(array);
    if (byteLength > MAX_BYTES) {
      throw createDOMException(`Failed to execute 'getRandomValues' on 'Crypto': The ArrayBufferView's byte length (${byteLength}) exceeds the number of bytes of entropy available via this API (65536).`, 'QuotaExceededError');
    }
    // Step 3. Overwrite all elements with random values.
    fillRandom(new Uint8ArrayCtor(viewBuffer(array), viewByteOffset(array), byteLength));
    return array;
  }

  /** https://w3c.github.io/webcrypto/#Crypto-attribute-subtle */
  get subtle(): SubtleCrypto {
    if (!isCrypto(this)) throw new TypeErrorCtor("Failed to read the 'subtle' property from 'Crypto': Illegal invocation");
    subtle ??= createSubtle();
    return subtle;
  }

  /** https://w3c.github.io/webcrypto/#Crypto-method-randomUUID (RFC 9562 version 4). */
  randomUUID(): string {
    if (!isCrypto(this)) throw new TypeErrorCtor("Failed to execute 'randomUUID' on 'Crypto': Illegal invocation");
    return generateRandomUUID();
  }

  static {
    isCrypto = (x): x is Crypto => {
      try {
        return typeof x === 'object' && x !== null && #brand in x;
      } catch {
        return false;
      }
    };
  }

  #brand = true;
}


defineInterface(Crypto, 'Crypto');

/** https://w3c.github.io/webcrypto/#dfn-generate-a-random-uuid (also for blob URLs). */
export function generateRandomUUID(): string {
  const bytes = new Uint8ArrayCtor(16);
  fillRandom(bytes);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  let hex = '';
  for (let i = 0; i < 16; i++) {
    hex += (bytes[i]! < 16 ? '0' : '') + bytes[i]!.toString(16);
    if (i === 3 || i === 5 || i === 7 || i === 9) hex += '-';
  }
  return hex;
}

/** The realm's one Crypto object (`self.crypto`). */
export function createCrypto(): Crypto {
  illegalConstructor = false;
  try {
    return new Crypto();
  } finally {
    illegalConstructor = true;
  }
}
