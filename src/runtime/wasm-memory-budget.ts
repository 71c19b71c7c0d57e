// WebAssembly memories live outside the V8 heap, so an isolate's memory limit does not see them:
// without this, one app could fill the machine's memory with `new WebAssembly.Memory(...)`. Every
// memory an app can make gets a maximum of at most the app's memory limit, and the maxima of an
// isolate's live memories together stay within MEMORIES_PER_LIMIT times it: a JS-made memory gets
// its maximum capped (a RangeError past the budget); a module that defines its own memory is
// compiled with its declared maximum capped in its bytes, and instantiating it takes that maximum
// from the budget. A memory's pages return to the budget when it is collected: a JS-made memory
// when that memory is; a module's own memory when its instance and every memory the instance
// exports are (an exported memory outlives an instance nobody holds).
import { bufferSourceBytes } from '../web/buffer-source.js';

const PAGE = 65536;
/** How many full-size memories an app may hold at once: the budget is this many times its limit. */
const MEMORIES_PER_LIMIT = 8;

// The compiler's lib has no WebAssembly types (no DOM lib): the few shapes used here.
type WasmModule = object;
type WasmCtor = new (...args: unknown[]) => object;
interface WasmNamespace {
  Memory: WasmCtor & { prototype: object };
  Module: WasmCtor & { prototype: object; exports: unknown; imports: unknown; customSections: unknown };
  Instance: WasmCtor & { prototype: object };
  CompileError: new (message: string) => Error;
  compile(bytes: unknown): Promise<WasmModule>;
  instantiate(source: unknown, imports?: unknown): Promise<unknown>;
}
const WA = (globalThis as unknown as { WebAssembly: WasmNamespace }).WebAssembly;

/** One memory's cap (the app's memory limit) and the cap of all live memories' maxima together. */
let memoryPages = Infinity;
let budgetPages = Infinity;
let usedPages = 0;
/** Pages held until all `alive` of the objects registered with it are collected. */
interface Hold {
  pages: number;
  alive: number;
}
const released = new FinalizationRegistry<Hold>((hold) => {
  if (--hold.alive === 0) usedPages -= hold.pages;
});
function holdUntilCollected(targets: object[], pages: number): void {
  const hold: Hold = { pages, alive: targets.length };
  for (let i = 0; i < targets.length; i++) released.register(targets[i]!, hold);
}
const ObjectValues = Object.values;
const ReflectApply = Reflect.apply;
const ObjectGetPrototypeOf = Object.getPrototypeOf;

function take(pages: number, what: string): void {
  if (usedPages + pages > budgetPages) {
    throw new RangeError(`${what}: WebAssembly memory beyond the app's budget (${budgetPages / 16} MiB of maxima for all of its memories together)`);
  }
  usedPages += pages;
}

/** Reads an unsigned LEB128 at `offset`: [value, next offset]. */
function readLEB(bytes: Uint8Array, offset: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    if (offset >= bytes.length) throw new WA.CompileError('truncated LEB128');
    const byte = bytes[offset++]!;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, offset];
    shift += 7;
  }
}

function writeLEB(value: number, out: number[]): void {
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
}

/**
 * The module's bytes with each memory it defines given a maximum of at most `cap` pages, and the
 * sum of those maxima. A module whose memory starts above the cap, or a 64-bit memory, is
 * refused; anything malformed is left for the compiler to refuse.
 */
