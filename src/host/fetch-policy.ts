// Which addresses an app's fetch() may reach. A multi-tenant host must not let one app reach
// internal services: loopback, private, link-local, CGNAT, unspecified and multicast addresses
// are refused unless the app's `fetchAllow` lists the hostname, the address or a CIDR holding it.
import { BlockList, isIP } from 'node:net';

const INTERNAL = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) INTERNAL.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) {
  INTERNAL.addSubnet(net, prefix, 'ipv6');
}

export class FetchPolicy {
  #names = new Set<string>();
  #allowed = new BlockList();

  constructor(allow: readonly string[]) {
    for (const entry of allow) {
      const [address, prefix] = entry.split('/');
      const family = isIP(address ?? '');
      if (family === 0) {
        this.#names.add(entry.toLowerCase().replace(/\.$/, ''));
      } else if (prefix === undefined) {
        this.#allowed.addAddress(address!, family === 4 ? 'ipv4' : 'ipv6');
      } else {
        this.#allowed.addSubnet(address!, Number(prefix), family === 4 ? 'ipv4' : 'ipv6');
      }
    }
  }

  /** Why connecting to `address` (resolved from `hostname`) is refused, or null when allowed. */
  refusal(hostname: string, address: string): string | null {
    const family = isIP(address);
    if (family === 0) return null;
    const type: 'ipv4' | 'ipv6' = family === 4 ? 'ipv4' : 'ipv6';
    // IPv4-mapped IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address it is.
    const mapped = type === 'ipv6' ? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] : undefined;
    const checked = mapped ?? address;
    const checkedType: 'ipv4' | 'ipv6' = mapped ? 'ipv4' : type;
    if (!INTERNAL.check(checked, checkedType)) return null;
    if (this.#names.has(hostname.toLowerCase().replace(/\.$/, '').replace(/^\[|\]$/g, ''))) return null;
    if (this.#allowed.check(checked, checkedType)) return null;
    return `fetch to ${hostname} (${address}) is refused: it is an internal address; list it in the app's "fetchAllow" to allow it`;
  }
}
