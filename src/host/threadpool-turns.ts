// Turns on libuv's threadpool. Node runs WebCrypto operations and dns.lookup (getaddrinfo) there,
// 4 threads unless UV_THREADPOOL_SIZE says otherwise, shared with asynchronous zlib and fs calls,
// and neither can be stopped once it runs: an app that started enough of them would hold every
// thread, and every other app's work would queue behind its work in libuv's one FIFO. So each kind
// of work has a scheduler: the process runs at most `limit` at once (the rest of the pool stays
// free), an owner (an app) at most `perOwner`, and owners with work waiting take turns. crypto-slots.ts
// and dns-turns.ts make the two schedulers.
import { SimpleQueue } from '../streams/abstract-ops/simple-queue.js';

/** One operation: starts when given its turn; its promise settles when it ends (never rejects). */
export type TurnTask = () => Promise<void>;

/** One app's share of a scheduler's turns; it outlives the app's isolates, whose work still runs. */
export class TurnOwner {
  running = 0;
  readonly waiting = new SimpleQueue<TurnTask>();
  /** In the scheduler's ring of owners with work waiting. */
  inRing = false;
}

export class TurnScheduler {
  readonly limit: number;
  readonly perOwner: number;
  #running = 0;
  /** Owners with work waiting, in turn order. */
  #ring = new SimpleQueue<TurnOwner>();

  constructor(limit: number, perOwner: number) {
    this.limit = limit;
    this.perOwner = perOwner;
  }

  get running(): number {
    return this.#running;
  }

  submit(owner: TurnOwner, task: TurnTask): void {
    owner.waiting.push(task);
    if (!owner.inRing) {
      owner.inRing = true;
      this.#ring.push(owner);
    }
    this.#next();
  }

  /** Starts waiting work while slots are free, one task per owner per turn; owners at their own limit keep their place. */
  #next(): void {
    let owners = this.#ring.length;
    while (this.#running < this.limit && owners-- > 0) {
      const owner = this.#ring.shift();
      if (owner.running >= this.perOwner) {
        this.#ring.push(owner);
        continue;
      }
      const task = owner.waiting.shift();
      if (owner.waiting.length > 0) this.#ring.push(owner);
      else owner.inRing = false;
      owner.running++;
      this.#running++;
      void task().finally(() => {
        owner.running--;
        this.#running--;
        this.#next();
      });
    }
  }
}
