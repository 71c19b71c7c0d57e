// The host's records by integer id (requests, dispatches, timers, fetches, codecs): a plain
// object used as a dictionary, not a Map.
//
// Why not a Map: a Map whose entries come and go (one per request) rehashes into a new table
// every few hundred entries, and V8 leaves the old table pointing at the new one (so a live
// iterator can follow). Once any table of the chain sits in the old generation (any mark-compact
// promotes the live one), each dead table keeps its successor, and the records it held then,
// alive through every scavenge: they are promoted, and the chain goes on for good. Measured in
// the host bench (hello world, --trace-gc-nvp): ~2.7 MB promoted per scavenge, ~1.7 KB per
// request, a mark-compact every ~600 ms, four GC helper threads at ~5% CPU each; none of it with
// this table (an object's dictionary keeps no link to the table it replaced).

export class IdTable<V> {
  #entries: Record<number, V> = {};
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
    this.#entries = {};
    this.#size = 0;
  }

  /** The values, in a new array (callers may change the table while going through it). */
  values(): V[] {
    return Object.values(this.#entries);
  }

  /** The ids, in a new array. */
  ids(): number[] {
    return Object.keys(this.#entries).map(Number);
  }
}
