// One transfer scenario of the host bench against one fresh server, transfer after transfer:
// each transfer's MB/s and the server's CPU time for it, to watch a server warm up or settle.
// Optionally load the hello and env apps first, as `npm run bench:host` does before its transfers,
// and give the server extra node flags (`--trace-gc`, heap tuning; its output goes to a file).
//
//   npm run bench:host-transfer -- [--mode nano|node] [--app echo|stream]
//     [--transfers N] [--preload S] [--flags="--trace-gc ..."] [--out FILE]
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { cpuMicros, startServerChild, stopProcess, transferOnce } from './server-process.js';

const { values: args } = parseArgs({
  options: {
    mode: { type: 'string', default: 'nano' },
    app: { type: 'string', default: 'echo' },
    transfers: { type: 'string', default: '20' },
    preload: { type: 'string', default: '0' },
    flags: { type: 'string', default: '' },
    out: { type: 'string' },
  },
});
const MIB = 64;
const mode = args.mode === 'node' ? 'node' : 'nano';
const upload = args.app === 'echo';
const hostOf = (app: string): string => (mode === 'node' ? `${app}.x` : `${app}.bench`);
const log = args.out ? createWriteStream(args.out) : undefined;
const root = fileURLToPath(new URL('../../', import.meta.url));
const { port, child } = await startServerChild(root, mode, args.flags.split(' ').filter(Boolean), log && ((c) => log.write(c)));

// Bounded: each preload run lasts --preload seconds.
for (const app of Number(args.preload) > 0 ? ['hello', 'env'] : []) {
  await autocannon({ url: `http://127.0.0.1:${port}/`, connections: 64, duration: Number(args.preload), headers: { host: hostOf(app) } });
}

for (let i = 0; i < Number(args.transfers); i++) {
  const start = performance.now();
  const cpu = cpuMicros(child.pid) ?? 0;
  const bytes = await transferOnce(port, hostOf(args.app!), upload ? '/' : `/?mib=${MIB}`, upload, MIB);
  const seconds = (performance.now() - start) / 1000;
  console.log(`${(bytes / 1e6 / seconds).toFixed(0)} MB/s, server CPU ${(((cpuMicros(child.pid) ?? 0) - cpu) / 1000).toFixed(0)} ms`);
}
await stopProcess(child);
log?.end();
