// The host half of URL: UTS #46 processing for the isolate's parser (tr46, the URL standard's
// reference implementation's, on Unicode 17).
import tr46 from 'tr46';
import type { URLBridge } from '../web/url.js';

export const nodeURLBridge: URLBridge = {
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
};
