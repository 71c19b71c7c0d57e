// Structured serialization within one realm:
// https://html.spec.whatwg.org/multipage/structured-data.html#safe-passing-of-structured-data
// StructuredSerializeInternal builds records (primitives stand for themselves), then
// StructuredDeserialize builds the copy; serialization completes before anything is detached or
// created, as the spec orders it. Platform objects join through the registries below
// (DOMException here, MessagePort in message-channel.ts, Blob/File when they exist).
import { onLateCapture } from '../streams/webidl/intrinsics.js';
import { DOMException, deserializeDOMException, isDOMException, serializeDOMException } from './dom-exception.js';

// Intrinsics, captured at install.
const ReflectApply = Reflect.apply;
const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ObjectDefineProperty = Object.defineProperty;
const ObjectPrototypeHasOwnProperty = Object.prototype.hasOwnProperty;
const ObjectPrototypeToString = Object.prototype.toString;
const ObjectGetPrototypeOf = Object.getPrototypeOf;
const ObjectKeys = Object.keys;
const SymbolToStringTag: typeof Symbol.toStringTag = Symbol.toStringTag;
const ErrorCtor = Error;
const ArrayBufferIsView = ArrayBuffer.isView;
const ArrayIsArray = Array.isArray;
const ArrayCtor = Array;
const TypeErrorCtor = TypeError;
const SymbolIterator: typeof Symbol.iterator = Symbol.iterator;
const MapCtor = Map;
const SetCtor = Set;
const MapPrototypeForEach = Map.prototype.forEach;
const MapPrototypeSet = Map.prototype.set;
const SetPrototypeForEach = Set.prototype.forEach;
const SetPrototypeAdd = Set.prototype.add;
const BooleanValueOf = Boolean.prototype.valueOf;
const NumberValueOf = Number.prototype.valueOf;
const StringValueOf = String.prototype.valueOf;
const BigIntValueOf = BigInt.prototype.valueOf;
const SymbolValueOf = Symbol.prototype.valueOf;
const DateGetTime = Date.prototype.getTime;
const DateCtor = Date;
const RegExpCtor = RegExp;
const ObjectCtor = Object;
const ArrayBufferCtor = ArrayBuffer;
const DataViewCtor = DataView;
const Uint8ArrayCtor = Uint8Array;
const Uint8ArraySet = Uint8Array.prototype.set;

function getter(proto: object, name: PropertyKey): ((this: unknown) => unknown) | undefined {
  return ObjectGetOwnPropertyDescriptor(proto, name)?.get as ((this: unknown) => unknown) | undefined;
}

const mapSize = getter(Map.prototype, 'size')!;
const setSize = getter(Set.prototype, 'size')!;
const regExpSource = getter(RegExp.prototype, 'source')!;
const regExpFlagGetters: ReadonlyArray<readonly [string, ((this: unknown) => unknown) | undefined]> = [
  ['d', getter(RegExp.prototype, 'hasIndices')],
  ['g', getter(RegExp.prototype, 'global')],
  ['i', getter(RegExp.prototype, 'ignoreCase')],
  ['m', getter(RegExp.prototype, 'multiline')],
  ['s', getter(RegExp.prototype, 'dotAll')],
  ['u', getter(RegExp.prototype, 'unicode')],
  ['v', getter(RegExp.prototype, 'unicodeSets')],
  ['y', getter(RegExp.prototype, 'sticky')],
];
const RegExpPrototype = RegExp.prototype;
const abByteLength = getter(ArrayBuffer.prototype, 'byteLength')!;
let abResizable = getter(ArrayBuffer.prototype, 'resizable');
let abMaxByteLength = getter(ArrayBuffer.prototype, 'maxByteLength');
let abDetached = getter(ArrayBuffer.prototype, 'detached');
let abTransfer = (ArrayBuffer.prototype as { transfer?: Function }).transfer;
// Flag-gated features a startup snapshot lacks (see captureLateIntrinsics).
onLateCapture(() => {
  abResizable ??= getter(ArrayBuffer.prototype, 'resizable');
  abMaxByteLength ??= getter(ArrayBuffer.prototype, 'maxByteLength');
  abDetached ??= getter(ArrayBuffer.prototype, 'detached');
  abTransfer ??= (ArrayBuffer.prototype as { transfer?: Function }).transfer;
});
let SharedArrayBufferCtor = (globalThis as { SharedArrayBuffer?: SharedArrayBufferConstructor }).SharedArrayBuffer;
let sabByteLength = SharedArrayBufferCtor !== undefined ? getter(SharedArrayBufferCtor.prototype, 'byteLength') : undefined;
onLateCapture(() => {
  SharedArrayBufferCtor ??= (globalThis as { SharedArrayBuffer?: SharedArrayBufferConstructor }).SharedArrayBuffer;
  sabByteLength ??= SharedArrayBufferCtor !== undefined ? getter(SharedArrayBufferCtor.prototype, 'byteLength') : undefined;
});
const TypedArrayPrototype = ObjectGetPrototypeOf(Uint8Array.prototype) as object;
const taName = getter(TypedArrayPrototype, Symbol.toStringTag)!;
const taBuffer = getter(TypedArrayPrototype, 'buffer')!;
const taByteOffset = getter(TypedArrayPrototype, 'byteOffset')!;
const taByteLength = getter(TypedArrayPrototype, 'byteLength')!;
const taLength = getter(TypedArrayPrototype, 'length')!;
const taAt = (TypedArrayPrototype as { at?: Function }).at;
const dvBuffer = getter(DataView.prototype, 'buffer')!;
const dvByteOffset = getter(DataView.prototype, 'byteOffset')!;
const dvByteLength = getter(DataView.prototype, 'byteLength')!;
const WeakMapHas = WeakMap.prototype.has;
const WeakSetHas = WeakSet.prototype.has;
const WeakRefDeref = typeof WeakRef === 'function' ? WeakRef.prototype.deref : undefined;
const FinalizationRegistryUnregister =
  typeof FinalizationRegistry === 'function' ? FinalizationRegistry.prototype.unregister : undefined;

