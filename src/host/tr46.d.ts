// tr46 (a dependency of whatwg-url, the URL standard's reference implementation) has no types.
declare module 'tr46' {
  interface ToASCIIOptions {
    checkHyphens?: boolean;
    checkBidi?: boolean;
    checkJoiners?: boolean;
    useSTD3ASCIIRules?: boolean;
    transitionalProcessing?: boolean;
    verifyDNSLength?: boolean;
    ignoreInvalidPunycode?: boolean;
  }
  const tr46: { toASCII(domain: string, options?: ToASCIIOptions): string | null };
  export default tr46;
}
