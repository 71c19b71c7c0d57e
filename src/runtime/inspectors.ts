// How console.log prints the platform objects apps log most (console.ts registerInspector):
// their state is in private fields, so an own-property listing printed `Headers {}` and
// `Request {}`. Each reads the object's internal state, or the interface's own getters as they
// were at install (an app that replaces a getter on the prototype does not run code here).
import { registerInspector } from './console.js';
import { headerListOf, isHeaders, sortedForIteration } from '../web/fetch/headers.js';
import { Request, isRequest } from '../web/fetch/request.js';
import { Response, isResponse } from '../web/fetch/response.js';
import { URL, isURL, isURLSearchParams, urlSearchParamsList } from '../web/url.js';
import { File, blobSize, blobType, isBlob, isFile } from '../web/blob.js';
import { formDataEntries, isFormData } from '../web/form-data.js';

const ReflectApply = Reflect.apply;
const JSONStringify = JSON.stringify;

function getter(proto: object, name: string): (this: unknown) => unknown {
  return Object.getOwnPropertyDescriptor(proto, name)!.get!;
}

/** `Name { "a": "1", "b": "2" }` for a list of name/value pairs. */
function pairs(name: string, list: ArrayLike<readonly [string, unknown]>, nested: (value: unknown) => string): string {
  if (list.length === 0) return `${name} {}`;
  const items: string[] = [];
  for (let i = 0; i < list.length && i < 100; i++) items.push(`${JSONStringify(list[i]![0])}: ${nested(list[i]![1])}`);
  if (list.length > 100) items.push(`... ${list.length - 100} more`);
  return `${name} { ${items.join(', ')} }`;
}

type Getter = (this: unknown) => unknown;

// Module-level, not closed over in installInspectors: V8 startup snapshots have been seen to lose
// a function-local binding captured during the snapshot (entry.ts).
let requestMethod: Getter, requestURL: Getter, requestHeaders: Getter;
let responseStatus: Getter, responseStatusText: Getter, responseURL: Getter, responseHeaders: Getter;
let urlHref: Getter, fileName: Getter;

function inspectPlatformObject(value: object, nested: (value: unknown) => string): string | undefined {
  // As iterating it gives them: lowercased, sorted, combined (Set-Cookie apart).
  if (isHeaders(value)) return pairs('Headers', sortedForIteration(headerListOf(value)), nested);
  if (isRequest(value)) {
    return `Request { method: ${nested(ReflectApply(requestMethod, value, []))}, url: ${nested(ReflectApply(requestURL, value, []))}, headers: ${nested(ReflectApply(requestHeaders, value, []))} }`;
  }
  if (isResponse(value)) {
    const url = ReflectApply(responseURL, value, []) as string;
    const status = `status: ${nested(ReflectApply(responseStatus, value, []))}, statusText: ${nested(ReflectApply(responseStatusText, value, []))}`;
    return `Response { ${status}${url === '' ? '' : `, url: ${nested(url)}`}, headers: ${nested(ReflectApply(responseHeaders, value, []))} }`;
  }
  if (isURL(value)) return `URL { href: ${nested(ReflectApply(urlHref, value, []))} }`;
  if (isURLSearchParams(value)) return pairs('URLSearchParams', urlSearchParamsList(value), nested);
  if (isFormData(value)) return pairs('FormData', formDataEntries(value), nested);
  if (isFile(value)) return `File { name: ${nested(ReflectApply(fileName, value, []))}, size: ${blobSize(value)}, type: ${nested(blobType(value))} }`;
  if (isBlob(value)) return `Blob { size: ${blobSize(value)}, type: ${nested(blobType(value))} }`;
  return undefined;
}

/** Captures the getters (before any app code) and registers the renderings with the console. */
export function installInspectors(): void {
  requestMethod = getter(Request.prototype, 'method');
  requestURL = getter(Request.prototype, 'url');
  requestHeaders = getter(Request.prototype, 'headers');
  responseStatus = getter(Response.prototype, 'status');
  responseStatusText = getter(Response.prototype, 'statusText');
  responseURL = getter(Response.prototype, 'url');
  responseHeaders = getter(Response.prototype, 'headers');
  urlHref = getter(URL.prototype, 'href');
  fileName = getter(File.prototype, 'name');
  registerInspector(inspectPlatformObject);
}
