// The host half of URL: Node's WHATWG URL parser (ada), which passes the URL standard's tests.
import type { URLBridge, URLParts } from '../web/url.js';

function parts(url: URL): URLParts {
  return {
    href: url.href,
    origin: url.origin,
    protocol: url.protocol,
    username: url.username,
    password: url.password,
    host: url.host,
    hostname: url.hostname,
    port: url.port,
    pathname: url.pathname,
    search: url.search,
    hash: url.hash,
  };
}

const SETTABLE = new Set(['href', 'protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search', 'hash']);

export const nodeURLBridge: URLBridge = {
  urlParse(input, base) {
    try {
      return parts(base === undefined ? new URL(input) : new URL(input, base));
    } catch {
      return null;
    }
  },
  urlSet(href, member, value) {
    const url = new URL(href);
    if (SETTABLE.has(member)) (url as unknown as Record<string, string>)[member] = value;
    return parts(url);
  },
};
