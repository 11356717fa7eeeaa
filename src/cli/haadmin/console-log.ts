// Log lines on haadmin's stderr in the shape Hadoop's command-line tools print them (log4j's
// console layout "%d{ISO8601} %p %c{2}: %m"), e.g.
//   2024-05-01 12:34:56,789 WARN ha.FailoverController: Unable to gracefully make ... standby
// so operators see the same lines from `-failover` as with `hdfs haadmin`. Also a pino Logger
// that renders into such lines, for the fencing adapters (src/fencing) that log through pino.
// Not promised: the exact field rendering of pino-sourced lines (key=value after the message).

import { pino, type Logger } from 'pino';

export type ConsoleLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';

/** Writes one log line (already formatted, without the trailing newline). */
export type ConsoleLineSink = (line: string) => void;

/** Logs as a Hadoop class would, under its log4j category ("ha.FailoverController"). */
export interface ConsoleLog {
  log(category: string, level: ConsoleLevel, message: string): void;
}

/** log4j's ISO8601 date pattern: "2024-05-01 12:34:56,789" (local time, as log4j prints it). */
export function javaTimestamp(date: Date): string {
  const p = (n: number, width = 2): string => String(n).padStart(width, '0');
  return (
    `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())} ` +
    `${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())},${p(date.getMilliseconds(), 3)}`
  );
}

/** One line of log4j's console layout. */
export function consoleLine(date: Date, level: ConsoleLevel, category: string, message: string): string {
  return `${javaTimestamp(date)} ${level} ${category}: ${message}`;
}

export function consoleLog(sink: ConsoleLineSink, now: () => Date = () => new Date()): ConsoleLog {
  return {
    log(category, level, message) {
      sink(consoleLine(now(), level, category, message));
    },
  };
}

const PINO_LEVELS: ReadonlyMap<number, ConsoleLevel> = new Map([
  [10, 'DEBUG'],
  [20, 'DEBUG'],
  [30, 'INFO'],
  [40, 'WARN'],
  [50, 'ERROR'],
  [60, 'FATAL'],
]);

/** Fields pino adds itself, or that the line already shows. */
const SKIPPED_FIELDS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'component']);

/** Render one pino JSON record as "message key=value ...". Never throws (bad JSON is shown as is). */
export function renderPinoRecord(json: string): { readonly level: ConsoleLevel; readonly message: string } {
  let record: unknown;
  try {
    record = JSON.parse(json);
  } catch {
    return { level: 'INFO', message: json.trimEnd() };
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record))
    return { level: 'INFO', message: json.trimEnd() };
  const fields = record as Record<string, unknown>;
  const level = PINO_LEVELS.get(typeof fields['level'] === 'number' ? fields['level'] : 30) ?? 'INFO';
  const parts: string[] = [typeof fields['msg'] === 'string' ? fields['msg'] : ''];
  for (const [key, value] of Object.entries(fields)) {
    if (SKIPPED_FIELDS.has(key) || value === undefined) continue;
    if (key === 'err' && typeof value === 'object' && value !== null) {
      const err = value as Record<string, unknown>;
      parts.push(`err=${typeof err['message'] === 'string' ? err['message'] : JSON.stringify(value)}`);
      continue;
    }
    parts.push(`${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
  return { level, message: parts.filter((part) => part.length > 0).join(' ') };
}

/**
 * A pino Logger whose records come out as console lines under `category`. Synchronous, so lines
 * keep their order relative to the ConsoleLog lines written around them.
 */
export function consolePinoLogger(
  category: string,
  sink: ConsoleLineSink,
  level = 'info',
  now: () => Date = () => new Date(),
): Logger {
  return pino(
    { level, base: null, timestamp: false },
    {
      write(chunk: string) {
        for (const json of chunk.split('\n')) {
          if (json.trim() === '') continue;
          const { level: consoleLevel, message } = renderPinoRecord(json);
          sink(consoleLine(now(), consoleLevel, category, message));
        }
      },
    },
  );
}
