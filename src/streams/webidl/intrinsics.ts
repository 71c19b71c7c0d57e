// Intrinsics captured when this module is evaluated (at install), so that user code
// patching globals (Promise.prototype.then, Object.prototype.then, Reflect.apply...)
// cannot change stream behaviour. See WPT streams/*/patched-global.any.js and
// then-interception.any.js.

export const PromiseCtor = Promise;
export const promiseThen = Promise.prototype.then;
export const promiseResolve = Promise.resolve.bind(Promise) as <T>(v: T) => Promise<Awaited<T>>;
export const reflectApply = Reflect.apply;
export const reflectCall = <T>(fn: Function, thisArg: unknown, args: readonly unknown[]): T =>
  reflectApply(fn, thisArg, args) as T;
/**
 * One promise fulfilled with undefined, never handed to user code (promise.ts calls it
 * internalResolvedUndefined), and reacting to it: a reaction job queued at once, the derived
 * promise returned. The promise and `then` are constants of a closure, not module bindings:
 * bundlers turn a module's top-level `const` into `var`, and V8's optimizing compiler folds only
 * immutable bindings; knowing the receiver is a promise, it inlines `then` instead of calling the
 * built-in (which looks up the species constructor every time).
 */
export const resolvedUndefinedIntrinsic: Promise<undefined> = Promise.resolve(undefined);
export const thenOnResolvedUndefined: <R>(onFulfilled: () => R) => Promise<R> = (() => {
  const promise = resolvedUndefinedIntrinsic;
  const then = Function.prototype.call.bind(promiseThen) as <R>(p: Promise<undefined>, f: () => R, r: undefined) => Promise<R>;
  return (onFulfilled) => then(promise, onFulfilled, undefined);
})();
/**
 * "Queue a microtask" as a reaction on that promise: the same microtask queue as queueMicrotask
 * (so the same ordering), without Node's async-hooks wrapper around each callback, and available
 * in a bare isolate too. Through a bound call, not thenOnResolvedUndefined: inlining `then` into
 * its callers (tee, the pipe, writes) made them too large to inline further (tee +1.1%).
 */
const thenOnResolved = Function.prototype.call.bind(promiseThen, resolvedUndefinedIntrinsic) as (cb: () => unknown) => unknown;
export const queueMicrotaskIntrinsic = (cb: () => unknown): void => {
  thenOnResolved(cb);
};
export const TypeErrorCtor = TypeError;
export const RangeErrorCtor = RangeError;
export const SymbolAsyncIterator: typeof Symbol.asyncIterator = Symbol.asyncIterator;
export const SymbolIterator: typeof Symbol.iterator = Symbol.iterator;
export const ObjectDefineProperty = Object.defineProperty;
export const ObjectDefineProperties = Object.defineProperties;
export const ObjectGetPrototypeOf = Object.getPrototypeOf;
export const ObjectSetPrototypeOf = Object.setPrototypeOf;
export const ObjectCreate = Object.create;
export const NumberIsNaN = Number.isNaN;
export const MathTrunc = Math.trunc;
export const MathCeil = Math.ceil;
export const ArrayBufferCtor = ArrayBuffer;
export const Uint8ArrayCtor = Uint8Array;
export const DataViewCtor = DataView;
export const ArrayBufferIsView = ArrayBuffer.isView;
const ArrayFrom = Array.from;

/**
 * A list only the runtime holds, with no prototype: storing `list[list.length] = x` meets no
 * setter an app put on Array.prototype or Object.prototype ('0', '1'...), and having no methods,
 * it cannot call one the app replaced (push, the iterator...): only indexes and length. Typed as
 * InternalList so that the compiler refuses a method call on it.
 */
export interface InternalList<T> {
  [index: number]: T;
  length: number;
}
export function internalList<T>(): InternalList<T> {
  return ObjectSetPrototypeOf([], null) as InternalList<T>;
}
/** Appends `value` to an internal list. */
export function internalAppend<T>(list: InternalList<T>, value: T): void {
  list[list.length] = value;
}
/**
 * An internal list as a plain array, for code that hands it on: made with CreateDataProperty
 * (Array.from called on no constructor, over an array-like with no iterator), so no setter and no
 * species of the app's is met either.
 */
