// Records by integer id, for the host (requests, dispatches, timers, fetches, codecs) and the
// runtime in each isolate (body channels, pending responses and fetches, timers): a plain
// object without a prototype used as a dictionary, not a Map.
//
// Why not a Map: a Map whose entries come and go (one per request) rehashes into a new table
// every few hundred entries, and V8 leaves the old table pointing at the new one (so a live
// iterator can follow). Once any table of the chain sits in the old generation (any mark-compact
// promotes the live one), each dead table keeps its successor, and the records it held then,
// alive through every scavenge: they are promoted, and the chain goes on for good. Measured in
// the host bench (hello world, --trace-gc-nvp): ~2.7 MB promoted per scavenge, ~1.7 KB per
// request, a mark-compact every ~600 ms, four GC helper threads at ~5% CPU each; none of it with
// this table (an object's dictionary keeps no link to the table it replaced). No prototype: an
// app that put an indexed setter on Object.prototype must not see the runtime's records.
// No runtime imports: the host and the isolate bundle both use this file.

const ObjectCreate = Object.create;
const ObjectValues = Object.values;
const ObjectKeys = Object.keys;
const NumberCtor = Number;

export class IdTable<V> {
  #entries: Record<number, V> = ObjectCreate(null) as Record<number, V>;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  get(id: number): V | undefined {
    return this.#entries[id];
  }

  has(id: number): boolean {
    return this.#entries[id] !== undefined;
  }

  /** Sets the value of `id` (never undefined: that is "no entry"). */
  set(id: number, value: V): this {
    if (this.#entries[id] === undefined) this.#size++;
    this.#entries[id] = value;
    return this;
  }

  /** Removes `id`; false when it had no entry. */
  delete(id: number): boolean {
    if (this.#entries[id] === undefined) return false;
    delete this.#entries[id];
    this.#size--;
    return true;
  }

  clear(): void {
    this.#entries = ObjectCreate(null) as Record<number, V>;
    this.#size = 0;
  }

  /** The values, in a new array (callers may change the table while going through it). */
  values(): V[] {
    return ObjectValues(this.#entries);
  }

  /** The ids, in a new array. */
  ids(): number[] {
    const keys = ObjectKeys(this.#entries);
    const ids: number[] = [];
    for (let i = 0; i < keys.length; i++) ids[i] = NumberCtor(keys[i]);
    return ids;
  }
}