const typedArrayCtors: Record<string, new (buffer: ArrayBufferLike, byteOffset: number, length?: number) => ArrayBufferView> =
  {};
for (const name of [
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
  'Float16Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
]) {
  const ctor = (globalThis as Record<string, unknown>)[name];
  if (typeof ctor === 'function') typedArrayCtors[name] = ctor as never;
}

const errorCtors: Record<string, new (message?: string) => Error> = {
  Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError,
};

// ---------------------------------------------------------------------------------------------
// Registries for platform objects

/** A [Serializable] platform interface: https://html.spec.whatwg.org/#serializable-objects */
export interface SerializableInterface {
  name: string;
  is(value: object): boolean;
  /** The serialization steps; their result is handed to deserialize in the same realm. */
  serialize(value: object, forStorage: boolean): unknown;
  deserialize(data: unknown): object;
}

/** A [Transferable] platform interface: https://html.spec.whatwg.org/#transferable-objects */
export interface TransferableInterface {
  name: string;
  is(value: object): boolean;
  /** The value's [[Detached]]. */
  isDetached(value: object): boolean;
  /** The transfer steps (they may throw a DataCloneError); detaching is done by the caller. */
  transfer(value: object): unknown;
  /** Sets [[Detached]] to true. */
  detach(value: object): void;
  /** The transfer-receiving steps. */
  receive(data: unknown): object;
}

/** The realm's cross-origin isolated capability (false in NANO's isolates). */
let crossOriginIsolated = false;

export function setCrossOriginIsolated(value: boolean): void {
  crossOriginIsolated = value;
}

/** The global's `crossOriginIsolated` (WindowOrWorkerGlobalScope): whether SharedArrayBuffers clone. */
export function isCrossOriginIsolated(): boolean {
  return crossOriginIsolated;
}

const serializables: SerializableInterface[] = [];
const transferables: TransferableInterface[] = [];
/** Brand checks of platform objects that are neither serializable nor transferable. */
const platformObjects: Array<{ name: string; is(value: object): boolean }> = [];

export function registerSerializable(kind: SerializableInterface): void {
  serializables.push(kind);
}

export function registerTransferable(kind: TransferableInterface): void {
  transferables.push(kind);
}

/** Registers a brand check: such objects throw DataCloneError instead of cloning as plain objects. */
export function registerPlatformObject(name: string, is: (value: object) => boolean): void {
  platformObjects.push({ name, is });
}

registerSerializable({
  name: 'DOMException',
  is: (x) => isDOMException(x),
  serialize: (x) => serializeDOMException(x as DOMException),
  deserialize: (data) => deserializeDOMException(data as { name: string; message: string }),
});

// Streams are [Transferable], not serializable: transferable-streams.ts registers them.

// ---------------------------------------------------------------------------------------------
// Records

type Serialized = undefined | null | boolean | number | bigint | string | SerializedRecord;

type SerializedRecord =
  | { type: 'Boolean'; value: boolean }
  | { type: 'Number'; value: number }
  | { type: 'BigInt'; value: bigint }
  | { type: 'String'; value: string }
  | { type: 'Date'; value: number }
  | { type: 'RegExp'; source: string; flags: string }
  | { type: 'SharedArrayBuffer'; buffer: SharedArrayBuffer }
  | { type: 'ArrayBuffer'; data: ArrayBuffer }
  | {
      type: 'ArrayBufferView';
      constructor: string;
      buffer: Serialized;
      byteOffset: number;
      /** undefined: a length-tracking view. */
      length: number | undefined;
    }
  | { type: 'Map'; entries: Serialized[] }
  | { type: 'Set'; items: Serialized[] }
  | { type: 'Error'; name: string; message: string | undefined; stack: string | undefined }
  | { type: 'Array'; length: number; properties: Array<string | Serialized> }
  | { type: 'Object'; properties: Array<string | Serialized> }
  | { type: 'Platform'; kind: SerializableInterface; data: unknown }
  | { type: 'Transferred'; index: number };

export interface SerializeWithTransferResult {
  serialized: Serialized;
  transferDataHolders: Array<{ kind: TransferableInterface | null; data: unknown }>;
}

/** A "DataCloneError" DOMException. */
export function dataCloneError(message: string): DOMException {
  return new DOMException(message, 'DataCloneError');
}

