// Turns for the host's WebCrypto work. Node runs WebCrypto operations on libuv's threadpool (4
// threads unless UV_THREADPOOL_SIZE says otherwise), which every app's DNS lookups (each fetch()
// to a host name), asynchronous zlib and fs calls share, and an operation cannot be stopped once
// it runs. So the whole process runs at most HOST_CRYPTO_IN_FLIGHT of them at once (the rest of
// the pool stays free), an app at most APP_CRYPTO_IN_FLIGHT, and apps with work waiting take
// turns. An app's share outlives its isolates: the work of an isolate replaced for its CPU or
// memory still runs, and still counts, until it ends.
// Measured before: an app that started two 8192-bit RSA key generations, was replaced, and started
// two more held a dns.lookup('localhost') on the host for 15.3 s.
import { SimpleQueue } from '../streams/abstract-ops/simple-queue.js';

export const HOST_CRYPTO_IN_FLIGHT = 2;
export const APP_CRYPTO_IN_FLIGHT = 1;

/** One operation: starts when given its turn; its promise settles when it ends (never rejects). */
export type CryptoTask = () => Promise<void>;

/** One app's share of the slots (an isolate made outside an app has one of its own). */
export class CryptoOwner {
  running = 0;
  readonly waiting = new SimpleQueue<CryptoTask>();
  /** In the scheduler's ring of owners with work waiting. */
  inRing = false;
  /** Bytes of data its operations hold in the host, from their call to their end (see HostSubtle.call). */
  heldBytes = 0;
}

export class CryptoScheduler {
  readonly limit: number;
  readonly perOwner: number;
  #running = 0;
  /** Owners with work waiting, in turn order. */
  #ring = new SimpleQueue<CryptoOwner>();

  constructor(limit = HOST_CRYPTO_IN_FLIGHT, perOwner = APP_CRYPTO_IN_FLIGHT) {
    this.limit = limit;
    this.perOwner = perOwner;
  }

  get running(): number {
    return this.#running;
  }

  submit(owner: CryptoOwner, task: CryptoTask): void {
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

/** The process's scheduler: every isolate's HostSubtle takes its turns here. */
export const hostCryptoScheduler = new CryptoScheduler();
