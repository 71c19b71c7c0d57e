// ECMAScript / HTML operations the streams standard calls that are not about buffers
// (those live with the captured ArrayBuffer intrinsics in ../webidl/intrinsics.ts).
import { TypeErrorCtor } from '../webidl/intrinsics.js';

type StructuredCloneFn = (value: unknown, options?: { transfer?: unknown[] }) => unknown;
let structuredCloneImpl: StructuredCloneFn | undefined = (
  globalThis as { structuredClone?: StructuredCloneFn }
).structuredClone;

/** Lets an embedder (the isolate runtime) provide StructuredSerialize/Deserialize. */
export function setStructuredClone(fn: StructuredCloneFn | undefined): void {
  structuredCloneImpl = fn;
}

/** https://streams.spec.whatwg.org/#abstract-opdef-structuredclone */
export function StructuredClone(v: unknown): unknown {
  if (structuredCloneImpl === undefined) throw new TypeErrorCtor('structuredClone is not available');
  return structuredCloneImpl(v);
}