function isObject(x: unknown): x is object {
  return (typeof x === 'object' && x !== null) || typeof x === 'function';
}

// ---------------------------------------------------------------------------------------------
// What a value is, by its internal slots

/**
 * Which of the kinds StructuredSerializeInternal tells apart a value is ('Other': an ordinary
 * object, a platform object, or one with internal slots that cannot be cloned).
 *
 * JavaScript has no brand check for most built-in slots that does not throw for anything else
 * (Map.prototype.size, Date.prototype.getTime...), and each throw makes a TypeError: an ordinary
 * object needed ~18 of them, and with its stack trace each cost ~6-8 us, so cloning 10,000 records
 * of three objects each took 6.6 s in an isolate (Node: 18 ms; npm run bench:clone). So: %Object.prototype.toString% tells the slots
 * it knows (Array, Arguments, Boolean, Number, String, Date, RegExp, Error) without a throw, when
 * nothing in the value's prototype chain has a @@toStringTag to override it (an ordinary object,
 * an array, a class instance: the common case); ArrayBuffer.isView tells views; the checks left
 * (slots toString does not tell, or every check when a @@toStringTag hides them) run with V8's
 * stack capture off.
 */
type Kind = 'Boolean' | 'Number' | 'BigInt' | 'String' | 'Date' | 'RegExp' | 'SharedArrayBuffer' | 'ArrayBuffer' | 'View' | 'Map' | 'Set' | 'Error' | 'Array' | 'Arguments' | 'Other';

function kindOf(value: object): Kind {
  const builtinTag = toStringTagFree(value) ? (ReflectApply(ObjectPrototypeToString, value, []) as string) : undefined;
  switch (builtinTag) {
    case '[object Array]':
      return 'Array';
    case '[object Arguments]':
      return 'Arguments';
    case '[object Boolean]':
      return 'Boolean';
    case '[object Number]':
      return 'Number';
    case '[object String]':
      return 'String';
    case '[object Date]':
      return 'Date';
    case '[object RegExp]':
      return 'RegExp';
    case '[object Error]':
      // A DOMException (whose prototype lost its @@toStringTag) is the platform object.
      if (!isDOMException(value)) return 'Error';
  }
  let kind: Kind = 'Other';
  const saved = suspendStackTraces();
  try {
    if (builtinTag === undefined) {
      // A @@toStringTag in the chain: toString could not tell these.
      if (brand(BooleanValueOf, value)) kind = 'Boolean';
      else if (brand(NumberValueOf, value)) kind = 'Number';
      else if (brand(StringValueOf, value)) kind = 'String';
      else if (brand(DateGetTime, value)) kind = 'Date';
      else if (value !== RegExpPrototype && brand(regExpSource, value)) kind = 'RegExp';
    }
    if (kind !== 'Other') return kind;
    if (brand(BigIntValueOf, value)) kind = 'BigInt';
    else if (isSharedArrayBuffer(value)) kind = 'SharedArrayBuffer';
    else if (isArrayBuffer(value)) kind = 'ArrayBuffer';
    else if (ArrayBufferIsView(value)) kind = 'View';
    else if (brand(mapSize, value)) kind = 'Map';
    else if (brand(setSize, value)) kind = 'Set';
  } finally {
    restoreStackTraces(saved);
  }
  // Outside the suspension: toString may run a @@toStringTag getter of the app's.
  if (kind === 'Other' && builtinTag === undefined) {
    if (isErrorObject(value)) kind = 'Error';
    else if (ArrayIsArray(value)) kind = 'Array';
  }
  return kind;
}

/** Whether no object in value's prototype chain (value included) has an own @@toStringTag. */
function toStringTagFree(value: object): boolean {
  for (let o: object | null = value; o !== null; o = ObjectGetPrototypeOf(o) as object | null) {
    if (ReflectApply(ObjectPrototypeHasOwnProperty, o, [SymbolToStringTag])) return false;
  }
  return true;
}

const NOT_SUSPENDED = Symbol('not suspended');

/**
 * Error.stackTraceLimit 0 while only built-in brand checks run (no app code: the
 * checks are intrinsics, called on the value), so their TypeErrors capture no stack (~3x
 * cheaper). Left alone when the app made it an accessor or read-only.
 */
function suspendStackTraces(): unknown {
  const d = ObjectGetOwnPropertyDescriptor(ErrorCtor, 'stackTraceLimit');
  if (d === undefined || d.writable !== true) return NOT_SUSPENDED;
  (ErrorCtor as { stackTraceLimit: unknown }).stackTraceLimit = 0;
  return d.value;
}

function restoreStackTraces(saved: unknown): void {
  if (saved !== NOT_SUSPENDED) (ErrorCtor as { stackTraceLimit: unknown }).stackTraceLimit = saved;
}

/** Symbol, WeakMap, WeakSet, WeakRef or FinalizationRegistry slots: not cloneable (checked with stacks off). */
function hasOtherInternalSlotsUnstacked(value: object): boolean {
  const saved = suspendStackTraces();
  try {
    return hasOtherInternalSlots(value);
  } finally {
    restoreStackTraces(saved);
  }
}

