// Test helpers: a NANO server on 127.0.0.1 (port 0) from a temporary config and app files, its
// JSON log lines captured, and an HTTP client that sets the Host header.
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/host/logger.js';
import { NanoServer } from '../../src/host/server.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestServer {
  server: NanoServer;
  port: number;
  adminPort: number;
  dir: string;
  logs: Record<string, unknown>[];
  writeConfig(config: object): Promise<void>;
  writeApp(name: string, code: string): Promise<string>;
  close(): Promise<void>;
}

/** Writes `apps` (file name -> code) and a config built by `config(dir)`, then starts a server. */
export async function startServer(apps: Record<string, string>, config: (dir: string) => object, options: { watch?: boolean } = {}): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'nano-it-'));
  const logs: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line));
      callback();
    },
  });
  const log = createLogger({ level: 'debug', destination });
  const writeApp = async (name: string, code: string) => {
    const path = join(dir, name);
    await writeFile(path, code);
    return path;
  };
  for (const [name, code] of Object.entries(apps)) await writeApp(name, code);
  const configPath = join(dir, 'nano.config.json');
  // Port 0 unless a test names one: the default (8787) collides with `npm start` or a probe
  // running beside the tests (an EADDRINUSE failed a CI run that way).
  const writeConfig = (value: object) => {
    const config = value as { server?: object };
    return writeFile(configPath, JSON.stringify({ ...config, server: { port: 0, ...config.server } }));
  };
  await writeConfig(config(dir));
  const server = new NanoServer({ configPath, log, watch: options.watch ?? false });
  const { port, adminPort } = await server.start();
  return {
    server,
    port,
    adminPort: adminPort ?? 0,
    dir,
    logs,
    writeConfig,
    writeApp,
    async close() {
      await server.shutdown(2_000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  /** The header lines as received: name, value, name, value... */
  rawHeaders: string[];
  body: Buffer;
  text: string;
}

/** One HTTP request to 127.0.0.1:`port` with `Host: host`. */
export function get(port: number, host: string, path = '/', options: { method?: string; body?: Buffer | string; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method: options.method ?? (options.body ? 'POST' : 'GET'), headers: { host, ...options.headers }, timeout: options.timeoutMs ?? 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body, text: body.toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A basic app config entry. */
export function app(dir: string, name: string, file: string, extra: object = {}): object {
  return { name, hostnames: [`${name}.test`], module: join(dir, file), ...extra };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `check()` is true (polling), or fails after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