export function capModuleMemories(bytes: Uint8Array, cap: number): { bytes: Uint8Array; pages: number } {
  if (bytes.length < 8) return { bytes, pages: 0 };
  const out: number[] = Array.from(bytes.subarray(0, 8));
  let offset = 8;
  let pages = 0;
  let changed = false;
  while (offset < bytes.length) {
    const id = bytes[offset]!;
    const [size, start] = readLEB(bytes, offset + 1);
    const end = start + size;
    if (end > bytes.length) return { bytes, pages: 0 };
    if (id !== 5) {
      for (let i = offset; i < end; i++) out.push(bytes[i]!);
      offset = end;
      continue;
    }
    // The memory section: a vector of limits (flags, initial[, maximum]).
    const body: number[] = [];
    let [count, p] = readLEB(bytes, start);
    writeLEB(count, body);
    // Several memories share the cap.
    const each = count > 0 ? Math.floor(cap / count) : cap;
    for (; count > 0; count--) {
      const flags = bytes[p++]!;
      if (flags & 0x04) throw new WA.CompileError('64-bit WebAssembly memories are not supported here');
      let initial: number;
      [initial, p] = readLEB(bytes, p);
      let maximum = Infinity;
      if (flags & 0x01) [maximum, p] = readLEB(bytes, p);
      if (initial > each) throw new RangeError(`WebAssembly: a memory of ${initial} pages is beyond the app's memory limit`);
      const capped = Math.min(maximum, each);
      if (capped !== maximum) changed = true;
      pages += capped;
      body.push(flags | 0x01);
      writeLEB(initial, body);
      writeLEB(capped, body);
    }
    if (p !== end) return { bytes, pages: 0 };
    out.push(5);
    writeLEB(body.length, out);
    for (const b of body) out.push(b);
    offset = end;
  }
  return { bytes: changed ? Uint8Array.from(out) : bytes, pages };
}

/** A compiled module's bytes (a copy) and the pages its own memories take, each capped at one memory's cap. */
const moduleInfo = new WeakMap<WasmModule, { bytes: Uint8Array; pages: number }>();