function brand(fn: Function | undefined, x: object, args: unknown[] = []): boolean {
  if (fn === undefined) return false;
  try {
    ReflectApply(fn, x, args);
    return true;
  } catch {
    return false;
  }
}

function isArrayBuffer(x: object): x is ArrayBuffer {
  return brand(abByteLength, x);
}

function isSharedArrayBuffer(x: object): x is SharedArrayBuffer {
  return brand(sabByteLength, x);
}

function isDetached(buffer: ArrayBuffer): boolean {
  if (abDetached !== undefined) return ReflectApply(abDetached, buffer, []) as boolean;
  if ((ReflectApply(abByteLength, buffer, []) as number) !== 0) return false;
  try {
    new Uint8ArrayCtor(buffer);
    return false;
  } catch {
    return true;
  }
}

function isTypedArray(x: object): boolean {
  return ReflectApply(taName, x, []) !== undefined;
}

/** A copy of a buffer's bytes, keeping resizability (no species lookup, unlike slice()). */
function copyArrayBuffer(buffer: ArrayBuffer): ArrayBuffer {
  const length = ReflectApply(abByteLength, buffer, []) as number;
  const resizable = abResizable !== undefined && (ReflectApply(abResizable, buffer, []) as boolean);
  const copy = resizable
    ? new (ArrayBufferCtor as unknown as new (n: number, o: object) => ArrayBuffer)(length, {
        maxByteLength: ReflectApply(abMaxByteLength!, buffer, []) as number,
      })
    : new ArrayBufferCtor(length);
  ReflectApply(Uint8ArraySet, new Uint8ArrayCtor(copy), [new Uint8ArrayCtor(buffer, 0, length)]);
  return copy;
}

// ---------------------------------------------------------------------------------------------
// Serialization

/** https://html.spec.whatwg.org/multipage/structured-data.html#structuredserializeinternal */
function StructuredSerializeInternal(value: unknown, forStorage: boolean, memory: Map<object, Serialized>): Serialized {
  // Step 1-3 (primitives stand for themselves).
  if (!isObject(value)) {
    // Step 4.
    if (typeof value === 'symbol') throw dataCloneError(`${String(value)} could not be cloned.`);
    return value as Serialized;
  }
  const existing = memory.get(value);
  if (existing !== undefined) return existing;
  // Step 2.
  let deep = false;
  let serialized: SerializedRecord;
  // Step 6: what the value is, by its internal slots.
  if (typeof value === 'function') throw dataCloneError(`${describe(value)} could not be cloned.`);
  const kind = kindOf(value);
  if (kind === 'Boolean') {
    serialized = { type: 'Boolean', value: ReflectApply(BooleanValueOf, value, []) as boolean };
  } else if (kind === 'Number') {
    serialized = { type: 'Number', value: ReflectApply(NumberValueOf, value, []) as number };
  } else if (kind === 'BigInt') {
    serialized = { type: 'BigInt', value: ReflectApply(BigIntValueOf, value, []) as bigint };
  } else if (kind === 'String') {
    serialized = { type: 'String', value: ReflectApply(StringValueOf, value, []) as string };
  } else if (kind === 'Date') {
    serialized = { type: 'Date', value: ReflectApply(DateGetTime, value, []) as number };
  } else if (kind === 'RegExp') {
    let flags = '';
    for (const [flag, get] of regExpFlagGetters) if (get !== undefined && ReflectApply(get, value, [])) flags += flag;
    serialized = { type: 'RegExp', source: ReflectApply(regExpSource, value, []) as string, flags };
  } else if (kind === 'SharedArrayBuffer') {
    // An isolate is not cross-origin isolated: its "cross-origin isolated capability" is false.
    if (forStorage || !crossOriginIsolated) throw dataCloneError('A SharedArrayBuffer could not be cloned.');
    // One agent: the "new" SharedArrayBuffer shares the data block; the object is the same.
    serialized = { type: 'SharedArrayBuffer', buffer: value as SharedArrayBuffer };
  } else if (kind === 'ArrayBuffer') {
    if (isDetached(value as ArrayBuffer)) throw dataCloneError('An ArrayBuffer is detached and could not be cloned.');
    serialized = { type: 'ArrayBuffer', data: copyArrayBuffer(value as ArrayBuffer) };
  } else if (kind === 'View') {
    serialized = serializeView(value as ArrayBufferView, forStorage, memory);
  } else if (kind === 'Map') {
    serialized = { type: 'Map', entries: [] };
    deep = true;
  } else if (kind === 'Set') {
    serialized = { type: 'Set', items: [] };
    deep = true;
  } else if (kind === 'Error') {
    serialized = serializeError(value);
  } else if (kind === 'Array') {
    // OrdinaryGetOwnProperty(value, "length").
    const length = (ObjectGetOwnPropertyDescriptor(value, 'length')!.value as number) ?? 0;
    serialized = { type: 'Array', length, properties: [] };
    deep = true;
  } else if (kind === 'Arguments') {
    // An arguments object has [[ParameterMap]] (an internal slot besides [[Prototype]] and [[Extensible]]).
    throw dataCloneError('An arguments object could not be cloned.');
  } else {
    const platform = platformKind(value);
    if (platform !== undefined) {
      if (platform.serializable === undefined) throw dataCloneError(`${platform.name} object could not be cloned.`);
      serialized = { type: 'Platform', kind: platform.serializable, data: undefined };
      // Platform serialization steps may recurse (they get the memory through this record).
      memory.set(value, serialized);
      (serialized as { data: unknown }).data = platform.serializable.serialize(value, forStorage);
      return serialized;
    }
    if (hasOtherInternalSlotsUnstacked(value)) throw dataCloneError(`${describe(value)} could not be cloned.`);
    serialized = { type: 'Object', properties: [] };
    deep = true;
  }
  // Step 8.
  memory.set(value, serialized);
  // Step 9.
  if (deep) {
    if (serialized.type === 'Map') {
      // Step 9.1: copy the entries first; serializing them may mutate the map.
      const copied: unknown[] = [];
      ReflectApply(MapPrototypeForEach, value, [(v: unknown, k: unknown) => void copied.push(k, v)]);
      for (let i = 0; i < copied.length; i++) {
        serialized.entries.push(StructuredSerializeInternal(copied[i], forStorage, memory));
      }
    } else if (serialized.type === 'Set') {
      const copied: unknown[] = [];
      ReflectApply(SetPrototypeForEach, value, [(v: unknown) => void copied.push(v)]);
      for (let i = 0; i < copied.length; i++) {
        serialized.items.push(StructuredSerializeInternal(copied[i], forStorage, memory));
      }
    } else if (serialized.type === 'Array' || serialized.type === 'Object') {
      // Step 9.3: EnumerableOwnProperties(value, key), which Object.keys is (the same
      // [[OwnPropertyKeys]] and [[GetOwnProperty]] calls, natively), then each still-own property's value.
      const keys = ObjectKeys(value);
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        if (!ReflectApply(ObjectPrototypeHasOwnProperty, value, [key])) continue;
        const inputValue = (value as Record<string, unknown>)[key];
        const outputValue = StructuredSerializeInternal(inputValue, forStorage, memory);
        serialized.properties.push(key, outputValue);
      }
    }
  }
  return serialized;
}

