// WebIDL default iterator objects for pair-iterable interfaces (Headers, URLSearchParams,
// FormData): https://webidl.spec.whatwg.org/#es-default-iterator-object. One prototype per
// interface, inheriting %IteratorPrototype%, with an enumerable next() and "<Name> Iterator" as
// its toStringTag; each step re-reads the pairs, so changes made while iterating are seen.
import { TypeErrorCtor } from '../streams/webidl/intrinsics.js';

export type PairIteratorKind = 'key' | 'value' | 'key+value';

interface IteratorState<S> {
  source: S;
  kind: PairIteratorKind;
  index: number;
}

/**
 * Defines `<interfaceName> Iterator`; returns the function that makes an iterator over `source`,
 * whose value pairs at each step are `pairs(source)`.
 */
export function definePairIterator<S>(
  interfaceName: string,
  pairs: (source: S) => ArrayLike<readonly [unknown, unknown]>,
): <T>(source: S, kind: PairIteratorKind) => IterableIterator<T> {
  const states = new WeakMap<object, IteratorState<S>>();
  const prototype = Object.create(Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())) as object) as object;
  Object.defineProperty(prototype, 'next', {
    value: function next(this: unknown) {
      const it = typeof this === 'object' && this !== null ? states.get(this) : undefined;
      if (it === undefined) throw new TypeErrorCtor(`Failed to execute 'next' on '${interfaceName} Iterator': Illegal invocation`);
      const list = pairs(it.source);
      if (it.index >= list.length) return { value: undefined, done: true };
      // Indexed, not destructured: the app may have replaced the Array iterator.
      const pair = list[it.index++]!;
      const key = pair[0];
      const value = pair[1];
      return { value: it.kind === 'key' ? key : it.kind === 'value' ? value : [key, value], done: false };
    },
    writable: true,
    enumerable: true,
    configurable: true,
  });
  Object.defineProperty(prototype, Symbol.toStringTag, { value: `${interfaceName} Iterator`, configurable: true });
  return <T>(source: S, kind: PairIteratorKind): IterableIterator<T> => {
    const it = Object.create(prototype) as IterableIterator<T>;
    states.set(it, { source, kind, index: 0 });
    return it;
  };
}
