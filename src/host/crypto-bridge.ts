// The host half of crypto.subtle: Node's WebCrypto, with the realm's CryptoKeys as handles into
// a per-realm key table (the key material stays here unless the app exports it).
import { KeyObject, createHash, webcrypto } from 'node:crypto';
import type { KeyDescriptor, SubtleBridge, SubtleResult, Wire } from '../web/crypto-subtle.js';
import { IdTable } from '../runtime/id-table.js';
import { CryptoOwner, hostCryptoScheduler, type CryptoScheduler } from './crypto-slots.js';

type HostKey = webcrypto.CryptoKey;
/** Node 20 has the CryptoKey class as a global, not on `webcrypto`. */
const CryptoKeyClass = (globalThis as unknown as { CryptoKey: new () => HostKey }).CryptoKey;

/**
 * PBKDF2 iteration counts above this are refused (NotSupportedError), as Cloudflare Workers does.
 * Node runs each derivation on its libuv threadpool, which DNS lookups (every app's fetch()) share,
 * and its CPU is not the app's: four calls of 10,000,000 iterations from one app held a
 * dns.lookup of another for 5.6 s and took 8.3 s of the host's CPU (measured).
 */
export const PBKDF2_MAX_ITERATIONS = 100_000;

/**
 * RSA key generation above this modulus length is refused (NotSupportedError). Generation time
 * grows with about the fourth power of the length and cannot be stopped once it runs: measured
 * here 0.2 s for 2048 bits, 0.9 s for 4096 and 11.3 s for 8192, each holding a threadpool thread
 * and one of the process's crypto slots (crypto-slots.ts); 16384 bits, which Chromium allows,
 * would hold them for minutes.
 */
export const RSA_MAX_MODULUS_LENGTH = 8192;

export interface HostSubtleOptions {
  /** Node's WebCrypto (a stand-in in tests). */
  subtle?: object;
  /** Each operation's time from its start to its end (on the threadpool, for the slow ones), for the app's CPU accounting. */
  onWork?: (ns: bigint) => void;
  /** Where operations take turns (default: the process's), and whose share they use (default: this realm's own). */
  scheduler?: CryptoScheduler;
  owner?: CryptoOwner;
  /** The most bytes of data the owner's operations may hold in the host at once (default: no limit). */
  maxHeldBytes?: number;
}

/** Data the realm sent ahead of its call in parts (crypto-subtle.ts UPLOAD_PART), as its call finds it. */
class Upload {
  constructor(readonly parts: Uint8Array[]) {}
  /** The parts in one buffer, for an operation that takes its data whole. */
  whole(): Uint8Array {
    return Buffer.concat(this.parts);
  }
}

/**
 * What an operation holds in the host beyond its data (its arguments' objects, its turn in the
 * queue): counted too, so a flood of calls without data (a million key generations) is bounded.
 */
export const CALL_OVERHEAD = 1024;

/**
 * What a CryptoKey holds in the host beyond its key material (Node's CryptoKey and KeyObject, the
 * native key, the table entry). Measured as RSS per live key, 20,000 of each: 3.7 KB (AES-256),
 * 3.8 KB (HMAC, 32-byte secret), 8.1 KB (HMAC, 4 KiB secret), 6.2 KB (RSA-2048 private), 8.1 KB
 * (ECDSA P-256 private), of which ~0.7 KB is JavaScript heap.
 */
export const KEY_HOST_BYTES = 8 * 1024;

/** The host bytes counted for a live key: KEY_HOST_BYTES and its material (a secret's length; half an RSA modulus's). */
export function keyHostBytes(key: HostKey): number {
  const object = KeyObject.from(key);
  if (object.type === 'secret') return KEY_HOST_BYTES + (object.symmetricKeySize ?? 0);
  return KEY_HOST_BYTES + (object.asymmetricKeyDetails?.modulusLength ?? 0) / 2;
}

/** Node's hash for a WebCrypto digest algorithm name. */
const DIGEST_HASHES: Record<string, string> = { 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

/**
 * A digest of uploaded data on the host's thread, one part (1 MiB) per event-loop turn: Node's
 * WebCrypto would first copy the data whole on this thread (145 ms for 200 MB) and the hashing
 * itself is ~2 ms a part.
 */
async function digestInTurns(hashName: string, upload: Upload): Promise<ArrayBuffer> {
  const hash = createHash(hashName);
  for (const part of upload.parts) {
    hash.update(part);
    await new Promise((resolve) => setImmediate(resolve));
  }
  const out = hash.digest();
  return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength);
}

