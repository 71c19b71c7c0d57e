// Turns for outbound fetch()'s DNS lookups. dns.lookup runs getaddrinfo on libuv's threadpool
// (threadpool-turns.ts says what else needs it), where a lookup whose resolver does not answer holds
// its thread until the resolver's timeout, and libuv queues the rest in one FIFO: an app whose
// fetch()es named hosts that resolve slowly would hold the whole pool, and every other app's
// lookups, WebCrypto and the host's own fs calls would wait behind all of its lookups. So the
// process runs at most HOST_DNS_IN_FLIGHT lookups at once and an app at most APP_DNS_IN_FLIGHT
// (with HOST_CRYPTO_IN_FLIGHT, at most the default pool's four threads); an app's lookups of the
// same name wait for one answer together, and an app may have at most `maxWaiting` names waiting
// (fetches it aborted leave theirs behind), past which a lookup fails at once. Names under
// localhost the system does not resolve answer loopback.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { TurnOwner, TurnScheduler } from './threadpool-turns.js';

export const HOST_DNS_IN_FLIGHT = 2;
export const APP_DNS_IN_FLIGHT = 1;

/** The process's scheduler: every app's lookups take their turns here. */
export const hostDnsScheduler = new TurnScheduler(HOST_DNS_IN_FLIGHT, APP_DNS_IN_FLIGHT);

const LOOPBACK: readonly LookupAddress[] = [
  { address: '127.0.0.1', family: 4 },
  { address: '::1', family: 6 },
];

/** `name.localhost` (any depth, any case, a final dot or not). */
function isUnderLocalhost(hostname: string): boolean {
  return /\.localhost\.?$/i.test(hostname);
}

/** What dns.lookup answers: one address (and its family), or with `all` every address. */
export type LookupAnswer = string | LookupAddress[];
export type LookupCallback = (error: NodeJS.ErrnoException | null, address: LookupAnswer, family?: number) => void;
/** dns.lookup as net.connect calls its `lookup` option (with `all` when it tries each family in turn). */
export type Lookup = (hostname: string, options: LookupOptions, callback: LookupCallback) => void;

export interface DnsTurnsOptions {
  scheduler?: TurnScheduler;
  /** The app's share of the turns, kept across its isolates (default: one of its own). */
  owner?: TurnOwner;
  /** Names (with their lookup options) that may wait for an answer at once (OutboundFetch: its fetches in flight). */
  maxWaiting?: number;
  /** The resolver (default dns.lookup; tests give a slow one). */
  lookup?: Lookup;
}

/** An app's lookups: in turns on the process's scheduler, one per name and options at a time. */
export class DnsTurns {
  readonly #scheduler: TurnScheduler;
  readonly #owner: TurnOwner;
  readonly #maxWaiting: number;
  readonly #lookup: Lookup;
  /** Lookups asked for and not yet answered, by name and options, with everyone waiting for each. */
  readonly #pending = new Map<string, LookupCallback[]>();

  constructor(options: DnsTurnsOptions = {}) {
    this.#scheduler = options.scheduler ?? hostDnsScheduler;
    this.#owner = options.owner ?? new TurnOwner();
    this.#maxWaiting = options.maxWaiting ?? 256;
    this.#lookup = options.lookup ?? (dnsLookup as Lookup);
  }

  /** Names waiting for an answer (their turn, or the resolver). */
  get waiting(): number {
    return this.#pending.size;
  }

  /** dns.lookup, in the app's turn. */
  lookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
    const key = `${options.family ?? 0} ${options.hints ?? 0} ${options.all === true} ${options.verbatim ?? ''} ${hostname}`;
    const none: LookupAnswer = options.all === true ? [] : '';
    const joined = this.#pending.get(key);
    if (joined !== undefined) {
      joined.push(callback);
      return;
    }
    if (this.#pending.size >= this.#maxWaiting) {
      const error: NodeJS.ErrnoException = new Error(
        `DNS lookup of ${hostname} refused: the app has ${this.#pending.size} host names waiting to be resolved, the most it may`,
      );
      error.code = 'EAI_AGAIN';
      // Asynchronously, as dns.lookup answers.
      process.nextTick(callback, error, none);
      return;
    }
    const callbacks = [callback];
    this.#pending.set(key, callbacks);
    const answer: LookupCallback = (error, address, family) => {
      this.#pending.delete(key);
      // A name under localhost the system's resolver does not know (glibc's): loopback, as RFC
      // 6761 (6.3) asks of resolvers and browsers answer.
      if (error !== null && (error.code === 'ENOTFOUND' || error.code === 'EAI_NONAME') && isUnderLocalhost(hostname)) {
        const wanted = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : (options.family ?? 0);
        const loopback = LOOPBACK.filter((a) => wanted === 0 || a.family === wanted);
        if (loopback.length > 0) {
          [error, address, family] = options.all === true ? [null, loopback] : [null, loopback[0]!.address, loopback[0]!.family];
        }
      }
      for (const waiter of callbacks) waiter(error, address, family);
    };
    this.#scheduler.submit(
      this.#owner,
      () =>
        new Promise<void>((done) => {
          let answered = false;
          const reply: LookupCallback = (error, address, family) => {
            if (answered) return;
            answered = true;
            done();
            answer(error, address, family);
          };
          try {
            this.#lookup(hostname, options, reply);
          } catch (error) {
            // A name or options dns.lookup refuses at once: it throws rather than calling back.
            // Answered a tick later all the same, as every other answer is (never inside lookup()).
            process.nextTick(reply, error as NodeJS.ErrnoException, none);
          }
        }),
    );
  }
}