function serializeView(view: ArrayBufferView, forStorage: boolean, memory: Map<object, Serialized>): SerializedRecord {
  const typed = isTypedArray(view);
  const buffer = ReflectApply(typed ? taBuffer : dvBuffer, view, []) as ArrayBuffer;
  // Step: IsArrayBufferViewOutOfBounds (detached counts as out of bounds).
  if (isViewOutOfBounds(view, typed, buffer)) throw dataCloneError('An ArrayBuffer view is out of bounds and could not be cloned.');
  const bufferSerialized = StructuredSerializeInternal(buffer, forStorage, memory);
  const byteOffset = ReflectApply(typed ? taByteOffset : dvByteOffset, view, []) as number;
  const byteLength = ReflectApply(typed ? taByteLength : dvByteLength, view, []) as number;
  const ctor = typed ? (ReflectApply(taName, view, []) as string) : 'DataView';
  // A view over a resizable buffer that reaches the buffer's end is taken as length-tracking:
  // JavaScript cannot tell it from a fixed-length view that happens to end there.
  const resizable = abResizable !== undefined && isArrayBuffer(buffer) && (ReflectApply(abResizable, buffer, []) as boolean);
  const tracking = resizable && byteOffset + byteLength === (ReflectApply(abByteLength, buffer, []) as number);
  const length = tracking ? undefined : typed ? (ReflectApply(taLength, view, []) as number) : byteLength;
  return { type: 'ArrayBufferView', constructor: ctor, buffer: bufferSerialized, byteOffset, length };
}

function isViewOutOfBounds(view: ArrayBufferView, typed: boolean, buffer: ArrayBufferLike): boolean {
  if (isArrayBuffer(buffer) && isDetached(buffer as ArrayBuffer)) return true;
  try {
    // Both throw a TypeError for an out-of-bounds view and nothing else.
    if (typed) {
      if (taAt !== undefined) ReflectApply(taAt, view, [0]);
    } else {
      ReflectApply(dvByteLength, view, []);
    }
    return false;
  } catch {
    return true;
  }
}

/** [[ErrorData]]: no brand check exists in JavaScript; %Object.prototype.toString% tells it. */
function isErrorObject(value: object): boolean {
  return (ReflectApply(ObjectPrototypeToString, value, []) as string) === '[object Error]' && !isDOMException(value);
}

function serializeError(value: object): SerializedRecord {
  // Step: name is ? Get(value, "name"), one of the seven or "Error".
  const nameValue = (value as { name?: unknown }).name;
  const name = typeof nameValue === 'string' && errorCtors[nameValue] !== undefined ? nameValue : 'Error';
  // Step: message from the own data property only.
  const desc = ObjectGetOwnPropertyDescriptor(value, 'message');
  let message: string | undefined;
  if (desc !== undefined && 'value' in desc) {
    const m = desc.value;
    if (typeof m === 'symbol') throw new TypeErrorCtor('Cannot convert a Symbol value to a string');
    message = `${m as string}`;
  }
  // "Interesting accompanying data": the stack, as the engines keep it.
  const stackDesc = ObjectGetOwnPropertyDescriptor(value, 'stack');
  const stack = stackDesc !== undefined && 'value' in stackDesc && typeof stackDesc.value === 'string' ? stackDesc.value : undefined;
  return { type: 'Error', name, message, stack };
}

