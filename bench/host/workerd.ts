// Cloudflare's workerd serving the same bench apps, for the host bench's third column. workerd is
// found through the npm `workerd` package (a dev dependency) or WORKERD_BIN; when neither is there
// the bench reports it as not installed. Each app gets its own socket, as workerd routes by socket.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer, connect } from 'node:net';
import { mkdtemp, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const APPS = fileURLToPath(new URL('./apps/', import.meta.url));
const NAMES = ['hello', 'env', 'stream', 'echo', 'proxy', 'api'] as const;

/** The workerd executable, or undefined when it is not installed. */
export function findWorkerd(): string | undefined {
  if (process.env['WORKERD_BIN']) return process.env['WORKERD_BIN'];
  try {
    const pkg = createRequire(import.meta.url).resolve('workerd/package.json');
    return join(dirname(pkg), 'bin', 'workerd');
  } catch {
    return undefined;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function waitForPort(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 15_000;
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`workerd exited (${code})`)));
    const attempt = (): void => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve()));
      socket.once('error', () => {
        if (Date.now() > deadline) reject(new Error('workerd did not listen within 15 s'));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/** Starts workerd with one socket per bench app; resolves with each app's port. */
export async function startWorkerd(bin: string): Promise<{ ports: Record<string, number>; child: ChildProcess }> {
  const dir = await mkdtemp(join(tmpdir(), 'nano-bench-workerd-'));
  const ports: Record<string, number> = {};
  for (const name of NAMES) {
    ports[name] = await freePort();
    await copyFile(join(APPS, `${name}.js`), join(dir, `${name}.js`));
  }
  const bindings: Record<string, string> = { env: '[(name = "REGION", text = "bench"), (name = "GREETING", text = "hi")]' };
  const config = [
    'using Workerd = import "/workerd/workerd.capnp";',
    'const config :Workerd.Config = (',
    '  services = [',
    ...NAMES.map((n) => `    (name = "${n}", worker = .${n}Worker),`),
    // The proxy and api apps fetch from the upstream on 127.0.0.1, which workerd refuses unless allowed.
    '    (name = "loopback", network = (allow = ["public", "private", "local"])),',
    '  ],',
    '  sockets = [',
    ...NAMES.map((n) => `    (name = "${n}", address = "127.0.0.1:${ports[n]}", http = (), service = "${n}"),`),
    '  ],',
    ');',
    ...NAMES.map((n) =>
      [
        `const ${n}Worker :Workerd.Worker = (`,
        `  modules = [(name = "${n}.js", esModule = embed "${n}.js")],`,
        '  compatibilityDate = "2024-09-23",',
        `  bindings = ${bindings[n] ?? '[]'},`,
        '  globalOutbound = "loopback",',
        ');',
      ].join('\n'),
    ),
  ].join('\n');
  await writeFile(join(dir, 'config.capnp'), config + '\n');
  const child = spawn(bin, ['serve', join(dir, 'config.capnp')], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitForPort(ports['hello']!, child);
  return { ports, child };
}
