// The host half of URL: UTS #46 processing for the isolate's parser (tr46, the URL standard's
// reference implementation's, on Unicode 17), and Node's WHATWG URL parser (ada) for the setters and
// blob: URLs.
import tr46 from 'tr46';
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
  urlDomainToASCII(domain) {
    // The options domain to ASCII gives with beStrict false.
    return tr46.toASCII(domain, {
      checkHyphens: false,
      checkBidi: true,
      checkJoiners: true,
      useSTD3ASCIIRules: false,
      transitionalProcessing: false,
      verifyDNSLength: false,
      ignoreInvalidPunycode: false,
    });
  },
  urlSet(href, member, value) {
    const url = new URL(href);
    if (SETTABLE.has(member)) (url as unknown as Record<string, string>)[member] = value;
    return parts(url);
  },
};
