// Makes an ES class look like a WebIDL interface (https://webidl.spec.whatwg.org/#es-interfaces):
// operations and attributes are enumerable, the prototype carries @@toStringTag, and the
// interface object is installed non-enumerable on a global.
import { ObjectDefineProperty } from './intrinsics.js';

// Brand checks. Each interface keeps its internal record in a private field and finds it with
//   try { return (x as C).#impl; } catch { return undefined; }
// Reading a private field throws a TypeError for anything that is not an instance (a primitive,
// another object, a proxy), so one lookup is the whole check; `typeof x === 'object' && #impl in x
// ? x.#impl : undefined` looks the field up twice, and cost 78 more instructions per chunk in the
// read loop (`npm run bench:instructions`), where a chunk passes two brand checks.
// That form is for a method's `this` (or an argument that must be one), where anything else is
// a TypeError anyway. Where a miss is normal, asking whether a value is a ReadableStream,
// WritableStream or TransformStream (a Response body, a value structuredClone walks), their
// exported lookups (readableStreamImpl...) test with `in` first and never throw: each throw
// makes a TypeError with a captured stack trace, which was 38% of an isolate's time serving
// `new Response('Hello, world!')` (perf, `npm run bench:host`).

const skipStatic = new Set<PropertyKey>(['length', 'name', 'prototype']);

export function defineInterface(ctor: Function, name: string): void {
  const proto = ctor.prototype as object;
  for (const key of Reflect.ownKeys(proto)) {
    if (key === 'constructor' || typeof key === 'symbol') continue;
    const d = Object.getOwnPropertyDescriptor(proto, key)!;
    d.enumerable = true;
    ObjectDefineProperty(proto, key, d);
  }
  for (const key of Reflect.ownKeys(ctor)) {
    if (skipStatic.has(key) || typeof key === 'symbol') continue;
    const d = Object.getOwnPropertyDescriptor(ctor, key)!;
    d.enumerable = true;
    ObjectDefineProperty(ctor, key, d);
  }
  ObjectDefineProperty(proto, Symbol.toStringTag, {
    value: name,
    writable: false,
    enumerable: false,
    configurable: true,
  });
  // The interface object's `name` is the identifier, whatever a bundler renamed the class to
  // (bundles are built without keepNames: its per-closure `name` definitions cost 3x in hot loops).
  ObjectDefineProperty(ctor, 'name', { value: name, writable: false, enumerable: false, configurable: true });
}

/** Installs an interface object the way WebIDL does on a global: writable, configurable, not enumerable. */
export function exposeInterface(global: object, name: string, ctor: Function): void {
  ObjectDefineProperty(global, name, { value: ctor, writable: true, enumerable: false, configurable: true });
}
