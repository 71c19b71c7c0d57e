// Exposes Headers, Request, Response, Blob, File, FormData, URL and URLSearchParams on a realm's global.
import { exposeInterface } from '../../streams/webidl/interface.js';
import { Blob, File } from '../blob.js';
import { FormData } from '../form-data.js';
import { URL, URLSearchParams, setURLBridge, type URLBridge } from '../url.js';
import { Headers } from './headers.js';
import { Request } from './request.js';
import { Response } from './response.js';

export function installFetchApi(global: object, url: URLBridge | undefined): void {
  if (url !== undefined) setURLBridge(url);
  const interfaces: Record<string, Function> = { Blob, File, FormData, URL, URLSearchParams, Headers, Request, Response };
  for (const [name, ctor] of Object.entries(interfaces)) exposeInterface(global, name, ctor);
}