export function arrayOfList<T>(list: InternalList<T>): T[] {
  return reflectApply(ArrayFrom, undefined, [list]) as T[];
}

/** %AsyncIteratorPrototype%, reached without syntax that user code could intercept. */
export const AsyncIteratorPrototype: object = ObjectGetPrototypeOf(
  ObjectGetPrototypeOf(async function* () {}).prototype,
);

function getter<T>(proto: object, name: string): ((this: unknown) => T) | undefined {
  const d = Object.getOwnPropertyDescriptor(proto, name);
  return d?.get as ((this: unknown) => T) | undefined;
}

const FunctionPrototypeCall = Function.prototype.call;

/**
 * A method captured now as a function of its receiver: `uncurryThis(String.prototype.slice)(s, 1)`
 * is the original slice whatever an app later puts on String.prototype. A bound
 * Function.prototype.call, which V8 reduces to a direct call of the method (no argument array).
 */
export function uncurryThis<A extends unknown[], R>(method: (this: never, ...args: A) => R): (receiver: unknown, ...args: A) => R {
  return FunctionPrototypeCall.bind(method) as unknown as (receiver: unknown, ...args: A) => R;
}

/**
 * A captured method or getter as a function of its receiver. The method is a constant of the
 * closure (thenOnResolvedUndefined says why that matters): V8 then inlines the call and, for the
 * typed array and ArrayBuffer getters, their bodies (a map check and a load), where
 * `reflectApply(getter, x, [])` through module bindings is a generic call (a BYOB read makes ~15).
 */
function receiverCall<T>(method: (this: never) => T): (receiver: unknown) => T {
  const call = FunctionPrototypeCall.bind(method) as unknown as (receiver: unknown) => T;
  return (receiver) => call(receiver);
}

// ArrayBuffer / typed array internals read through the original getters: a user
// redefining `byteLength` on a view must not change what the stream sees.
const abByteLength = receiverCall(getter<number>(ArrayBuffer.prototype, 'byteLength')!);
type LateMethod<T> = ((receiver: unknown) => T) | undefined;
const lateMethod = <T>(method: ((this: never) => T) | undefined): LateMethod<T> =>
  method === undefined ? undefined : receiverCall(method);
let abDetached = lateMethod(getter<boolean>(ArrayBuffer.prototype, 'detached'));
let abTransfer = lateMethod((ArrayBuffer.prototype as { transfer?: (this: ArrayBuffer) => ArrayBuffer }).transfer);
let abResizable = lateMethod(getter<boolean>(ArrayBuffer.prototype, 'resizable'));

/**
 * Intrinsics that a V8 startup snapshot lacks: features behind flags (on Node 20,
 * ArrayBuffer.prototype.transfer and `detached` with --harmony-rab-gsab-transfer) are installed
 * in each new context, not in the snapshot's. The runtime calls captureLateIntrinsics() when a
 * context boots, before any user code, so they are still captured before user code can patch them.
 */
const lateCaptures: (() => void)[] = [];
export function onLateCapture(capture: () => void): void {
  lateCaptures.push(capture);
}
export function captureLateIntrinsics(): void {
  for (const capture of lateCaptures) capture();
}
onLateCapture(() => {
  abDetached ??= lateMethod(getter<boolean>(ArrayBuffer.prototype, 'detached'));
  abTransfer ??= lateMethod((ArrayBuffer.prototype as { transfer?: (this: ArrayBuffer) => ArrayBuffer }).transfer);
  abResizable ??= lateMethod(getter<boolean>(ArrayBuffer.prototype, 'resizable'));
});
const TypedArrayPrototype = ObjectGetPrototypeOf(Uint8Array.prototype) as object;
const taBuffer = receiverCall(getter<ArrayBufferLike>(TypedArrayPrototype, 'buffer')!);
const taByteOffset = receiverCall(getter<number>(TypedArrayPrototype, 'byteOffset')!);
const taByteLength = receiverCall(getter<number>(TypedArrayPrototype, 'byteLength')!);
const taLength = receiverCall(getter<number>(TypedArrayPrototype, 'length')!);
/** [[TypedArrayName]], or undefined for anything that is not a typed array. */
const taToStringTag = receiverCall(getter<string | undefined>(TypedArrayPrototype, Symbol.toStringTag as unknown as string)!);
const dvBuffer = receiverCall(getter<ArrayBufferLike>(DataView.prototype, 'buffer')!);
const dvByteOffset = receiverCall(getter<number>(DataView.prototype, 'byteOffset')!);
const dvByteLength = receiverCall(getter<number>(DataView.prototype, 'byteLength')!);
let sabByteLength = lateMethod(
  typeof SharedArrayBuffer === 'function' ? getter<number>(SharedArrayBuffer.prototype, 'byteLength') : undefined,
);
// SharedArrayBuffer may be missing where a snapshot is made, and present in the contexts.
onLateCapture(() => {
  sabByteLength ??= lateMethod(
    typeof SharedArrayBuffer === 'function' ? getter<number>(SharedArrayBuffer.prototype, 'byteLength') : undefined,
  );
});
const structuredCloneIntrinsic = (globalThis as { structuredClone?: (v: unknown, o?: unknown) => unknown })
  .structuredClone;
