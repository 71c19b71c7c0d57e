// SubtleCrypto and CryptoKey (https://w3c.github.io/webcrypto/): the algorithms run on the
// host's WebCrypto. A CryptoKey here holds an opaque handle to the host's key (the key material
// never enters the isolate unless exported); arguments cross as data (BufferSources copied,
// CryptoKeys as handles) and results come back asynchronously by call id.
import { defineInterface } from '../streams/webidl/interface.js';
import { TypeErrorCtor, viewByteLength } from '../streams/webidl/intrinsics.js';
import { bufferSourceBytes, copyOfBytes } from './buffer-source.js';
import { createDOMException } from './dom-exception.js';
import { registerSerializable } from './structured-clone.js';

/** A key as the host describes it. */
export interface KeyDescriptor {
  handle: number;
  type: string;
  extractable: boolean;
  algorithm: Record<string, unknown>;
  usages: string[];
}

/** What crosses: plain data, with keys as `{ $key: handle }`. */
export type Wire = unknown;

export type SubtleResult =
  | { ok: true; kind: 'buffer'; value: Uint8Array }
  | { ok: true; kind: 'boolean'; value: boolean }
  | { ok: true; kind: 'key'; value: KeyDescriptor }
  | { ok: true; kind: 'pair'; value: { publicKey: KeyDescriptor; privateKey: KeyDescriptor } }
  | { ok: true; kind: 'jwk'; value: Record<string, unknown> }
  | { ok: false; name: string; message: string };

export interface SubtleBridge {
  /** Starts `op` with `args`; the host answers through settleSubtle(callId, result). */
  subtleCall(callId: number, op: string, args: Wire[]): void;
  /** The key behind `handle` is unreachable in the realm: the host may drop it. */
  subtleRelease(handle: number): void;
  /** One part of upload `upload`: data over UPLOAD_OVER goes ahead of its call this way. */
  subtleUpload(upload: number, part: Uint8Array): void;
  /** For a host that calls back directly (library mode): how to reach settleSubtle. */
  connect?(settle: (id: number, result: SubtleResult) => void): void;
}

let bridge: SubtleBridge | undefined;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
let nextCall = 1;

export function setSubtleBridge(value: SubtleBridge): void {
  bridge = value;
  value.connect?.(settleSubtle);
}

// Host keys are released when their CryptoKey is collected; a host key backs every structured
// clone of its CryptoKey too (their internal slots never change), so it goes with the last of them.
const handleUsers = new Map<number, number>();
const released = new FinalizationRegistry<number>((handle) => {
  const users = (handleUsers.get(handle) ?? 1) - 1;
  if (users > 0) {
    handleUsers.set(handle, users);
    return;
  }
  handleUsers.delete(handle);
  bridge?.subtleRelease(handle);
});

// CryptoKey

interface KeyState extends KeyDescriptor {
  algorithmObject: object | undefined;
  usagesArray: string[] | undefined;
}

let keyState: (x: unknown) => KeyState | undefined;
let makingKey = false;

export class CryptoKey {
  #state: KeyState;

  constructor() {
    if (!makingKey) throw new TypeErrorCtor('Illegal constructor');
    this.#state = undefined as never;
  }

  get type(): string {
    return key(this, 'type').type;
  }

  get extractable(): boolean {
    return key(this, 'extractable').extractable;
  }

  /** The same object each time ([SameObject]-like caching, as browsers do). */
  get algorithm(): object {
    const state = key(this, 'algorithm');
    state.algorithmObject ??= reviveAlgorithm(state.algorithm);
    return state.algorithmObject;
  }

  get usages(): string[] {
    const state = key(this, 'usages');
    state.usagesArray ??= [...state.usages];
    return state.usagesArray;
  }

