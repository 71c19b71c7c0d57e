// Turns for the host's WebCrypto work on libuv's threadpool (threadpool-turns.ts): the whole
// process runs at most HOST_CRYPTO_IN_FLIGHT operations at once, an app at most
// APP_CRYPTO_IN_FLIGHT. An app's share outlives its isolates: the work of an isolate replaced for
// its CPU or memory still runs, and still counts, until it ends.
// Measured before: an app that started two 8192-bit RSA key generations, was replaced, and started
// two more held a dns.lookup('localhost') on the host for 15.3 s.
import { TurnOwner, TurnScheduler } from './threadpool-turns.js';

export const HOST_CRYPTO_IN_FLIGHT = 2;
export const APP_CRYPTO_IN_FLIGHT = 1;

/** One app's share of the crypto turns (an isolate made outside an app has one of its own). */
export class CryptoOwner extends TurnOwner {
  /** Bytes of data its operations hold in the host, from their call to their end (see HostSubtle.call). */
  heldBytes = 0;
}

export class CryptoScheduler extends TurnScheduler {
  constructor(limit = HOST_CRYPTO_IN_FLIGHT, perOwner = APP_CRYPTO_IN_FLIGHT) {
    super(limit, perOwner);
  }
}

/** The process's scheduler: every isolate's HostSubtle takes its turns here. */
export const hostCryptoScheduler = new CryptoScheduler();