const u8Set = Uint8Array.prototype.set;

export function arrayBufferByteLength(buffer: ArrayBufferLike): number {
  return abByteLength(buffer);
}

/** Throws TypeError when `x` is not an ArrayBuffer (not a SharedArrayBuffer either). */
export function isArrayBuffer(x: unknown): x is ArrayBuffer {
  if (typeof x !== 'object' || x === null) return false;
  try {
    abByteLength(x);
    return true;
  } catch {
    return false;
  }
}

export function isSharedArrayBuffer(x: unknown): boolean {
  if (sabByteLength === undefined || typeof x !== 'object' || x === null) return false;
  // The common answer first, without an exception: an ArrayBuffer is not shared.
  if (isArrayBuffer(x)) return false;
  try {
    sabByteLength(x);
    return true;
  } catch {
    return false;
  }
}

export function isTypedArray(x: unknown): x is ArrayBufferView {
  return taToStringTag(x) !== undefined;
}

/**
 * "Is a Uint8Array object" (WebIDL): [[TypedArrayName]] is "Uint8Array", whatever the prototype,
 * so an instance of a subclass (Node's Buffer and its browser polyfills) is one.
 */
export function isUint8Array(x: unknown): x is Uint8Array {
  return taToStringTag(x) === 'Uint8Array';
}

const Uint8ArrayPrototype: object = Uint8ArrayCtor.prototype;

/**
 * `view` when it is a plain Uint8Array of this realm, else a plain one over the same bytes (no
 * copy): what the platform hands on, or returns as `bytes()`, must not carry a subclass's methods.
 */
export function plainUint8Array(view: Uint8Array): Uint8Array {
  if (ObjectGetPrototypeOf(view) === Uint8ArrayPrototype) return view;
  return new Uint8ArrayCtor(taBuffer(view), taByteOffset(view), taByteLength(view));
}

export function isDataView(x: unknown): x is DataView {
  if (typeof x !== 'object' || x === null) return false;
  try {
    dvByteLength(x);
    return true;
  } catch (e) {
    // A DataView over a detached buffer throws too; tell it apart by the buffer getter.
    try {
      dvBuffer(x);
      return true;
    } catch {
      return false;
    }
  }
}

export function viewBuffer(view: ArrayBufferView): ArrayBuffer {
  return (isTypedArray(view) ? taBuffer(view) : dvBuffer(view)) as ArrayBuffer;
}

export function viewByteOffset(view: ArrayBufferView): number {
  if (isTypedArray(view)) return taByteOffset(view);
  return IsDetachedBuffer(viewBuffer(view)) ? 0 : dvByteOffset(view);
}

export function viewByteLength(view: ArrayBufferView): number {
  if (isTypedArray(view)) return taByteLength(view);
  return IsDetachedBuffer(viewBuffer(view)) ? 0 : dvByteLength(view);
}

export function typedArrayLength(view: ArrayBufferView): number {
  return taLength(view);
}

