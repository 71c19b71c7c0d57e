// The isolate side of the streams bench: the runtime's streams, text streams and Response put
// on the isolate's global (the rest of the runtime needs host services the bench does not run).
import { install as installStreams } from '../../src/streams/install.js';
import { installTextStreams } from '../../src/web/install-text-streams.js';
import { exposeInterface } from '../../src/streams/webidl/interface.js';
import { Response } from '../../src/web/fetch/response.js';
import { Headers } from '../../src/web/fetch/headers.js';

export function install(global: object): void {
  installStreams(global);
  installTextStreams(global);
  exposeInterface(global, 'Headers', Headers);
  exposeInterface(global, 'Response', Response);
}
