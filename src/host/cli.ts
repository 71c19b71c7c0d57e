// nano-runtime serve --config <file> [--port N] [--workers N]
import cluster from 'node:cluster';
import { constants } from 'node:os';
import { parseArgs } from 'node:util';
import { createLogger } from './logger.js';
import { NanoServer } from './server.js';

const USAGE = `usage: nano-runtime serve --config <file> [--port N] [--workers N]
  --config FILE   the JSON config (see the README's config reference)
  --port N        listen on N instead of the config's server.port (also: PORT)
  --workers N     run N processes sharing the port (node:cluster); a signal drains them all

SIGTERM or SIGINT drains and exits; SIGHUP reloads the config (as the file watcher does).`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      port: { type: 'string' },
      workers: { type: 'string', default: '1' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || positionals[0] !== 'serve' || !values.config) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const portText = values.port ?? process.env['PORT'];
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    process.stderr.write(`nano-runtime: --port/PORT must be an integer 0-65535, not "${portText}"\n`);
    return 2;
  }
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1) {
    process.stderr.write(`nano-runtime: --workers must be a positive integer\n`);
    return 2;
  }
  if (workers > 1 && cluster.isPrimary) return primary(workers);
  return serve(values.config, port);
}

/** One serving process: runs until SIGTERM/SIGINT, then drains; exit code 0 when clean. SIGHUP reloads the config. */
async function serve(configPath: string, port: number | undefined): Promise<number> {
  const log = createLogger();
  const server = new NanoServer({ configPath, port, log });
  try {
    await server.start();
  } catch (error) {
    log.fatal({ error: (error as Error).message }, 'cannot start');
    log.flush();
    return 1;
  }
  process.send?.({ type: 'nano:listening' });
  return new Promise<number>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      signals++;
      if (signals > 1) {
        log.warn({ signal }, 'second signal: exiting now');
        log.flush();
        // As a process the signal ended: 128 + its number (143 for SIGTERM, 130 for SIGINT).
        process.exit(128 + constants.signals[signal]);
      }
      void server.shutdown().then((clean) => {
        log.flush();
        resolve(clean ? 0 : 1);
      });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    // As daemons do (nginx, HAProxy): a reload, not the default action (exit without draining).
    process.on('SIGHUP', () => void server.reload('SIGHUP'));
  });
}

/** The cluster primary: forks the workers, forwards signals (SIGHUP too: each worker reloads), exits when they all have. */
function primary(workers: number): Promise<number> {
  const log = createLogger();
  log.info({ workers }, 'starting workers');
  // Workers need the same flags (isolated-vm on Node 20 needs --no-node-snapshot).
  cluster.setupPrimary({ execArgv: process.execArgv });
  for (let i = 0; i < workers; i++) cluster.fork();
  let stopping = false;
  let worst = 0;
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
        return;
      }
      stopping = true;
      log.info({ signal }, 'draining all workers');
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    process.on('SIGHUP', () => {
      log.info({ signal: 'SIGHUP' }, 'reloading all workers');
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGHUP');
    });
    cluster.on('exit', (worker, code) => {
      worst = Math.max(worst, code ?? 1);
      if (!stopping) {
        log.error({ pid: worker.process.pid, code }, 'a worker died; starting another');
        cluster.fork();
        return;
      }
      if (Object.keys(cluster.workers ?? {}).length === 0) resolve(worst);
    });
  });
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/cli.ts') || process.argv[1]?.endsWith('/cli.js')) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
