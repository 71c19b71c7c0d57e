// Streams the request body through SHA-256 (incremental, ./sha256.js: a multi-file app, bundled
// at load) and answers the hex digest and the byte count. Memory stays flat for any size.
import { Sha256 } from './sha256.js';

export default {
  async fetch(request) {
    if (request.method !== 'POST' && request.method !== 'PUT') {
      return Response.json({ error: 'POST or PUT a body' }, { status: 405 });
    }
    const hash = new Sha256();
    let bytes = 0;
    if (request.body) {
      for await (const chunk of request.body) {
        hash.update(chunk);
        bytes += chunk.byteLength;
      }
    }
    return Response.json({ sha256: hash.hex(), bytes });
  },
};