export class HostSubtle {
  #keys = new IdTable<HostKey>();
  /** Parts of uploads whose call has not come yet. */
  #uploads = new IdTable<Uint8Array[]>();
  #nextHandle = 1;
  #settle: (id: number, result: SubtleResult) => void;
  #subtle: Record<string, (...a: unknown[]) => Promise<unknown>>;
  #onWork: ((ns: bigint) => void) | undefined;
  #scheduler: CryptoScheduler;
  #owner: CryptoOwner;
  #closed = false;

  constructor(settle: (id: number, result: SubtleResult) => void, options: HostSubtleOptions = {}) {
    this.#settle = settle;
    this.#subtle = (options.subtle ?? webcrypto.subtle) as Record<string, (...a: unknown[]) => Promise<unknown>>;
    this.#onWork = options.onWork;
    this.#scheduler = options.scheduler ?? hostCryptoScheduler;
    this.#owner = options.owner ?? new CryptoOwner();
    this.#maxHeldBytes = options.maxHeldBytes ?? Infinity;
  }

  readonly #maxHeldBytes: number;

  /**
   * Operations wait for their turn with their data, a copy the app no longer holds: one app that
   * called digest on the same 1 MiB 2,000 times made the host hold 2.1 GB. So an app's waiting and
   * running operations may hold at most maxHeldBytes (its memoryMb): past it a call is a
   * QuotaExceededError.
   */
  call(id: number, op: string, args: Wire[]): void {
    const bytes = CALL_OVERHEAD + this.#heldBytes(args);
    const owner = this.#owner;
    if (owner.heldBytes + bytes > this.#maxHeldBytes) {
      this.#dropUploads(args);
      this.#settle(id, {
        ok: false,
        name: 'QuotaExceededError',
        message: `The app's crypto operations and CryptoKeys would hold ${owner.heldBytes + bytes} bytes in the host; they may hold ${this.#maxHeldBytes} (limits.memoryMb). Await some first.`,
      });
      return;
    }
    owner.heldBytes += bytes;
    this.#scheduler.submit(owner, () => {
      // A realm closed while this waited (its isolate disposed): nothing to do, no one to answer.
      if (this.#closed) {
        owner.heldBytes -= bytes;
        return RESOLVED;
      }
      const started = process.hrtime.bigint();
      return this.#start(id, op, args).finally(() => {
        owner.heldBytes -= bytes;
        this.#onWork?.(process.hrtime.bigint() - started);
      });
    });
  }

  /** The bytes of data in `args`: copies (`$bytes`) and uploads (`$upload`, whose parts came first). */
  #heldBytes(value: Wire, depth = 0): number {
    if (typeof value !== 'object' || value === null || depth > 10) return 0;
    if (value instanceof Uint8Array) return value.byteLength;
    if (Array.isArray(value)) {
      let sum = 0;
      for (const item of value) sum += this.#heldBytes(item, depth + 1);
      return sum;
    }
    const record = value as Record<string, Wire>;
    if ('$upload' in record) return typeof record['length'] === 'number' ? record['length'] : 0;
    let sum = 0;
    for (const key in record) sum += this.#heldBytes(record[key], depth + 1);
    return sum;
  }

  /** A refused call's uploads are not kept. */
  #dropUploads(value: Wire, depth = 0): void {
    if (typeof value !== 'object' || value === null || depth > 10 || value instanceof Uint8Array) return;
    if (Array.isArray(value)) return value.forEach((item) => this.#dropUploads(item, depth + 1));
    const record = value as Record<string, Wire>;
    if ('$upload' in record) this.#uploads.delete(record['$upload'] as number);
    else for (const key in record) this.#dropUploads(record[key], depth + 1);
  }

  /** Runs one operation; settles it with its result or its failure (never rejects). */
  #start(id: number, op: string, args: Wire[]): Promise<void> {
    let promise: Promise<unknown>;
    try {
      const input = args.map((a) => this.#fromWire(a, true));
      const subtle = this.#subtle;
      if (typeof subtle[op] !== 'function') throw Object.assign(new Error(`Unknown operation ${op}`), { name: 'NotSupportedError' });
      if (op === 'generateKey' && isRsa(input[0])) {
        const length = (input[0] as { modulusLength?: unknown }).modulusLength;
        if (typeof length === 'number' && length > RSA_MAX_MODULUS_LENGTH) {
          throw Object.assign(new Error(`RSA modulus lengths above ${RSA_MAX_MODULUS_LENGTH} bits are not supported (requested ${length}).`), { name: 'NotSupportedError' });
        }
      }
      if ((op === 'deriveBits' || op === 'deriveKey') && isPbkdf2(input[0])) {
        const iterations = (input[0] as { iterations?: unknown }).iterations;
        if (typeof iterations === 'number' && iterations > PBKDF2_MAX_ITERATIONS) {
          throw Object.assign(new Error(`PBKDF2 iteration counts above ${PBKDF2_MAX_ITERATIONS} are not supported (requested ${iterations}).`), { name: 'NotSupportedError' });
        }
      }
      const hashName = op === 'digest' && input[1] instanceof Upload ? DIGEST_HASHES[digestName(input[0])] : undefined;
      if (hashName !== undefined) promise = digestInTurns(hashName, input[1] as Upload);
      else promise = subtle[op]!(...input.map((value) => (value instanceof Upload ? value.whole() : value)));
      if (op === 'verify' && isEd25519(input[0])) promise = promise.then((ok) => ok === true && !smallOrderEd25519(input[1] as HostKey, input[2]));
    } catch (error) {
      promise = Promise.reject(error);
    }
    const fail = (error: Error) => {
      let name = 'OperationError';
      let message = 'The operation failed.';
      try {
        name = errorName(error);
        message = String(error?.message ?? error);
      } catch {
        // A strange error object: the defaults stand.
      }
      this.#settle(id, { ok: false, name, message });
    };
    return promise.then((value) => {
      let result: SubtleResult;
      try {
        result = this.#toResult(value);
      } catch (error) {
        return fail(error as Error);
      }
      this.#settle(id, result);
    }, fail);
  }

  release(handle: number): void {
    const key = this.#keys.get(handle);
    if (key === undefined) return;
    this.#keys.delete(handle);
    this.#owner.heldBytes -= keyHostBytes(key);
  }

  /** One part of upload `upload` (its call follows the parts). */
  upload(upload: number, part: Uint8Array): void {
    if (this.#closed) return;
    const parts = this.#uploads.get(upload);
    if (parts === undefined) this.#uploads.set(upload, [part]);
    else parts.push(part);
  }

  /** The realm is gone: its waiting operations will not start (running ones end on their own, still counted to its owner). */
  close(): void {
    this.#closed = true;
    for (const key of this.#keys.values()) this.#owner.heldBytes -= keyHostBytes(key);
    this.#keys.clear();
    this.#uploads.clear();
  }

  /** `top`: an argument itself, where an upload stays in parts (digest takes them so); inside a dictionary (an iv, additionalData...) it is joined. */
  #fromWire(value: Wire, top = false): unknown {
    if (typeof value !== 'object' || value === null) return value;
    if (value instanceof Uint8Array) return value;
    if (Array.isArray(value)) return value.map((v) => this.#fromWire(v));
    const record = value as Record<string, Wire>;
    if ('$key' in record) {
      const key = this.#keys.get(record['$key'] as number);
      if (key === undefined) throw new TypeError('The CryptoKey is not known to this realm.');
      return key;
    }
    if ('$bytes' in record) return record['$bytes'];
    if ('$upload' in record) {
      const upload = record['$upload'] as number;
      const parts = this.#uploads.get(upload) ?? [];
      this.#uploads.delete(upload);
      let length = 0;
      for (const part of parts) length += part.byteLength;
      if (length !== record['length']) throw Object.assign(new Error('The data did not arrive whole.'), { name: 'OperationError' });
      return top ? new Upload(parts) : new Upload(parts).whole();
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(record)) out[k] = this.#fromWire(v);
    return out;
  }

  /**
   * The app's live keys are host memory too (3.7-8.1 KB each against ~0.8 KB of the app's heap, so
   * an app at its heap limit could hold ~3x its memory in the host through keys alone): they count
   * with its operations' data, and a key that would take them past maxHeldBytes is a
   * QuotaExceededError (dropped here; its isolate never sees it).
   */
  #checkKeyRoom(bytes: number): void {
    if (this.#owner.heldBytes + bytes <= this.#maxHeldBytes) return;
    throw Object.assign(
      new Error(`The app's CryptoKeys and crypto operations would hold ${this.#owner.heldBytes + bytes} bytes in the host; they may hold ${this.#maxHeldBytes} (limits.memoryMb). Drop some keys first.`),
      { name: 'QuotaExceededError' },
    );
  }

  /** A key the realm gets a handle to; `bytes` its keyHostBytes, now counted to the owner. */
  #describe(key: HostKey, bytes: number): KeyDescriptor {
    const handle = this.#nextHandle++;
    this.#keys.set(handle, key);
    this.#owner.heldBytes += bytes;
    return { handle, type: key.type, extractable: key.extractable, algorithm: plain(key.algorithm) as Record<string, unknown>, usages: [...key.usages] };
  }

  #toResult(value: unknown): SubtleResult {
    if (value instanceof ArrayBuffer) return { ok: true, kind: 'buffer', value: new Uint8Array(value) };
    if (typeof value === 'boolean') return { ok: true, kind: 'boolean', value };
    if (value instanceof CryptoKeyClass) {
      const bytes = keyHostBytes(value);
      this.#checkKeyRoom(bytes);
      return { ok: true, kind: 'key', value: this.#describe(value, bytes) };
    }
    const pair = value as { publicKey?: HostKey; privateKey?: HostKey };
    if (pair && pair.publicKey instanceof CryptoKeyClass && pair.privateKey instanceof CryptoKeyClass) {
      const publicBytes = keyHostBytes(pair.publicKey);
      const privateBytes = keyHostBytes(pair.privateKey);
      this.#checkKeyRoom(publicBytes + privateBytes);
      return { ok: true, kind: 'pair', value: { publicKey: this.#describe(pair.publicKey, publicBytes), privateKey: this.#describe(pair.privateKey, privateBytes) } };
    }
    return { ok: true, kind: 'jwk', value: plain(value) as Record<string, unknown> };
  }
}

/** A copyable version of a host object (algorithms, JWKs): typed arrays as Uint8Array copies. */
function plain(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength));
  if (Array.isArray(value)) return value.map(plain);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = plain(v);
  return out;
}