  static {
    keyState = (x) => (typeof x === 'object' && x !== null && #state in x ? (x as CryptoKey).#state : undefined);
  }

  /** @internal */
  static fromDescriptor(d: KeyDescriptor): CryptoKey {
    makingKey = true;
    let k: CryptoKey;
    try {
      k = new CryptoKey();
    } finally {
      makingKey = false;
    }
    k.#state = { ...d, algorithmObject: undefined, usagesArray: undefined };
    handleUsers.set(d.handle, (handleUsers.get(d.handle) ?? 0) + 1);
    released.register(k, d.handle);
    return k;
  }
}

// CryptoKey is [Serializable] (WebCrypto, "Serialization and deserialization steps"): the copy has
// the same type, extractable, algorithm and usages, and the same key (here, the host's handle). The
// serialized data holds the original, so its handle outlives it until the copy is made.
registerSerializable({
  name: 'CryptoKey',
  is: (x) => keyState(x) !== undefined,
  serialize: (x) => x,
  deserialize: (original) => {
    const { handle, type, extractable, algorithm, usages } = keyState(original)!;
    return CryptoKey.fromDescriptor({ handle, type, extractable, algorithm, usages: [...usages] });
  },
});

function key(x: unknown, member: string): KeyState {
  const state = keyState(x);
  if (state === undefined) throw new TypeErrorCtor(`Failed to read the '${member}' property from 'CryptoKey': Illegal invocation`);
  return state;
}

/**
 * The host's algorithm dictionary or JWK as objects of this realm: byte members (publicExponent)
 * as Uint8Arrays, sequences (a JWK's key_ops and oth) as arrays.
 */
function reviveAlgorithm(algorithm: Record<string, unknown>): object {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(algorithm)) out[k] = reviveMember(v);
  return out;
}

function reviveMember(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (v instanceof Uint8Array || ArrayBuffer.isView(v)) return new Uint8Array(v as Uint8Array);
  if (Array.isArray(v)) {
    const list: unknown[] = [];
    for (const item of v) list.push(reviveMember(item));
    return list;
  }
  return reviveAlgorithm(v as Record<string, unknown>);
}

defineInterface(CryptoKey, 'CryptoKey');

/**
 * Data over UPLOAD_OVER goes to the host ahead of its call (subtleUpload, calls the isolate waits
 * for) in parts of UPLOAD_PART: a call is copied on the host's thread (a 200 MB digest held its
 * event loop 875 ms in one), and the calls nobody waits for may queue up to FIRE_AND_FORGET_RUN
 * (runtime/host-api.ts) before the isolate waits, so each carries little.
 */
const UPLOAD_OVER = 64 * 1024;
const UPLOAD_PART = 1024 * 1024;
let nextUpload = 1;
interface Upload {
  upload: number;
  bytes: Uint8Array;
}

/** Arguments to wire data: keys become handles, BufferSources copies (large ones uploads, into `uploads`), dictionaries plain objects. */
function toWire(value: unknown, uploads: Upload[], depth = 0): Wire {
  if (typeof value !== 'object' || value === null) return value;
  const k = keyState(value);
  if (k !== undefined) return { $key: k.handle };
  const bytes = bufferSourceBytes(value, false);
  if (bytes !== undefined) {
    const length = viewByteLength(bytes);
    if (length <= UPLOAD_OVER) return { $bytes: copyOfBytes(bytes, 0, length) };
    const upload = nextUpload++;
    uploads.push({ upload, bytes });
    return { $upload: upload, length };
  }
  if (depth > 8) return undefined;
  if (Array.isArray(value)) return value.map((v) => toWire(v, uploads, depth + 1));
  // A dictionary: its own and inherited enumerable members, read as WebIDL would (by name).
  const out: Record<string, Wire> = {};
  for (const name in value as object) out[name] = toWire((value as Record<string, unknown>)[name], uploads, depth + 1);
  return out;
}

