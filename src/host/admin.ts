// The admin API, on its own port (127.0.0.1 by default), every route behind a bearer token:
//   GET  /apps      apps with their state, version, hostnames, in-flight requests, heap
//   POST /reload    re-read the config and apply it (the result says what changed)
//   GET  /healthz   liveness: the process answers
//   GET  /readyz    readiness: 200 while serving, 503 once shutting down
//   GET  /metrics   Prometheus text format
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { NanoServer } from './server.js';

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Constant-time comparison of the presented token with the configured one. */
function authorized(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer (.+)$/i.exec(header);
  if (!match) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(match[1]!), digest(token));
}

/** `token()`: the configured token now (a reload may rotate it). */
export function createAdminServer(nano: NanoServer, token: () => string): Server {
  return createServer((req, res) => {
    req.resume();
    if (!authorized(req, token())) {
      res.setHeader('www-authenticate', 'Bearer');
      return json(res, 401, { error: 'A valid bearer token is required.' });
    }
    const path = (req.url ?? '/').split('?')[0];
    const route = `${req.method} ${path}`;
    switch (route) {
      case 'GET /healthz':
        return json(res, 200, { status: 'ok' });
      case 'GET /readyz':
        return nano.shuttingDown ? json(res, 503, { status: 'shutting down' }) : json(res, 200, { status: 'ready' });
      case 'GET /apps':
        return json(res, 200, {
          apps: nano.apps.map((app) => ({
            name: app.name,
            version: app.version,
            state: app.state,
            hostnames: app.config.hostnames,
            inFlight: app.inFlight,
            heapBytes: app.heapBytes,
            limits: app.config.limits,
          })),
          draining: nano.drainingApps.map((app) => ({ name: app.name, version: app.version, inFlight: app.inFlight })),
          connections: nano.connectionCount,
          lastReloadError: nano.lastReloadError ?? null,
        });
      case 'POST /reload':
        return void nano.reload('admin').then((result) => json(res, result.ok ? 200 : 422, result));
      case 'GET /metrics':
        // The apps there are now: a removed app's last figure would otherwise stay in the gauge for good.
        nano.metrics.heap.reset();
        for (const app of nano.apps) nano.metrics.heap.set({ app: app.name }, app.heapBytes);
        return void nano.metrics.registry.metrics().then((text) => {
          res.writeHead(200, { 'content-type': nano.metrics.registry.contentType });
          res.end(text);
        });
      default:
        return json(res, 404, { error: `No admin route ${route}.` });
    }
  });
}
