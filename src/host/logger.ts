// JSON logs (pino): one line per request, app console lines tagged with the app, lifecycle events.
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Log bytes the host keeps waiting for a slow log output (stdout into a stuck pipe, a log shipper
 * that stopped reading): past this, lines are dropped and counted rather than held. Unbounded,
 * the buffer was the host's memory: an app logging 50,000 1 KB lines per request raised the
 * host's RSS by ~100 MiB per request while stdout was not read (measured).
 */
export const LOG_BACKLOG_BYTES = 16 * 1024 * 1024;

/** Lines the log output could not take (see LOG_BACKLOG_BYTES), for the metrics. */
export const logBacklog = { droppedLines: 0 };

export function createLogger(options: { level?: string; destination?: DestinationStream; fd?: number } = {}): Logger {
  let pending = 0;
  let destination = options.destination;
  if (destination === undefined) {
    const stream = pino.destination({ fd: options.fd ?? 1, sync: false, maxLength: LOG_BACKLOG_BYTES });
    stream.on('drop', () => {
      logBacklog.droppedLines++;
      pending++;
    });
    // Once the output takes lines again, one line says how many it missed.
    stream.on('write', () => {
      if (pending === 0) return;
      const dropped = pending;
      pending = 0;
      setImmediate(() => logger.warn({ droppedLines: dropped }, 'log lines dropped: the log output was not keeping up'));
    });
    destination = stream;
  }
  const logger = pino(
    {
      level: options.level ?? process.env['LOG_LEVEL'] ?? 'info',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  return logger;
}
