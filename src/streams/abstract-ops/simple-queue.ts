// An O(1) FIFO (a growable ring buffer) for every queue the spec keeps as a list:
// chunk queues, read requests, pending pull-intos, write requests. Array#shift is O(n)
// once arrays leave V8's fast path, which is what slows other implementations past ~20k entries.

export class SimpleQueue<T> {
  #items: (T | undefined)[];
  #head = 0;
  #size = 0;
  #mask: number;

  constructor(initialCapacity = 16) {
    this.#items = new Array(initialCapacity);
    this.#mask = initialCapacity - 1;
  }

  get length(): number {
    return this.#size;
  }

  push(item: T): void {
    if (this.#size === this.#mask + 1) this.#grow();
    this.#items[(this.#head + this.#size) & this.#mask] = item;
    this.#size++;
  }

  shift(): T {
    const item = this.#items[this.#head] as T;
    this.#items[this.#head] = undefined; // let the chunk be collected
    this.#head = (this.#head + 1) & this.#mask;
    this.#size--;
    return item;
  }

  peek(): T {
    return this.#items[this.#head] as T;
  }

  /** The i-th item from the front (0 is the front). */
  at(i: number): T {
    return this.#items[(this.#head + i) & this.#mask] as T;
  }

  /** The item at the back, for byte-queue coalescing. */
  peekLast(): T {
    return this.#items[(this.#head + this.#size - 1) & this.#mask] as T;
  }

  forEach(callback: (item: T) => void): void {
    for (let i = 0; i < this.#size; i++) callback(this.#items[(this.#head + i) & this.#mask] as T);
  }

  clear(): void {
    this.#items = new Array(16);
    this.#mask = 15;
    this.#head = 0;
    this.#size = 0;
  }

  #grow(): void {
    const old = this.#items;
    const capacity = old.length;
    const next = new Array<T | undefined>(capacity * 2);
    for (let i = 0; i < this.#size; i++) next[i] = old[(this.#head + i) & this.#mask];
    this.#items = next;
    this.#head = 0;
    this.#mask = capacity * 2 - 1;
  }
}