function platformKind(value: object): { name: string; serializable: SerializableInterface | undefined } | undefined {
  for (const kind of serializables) if (kind.is(value)) return { name: kind.name, serializable: kind };
  for (const kind of transferables) if (kind.is(value)) return { name: kind.name, serializable: undefined };
  for (const kind of platformObjects) if (kind.is(value)) return { name: kind.name, serializable: undefined };
  return undefined;
}

/** Objects with internal slots besides [[Prototype]]/[[Extensible]] that JavaScript can detect. */
function hasOtherInternalSlots(value: object): boolean {
  return (
    brand(SymbolValueOf, value) ||
    brand(WeakMapHas, value, [{}]) ||
    brand(WeakSetHas, value, [{}]) ||
    brand(WeakRefDeref, value) ||
    brand(FinalizationRegistryUnregister, value, [{}])
  );
}

function describe(value: unknown): string {
  if (typeof value === 'function') return `${(value as { name?: unknown }).name ? `function ${String((value as Function).name)}` : 'A function'}`;
  if (typeof value === 'symbol') return 'A symbol';
  return 'An object';
}

/** https://html.spec.whatwg.org/multipage/structured-data.html#structuredserializewithtransfer */
export function StructuredSerializeWithTransfer(value: unknown, transferList: readonly object[]): SerializeWithTransferResult {
  // Step 1.
  const memory = new MapCtor<object, Serialized>();
  const kinds: Array<TransferableInterface | null> = [];
  // Step 2.
  for (let i = 0; i < transferList.length; i++) {
    const transferable = transferList[i]!;
    let kind: TransferableInterface | null = null;
    if (!isArrayBuffer(transferable)) {
      // Step 2.1: neither [[ArrayBufferData]] nor [[Detached]].
      for (const k of transferables) {
        if (k.is(transferable)) {
          kind = k;
          break;
        }
      }
      if (kind === null) {
        const platform = platformKind(transferable);
        throw dataCloneError(
          platform !== undefined
            ? `${platform.name} object could not be transferred.`
            : isSharedArrayBuffer(transferable)
              ? 'A SharedArrayBuffer could not be transferred.'
              : 'Value at index ' + i + ' does not have a transferable type.',
        );
      }
    }
    // Step 2.3.
    if (memory.has(transferable)) throw dataCloneError(`Value at index ${i} is a duplicate of an earlier value.`);
    // Step 2.4.
    memory.set(transferable, { type: 'Transferred', index: i });
    kinds.push(kind);
  }
  // Step 3.
  const serialized = StructuredSerializeInternal(value, false, memory);
  // Step 4.
  const transferDataHolders: SerializeWithTransferResult['transferDataHolders'] = [];
  // Step 5: check all first, so a failure detaches nothing.
  for (let i = 0; i < transferList.length; i++) {
    const transferable = transferList[i]!;
    const kind = kinds[i]!;
    if (kind === null ? isDetached(transferable as ArrayBuffer) : kind.isDetached(transferable)) {
      throw dataCloneError(`${kind === null ? 'An ArrayBuffer' : `A ${kind.name}`} is detached and could not be transferred.`);
    }
  }
  for (let i = 0; i < transferList.length; i++) {
    const transferable = transferList[i]!;
    const kind = kinds[i]!;
    if (kind === null) {
      // Steps 5.4: the data block moves; the original is detached.
      if (abTransfer === undefined) throw dataCloneError('This environment cannot detach ArrayBuffers.');
      let moved: ArrayBuffer;
      try {
        moved = ReflectApply(abTransfer, transferable, []) as ArrayBuffer;
      } catch {
        // A buffer with a detach key (WebAssembly.Memory) cannot be detached.
        throw dataCloneError(`The ArrayBuffer at index ${i} could not be transferred.`);
      }
      transferDataHolders.push({ kind: null, data: moved });
    } else {
      // Step 5.5.
      const data = kind.transfer(transferable);
      kind.detach(transferable);
      transferDataHolders.push({ kind, data });
    }
  }
  return { serialized, transferDataHolders };
}

/** https://html.spec.whatwg.org/multipage/structured-data.html#structuredserialize */
export function StructuredSerialize(value: unknown): Serialized {
  return StructuredSerializeInternal(value, false, new MapCtor());
}

// ---------------------------------------------------------------------------------------------
// Deserialization

/** https://html.spec.whatwg.org/multipage/structured-data.html#structureddeserialize */
/** Objects and arrays with at least this many properties are filled by assignment where it is safe. */
const ASSIGN_FROM = 32;
const ObjectPrototype = Object.prototype;
const ArrayPrototype = Array.prototype;
const ObjectGetOwnPropertyNames = Object.getOwnPropertyNames;

