// Exposes Headers, Request, Response, Blob, File, FormData, URL, URLPattern and URLSearchParams on a realm's global.
import { exposeInterface } from '../../streams/webidl/interface.js';
import { Blob, File, blobChunks, createBlob, createFile, isBlob, isFile } from '../blob.js';
import { registerPlatformObject, registerSerializable } from '../structured-clone.js';
import { isURL, isURLSearchParams } from '../url.js';
import { isHeaders } from './headers.js';
import { isRequest } from './request.js';
import { isResponse } from './response.js';
import { isFormData } from '../form-data.js';
import { FormData } from '../form-data.js';
import { URL, URLSearchParams, setURLBridge, type URLBridge } from '../url.js';
import { URLPattern } from '../url-pattern.js';
import { Headers } from './headers.js';
import { Request } from './request.js';
import { Response } from './response.js';

let registered = false;

export function installFetchApi(global: object, url: URLBridge | undefined): void {
  if (!registered) {
    registered = true;
    // Blob and File are serializable (https://w3c.github.io/FileAPI/#blob-section): the copy
    // shares the immutable bytes.
    registerSerializable({
      name: 'File',
      is: (x) => isFile(x),
      serialize: (x) => ({ chunks: [...blobChunks(x as File)], type: (x as File).type, name: (x as File).name, lastModified: (x as File).lastModified }),
      deserialize: (d) => {
        const data = d as { chunks: Uint8Array[]; type: string; name: string; lastModified: number };
        return createFile(data.chunks, data.name, data.type, data.lastModified);
      },
    });
    // Platform objects that are not serializable: structuredClone throws DataCloneError.
    for (const [name, is] of [
      ['URL', isURL], ['URLSearchParams', isURLSearchParams], ['Headers', isHeaders], ['Request', isRequest], ['Response', isResponse], ['FormData', isFormData],
    ] as const) registerPlatformObject(name, is);
    registerSerializable({
      name: 'Blob',
      is: (x) => isBlob(x),
      serialize: (x) => ({ chunks: [...blobChunks(x as Blob)], type: (x as Blob).type }),
      deserialize: (d) => createBlob((d as { chunks: Uint8Array[] }).chunks, (d as { type: string }).type),
    });
  }
  if (url !== undefined) setURLBridge(url);
  const interfaces: Record<string, Function> = { Blob, File, FormData, URL, URLPattern, URLSearchParams, Headers, Request, Response };
  for (const [name, ctor] of Object.entries(interfaces)) exposeInterface(global, name, ctor);
}