/** Installs the budget: `limitMb` for all WebAssembly memories of this isolate at once. */
export function installWasmMemoryBudget(limitMb: number): void {
  memoryPages = Math.max(1, Math.floor((limitMb * 1048576) / PAGE));
  budgetPages = memoryPages * MEMORIES_PER_LIMIT;
  const W = WA;
  const OriginalMemory = W.Memory;
  const OriginalModule = W.Module;
  const OriginalInstance = W.Instance;
  const instanceExports = Object.getOwnPropertyDescriptor(OriginalInstance.prototype, 'exports')!.get!;

  /** Compiles `source` with its memories capped at one memory's cap, remembering its bytes. */
  const compileCapped = (source: unknown): WasmModule => {
    // Shared, resizable or not a BufferSource: the original constructor refuses it as it should.
    const bytes = bufferSourceBytes(source, false);
    // A copy first: the caller may change its buffer afterwards.
    if (bytes === undefined) return new OriginalModule(source);
    const copy = bytes.slice();
    const capped = capModuleMemories(copy, memoryPages);
    const module = new OriginalModule(capped.bytes);
    if (capped.pages > 0) moduleInfo.set(module, { bytes: copy, pages: capped.pages });
    return module;
  };
  /**
   * Instantiates `module`, its own memories taking their maxima from what the budget has left:
   * when that is less than they were compiled with, the instance is made from the module's
   * bytes compiled again with the smaller cap.
   */
  const instantiateWithin = (module: WasmModule, imports: unknown): object => {
    const info = moduleInfo.get(module);
    if (info === undefined) return new OriginalInstance(module, imports);
    let compiled = module;
    let pages = info.pages;
    const left = budgetPages - usedPages;
    if (pages > left) {
      const recapped = capModuleMemories(info.bytes, left);
      compiled = new OriginalModule(recapped.bytes);
      pages = recapped.pages;
    }
    take(pages, 'WebAssembly.Instance');
    let instance: object;
    try {
      instance = new OriginalInstance(compiled, imports);
    } catch (error) {
      usedPages -= pages;
      throw error;
    }
    // Its memory lives while the instance does, or an exported Memory object (which may be
    // imported elsewhere too: counted with the instance's pages, a conservative overcount).
    const targets = [instance];
    const exported = ObjectValues(ReflectApply(instanceExports, instance, []) as object);
    for (let i = 0; i < exported.length; i++) {
      const value = exported[i];
      if (typeof value === 'object' && value !== null && ObjectGetPrototypeOf(value) === OriginalMemory.prototype) targets.push(value);
    }
    holdUntilCollected(targets, pages);
    return instance;
  };

  const Memory = function Memory(this: unknown, descriptor: { initial?: unknown; maximum?: unknown; shared?: unknown }) {
    if (new.target === undefined) throw new TypeError("Failed to construct 'WebAssembly.Memory': Please use the 'new' operator");
    const initial = Number(descriptor?.initial ?? 0);
    // No maximum given: the app's memory limit (a memory must not grow past it later).
    const maximum = descriptor?.maximum === undefined ? memoryPages : Math.min(Number(descriptor.maximum), memoryPages);
    if (!(initial <= maximum)) throw new RangeError(`WebAssembly.Memory: ${initial} pages are beyond the app's memory limit`);
    take(maximum, 'WebAssembly.Memory');
    const memory = new OriginalMemory({ ...descriptor, initial, maximum });
    holdUntilCollected([memory], maximum);
    Object.setPrototypeOf(memory, new.target.prototype);
    return memory;
  } as unknown as WasmNamespace['Memory'];
  Memory.prototype = OriginalMemory.prototype;
  Object.defineProperty(OriginalMemory.prototype, 'constructor', { value: Memory, writable: true, configurable: true });

  const Module = function Module(this: unknown, source: unknown) {
    if (new.target === undefined) throw new TypeError("Failed to construct 'WebAssembly.Module': Please use the 'new' operator");
    const module = compileCapped(source);
    Object.setPrototypeOf(module, new.target.prototype);
    return module;
  } as unknown as WasmNamespace['Module'];
  Module.prototype = OriginalModule.prototype;
  for (const key of ['exports', 'imports', 'customSections'] as const) (Module as unknown as Record<string, unknown>)[key] = OriginalModule[key];
  Object.defineProperty(OriginalModule.prototype, 'constructor', { value: Module, writable: true, configurable: true });

  const Instance = function Instance(this: unknown, module: WasmModule, imports?: unknown) {
    if (new.target === undefined) throw new TypeError("Failed to construct 'WebAssembly.Instance': Please use the 'new' operator");
    const instance = instantiateWithin(module, imports);
    Object.setPrototypeOf(instance, new.target.prototype);
    return instance;
  } as unknown as WasmNamespace['Instance'];
  Instance.prototype = OriginalInstance.prototype;
  Object.defineProperty(OriginalInstance.prototype, 'constructor', { value: Instance, writable: true, configurable: true });

  // compile() and instantiate() do their work synchronously and settle at once: V8's
  // asynchronous compilation posts tasks isolated-vm does not always run, and a promise that
  // never settles was seen here (a module with a memory, now and then one without).
  const PromiseCtor = Promise;
  const compile = function compile(source: unknown): Promise<WasmModule> {
    return new PromiseCtor((resolve) => resolve(new Module(source)));
  };
  const instantiate = function instantiate(source: unknown, imports?: unknown): Promise<unknown> {
    return new PromiseCtor((resolve) => {
      if (source instanceof OriginalModule) return resolve(new Instance(source, imports));
      const module = new Module(source);
      resolve({ module, instance: new Instance(module, imports) });
    });
  };
  // The constructors' and functions' lengths as the JS API defines them (its optional arguments do not count).
  for (const fn of [Instance, compile, instantiate]) Object.defineProperty(fn, 'length', { value: 1 });

  for (const [name, value] of Object.entries({ Memory, Module, Instance, compile, instantiate })) {
    Object.defineProperty(W, name, { value, writable: true, enumerable: false, configurable: true });
  }
  // V8's streaming compilation would take bytes this wrapper does not see: wasm-streaming.ts
  // puts versions over compile and instantiate in their place.
  Reflect.deleteProperty(W, 'compileStreaming');
  Reflect.deleteProperty(W, 'instantiateStreaming');
}