/** The realm-facing error name: DOMException names, or TypeError for argument errors. */
const RESOLVED = Promise.resolve();

function isRsa(algorithm: unknown): boolean {
  const name = typeof algorithm === 'object' && algorithm !== null ? (algorithm as { name?: unknown }).name : undefined;
  return typeof name === 'string' && name.toUpperCase().startsWith('RSA');
}

/** A digest algorithm's name as WebCrypto normalizes it (a string, or a dictionary's name; any case). */
function digestName(algorithm: unknown): string {
  const name = typeof algorithm === 'string' ? algorithm : (algorithm as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name.toUpperCase() : '';
}

function isPbkdf2(algorithm: unknown): boolean {
  const name = typeof algorithm === 'object' && algorithm !== null ? (algorithm as { name?: unknown }).name : undefined;
  return typeof name === 'string' && name.toUpperCase() === 'PBKDF2';
}

function errorName(error: Error): string {
  if (!error || typeof error !== 'object') return 'OperationError';
  if (error.name === 'TypeError' || error instanceof TypeError) return 'TypeError';
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (code.startsWith('ERR_INVALID_ARG') || code === 'ERR_MISSING_OPTION')) return 'TypeError';
  // Node 20 names exportKey's (and so wrapKey's) "key is not extractable" error
  // InvalidAccessException, a name no DOMException has; WebCrypto says InvalidAccessError
  // (exportKey step 5), which is what apps test for.
  if (error.name === 'InvalidAccessException') return 'InvalidAccessError';
  return error.name && error.name !== 'Error' ? error.name : 'OperationError';
}

