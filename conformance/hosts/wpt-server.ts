// A small stand-in for wptserve, served for real over HTTP on 127.0.0.1 (there is no wptserve
// here): the tree's static files as wptserve serves them (`.headers` files, `.sub.` templates,
// `.asis` raw responses, the `header()` and `status()` pipes) and TypeScript ports of the .py
// handlers the listed tests use (wpt-handlers.ts). Files of the suites served over HTTP
// (suites.ts) run with this server as their origin, so each fetch() crosses the runtime, the
// host's undici and a socket as an app's would; the other suites send only the handlers here.
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';
import { HANDLERS, type HandlerContext } from './wpt-handlers.js';

/** The two HTTP ports wptserve gives tests (`{{ports[http][0]}}`, `{{ports[http][1]}}`): two listeners, one tree. */
export interface WptServer {
  origin: string;
  /** The same server on its second port (a same-host, cross-origin URL). */
  origin2: string;
  port: number;
  port2: number;
}

/** wptserve's Content-Types for the extensions the served suites fetch (its mimetypes guess). */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.txt': 'text/plain',
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.xml': 'application/xml',
  '.css': 'text/css',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
};

let started: Promise<WptServer> | undefined;
let served = '';

/** Starts the server once per process (it does not keep the process alive). */
export function startWptServer(root: string): Promise<WptServer> {
  if (started && served !== root) throw new Error(`the WPT server already serves ${served}`);
  served = root;
  started ??= (async () => {
    const stash = new Map<string, unknown>();
    const ports: number[] = [];
    const servers = [0, 1].map(() => createServer((req, res) => void serve(root, stash, ports, req, res)));
    for (const server of servers) ports.push(await listen(server));
    const [port, port2] = ports as [number, number];
    return { origin: `http://127.0.0.1:${port}`, origin2: `http://127.0.0.1:${port2}`, port, port2 };
  })();
  return started;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.unref();
      resolve((server.address() as { port: number }).port);
    });
  });
}

async function serve(root: string, stash: Map<string, unknown>, ports: readonly number[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    const handler = HANDLERS[url.pathname];
    if (handler !== undefined) {
      const context: HandlerContext = { req, res, body: Buffer.concat(chunks), query: url.searchParams, url, stash };
      await handler(context);
      return;
    }
    if (url.pathname.endsWith('.py')) return void plain(res, 404, `no port of the wptserve handler ${url.pathname} (conformance/hosts/wpt-handlers.ts)`);
    await serveFile(root, ports, url, res);
  } catch (error) {
    if (!res.headersSent) plain(res, 500, String((error as Error).stack ?? error));
    else res.destroy();
  }
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end(text);
}

/** A static file of the tree, as wptserve's file handler serves it. */
async function serveFile(root: string, ports: readonly number[], url: URL, res: ServerResponse): Promise<void> {
  const path = join(root, decodeURIComponent(url.pathname));
  if (!path.startsWith(root + sep) || !(await stat(path).then((s) => s.isFile(), () => false))) return void plain(res, 404, 'not found');
  let bytes: Buffer = await readFile(path);
  // An .asis file is the whole response, status line and headers included.
  if (path.endsWith('.asis')) return void res.socket?.end(bytes);
  if (/\.sub\.[^/]*$/.test(path)) bytes = Buffer.from(substitute(bytes.toString('utf8'), ports, url), 'utf8');
  // The .headers file's Content-Type, if it has one, replaces the one the extension gives.
  const headers = await headersFile(`${path}.headers`);
  if (!headers.some(([name]) => name.toLowerCase() === 'content-type')) headers.unshift(['Content-Type', CONTENT_TYPES[extname(path)] ?? 'application/octet-stream']);
  let status = 200;
  for (const pipe of pipes(url.searchParams.get('pipe'))) {
    if (pipe.name === 'header') headers.push([pipe.args[0] ?? '', pipe.args.slice(1).join(',')]);
    else if (pipe.name === 'status') status = Number(pipe.args[0]);
  }
  res.writeHead(status, headers.flat());
  res.end(bytes);
}

/** A file's `NAME.headers` companion: one `Name: value` per line. */
async function headersFile(path: string): Promise<[string, string][]> {
  const text = await readFile(path, 'latin1').catch(() => '');
  return text
    .split(/\r?\n/)
    .filter((line) => line.includes(':'))
    .map((line) => [line.slice(0, line.indexOf(':')).trim(), line.slice(line.indexOf(':') + 1).trim()]);
}

/** `header(a,b)|status(404)`: the pipes this server knows (others are ignored). */
function pipes(value: string | null): { name: string; args: string[] }[] {
  if (!value) return [];
  return value.split('|').flatMap((part) => {
    const match = /^(\w+)\((.*)\)$/.exec(part.trim());
    return match ? [{ name: match[1]!, args: match[2]!.split(',') }] : [];
  });
}

/**
 * wptserve's `.sub.` templates, for the names the served suites use. There is one host
 * (127.0.0.1) and no TLS: other domains and https ports get addresses that fail to connect,
 * which is what a test of another site or of https then sees.
 */
export function substitute(text: string, ports: readonly number[], url?: URL): string {
  return text.replace(/{{([^}]*)}}/g, (whole, expression: string) => {
    const name = expression.trim();
    if (name === 'host') return '127.0.0.1';
    const port = /^ports\[(https?|wss?|h2)\]\[(\d)\]$/.exec(name);
    if (port) return port[1] === 'http' ? String(ports[Number(port[2])] ?? 1) : '1';
    const domain = /^(?:domains|hosts\[alt\])\[([^\]]*)\]$/.exec(name);
    if (domain) return `${domain[1] || 'alt'}.not-served.invalid`;
    if (name === 'uuid()') return crypto.randomUUID();
    const get = /^GET\[([^\]]*)\]$/.exec(name);
    if (get) return url?.searchParams.get(get[1]!) ?? '';
    return whole;
  });
}