/**
 * The keys for which assigning to a fresh object (or array) is not CreateDataProperty, or
 * undefined when no key is safe; worked out once per deserialization (no script runs during one)
 * and only when an object has many properties. `object[key] = value` on a fresh ordinary object
 * walks its prototype chain (Object.prototype, and Array.prototype for an array): it defines an
 * own data property unless it meets an accessor there (it would call the setter: `__proto__`
 * would set the prototype) or a read-only data property (it would fail). So every such key of
 * those prototypes is blocked; and for arrays nothing is safe if Array.prototype's own prototype
 * is no longer Object.prototype (it might be a proxy).
 */
function assignable(array: boolean): ReadonlySet<string> | undefined {
  assignability ??= { object: blockedKeys([ObjectPrototype]), array: ObjectGetPrototypeOf(ArrayPrototype) === ObjectPrototype ? blockedKeys([ArrayPrototype, ObjectPrototype]) : undefined };
  return array ? assignability.array : assignability.object;
}

let assignability: { object: ReadonlySet<string>; array: ReadonlySet<string> | undefined } | undefined;

function blockedKeys(prototypes: readonly object[]): ReadonlySet<string> {
  const blocked = new SetCtor<string>();
  for (const proto of prototypes) {
    for (const name of ObjectGetOwnPropertyNames(proto)) {
      const d = ObjectGetOwnPropertyDescriptor(proto, name)!;
      if (!('value' in d) || d.writable !== true) blocked.add(name);
    }
  }
  return blocked;
}

/** An array's length, set last (StructuredDeserialize). */
const lengthDescriptor: PropertyDescriptor = { __proto__: null, value: 0 } as PropertyDescriptor;

/** The descriptor CreateDataProperty defines with (StructuredDeserialize), its value set per property. */
const dataDescriptor: PropertyDescriptor = { __proto__: null, value: undefined, writable: true, enumerable: true, configurable: true } as PropertyDescriptor;

function StructuredDeserialize(serialized: Serialized, memory: Map<SerializedRecord, unknown>): unknown {
  if (typeof serialized !== 'object' || serialized === null) return serialized;
  if (memory.has(serialized)) return memory.get(serialized);
  let value: unknown;
  switch (serialized.type) {
    case 'Boolean':
    case 'Number':
    case 'BigInt':
    case 'String':
      value = ObjectCtor(serialized.value);
      break;
    case 'Date':
      value = new DateCtor(serialized.value);
      break;
    case 'RegExp':
      value = new RegExpCtor(serialized.source, serialized.flags);
      break;
    case 'SharedArrayBuffer':
      value = serialized.buffer;
      break;
    case 'ArrayBuffer':
      // The serialized copy is this realm's already and is deserialized once: it is the value.
      value = serialized.data;
      break;
    case 'ArrayBufferView': {
      const buffer = StructuredDeserialize(serialized.buffer, memory) as ArrayBuffer;
      if (serialized.constructor === 'DataView') {
        value = serialized.length === undefined
          ? new DataViewCtor(buffer, serialized.byteOffset)
          : new DataViewCtor(buffer, serialized.byteOffset, serialized.length);
      } else {
        const Ctor = typedArrayCtors[serialized.constructor];
        if (Ctor === undefined) throw dataCloneError(`${serialized.constructor} is not supported.`);
        value = serialized.length === undefined
          ? new Ctor(buffer, serialized.byteOffset)
          : new Ctor(buffer, serialized.byteOffset, serialized.length);
      }
      break;
    }
    case 'Map': {
      const map = new MapCtor();
      memory.set(serialized, map);
      const entries = serialized.entries;
      for (let i = 0; i < entries.length; i += 2) {
        const k = StructuredDeserialize(entries[i], memory);
        const v = StructuredDeserialize(entries[i + 1], memory);
        ReflectApply(MapPrototypeSet, map, [k, v]);
      }
      return map;
    }
    case 'Set': {
      const set = new SetCtor();
      memory.set(serialized, set);
      for (const item of serialized.items) ReflectApply(SetPrototypeAdd, set, [StructuredDeserialize(item, memory)]);
      return set;
    }
    case 'Error': {
      const Ctor = errorCtors[serialized.name] ?? Error;
      const error = new Ctor();
      if (serialized.message !== undefined) {
        ObjectDefineProperty(error, 'message', { value: serialized.message, writable: true, enumerable: false, configurable: true });
      }
      if (serialized.stack !== undefined) {
        ObjectDefineProperty(error, 'stack', { value: serialized.stack, writable: true, enumerable: false, configurable: true });
      }
      value = error;
      break;
    }
    case 'Array':
    case 'Object': {
      // ArrayCreate(length), built as an empty array whose length is set last: V8 makes
      // `new Array(n)` for large n a dictionary of elements, where each property defined is a
      // hash insert (100,000 numbers: ~60 ms of the clone's 100). No script sees the array
      // before it is complete.
      const array = serialized.type === 'Array';
      const object: Record<string, unknown> = array ? (new ArrayCtor() as never) : {};
      memory.set(serialized, object);
      const properties = serialized.properties;
      // Many properties: an assignment where it is CreateDataProperty (assignable), ~20x faster
      // than Object.defineProperty, which costs ~0.5 us a call.
      const blocked = properties.length >= ASSIGN_FROM * 2 ? assignable(array) : undefined;
      for (let i = 0; i < properties.length; i += 2) {
        const key = properties[i] as string;
        const value = StructuredDeserialize(properties[i + 1] as Serialized, memory);
        if (blocked !== undefined && !blocked.has(key)) {
          object[key] = value;
        } else {
          // CreateDataProperty (never a setter of Object.prototype's or Array.prototype's). One
          // descriptor for all, without a prototype (a `get` on Object.prototype cannot join it).
          dataDescriptor.value = value;
          ObjectDefineProperty(object, key, dataDescriptor);
        }
      }
      dataDescriptor.value = undefined;
      if (array && (object as unknown as unknown[]).length !== serialized.length) {
        lengthDescriptor.value = serialized.length;
        ObjectDefineProperty(object, 'length', lengthDescriptor);
      }
      return object;
    }
    case 'Platform':
      value = serialized.kind.deserialize(serialized.data);
      break;
    case 'Transferred':
      // Filled in by StructuredDeserializeWithTransfer before anything else.
      throw dataCloneError('A transferred value was not received.');
  }
  memory.set(serialized, value);
  return value;
}