function call(op: string, args: unknown[]): Promise<unknown> {
  if (bridge === undefined) return Promise.reject(createDOMException('SubtleCrypto is not available in this realm.', 'NotSupportedError'));
  let wire: Wire[];
  const uploads: Upload[] = [];
  try {
    wire = args.map((a) => toWire(a, uploads));
  } catch (error) {
    return Promise.reject(error);
  }
  // The uploads' parts go now (copies made once every argument is converted), then the call
  // that names them.
  for (let i = 0; i < uploads.length; i++) {
    const { upload, bytes } = uploads[i]!;
    const length = viewByteLength(bytes);
    for (let at = 0; at < length; at += UPLOAD_PART) bridge.subtleUpload(upload, copyOfBytes(bytes, at, length - at < UPLOAD_PART ? length - at : UPLOAD_PART));
  }
  const id = nextCall++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    bridge!.subtleCall(id, op, wire);
  });
}

/** The host's answer to call `id`. */
export function settleSubtle(id: number, result: SubtleResult): void {
  const p = pending.get(id);
  if (p === undefined) return;
  pending.delete(id);
  if (!result.ok) {
    if (result.name === 'TypeError') p.reject(new TypeErrorCtor(result.message));
    else if (result.name === 'SyntaxError' && result.message.startsWith('JSON')) p.reject(new SyntaxError(result.message));
    else p.reject(createDOMException(result.message, result.name));
    return;
  }
  switch (result.kind) {
    case 'buffer':
      p.resolve(new Uint8Array(result.value).buffer);
      return;
    case 'boolean':
      p.resolve(result.value);
      return;
    case 'key':
      p.resolve(CryptoKey.fromDescriptor(result.value));
      return;
    case 'pair':
      p.resolve({ publicKey: CryptoKey.fromDescriptor(result.value.publicKey), privateKey: CryptoKey.fromDescriptor(result.value.privateKey) });
      return;
    case 'jwk':
      p.resolve(reviveAlgorithm(result.value));
      return;
  }
}

// SubtleCrypto

const OPERATIONS: Record<string, number> = {
  encrypt: 3, decrypt: 3, sign: 3, verify: 4, digest: 2, generateKey: 3, deriveKey: 5, deriveBits: 2,
  importKey: 5, exportKey: 2, wrapKey: 4, unwrapKey: 7,
};

let subtleIllegal = true;
let isSubtle: (x: unknown) => boolean;

export class SubtleCrypto {
  #brand = true;

  constructor() {
    if (subtleIllegal) throw new TypeErrorCtor('Illegal constructor');
  }

  static {
    isSubtle = (x) => typeof x === 'object' && x !== null && #brand in x;
  }
}

for (const [op, required] of Object.entries(OPERATIONS)) {
  const method = {
    [op](this: unknown, ...args: unknown[]): Promise<unknown> {
      if (!isSubtle(this)) return Promise.reject(new TypeErrorCtor(`Failed to execute '${op}' on 'SubtleCrypto': Illegal invocation`));
      if (args.length < required) {
        return Promise.reject(new TypeErrorCtor(`Failed to execute '${op}' on 'SubtleCrypto': ${required} arguments required, but only ${args.length} present.`));
      }
      return call(op, args.slice(0, required === 2 && op === 'deriveBits' ? 3 : Math.max(required, args.length)));
    },
  }[op]!;
  Object.defineProperty(method, 'length', { value: required });
  Object.defineProperty(SubtleCrypto.prototype, op, { value: method, writable: true, enumerable: true, configurable: true });
}

defineInterface(SubtleCrypto, 'SubtleCrypto');

export function createSubtle(): SubtleCrypto {
  subtleIllegal = false;
  try {
    return new SubtleCrypto();
  } finally {
    subtleIllegal = true;
  }
}

/** A digest for the runtime's own use (Subresource Integrity): the host's, unreachable from scripts. */
export function digestBytes(algorithm: 'SHA-256' | 'SHA-384' | 'SHA-512', bytes: Uint8Array): Promise<ArrayBuffer> {
  return call('digest', [algorithm, bytes]) as Promise<ArrayBuffer>;
}