// Ed25519's verify (WebCrypto, Secure Curves): "If the key data of key represents an invalid point
// or a small-order element on the Elliptic Curve of Ed25519, return false", and the same for the
// signature's R. Node 20 (OpenSSL) accepts both, so the host answers false itself when it would
// have answered true. The points of order 1, 2, 4 and 8 have these encodings (y, little-endian),
// the last byte's top bit (x's sign) aside; the last three are y = p - 1, p and p + 1.
const SMALL_ORDER_ED25519 = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map((hex) => Buffer.from(hex, 'hex'));

function isEd25519(algorithm: unknown): boolean {
  const name = typeof algorithm === 'string' ? algorithm : (algorithm as { name?: unknown } | null)?.name;
  return typeof name === 'string' && name.toLowerCase() === 'ed25519';
}

function hasSmallOrder(point: Uint8Array): boolean {
  return SMALL_ORDER_ED25519.some((candidate) => {
    for (let i = 0; i < 31; i++) if (point[i] !== candidate[i]) return false;
    return (point[31]! & 0x7f) === candidate[31];
  });
}

/** The public key A or the signature's R is a small-order point (verify already passed: both are 32 bytes of a 64-byte signature). */
function smallOrderEd25519(key: HostKey, signature: unknown): boolean {
  const x = KeyObject.from(key).export({ format: 'jwk' }).x;
  if (typeof x === 'string' && hasSmallOrder(Buffer.from(x, 'base64url'))) return true;
  // A view of the realm's bytes (in library mode another realm's Uint8Array: no instanceof).
  if (!ArrayBuffer.isView(signature) || signature.byteLength !== 64) return false;
  return hasSmallOrder(new Uint8Array(signature.buffer, signature.byteOffset, 32));
}

/** Library mode: the realm and the host share the process; settle calls straight back. */
export function librarySubtleBridge(): SubtleBridge {
  let settle: (id: number, result: SubtleResult) => void = () => {};
  const host = new HostSubtle((id, result) => settle(id, result));
  return {
    subtleCall: (id, op, args) => host.call(id, op, args),
    subtleRelease: (handle) => host.release(handle),
    subtleUpload: (upload, part) => host.upload(upload, part),
    connect: (fn) => {
      settle = fn;
    },
  };
}
