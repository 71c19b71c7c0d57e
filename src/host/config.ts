// The host's JSON config, validated with zod: every error names the path and the problem.
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';

/** `example.com`, `a.example.com`, or a wildcard `*.example.com` (any one or more labels). */
const HOSTNAME = /^(\*\.)?(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$/;

const hostname = z
  .string()
  .transform((s) => s.toLowerCase().replace(/\.$/, ''))
  .refine((s) => HOSTNAME.test(s), { message: 'must be a hostname like "app.example.com" or a wildcard like "*.example.com"' });

const port = z.number().int().min(0).max(65535);

/** `192.0.2.1`, `2001:db8::1`, or a CIDR of either (`10.0.0.0/8`, `fd00::/8`). */
const addressOrCidr = z.string().refine(
  (s) => {
    const [address, prefix, extra] = s.split('/');
    const family = isIP(address ?? '');
    if (family === 0 || extra !== undefined) return false;
    return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
  },
  { message: 'must be an IP address or a CIDR like "10.0.0.0/8"' },
);
const ms = (max: number) => z.number().int().positive().max(max);

const limits = z
  .object({
    /** The isolate's heap limit. */
    memoryMb: z.number().int().min(8).max(8192).default(128),
    /** CPU time one request may use in the isolate, async work included. */
    cpuMsPerRequest: ms(600_000).default(1_000),
    /** Wall time from the request to the end of the response head. */
    wallTimeMs: ms(3_600_000).default(30_000),
    /** How long after the response its ctx.waitUntil work may run before it is no longer waited for. */
    waitUntilMs: ms(3_600_000).default(30_000),
    /** Outbound fetches the app may have in flight at once (until each response body ends); more wait their turn. */
    fetchesInFlight: z.number().int().min(1).max(10_000).default(256),
    /** Console output the app may log, in KiB per second (bursts of 4 seconds' worth); lines past it are dropped and counted. */
    logKbPerSecond: z.number().int().min(1).max(1_048_576).default(1024),
  })
  .strict();

const app = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/i, { message: 'must be 1-63 letters, digits, "-" or "_", starting with a letter or digit' }),
    hostnames: z.array(hostname).min(1, { message: 'needs at least one hostname' }),
    /** The app's ES module (its imports are bundled), relative to the config file. */
    module: z.string().min(1),
    env: z.record(z.string(), z.string({ message: 'env values must be strings' })).default({}),
    limits: limits.default(limits.parse({})),
    /** Outbound fetch: hosts (or CIDRs) on loopback/private networks this app may reach. */
    fetchAllow: z.array(z.string().min(1)).default([]),
    /** Workers' static assets: the directory `env[binding].fetch()` serves (host/assets.ts), relative to the config file. */
    assets: z
      .object({
        directory: z.string().min(1),
        binding: z.string().regex(/^[A-Za-z_$][\w$]*$/, { message: 'must be a JavaScript identifier' }).default('ASSETS'),
      })
      .strict()
      .optional(),
  })
  .strict();

const server = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: port.default(8787),
    /** node:http's requestTimeout (whole request received). */
    requestTimeoutMs: ms(3_600_000).default(60_000),
    /** node:http's headersTimeout (slowloris). */
    headersTimeoutMs: ms(600_000).default(10_000),
    keepAliveTimeoutMs: ms(600_000).default(5_000),
    /** How long a response may wait for its client to take bytes (its socket full) before the connection is closed. */
    sendTimeoutMs: ms(3_600_000).default(60_000),
    /** How long SIGTERM waits for in-flight requests before closing what remains. */
    shutdownDeadlineMs: ms(3_600_000).default(30_000),
    /** How long a removed or replaced app may drain. */
    drainDeadlineMs: ms(3_600_000).default(30_000),
    /** Proxies (addresses or CIDRs) whose X-Forwarded-For names the client (client-address.ts). */
    trustedProxies: z.array(addressOrCidr).default([]),
  })
  .strict();

const admin = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: port.default(8788),
    /** Bearer token; at least 16 characters. */
    token: z.string().min(16, { message: 'must be at least 16 characters' }),
  })
  .strict();

export const configSchema = z
  .object({
    server: server.default(server.parse({})),
    admin: admin.optional(),
    apps: z.array(app),
    /** The app that answers hostnames no app claims (else 404). */
    defaultApp: z.string().optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    const names = new Map<string, number>();
    const hosts = new Map<string, string>();
    config.apps.forEach((a, i) => {
      if (a.assets !== undefined && Object.hasOwn(a.env, a.assets.binding)) {
        ctx.addIssue({ code: 'custom', path: ['apps', i, 'assets', 'binding'], message: `"${a.assets.binding}" is already a key of env` });
      }
      if (names.has(a.name)) ctx.addIssue({ code: 'custom', path: ['apps', i, 'name'], message: `duplicates the name of apps[${names.get(a.name)}]` });
      names.set(a.name, i);
      a.hostnames.forEach((h, j) => {
        const owner = hosts.get(h);
        if (owner !== undefined && owner !== a.name) {
          ctx.addIssue({ code: 'custom', path: ['apps', i, 'hostnames', j], message: `"${h}" is already routed to app "${owner}"` });
        }
        hosts.set(h, a.name);
      });
    });
    // node:http refuses a server whose head may take longer than its whole request.
    if (config.server.headersTimeoutMs > config.server.requestTimeoutMs) {
      ctx.addIssue({ code: 'custom', path: ['server', 'headersTimeoutMs'], message: `must be at most server.requestTimeoutMs (${config.server.requestTimeoutMs})` });
    }
    if (config.defaultApp !== undefined && !names.has(config.defaultApp)) {
      ctx.addIssue({ code: 'custom', path: ['defaultApp'], message: `no app is named "${config.defaultApp}"` });
    }
  });

export type Config = z.infer<typeof configSchema>;
export type AppConfig = Config['apps'][number];
export type ServerConfig = Config['server'];
export type AdminConfig = NonNullable<Config['admin']>;

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid config ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** `apps[0].hostnames[1]` for a zod path. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`;
  return out === '' ? '(root)' : out;
}

/** Validates a parsed JSON value; module paths are resolved against `baseDir`. */
export function parseConfig(value: unknown, source: string, baseDir: string): Config {
  const result = configSchema.safeParse(value);
  if (!result.success) {
    throw new ConfigError(source, result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`));
  }
  const config = result.data;
  for (const a of config.apps) {
    if (!isAbsolute(a.module)) a.module = resolve(baseDir, a.module);
    if (a.assets !== undefined && !isAbsolute(a.assets.directory)) a.assets.directory = resolve(baseDir, a.assets.directory);
  }
  return config;
}

/** Reads, parses and validates a config file. */
export async function loadConfig(path: string): Promise<Config> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [`cannot read the file: ${(error as Error).message}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(path, [`not valid JSON: ${(error as Error).message}`]);
  }
  return parseConfig(json, path, dirname(resolve(path)));
}
