// The root pino logger factory. JSON on stdout (journald collects it); every component takes a
// child logger with `component` bound. Secrets are redacted by path.

import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  readonly level?: string;
  readonly bindings?: Record<string, string>;
  /** Defaults to stdout. Tests pass a stream to capture lines. */
  readonly destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const logger = pino(
    {
      level: options.level ?? process.env['ZKFC_LOG_LEVEL'] ?? 'info',
      base: { pid: process.pid, ...(options.bindings ?? {}) },
      redact: { paths: ['auth', '*.auth', 'zkAuth', '*.zkAuth', 'config["ha.zookeeper.auth"]'], censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? pino.destination({ fd: 1, sync: false }),
  );
  return logger;
}

/** A logger that discards everything (unit tests, library use). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