const elementSizes: Record<string, number> = {
  Int8Array: 1,
  Uint8Array: 1,
  Uint8ClampedArray: 1,
  Int16Array: 2,
  Uint16Array: 2,
  Float16Array: 2,
  Int32Array: 4,
  Uint32Array: 4,
  Float32Array: 4,
  Float64Array: 8,
  BigInt64Array: 8,
  BigUint64Array: 8,
};

/** Element size of a view's type: 1 for DataView. */
export function viewElementSize(view: ArrayBufferView): number {
  if (!isTypedArray(view)) return 1;
  return elementSizes[taToStringTag(view)!] ?? 1;
}

/** The view's [[TypedArrayName]] ('DataView' for a DataView), never its user-visible `constructor`. */
export function viewKind(view: ArrayBufferView): string {
  return taToStringTag(view) ?? 'DataView';
}

// Constructors captured once; indexed by [[TypedArrayName]].
const typedArrayCtors: Record<string, new (b: ArrayBuffer, o: number, l: number) => ArrayBufferView> = {};
for (const name of Object.keys(elementSizes)) {
  const ctor = (globalThis as Record<string, unknown>)[name];
  if (typeof ctor === 'function') typedArrayCtors[name] = ctor as never;
}

export function constructViewLike(
  kind: string,
  buffer: ArrayBuffer,
  byteOffset: number,
  length: number,
): ArrayBufferView {
  if (kind === 'DataView') return new DataViewCtor(buffer, byteOffset, length);
  return new typedArrayCtors[kind]!(buffer, byteOffset, length);
}

/**
 * https://tc39.es/ecma262/#sec-isfixedlengtharraybuffer, negated, for an ArrayBuffer: read through
 * the original getter, so a script's own `resizable` cannot change it. Engines without resizable
 * buffers have none.
 */
export function isResizableArrayBuffer(buffer: ArrayBuffer): boolean {
  return abResizable !== undefined && abResizable(buffer) === true;
}

/** https://tc39.es/ecma262/#sec-isdetachedbuffer */
export function IsDetachedBuffer(buffer: ArrayBufferLike): boolean {
  if (abDetached !== undefined) {
    try {
      return abDetached(buffer);
    } catch {
      return false; // SharedArrayBuffer: never detached
    }
  }
  // Without the `detached` getter: a detached buffer has length 0 and cannot back a new view.
  if (isSharedArrayBuffer(buffer)) return false;
  if (arrayBufferByteLength(buffer) !== 0) return false;
  try {
    new Uint8ArrayCtor(buffer as ArrayBuffer);
    return false;
  } catch {
    return true;
  }
}

/** https://streams.spec.whatwg.org/#transfer-array-buffer */
export function TransferArrayBuffer(buffer: ArrayBuffer): ArrayBuffer {
  // Assert: ! IsDetachedBuffer(O) is false (callers check CanTransferArrayBuffer first).
  if (abTransfer !== undefined) return abTransfer(buffer) as ArrayBuffer;
  if (structuredCloneIntrinsic !== undefined) {
    const transferred = structuredCloneIntrinsic(buffer, { transfer: [buffer] }) as ArrayBuffer;
    // A buffer with a detach key (WebAssembly.Memory) must not transfer; structuredClone copies it.
    if (!IsDetachedBuffer(buffer)) throw new TypeErrorCtor('The ArrayBuffer cannot be detached');
    return transferred;
  }
  throw new TypeErrorCtor('This environment cannot transfer ArrayBuffers');
}

/** https://tc39.es/ecma262/#sec-clonearraybuffer (no species lookup, unlike ArrayBuffer#slice). */
export function CloneArrayBuffer(src: ArrayBuffer, srcByteOffset: number, srcLength: number): ArrayBuffer {
  const target = new ArrayBufferCtor(srcLength);
  CopyDataBlockBytes(target, 0, src, srcByteOffset, srcLength);
  return target;
}

/** https://streams.spec.whatwg.org/#abstract-opdef-copydatablockbytes */
export function CopyDataBlockBytes(
  dest: ArrayBuffer,
  destOffset: number,
  src: ArrayBuffer,
  srcOffset: number,
  n: number,
): void {
  reflectApply(u8Set, new Uint8ArrayCtor(dest, destOffset, n), [new Uint8ArrayCtor(src, srcOffset, n)]);
}
