// The root pino logger factory. JSON on stdout (journald collects it); every component takes a
// child logger with `component` bound. Secrets are redacted by path. Every string a record carries
// (fields and message) is cut to LOG_TEXT_MAX_CHARS, whatever path it came by: a last line of
// defence for strings from ZooKeeper, NameNodes and the network (callers bound them tighter).
//
// Repeated identical records are rate-limited: of the records at info, warn and error that agree
// in component, level, message and fields (identifiers that change on every retry, such as
// session ids and epochs, not counted), at most REPEAT_BURST per REPEAT_WINDOW_MS are written; the
// first one after the window carries `repeated: <how many were left out>`. A loop that retries
// once a second (a forged breadcrumb, a squatted lock) costs a few lines a minute, not a day's
// worth of disk. Debug records (opt-in) and fatal ones are never held back. The logger's
// resetRepeats(logger) starts a new window for every record: the controller runtime calls it when the
// local NameNode's health changes or a failover completes, so the records of legitimate failovers
// in quick succession (each one's "ZK Election indicated ...", "Local service entered state", ...)
// are never held back as repeats, only a loop in which nothing changes is.

import { pino, type Logger, type DestinationStream, type LogFn } from 'pino';
import { boundFields, hasLongText, RepeatLimiter } from './untrusted.js';
import { isoTimestamp } from './wall-time.js';
import { monotonicNowMs } from '../runtime/system-clock.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  readonly level?: string;
  readonly bindings?: Record<string, string>;
  /** Defaults to stdout. Tests pass a stream to capture lines. */
  readonly destination?: DestinationStream;
}

/** Bound on any one string in a log record. Fencing output lines are cut at 4 KiB before this. */
export const LOG_TEXT_MAX_CHARS = 8 * 1024;

/** Identical records written per window before the rest are only counted. */
export const REPEAT_BURST = 3;
export const REPEAT_WINDOW_MS = 60_000;
/** Fields that differ on every retry of the same thing; they do not make a record different. */
const VOLATILE_FIELDS = new Set([
  'epoch',
  'sessionId',
  'activationId',
  'requestId',
  'token',
  'durationMs',
  'time',
  'pid',
]);
/** pino's numeric levels: info, warn, error are limited. */
const LIMITED_LEVELS = new Set([30, 40, 50]);

function repeatKey(level: number, bindings: Record<string, unknown>, args: readonly unknown[]): string {
  const parts: unknown[] = [level, bindings['component'] ?? ''];
  for (const arg of args) {
    if (arg !== null && typeof arg === 'object' && !(arg instanceof Error)) {
      parts.push(Object.entries(arg).filter(([key]) => !VOLATILE_FIELDS.has(key)));
    } else {
      parts.push(arg instanceof Error ? arg.message : arg);
    }
  }
  try {
    return JSON.stringify(parts, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  } catch {
    return String(Math.random()); // not serialisable: never treated as a repeat
  }
}

/** pino's logMethod hook: over-long strings cut, identical repeats limited (see the file comment). */
function logMethodHook(
  limiter: RepeatLimiter,
): (this: Logger, args: Parameters<LogFn>, method: LogFn, level: number) => void {
  return function (this: Logger, args, method, level) {
    let items = (args as unknown[]).map((arg) =>
      hasLongText(arg, LOG_TEXT_MAX_CHARS) ? boundFields(arg, LOG_TEXT_MAX_CHARS) : arg,
    );
    if (LIMITED_LEVELS.has(level)) {
      const decision = limiter.check(repeatKey(level, this.bindings(), items), monotonicNowMs());
      if (!decision.write) return;
      if (decision.suppressed > 0) {
        const [first, ...rest] = items;
        if (first instanceof Error) items = [{ err: first, repeated: decision.suppressed }, ...rest];
        else if (first !== null && typeof first === 'object')
          items = [{ ...first, repeated: decision.suppressed }, ...rest];
        else items = [{ repeated: decision.suppressed }, ...items];
      }
    }
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it (the linter's view
    (method as (...values: unknown[]) => void).apply(this, items);
  };
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const limiter = new RepeatLimiter({ burst: REPEAT_BURST, windowMs: REPEAT_WINDOW_MS, maxKeys: 512 });
  const logger = pino(
    {
      // The daemon passes zkfc.log.level (ZKFC_LOG_LEVEL reaches it through the configuration).
      level: options.level ?? 'info',
      base: { pid: process.pid, ...(options.bindings ?? {}) },
      redact: {
        paths: [
          'auth',
          '*.auth',
          'zkAuth',
          '*.zkAuth',
          'config["ha.zookeeper.auth"]',
          // Key store passwords (a ZooKeeper TLS configuration: { keyStore: { password } }).
          'password',
          '*.password',
          '*.*.password',
          'config["hadoop.zk.ssl.keystore.password"]',
          'config["hadoop.zk.ssl.truststore.password"]',
        ],
        censor: '[redacted]',
      },
      // pino's isoTime, without Date#toISOString (see wall-time.ts).
      timestamp: () => `,"time":"${isoTimestamp(Date.now())}"`,
      // An error's message stays its own and its cause is a nested record. pino's default appends
      // every cause's message to the message, and ours already quote their cause ("connect to
      // <peer> failed: <why>"), which printed the same reason three times.
      serializers: { err: pino.stdSerializers.errWithCause },
      hooks: {
        logMethod: logMethodHook(limiter),
      },
    },
    options.destination ?? pino.destination({ fd: 1, sync: false }),
  );
  // Child loggers are created from their parent's prototype (pino's child()), so every component's
  // logger reaches this one limiter.
  Object.defineProperty(logger, REPEAT_LIMITER, { value: limiter });
  return logger;
}

const REPEAT_LIMITER = Symbol('zkfc.repeatLimiter');

/**
 * The situation changed (the local NameNode's health, a completed failover): what repeated so far
 * was not a loop, so no record is held back as a repeat until it repeats again. No-op for a
 * logger not made by createLogger.
 */
export function resetRepeats(logger: Logger): void {
  const limiter = (logger as unknown as Record<symbol, RepeatLimiter | undefined>)[REPEAT_LIMITER];
  limiter?.reset();
}

/** A logger that discards everything (unit tests, library use). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
