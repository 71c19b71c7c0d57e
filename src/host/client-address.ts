// The client's address as apps read it: the `CF-Connecting-IP` request header, as on Workers.
// It is the connection's peer, unless that peer is a proxy the config trusts
// (`server.trustedProxies`): then it is the nearest address in X-Forwarded-For that is not a
// trusted proxy's, read from the right, since each proxy appends the address it received from
// and only the trusted ones' entries can be believed. A CF-Connecting-IP the client sent is
// never passed on.
import { BlockList, isIP } from 'node:net';

/** The header apps read the client's address from, and its lowercase form. */
export const CLIENT_ADDRESS_HEADER = 'CF-Connecting-IP';
const CLIENT_ADDRESS_LOWER = 'cf-connecting-ip';

/** `::ffff:192.0.2.1` (an IPv4 client of a dual-stack socket) as `192.0.2.1`. */
function unmapped(address: string): string {
  return address.length > 7 && address.charCodeAt(0) === 0x3a && /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;
}

/** `[2001:db8::1]:443`, `192.0.2.1:8080` or a bare address, as the bare address; '' if none. */
function forwardedAddress(entry: string): string {
  let value = entry.trim();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    value = end > 0 ? value.slice(1, end) : '';
  } else if (value.indexOf(':') === value.lastIndexOf(':') && value.includes('.')) {
    // One colon after a dotted quad: a port.
    value = value.split(':')[0]!;
  }
  return isIP(value) === 0 ? '' : unmapped(value);
}

export class ClientAddresses {
  readonly #trusted = new BlockList();
  readonly #any: boolean;

  /** `trusted`: addresses and CIDRs (`10.0.0.0/8`, `::1`), validated by the config. */
  constructor(trusted: readonly string[]) {
    for (const entry of trusted) {
      const [address, prefix] = entry.split('/');
      const type = isIP(address!) === 6 ? 'ipv6' : 'ipv4';
      if (prefix === undefined) this.#trusted.addAddress(address!, type);
      else this.#trusted.addSubnet(address!, Number(prefix), type);
    }
    this.#any = trusted.length > 0;
  }

  #isTrusted(address: string): boolean {
    return this.#trusted.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
  }

  /** The client's address for a request from `peer` (the socket's remote address) with these raw headers. */
  of(peer: string | undefined, rawHeaders: readonly string[]): string {
    const address = unmapped(peer ?? '');
    if (!this.#any || address === '' || !this.#isTrusted(address)) return address;
    // Every X-Forwarded-For line, in order, as one list.
    const hops: string[] = [];
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      if (rawHeaders[i]!.length === 15 && rawHeaders[i]!.toLowerCase() === 'x-forwarded-for') {
        for (const entry of rawHeaders[i + 1]!.split(',')) hops.push(entry);
      }
    }
    let client = address;
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = forwardedAddress(hops[i]!);
      // A malformed entry: nothing to its left can be trusted either.
      if (hop === '') break;
      client = hop;
      if (!this.#isTrusted(hop)) break;
    }
    return client;
  }
}

/**
 * Makes the request's raw header list the one the app gets: any CF-Connecting-IP the client sent
 * left out, the client's address appended (in place: the list is the request's own).
 */
export function setClientAddress(rawHeaders: string[], client: string): void {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length === CLIENT_ADDRESS_LOWER.length && name.toLowerCase() === CLIENT_ADDRESS_LOWER) {
      rawHeaders.splice(i, 2);
      i -= 2;
    }
  }
  if (client !== '') rawHeaders.push(CLIENT_ADDRESS_HEADER, client);
}
