// WebIDL BufferSource / AllowSharedBufferSource conversion for stream chunks
// (https://webidl.spec.whatwg.org/#BufferSource, #AllowSharedBufferSource), reading every slot
// through getters captured at install so user code redefining `buffer` or `byteLength` on a
// view, or patching the prototypes, cannot change which bytes the streams see.
import {
  ArrayBufferIsView,
  IsDetachedBuffer,
  ObjectGetPrototypeOf,
  Uint8ArrayCtor,
  isArrayBuffer,
  isSharedArrayBuffer,
  isTypedArray,
  reflectApply,
  viewBuffer,
  viewByteLength,
  viewByteOffset,
  viewKind,
  arrayBufferByteLength,
  onLateCapture,
} from '../streams/webidl/intrinsics.js';

function ownGetter(proto: object | undefined, name: string): ((this: unknown) => unknown) | undefined {
  if (proto === undefined) return undefined;
  return Object.getOwnPropertyDescriptor(proto, name)?.get as ((this: unknown) => unknown) | undefined;
}

let abResizable = ownGetter(ArrayBuffer.prototype, 'resizable');
let sabGrowable = ownGetter(typeof SharedArrayBuffer === 'function' ? SharedArrayBuffer.prototype : undefined, 'growable');
// Flag-gated features a startup snapshot lacks (see captureLateIntrinsics).
onLateCapture(() => {
  abResizable ??= ownGetter(ArrayBuffer.prototype, 'resizable');
  sabGrowable ??= ownGetter(typeof SharedArrayBuffer === 'function' ? SharedArrayBuffer.prototype : undefined, 'growable');
});
const u8Set = Uint8ArrayCtor.prototype.set;
const U8Prototype: object = Uint8ArrayCtor.prototype;

/** IsResizableArrayBuffer / IsGrowableSharedArrayBuffer: neither converts without [AllowResizable]. */
function isResizable(buffer: ArrayBufferLike, shared: boolean): boolean {
  const getter = shared ? sabGrowable : abResizable;
  return getter !== undefined && reflectApply(getter, buffer, []) === true;
}

/**
 * The bytes of `chunk` as a Uint8Array over the same memory (no copy), or undefined when `chunk`
 * does not convert to BufferSource (or, with `allowShared`, to AllowSharedBufferSource).
 * A detached buffer converts, and holds no bytes ("get a copy of the bytes held by the buffer
 * source" gives an empty byte sequence).
 */
export function bufferSourceBytes(chunk: unknown, allowShared: boolean): Uint8Array | undefined {
  if (typeof chunk !== 'object' || chunk === null) return undefined;
  if (ArrayBufferIsView(chunk)) {
    const view = chunk as ArrayBufferView;
    const buffer = viewBuffer(view);
    const shared = isSharedArrayBuffer(buffer);
    if ((shared && !allowShared) || isResizable(buffer, shared)) return undefined;
    if (!shared && IsDetachedBuffer(buffer)) return new Uint8ArrayCtor(0);
    // The common case needs no new view.
    if (isTypedArray(view) && viewKind(view) === 'Uint8Array') return view as Uint8Array;
    return new Uint8ArrayCtor(buffer, viewByteOffset(view), viewByteLength(view));
  }
  if (isArrayBuffer(chunk)) {
    if (isResizable(chunk, false)) return undefined;
    if (IsDetachedBuffer(chunk)) return new Uint8ArrayCtor(0);
    return new Uint8ArrayCtor(chunk);
  }
  if (allowShared && isSharedArrayBuffer(chunk)) {
    if (isResizable(chunk as SharedArrayBuffer, true)) return undefined;
    return new Uint8ArrayCtor(chunk as SharedArrayBuffer);
  }
  return undefined;
}

/**
 * A Uint8Array of this realm holding `piece`'s bytes. A piece that already is one, spanning its
 * whole (caller-owned, per the codec contract) buffer, is used as is; anything else, such as a
 * host-realm array handed over in library mode, is copied.
 */
export function toRealmUint8Array(piece: Uint8Array): Uint8Array {
  const length = viewByteLength(piece);
  if (ObjectGetPrototypeOf(piece) === U8Prototype && viewByteOffset(piece) === 0) {
    const buffer = viewBuffer(piece);
    if (isArrayBuffer(buffer) && arrayBufferByteLength(buffer) === length) return piece;
  }
  const copy = new Uint8ArrayCtor(length);
  reflectApply(u8Set, copy, [piece]);
  return copy;
}

/**
 * `length` bytes of `view` from `start`, as a host call should carry them. A call copies a typed
 * array together with its whole ArrayBuffer (V8's serializer writes the buffer, then the view's
 * range): a 64 KiB view of a 64 MiB buffer crossed as 64 MiB, so a body streamed as views of one
 * buffer cost the host its square. A range that is at least half its buffer crosses as a view;
 * a smaller one, or one over shared memory, is copied to a buffer of its own (no species lookup).
 */
export function crossingBytes(view: Uint8Array, start: number, length: number): Uint8Array {
  const buffer = viewBuffer(view);
  const offset = viewByteOffset(view) + start;
  if (isArrayBuffer(buffer) && arrayBufferByteLength(buffer) <= 2 * length) {
    return start === 0 && length === viewByteLength(view) ? view : new Uint8ArrayCtor(buffer, offset, length);
  }
  return copyOfBytes(view, start, length);
}

/** A copy of `length` bytes of `view` from `start`, in a buffer of its own (no species lookup). */
export function copyOfBytes(view: Uint8Array, start: number, length: number): Uint8Array {
  const copy = new Uint8ArrayCtor(length);
  if (length > 0) reflectApply(u8Set, copy, [new Uint8ArrayCtor(viewBuffer(view), viewByteOffset(view) + start, length)]);
  return copy;
}

/** https://webidl.spec.whatwg.org/#BufferSource (AllowSharedBufferSource adds SharedArrayBuffer). */
export type BufferSource = ArrayBufferView | ArrayBufferLike;