/** https://html.spec.whatwg.org/multipage/structured-data.html#structureddeserializewithtransfer */
export function StructuredDeserializeWithTransfer(record: SerializeWithTransferResult): {
  deserialized: unknown;
  transferredValues: unknown[];
} {
  const memory = new MapCtor<SerializedRecord, unknown>();
  const transferredValues: unknown[] = [];
  const placeholders = collectPlaceholders(record.serialized);
  for (let i = 0; i < record.transferDataHolders.length; i++) {
    const holder = record.transferDataHolders[i]!;
    const value = holder.kind === null ? holder.data : holder.kind.receive(holder.data);
    const placeholder = placeholders.get(i);
    if (placeholder !== undefined) memory.set(placeholder, value);
    transferredValues.push(value);
  }
  // Which keys may be assigned is worked out again for each deserialization: scripts run between them.
  assignability = undefined;
  const deserialized = StructuredDeserialize(record.serialized, memory);
  assignability = undefined;
  return { deserialized, transferredValues };
}

/** The 'Transferred' records by index (each transferred value has one, shared by all its uses). */
function collectPlaceholders(root: Serialized): Map<number, SerializedRecord> {
  const found = new MapCtor<number, SerializedRecord>();
  const seen = new SetCtor<SerializedRecord>();
  const stack: Serialized[] = [root];
  while (stack.length > 0) {
    const s = stack.pop();
    if (typeof s !== 'object' || s === null || seen.has(s)) continue;
    seen.add(s);
    switch (s.type) {
      case 'Transferred':
        found.set(s.index, s);
        break;
      case 'ArrayBufferView':
        stack.push(s.buffer);
        break;
      case 'Map':
        for (const e of s.entries) stack.push(e);
        break;
      case 'Set':
        for (const e of s.items) stack.push(e);
        break;
      case 'Array':
      case 'Object':
        for (let i = 1; i < s.properties.length; i += 2) stack.push(s.properties[i] as Serialized);
        break;
      default:
        break;
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// structuredClone(): https://html.spec.whatwg.org/multipage/structured-data.html#dom-structuredclone

/** StructuredSerializeOptions' `transfer`: sequence<object>. */
export function convertTransferOption(options: unknown, where: string): object[] {
  if (options === undefined || options === null) return [];
  if (!isObject(options)) throw new TypeErrorCtor(`${where}: The provided value is not of type 'StructuredSerializeOptions'.`);
  const transfer = (options as { transfer?: unknown }).transfer;
  if (transfer === undefined) return [];
  return convertObjectSequence(transfer, where);
}

export function convertObjectSequence(value: unknown, where: string): object[] {
  if (!isObject(value)) throw new TypeErrorCtor(`${where}: The provided value cannot be converted to a sequence.`);
  const method = (value as { [Symbol.iterator]?: unknown })[SymbolIterator];
  if (typeof method !== 'function') throw new TypeErrorCtor(`${where}: The object must have a callable @@iterator property.`);
  const iterator = ReflectApply(method, value, []) as Iterator<unknown>;
  if (!isObject(iterator)) throw new TypeErrorCtor(`${where}: The iterator is not an object.`);
  const next = iterator.next;
  const out: object[] = [];
  for (;;) {
    const result = ReflectApply(next, iterator, []) as IteratorResult<unknown>;
    if (!isObject(result)) throw new TypeErrorCtor(`${where}: The iterator result is not an object.`);
    if (result.done) return out;
    const item = result.value;
    if (!isObject(item)) throw new TypeErrorCtor(`${where}: Value is not of type 'object'.`);
    out.push(item);
  }
}

/** The structuredClone(value, options) method of the global. */
export function structuredClone(value: unknown, options: unknown = undefined): unknown {
  if (arguments.length < 1) {
    throw new TypeErrorCtor("Failed to execute 'structuredClone' on 'Window': 1 argument required, but only 0 present.");
  }
  const transfer = convertTransferOption(options, "Failed to execute 'structuredClone'");
  // Step 1.
  const serialized = StructuredSerializeWithTransfer(value, transfer);
  // Step 2.
  const deserializeRecord = StructuredDeserializeWithTransfer(serialized);
  // Step 3.
  return deserializeRecord.deserialized;
}
