// A server for the host bench, in its own process: `nano` (NANO serving bench/host/apps) or
// `node` (a plain node:http server doing the same work). Prints {"port": N} when listening.
import { createServer } from 'node:http';
import { Transform } from 'node:stream';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';

const mode = process.argv[process.argv.length - 1];
// Stopped with SIGTERM by the instruction bench: exit normally so callgrind writes its totals.
process.on('SIGTERM', () => process.exit(0));
const APPS = fileURLToPath(new URL('./apps/', import.meta.url));

if (mode === 'node') {
  const chunk = Buffer.alloc(64 * 1024, 97);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const app = (req.headers.host ?? '').split('.')[0];
    if (app === 'hello') return res.end('Hello, world!');
    // The upstream of the api scenario is addressed by IP too: any host with ?json answers JSON.
    if (app === 'env' || url.searchParams.has('json')) {
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify({ region: 'bench', greeting: 'hi' }));
    }
    if (app === 'api') {
      return void fetch(url.searchParams.get('url')!).then(async (upstream) => {
        const data = (await upstream.json()) as object;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ ...data, via: 'api' }));
      });
    }
    // The upstream of the proxy scenario is addressed by IP: any host with ?mib= streams.
    if (app === 'stream' || url.searchParams.has('mib')) {
      const total = Number(url.searchParams.get('mib') ?? 64) * 1024 * 1024;
      let sent = 0;
      const pump = (): void => {
        while (sent < total) {
          sent += chunk.length;
          if (!res.write(Buffer.from(chunk))) return void res.once('drain', pump);
        }
        res.end();
      };
      return pump();
    }
    if (app === 'echo') return void req.pipe(new Transform({ transform: (c, _e, cb) => cb(null, c) })).pipe(res);
    if (app === 'proxy') {
      return void fetch(url.searchParams.get('url')!).then(async (upstream) => {
        res.writeHead(upstream.status);
        for await (const c of upstream.body as unknown as AsyncIterable<Uint8Array>) if (!res.write(c)) await new Promise((r) => res.once('drain', r));
        res.end();
      });
    }
    res.statusCode = 404;
    res.end();
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: (server.address() as { port: number }).port }) + '\n'));
} else {
  // The built host (what bin/nano-runtime.js runs), not the TypeScript through tsx, whose
  // transform adds work to every closure; `npm run bench:host` builds first.
  const dist = new URL('../../dist/host/', import.meta.url).href;
  const { NanoServer } = (await import(dist + 'server.js')) as typeof import('../../src/host/server.js');
  const { createLogger } = (await import(dist + 'logger.js')) as typeof import('../../src/host/logger.js');
  const dir = await mkdtemp(join(tmpdir(), 'nano-bench-'));
  const app = (name: string, extra: object = {}) => ({ name, hostnames: [`${name}.bench`], module: join(APPS, `${name}.js`), limits: { cpuMsPerRequest: 600000, wallTimeMs: 600000, memoryMb: 256 }, ...extra });
  const config = {
    server: { port: 0, keepAliveTimeoutMs: 60000 },
    apps: [app('hello'), app('env', { env: { REGION: 'bench', GREETING: 'hi' } }), app('stream'), app('echo'), app('proxy', { fetchAllow: ['127.0.0.1'] }), app('api', { fetchAllow: ['127.0.0.1'] })],
  };
  await writeFile(join(dir, 'nano.json'), JSON.stringify(config));
  const quiet = createLogger({ level: 'warn', destination: new Writable({ write: (_c, _e, cb) => cb() }) });
  const server = new NanoServer({ configPath: join(dir, 'nano.json'), log: quiet, watch: false });
  const { port } = await server.start();
  process.stdout.write(JSON.stringify({ port }) + '\n');
}
