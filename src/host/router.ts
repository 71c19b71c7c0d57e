// Hostname routing: exact names first, then the most specific wildcard, then the default app.
import { isIP } from 'node:net';

/** The hostname of a Host header: lowercased, without port or trailing dot; null if malformed. */
export function hostnameOf(hostHeader: string | undefined): string | null {
  if (!hostHeader) return null;
  let host = hostHeader.trim().toLowerCase();
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end > 0 ? host.slice(0, end + 1) : null;
  }
  const colon = host.lastIndexOf(':');
  if (colon !== -1) {
    if (!/^\d{1,5}$/.test(host.slice(colon + 1))) return null;
    host = host.slice(0, colon);
  }
  if (host.endsWith('.')) host = host.slice(0, -1);
  return /^[a-z0-9.-]+$/.test(host) && host !== '' ? host : null;
}

/**
 * The authority and the path (with query) a request names (RFC 9112 3.2): its Host header and its
 * origin-form target; for an absolute-form target (`GET http://host/path`, which a server must
 * accept, 3.2.2), the target's own authority, the Host header ignored. The asterisk-form
 * (`OPTIONS * HTTP/1.1`) names the server itself: its target URI has an empty path (3.3), which a
 * URL writes as `/` (`http://host/`); before, the `*` was appended to the Host header
 * (`http://host*`: the app saw another host name). Anything else keeps the Host
 * header and the target as they came.
 */
export function requestTarget(target: string, hostHeader: string | undefined): { authority: string | undefined; path: string } {
  if (target.startsWith('/')) return { authority: hostHeader, path: target };
  if (target === '*') return { authority: hostHeader, path: '/' };
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)([^#]*)/i.exec(target);
  if (absolute === null) return { authority: hostHeader, path: target };
  // Userinfo (user@host) names no host: what follows the last '@'.
  const authority = absolute[1]!.slice(absolute[1]!.lastIndexOf('@') + 1);
  const rest = absolute[2]!;
  return { authority, path: rest.startsWith('/') ? rest : `/${rest}` };
}

/** A host and optional port (RFC 3986 3.2.2-3.2.3): a reg-name or IPv4 address, or an IPv6 literal in brackets. */
const AUTHORITY = /^(?:\[([0-9a-f:.]+)\]|[a-z0-9._~!$&'()*+,;=-]+)(?::(\d{0,5}))?$/i;

/**
 * Whether a request's authority (its Host header, or an absolute-form target's) is a valid
 * uri-host [":" port] (RFC 9112 3.2: a server must answer 400 to a Host header with an invalid
 * value). Empty is valid (a request for a URI without an authority sends an empty Host); the host
 * uses its default name then. Anything else must not become part of the URL the app sees: a Host
 * of `evil.test/admin?` made the URL `http://evil.test/admin?/` for a request for `/` (the app of
 * `defaultApp` read another path), `a.test:99999` made one the app's Request refused (a 500
 * logged as the app's error).
 */
export function validAuthority(authority: string | undefined): boolean {
  if (authority === undefined || authority === '') return true;
  const match = AUTHORITY.exec(authority);
  if (match === null) return false;
  if (match[1] !== undefined && isIP(match[1]) !== 6) return false;
  return match[2] === undefined || Number(match[2]) <= 65535;
}

const RECENT_MAX = 256;

export class Router<T> {
  #exact = new Map<string, T>();
  /** Suffixes (".example.com") with their targets, longest first. */
  #wildcards: Array<[string, T]> = [];
  #fallback: T | undefined;
  /** Answers by Host header as received (at most RECENT_MAX; a router is replaced on every reload). */
  #recent = new Map<string | undefined, T | undefined>();

  constructor(routes: Iterable<[hostname: string, target: T]>, fallback?: T) {
    for (const [hostname, target] of routes) {
      if (hostname.startsWith('*.')) this.#wildcards.push([hostname.slice(1), target]);
      else this.#exact.set(hostname, target);
    }
    this.#wildcards.sort((a, b) => b[0].length - a[0].length);
    this.#fallback = fallback;
  }

  /** The target for a Host header, or undefined (404). */
  route(hostHeader: string | undefined): T | undefined {
    // Clients send the same few Host headers over and over: answer those from the last ones seen.
    const recent = this.#recent;
    const hit = recent.get(hostHeader);
    if (hit !== undefined || recent.has(hostHeader)) return hit;
    const target = this.#resolve(hostHeader);
    if (recent.size >= RECENT_MAX) recent.clear();
    recent.set(hostHeader, target);
    return target;
  }

  #resolve(hostHeader: string | undefined): T | undefined {
    const host = hostnameOf(hostHeader);
    if (host === null) return this.#fallback;
    const exact = this.#exact.get(host);
    if (exact !== undefined) return exact;
    for (const [suffix, target] of this.#wildcards) if (host.endsWith(suffix) && host.length > suffix.length) return target;
    return this.#fallback;
  }
}
