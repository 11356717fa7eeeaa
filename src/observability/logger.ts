// The root pino logger factory. JSON on stdout (journald collects it); every component takes a
// child logger with `component` bound. Secrets are redacted by path. Every string a record carries
// (fields and message) is cut to LOG_TEXT_MAX_CHARS, whatever path it came by: a last line of
// defence for strings from ZooKeeper, NameNodes and the network (callers bound them tighter).

import { pino, type Logger, type DestinationStream, type LogFn } from 'pino';
import { boundFields, hasLongText } from './untrusted.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  readonly level?: string;
  readonly bindings?: Record<string, string>;
  /** Defaults to stdout. Tests pass a stream to capture lines. */
  readonly destination?: DestinationStream;
}

/** Bound on any one string in a log record. Fencing output lines are cut at 4 KiB before this. */
export const LOG_TEXT_MAX_CHARS = 8 * 1024;

/** pino's logMethod hook: the same call with every over-long string cut. */
function boundLogArguments(this: Logger, args: Parameters<LogFn>, method: LogFn): void {
  const bounded = (args as unknown[]).map((arg) => (hasLongText(arg, LOG_TEXT_MAX_CHARS) ? boundFields(arg, LOG_TEXT_MAX_CHARS) : arg));
  (method as (...items: unknown[]) => void).apply(this, bounded);
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const logger = pino(
    {
      // The daemon passes zkfc.log.level (ZKFC_LOG_LEVEL reaches it through the configuration).
      level: options.level ?? 'info',
      base: { pid: process.pid, ...(options.bindings ?? {}) },
      redact: { paths: ['auth', '*.auth', 'zkAuth', '*.zkAuth', 'config["ha.zookeeper.auth"]'], censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      hooks: { logMethod: boundLogArguments },
    },
    options.destination ?? pino.destination({ fd: 1, sync: false }),
  );
  return logger;
}

/** A logger that discards everything (unit tests, library use). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
